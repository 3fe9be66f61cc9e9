package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.attribute.AttributeFlags;
import io.speakerkit.bgp.wire.attribute.AttributeType;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.util.List;

/**
 * Builds UPDATE messages (RFC 4271 §4.3, RFC 4760 §3-4) straight into a caller-supplied buffer, with pre-encoded
 * {@link PathAttributes}: announcing a prefix copies the attribute bytes and writes the prefix, allocating nothing.
 * IPv4 prefixes go in the NLRI / Withdrawn Routes fields; IPv6 prefixes (and IPv4 with an IPv6 next hop, RFC 8950)
 * in MP_REACH_NLRI / MP_UNREACH_NLRI, written with the Extended Length flag and as the first attribute (RFC 7606
 * §5.1). Path identifiers (RFC 7911) are written when {@link CodecContext#sendsPathId} says so for the family.
 * {@link #writeAnnouncements} and {@link #writeWithdrawals} each carry one kind of route per UPDATE, as RFC 7606 §5.1
 * asks of a sender; {@link #write} can combine them, for testing receivers. Stateless.
 *
 * <p><b>Ownership.</b> {@code out} belongs to the caller (usually from the channel's allocator, pooled): the
 * encoder only writes at its writer index and never retains or releases it. On an exception the writer index is
 * restored. The {@code List<IpPrefix>} arguments are read, never kept.
 */
public final class UpdateEncoder {

  private static final int EMPTY_UPDATE = 23;
  private static final int MP_ATTR_HEADER = 4;

  private UpdateEncoder() {
  }

  /** Writes an UPDATE announcing one prefix (no path identifier: 0 if ADD-PATH send is on). */
  public static void writeAnnouncement(ByteBuf out, PathAttributes attrs, IpPrefix prefix, CodecContext ctx) {
    writeAnnouncement(out, attrs, prefix, 0, ctx);
  }

  /** Writes an UPDATE announcing one prefix with the given RFC 7911 path identifier (used only with ADD-PATH). */
  public static void writeAnnouncement(ByteBuf out, PathAttributes attrs, IpPrefix prefix, int pathId,
      CodecContext ctx) {
    int start = out.writerIndex();
    boolean success = false;
    try {
      writeAnnouncement0(out, attrs, prefix, pathId, ctx);
      success = true;
    } finally {
      if (!success) {
        out.writerIndex(start); // as documented: nothing half-written stays
      }
    }
  }

  private static void writeAnnouncement0(ByteBuf out, PathAttributes attrs, IpPrefix prefix, int pathId,
      CodecContext ctx) {
    int start = out.writerIndex();
    boolean four = ctx.fourOctetAs();
    boolean addPath = ctx.sendsPathId(prefix.family());
    if (!usesMpReach(attrs, prefix.isIpv6(), ctx)) {
      BgpMessageEncoder.writeHeader(out, MessageType.UPDATE.value());
      out.writeShort(0);
      out.writeShort(attrs.encodedLength(four, true));
      attrs.writeTo(out, four, true);
      if (addPath) {
        out.writeInt(pathId);
      }
      prefix.writeNlri(out);
    } else {
      BgpMessageEncoder.writeHeader(out, MessageType.UPDATE.value());
      out.writeShort(0);
      int alenAt = out.writerIndex();
      out.writeShort(0);
      // RFC 7606 §5.1: MP_REACH_NLRI first, so that a receiver finds the NLRI even past a malformed attribute.
      int mpAt = writeMpReachStart(out, attrs, prefix.family());
      if (addPath) {
        out.writeInt(pathId);
      }
      prefix.writeNlri(out);
      out.setShort(mpAt, out.writerIndex() - mpAt - 2);
      attrs.writeTo(out, four, false);
      out.setShort(alenAt, out.writerIndex() - alenAt - 2);
    }
    int len = out.writerIndex() - start;
    if (len > ctx.maxMessageLength()) {
      out.writerIndex(start);
      throw new IllegalArgumentException("UPDATE length: " + len + " (expected: <= " + ctx.maxMessageLength() + ")");
    }
    out.setShort(start + 16, len);
  }

  /** Octets {@link #writeAnnouncement} writes for {@code prefix}: for sizing a buffer exactly. */
  public static int announcementLength(PathAttributes attrs, IpPrefix prefix, CodecContext ctx) {
    boolean four = ctx.fourOctetAs();
    int nlri = prefix.nlriLength() + (ctx.sendsPathId(prefix.family()) ? 4 : 0);
    if (!usesMpReach(attrs, prefix.isIpv6(), ctx)) {
      return EMPTY_UPDATE + attrs.encodedLength(four, true) + nlri;
    }
    return EMPTY_UPDATE + attrs.encodedLength(four, false) + MP_ATTR_HEADER + 5 + attrs.ipv6NextHopLength() + nlri;
  }

  private static boolean usesMpReach(PathAttributes attrs, boolean ipv6, CodecContext ctx) {
    if (ipv6) {
      if (!attrs.hasIpv6NextHop()) {
        throw new IllegalArgumentException("IPv6 prefix: no IPv6 next hop in " + attrs);
      }
      return true;
    }
    if (attrs.hasIpv4NextHop()) {
      return false;
    }
    // RFC 8950 §4: IPv4 NLRI with an IPv6 next hop, when the peer advertised extended next hop for IPv4 unicast.
    if (attrs.hasIpv6NextHop() && ctx.extendedNextHop().contains(AddressFamily.IPV4_UNICAST)) {
      return true;
    }
    throw new IllegalArgumentException("IPv4 prefix: no IPv4 next hop (and no extended next hop negotiated) in "
        + attrs);
  }

  /** Writes MP_REACH_NLRI flags, type, a 2-octet length placeholder, AFI, SAFI, next hop, reserved; returns the
   * index of the placeholder. */
  private static int writeMpReachStart(ByteBuf out, PathAttributes attrs, AddressFamily family) {
    out.writeByte(AttributeFlags.OPTIONAL | AttributeFlags.EXTENDED_LENGTH);
    out.writeByte(AttributeType.MP_REACH_NLRI_CODE);
    int at = out.writerIndex();
    out.writeShort(0);
    out.writeShort(family.afi().value());
    out.writeByte(family.safi().value());
    out.writeByte(attrs.ipv6NextHopLength());
    attrs.writeIpv6NextHop(out);
    out.writeByte(0);
    return at;
  }

  /**
   * Writes one UPDATE announcing as many prefixes from {@code prefixes}, starting at {@code from}, as fit in
   * {@link CodecContext#maxMessageLength()}; all of one family (that of {@code prefixes.get(from)}; the run stops at
   * the first prefix of the other family).
   *
   * @return the index of the first prefix not written ({@code prefixes.size()} when done)
   */
  public static int writeAnnouncements(ByteBuf out, PathAttributes attrs, List<IpPrefix> prefixes, int from,
      int pathId, CodecContext ctx) {
    int start = out.writerIndex();
    boolean success = false;
    try {
      int next = writeAnnouncements0(out, attrs, prefixes, from, pathId, ctx);
      success = true;
      return next;
    } finally {
      if (!success) {
        out.writerIndex(start); // as documented: nothing half-written stays
      }
    }
  }

  private static int writeAnnouncements0(ByteBuf out, PathAttributes attrs, List<IpPrefix> prefixes, int from,
      int pathId, CodecContext ctx) {
    if (from < 0 || from >= prefixes.size()) {
      throw new IndexOutOfBoundsException("from: " + from + " (expected: 0-" + (prefixes.size() - 1) + ")");
    }
    int start = out.writerIndex();
    boolean four = ctx.fourOctetAs();
    IpPrefix first = prefixes.get(from);
    boolean ipv6 = first.isIpv6();
    AddressFamily family = first.family();
    boolean addPath = ctx.sendsPathId(family);
    int per = addPath ? 4 : 0;
    int max = ctx.maxMessageLength();
    boolean mp = usesMpReach(attrs, ipv6, ctx);
    BgpMessageEncoder.writeHeader(out, MessageType.UPDATE.value());
    out.writeShort(0);
    int alenAt = out.writerIndex();
    out.writeShort(0);
    int i = from;
    if (!mp) {
      attrs.writeTo(out, four, true);
      out.setShort(alenAt, out.writerIndex() - alenAt - 2);
      i = writePrefixes(out, prefixes, i, ipv6, addPath, pathId, per, start + max);
    } else {
      // RFC 7606 §5.1: MP_REACH_NLRI first; the other attributes follow the prefixes, so leave room for them.
      int mpAt = writeMpReachStart(out, attrs, family);
      int room = start + max - attrs.encodedLength(four, false);
      i = writePrefixes(out, prefixes, i, ipv6, addPath, pathId, per, room);
      out.setShort(mpAt, out.writerIndex() - mpAt - 2);
      attrs.writeTo(out, four, false);
      out.setShort(alenAt, out.writerIndex() - alenAt - 2);
    }
    int len = out.writerIndex() - start;
    if (i == from || len > max) {
      out.writerIndex(start);
      throw new IllegalArgumentException("UPDATE with one prefix: " + (len) + " octets (expected: <= " + max + ")");
    }
    out.setShort(start + 16, len);
    return i;
  }

  private static int writePrefixes(ByteBuf out, List<IpPrefix> prefixes, int i, boolean ipv6, boolean addPath,
      int pathId, int per, int limit) {
    int n = prefixes.size();
    while (i < n) {
      IpPrefix p = prefixes.get(i);
      if (p.isIpv6() != ipv6 || out.writerIndex() + per + p.nlriLength() > limit) {
        break;
      }
      if (addPath) {
        out.writeInt(pathId);
      }
      p.writeNlri(out);
      i++;
    }
    return i;
  }

  /**
   * Writes as many UPDATEs as needed to announce all {@code prefixes} with {@code attrs}, packing each message full.
   *
   * @return the number of messages written
   */
  public static int writeAllAnnouncements(ByteBuf out, PathAttributes attrs, List<IpPrefix> prefixes,
      CodecContext ctx) {
    int start = out.writerIndex();
    boolean success = false;
    try {
      int next = writeAllAnnouncements0(out, attrs, prefixes, ctx);
      success = true;
      return next;
    } finally {
      if (!success) {
        out.writerIndex(start); // as documented: nothing half-written stays
      }
    }
  }

  private static int writeAllAnnouncements0(ByteBuf out, PathAttributes attrs, List<IpPrefix> prefixes,
      CodecContext ctx) {
    int count = 0;
    int i = 0;
    while (i < prefixes.size()) {
      i = writeAnnouncements(out, attrs, prefixes, i, 0, ctx);
      count++;
    }
    return count;
  }

  /**
   * Writes one UPDATE withdrawing as many prefixes from {@code from} as fit, all of one family: IPv4 in the
   * Withdrawn Routes field, IPv6 in MP_UNREACH_NLRI.
   *
   * @return the index of the first prefix not written
   */
  public static int writeWithdrawals(ByteBuf out, List<IpPrefix> prefixes, int from, int pathId, CodecContext ctx) {
    int start = out.writerIndex();
    boolean success = false;
    try {
      int next = writeWithdrawals0(out, prefixes, from, pathId, ctx);
      success = true;
      return next;
    } finally {
      if (!success) {
        out.writerIndex(start); // as documented: nothing half-written stays
      }
    }
  }

  private static int writeWithdrawals0(ByteBuf out, List<IpPrefix> prefixes, int from, int pathId, CodecContext ctx) {
    if (from < 0 || from >= prefixes.size()) {
      throw new IndexOutOfBoundsException("from: " + from + " (expected: 0-" + (prefixes.size() - 1) + ")");
    }
    int start = out.writerIndex();
    IpPrefix first = prefixes.get(from);
    boolean ipv6 = first.isIpv6();
    AddressFamily family = first.family();
    boolean addPath = ctx.sendsPathId(family);
    int per = addPath ? 4 : 0;
    int limit = start + ctx.maxMessageLength();
    BgpMessageEncoder.writeHeader(out, MessageType.UPDATE.value());
    int i;
    if (!ipv6) {
      int wlenAt = out.writerIndex();
      out.writeShort(0);
      i = writePrefixes(out, prefixes, from, false, addPath, pathId, per, limit - 2);
      out.setShort(wlenAt, out.writerIndex() - wlenAt - 2);
      out.writeShort(0);
    } else {
      out.writeShort(0);
      int alenAt = out.writerIndex();
      out.writeShort(0);
      out.writeByte(AttributeFlags.OPTIONAL | AttributeFlags.EXTENDED_LENGTH);
      out.writeByte(AttributeType.MP_UNREACH_NLRI_CODE);
      int mpAt = out.writerIndex();
      out.writeShort(0);
      out.writeShort(family.afi().value());
      out.writeByte(family.safi().value());
      i = writePrefixes(out, prefixes, from, true, addPath, pathId, per, limit);
      out.setShort(mpAt, out.writerIndex() - mpAt - 2);
      out.setShort(alenAt, out.writerIndex() - alenAt - 2);
    }
    out.setShort(start + 16, out.writerIndex() - start);
    return i;
  }

  /** Writes as many UPDATEs as needed to withdraw all {@code prefixes}; returns the number of messages. */
  public static int writeAllWithdrawals(ByteBuf out, List<IpPrefix> prefixes, CodecContext ctx) {
    int start = out.writerIndex();
    boolean success = false;
    try {
      int next = writeAllWithdrawals0(out, prefixes, ctx);
      success = true;
      return next;
    } finally {
      if (!success) {
        out.writerIndex(start); // as documented: nothing half-written stays
      }
    }
  }

  private static int writeAllWithdrawals0(ByteBuf out, List<IpPrefix> prefixes, CodecContext ctx) {
    int count = 0;
    int i = 0;
    while (i < prefixes.size()) {
      i = writeWithdrawals(out, prefixes, i, 0, ctx);
      count++;
    }
    return count;
  }

  /**
   * Writes the End-of-RIB marker (RFC 4724 §2): for IPv4 unicast an UPDATE with no routes and no attributes (23
   * octets); for other families an UPDATE whose only attribute is an empty MP_UNREACH_NLRI for the family.
   */
  public static void writeEndOfRib(ByteBuf out, AddressFamily family) {
    int start = out.writerIndex();
    boolean success = false;
    try {
      writeEndOfRib0(out, family);
      success = true;
    } finally {
      if (!success) {
        out.writerIndex(start); // as documented: nothing half-written stays
      }
    }
  }

  private static void writeEndOfRib0(ByteBuf out, AddressFamily family) {
    out.writeLong(-1L);
    out.writeLong(-1L);
    if (family.equals(AddressFamily.IPV4_UNICAST)) {
      out.writeShort(EMPTY_UPDATE);
      out.writeByte(MessageType.UPDATE.value());
      out.writeInt(0);
      return;
    }
    out.writeShort(EMPTY_UPDATE + 6);
    out.writeByte(MessageType.UPDATE.value());
    out.writeShort(0);
    out.writeShort(6);
    out.writeByte(AttributeFlags.OPTIONAL);
    out.writeByte(AttributeType.MP_UNREACH_NLRI_CODE);
    out.writeByte(3);
    out.writeShort(family.afi().value());
    out.writeByte(family.safi().value());
  }

  /**
   * Writes one general UPDATE: IPv4 withdrawals in Withdrawn Routes, IPv6 ones in MP_UNREACH_NLRI; announcements
   * IPv4 in NLRI (or MP_REACH_NLRI with RFC 8950), IPv6 in MP_REACH_NLRI. {@code attrs} may be null when nothing is
   * announced. Path identifier 0 where ADD-PATH send is on.
   *
   * <p>Given routes of more than one kind it puts them all in the one UPDATE, which RFC 7606 §5.1 says a speaker MUST
   * NOT send (and a receiver must still accept): meant for testing receivers and for tools. A speaker sends
   * {@link #writeAnnouncements} and {@link #writeWithdrawals} instead.
   *
   * @throws IllegalArgumentException when it does not fit one message, or announcements need two MP_REACH_NLRI
   */
  public static void write(ByteBuf out, List<IpPrefix> withdrawn, PathAttributes attrs, List<IpPrefix> announced,
      CodecContext ctx) {
    int start = out.writerIndex();
    boolean success = false;
    try {
      boolean four = ctx.fourOctetAs();
      AddressFamily mpFamily = null;
      boolean v4Classic = false;
      for (IpPrefix p : announced) {
        if (attrs == null) {
          throw new IllegalArgumentException("announcements without path attributes");
        }
        boolean mp = usesMpReach(attrs, p.isIpv6(), ctx);
        if (mp) {
          if (mpFamily != null && !mpFamily.equals(p.family())) {
            throw new IllegalArgumentException("announcements need MP_REACH_NLRI for " + mpFamily + " and "
                + p.family() + " (expected: one MP_REACH_NLRI per UPDATE)");
          }
          mpFamily = p.family();
        } else {
          v4Classic = true;
        }
      }
      AddressFamily unreachFamily = null;
      for (IpPrefix p : withdrawn) {
        if (p.isIpv6()) {
          unreachFamily = AddressFamily.IPV6_UNICAST;
        }
      }
      BgpMessageEncoder.writeHeader(out, MessageType.UPDATE.value());
      int wlenAt = out.writerIndex();
      out.writeShort(0);
      writeMatching(out, withdrawn, false, ctx);
      out.setShort(wlenAt, out.writerIndex() - wlenAt - 2);
      int alenAt = out.writerIndex();
      out.writeShort(0);
      // NEXT_HOP goes with IPv4 NLRI; it is left out only when every announcement travels in MP_REACH_NLRI.
      boolean withNextHop = v4Classic || mpFamily == null;
      // RFC 7606 §5.1: MP_REACH_NLRI and MP_UNREACH_NLRI come before every other attribute.
      if (mpFamily != null) {
        int mpAt = writeMpReachStart(out, attrs, mpFamily);
        for (IpPrefix p : announced) {
          if (p.family().equals(mpFamily) && (p.isIpv6() || !v4Classic)) {
            if (ctx.sendsPathId(mpFamily)) {
              out.writeInt(0);
            }
            p.writeNlri(out);
          }
        }
        out.setShort(mpAt, out.writerIndex() - mpAt - 2);
      }
      if (unreachFamily != null) {
        out.writeByte(AttributeFlags.OPTIONAL | AttributeFlags.EXTENDED_LENGTH);
        out.writeByte(AttributeType.MP_UNREACH_NLRI_CODE);
        int mpAt = out.writerIndex();
        out.writeShort(0);
        out.writeShort(unreachFamily.afi().value());
        out.writeByte(unreachFamily.safi().value());
        writeMatching(out, withdrawn, true, ctx);
        out.setShort(mpAt, out.writerIndex() - mpAt - 2);
      }
      if (attrs != null) {
        attrs.writeTo(out, four, withNextHop);
      }
      out.setShort(alenAt, out.writerIndex() - alenAt - 2);
      if (v4Classic) {
        writeMatching(out, announced, false, ctx);
      }
      BgpMessageEncoder.finish(out, start, ctx.maxMessageLength());
      success = true;
    } finally {
      if (!success) {
        out.writerIndex(start);
      }
    }
  }

  private static void writeMatching(ByteBuf out, List<IpPrefix> prefixes, boolean ipv6, CodecContext ctx) {
    AddressFamily f = ipv6 ? AddressFamily.IPV6_UNICAST : AddressFamily.IPV4_UNICAST;
    boolean addPath = ctx.sendsPathId(f);
    for (IpPrefix p : prefixes) {
      if (p.isIpv6() == ipv6) {
        if (addPath) {
          out.writeInt(0);
        }
        p.writeNlri(out);
      }
    }
  }
}
