package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * UpdateEncoder at its edges: ADD-PATH on every path, the exact 4096-octet limit of each entry point, flags and
 * reserved octets of MP_REACH_NLRI / MP_UNREACH_NLRI as RFC 4760 lays them out, End-of-RIB.
 */
class UpdateEncoderEdgeCasesTest {

  static final CodecContext V6_SEND = CodecContext.FOUR_OCTET_AS.withAddPath(Set.of(),
      Set.of(AddressFamily.IPV6_UNICAST));
  static final CodecContext V6_RECEIVE = CodecContext.FOUR_OCTET_AS.withAddPath(Set.of(AddressFamily.IPV6_UNICAST),
      Set.of());
  static final CodecContext V4_SEND = CodecContext.FOUR_OCTET_AS.withAddPath(Set.of(),
      Set.of(AddressFamily.IPV4_UNICAST));
  static final CodecContext V4_RECEIVE = CodecContext.FOUR_OCTET_AS.withAddPath(Set.of(AddressFamily.IPV4_UNICAST),
      Set.of());

  static PathAttributes v6() throws Exception {
    return PathAttributes.builder().origin(Origin.IGP).asPath(65000)
        .nextHop(InetAddress.getByName("2001:db8::1")).build();
  }

  static PathAttributes v4() throws Exception {
    return PathAttributes.builder().origin(Origin.IGP).asPath(65000)
        .nextHop(InetAddress.getByName("10.0.0.1")).build();
  }

  /** RFC 7911 §3: with ADD-PATH send on for IPv6, the NLRI in MP_REACH_NLRI carries the path identifier. */
  @Test
  void writeAnnouncement_ipv6AddPath_pathIdInMpReach() throws Exception {
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAnnouncement(out, v6(), IpPrefix.parse("2001:db8:1::/48"), 77, V6_SEND);
      assertEquals(UpdateEncoder.announcementLength(v6(), IpPrefix.parse("2001:db8:1::/48"), V6_SEND),
          out.readableBytes());
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, V6_RECEIVE);
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      PrefixCursor c = u.attributes().mpReach().prefixes();
      assertTrue(c.next());
      assertTrue(c.hasPathId());
      assertEquals(77, c.pathId());
      assertEquals("2001:db8:1::/48", c.prefix().toString());
      assertFalse(c.next());
    } finally {
      out.release();
    }
  }

  /** The sizing helper counts the 4-octet path identifier where ADD-PATH send is on. */
  @Test
  void announcementLength_withAddPath_countsPathId() throws Exception {
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAnnouncement(out, v4(), IpPrefix.parse("10.0.0.0/8"), 5, V4_SEND);
      assertEquals(out.readableBytes(), UpdateEncoder.announcementLength(v4(), IpPrefix.parse("10.0.0.0/8"), V4_SEND));
      assertEquals(UpdateEncoder.announcementLength(v4(), IpPrefix.parse("10.0.0.0/8"), CodecContext.FOUR_OCTET_AS)
          + 4, out.readableBytes());
    } finally {
      out.release();
    }
  }

  /** IPv4 attributes that, with one /32, make a single announcement of exactly {@code total} octets. */
  static PathAttributes v4PaddedTo(int total) throws Exception {
    // 23 + ORIGIN 4 + AS_PATH 9 + NEXT_HOP 7 + COMMUNITIES (4 + 4n) + /32 5
    int n = (total - 23 - 20 - 5 - 4) / 4;
    List<Community> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(new Community(i + 1));
    }
    return v4().toBuilder().communities(cs).build();
  }

  /** RFC 4271 §4.1: 4096 octets, that limit included: a single announcement of exactly 4096 octets is written. */
  @Test
  void writeAnnouncement_exactly4096_written_4100_refused() throws Exception {
    PathAttributes attrs = v4PaddedTo(4096);
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAnnouncement(out, attrs, IpPrefix.parse("10.0.0.1/32"), CodecContext.FOUR_OCTET_AS);
      assertEquals(4096, out.readableBytes());
      assertEquals(4096, out.getUnsignedShort(16));
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, CodecContext.FOUR_OCTET_AS);
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      out.clear();
      PathAttributes bigger = v4PaddedTo(4100);
      assertThrows(IllegalArgumentException.class, () -> UpdateEncoder.writeAnnouncement(out, bigger,
          IpPrefix.parse("10.0.0.1/32"), CodecContext.FOUR_OCTET_AS));
      assertEquals(0, out.writerIndex());
    } finally {
      out.release();
    }
  }

  /**
   * Attributes that fit an UPDATE (4095 octets with the header) but leave no room for a single /32: the batch writer
   * refuses (and writes nothing) rather than send an UPDATE without NLRI and report no progress.
   */
  @Test
  void writeAnnouncements_noRoomForOnePrefix_refusedNothingWritten() throws Exception {
    PathAttributes attrs = v4PaddedTo(4100);
    assertEquals(4095 - 23, attrs.encodedLength(true, true));
    ByteBuf out = Unpooled.buffer();
    try {
      assertThrows(IllegalArgumentException.class, () -> UpdateEncoder.writeAnnouncements(out, attrs,
          List.of(IpPrefix.parse("10.0.0.1/32")), 0, 0, CodecContext.FOUR_OCTET_AS));
      assertEquals(0, out.writerIndex());
    } finally {
      out.release();
    }
  }

  /**
   * RFC 4271 §4.1, RFC 7606 §5.1: IPv6 announcements put MP_REACH_NLRI first and the other attributes after the
   * prefixes, so packing must leave room for those attributes: 1000 /128s go in several UPDATEs of at most 4096
   * octets, every prefix once.
   */
  @Test
  void writeAllAnnouncements_manyIpv6_eachMessageWithinLimit_leavesRoomForTrailingAttributes() throws Exception {
    PathAttributes attrs = v6().toBuilder().localPref(100).communities(Community.of(65000, 1)).build();
    List<IpPrefix> prefixes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      prefixes.add(IpPrefix.parse("2001:db8::" + Integer.toHexString(i + 1) + "/128"));
    }
    ByteBuf out = Unpooled.buffer();
    try {
      int messages = UpdateEncoder.writeAllAnnouncements(out, attrs, prefixes, UpdateGoldenTest.IBGP);
      // 4096 - 23 - MP_REACH header 25 - ORIGIN 4, AS_PATH 9, LOCAL_PREF 7, COMMUNITIES 7 = 4021 / 17 = 236 each
      assertEquals(5, messages);
      List<IpPrefix> seen = new ArrayList<>();
      UpdateMessage u;
      while ((u = (UpdateMessage) BgpFrameDecoder.next(out, UpdateGoldenTest.IBGP)) != null) {
        try {
          assertTrue(u.length() <= 4096, "UPDATE of " + u.length() + " octets");
          UpdateMessage m = u;
          assertEquals(ErrorAction.NONE, m.errorAction(), () -> m.errors().toString());
          assertEquals(100, m.attributes().localPref());
          seen.addAll(u.announced());
        } finally {
          u.release();
        }
      }
      assertEquals(prefixes, seen);
    } finally {
      out.release();
    }
  }

  /** RFC 7911 §3: packing with ADD-PATH counts 4 more octets per prefix; 1000 /32s with path ids, every UPDATE <= 4096. */
  @Test
  void writeAllAnnouncements_addPath_countsPathIdPerPrefix() throws Exception {
    List<IpPrefix> prefixes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      prefixes.add(IpPrefix.ipv4(0x0a000000 | i, 32));
    }
    ByteBuf out = Unpooled.buffer();
    try {
      // 4096 - 23 - 27 (with MED) = 4046 octets of NLRI: 449 prefixes of 9 octets each (not 450 of 5 + 4 ...)
      assertEquals(3, UpdateEncoder.writeAllAnnouncements(out, v4().toBuilder().med(0).build(), prefixes, V4_SEND));
      int seen = 0;
      UpdateMessage u;
      while ((u = (UpdateMessage) BgpFrameDecoder.next(out, V4_RECEIVE)) != null) {
        try {
          assertTrue(u.length() <= 4096, "UPDATE of " + u.length() + " octets");
          PrefixCursor c = u.nlri();
          while (c.next()) {
            assertEquals(0, c.pathId());
            assertEquals(prefixes.get(seen++), c.prefix());
          }
        } finally {
          u.release();
        }
      }
      assertEquals(1000, seen);
    } finally {
      out.release();
    }
  }

  /** RFC 7911 §3: withdrawals carry the path identifier too, IPv4 in Withdrawn Routes and IPv6 in MP_UNREACH_NLRI. */
  @Test
  void writeWithdrawals_addPath_pathIdOnEachWithdrawnPrefix() {
    CodecContext send = CodecContext.FOUR_OCTET_AS.withAddPath(Set.of(),
        Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST));
    CodecContext receive = CodecContext.FOUR_OCTET_AS.withAddPath(
        Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST), Set.of());
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeWithdrawals(out, List.of(IpPrefix.parse("10.1.0.0/16")), 0, 9, send);
      UpdateEncoder.writeWithdrawals(out, List.of(IpPrefix.parse("2001:db8:1::/48")), 0, 11, send);
      assertEquals(Hex.norm("M 001e 02 0007 00000009 10 0a01 0000"
          + "M 0029 02 0000 0012 90 0f 000e 0002 01 0000000b 30 20010db80001"), Hex.hex(out));
      UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(out, receive);
      try {
        PrefixCursor c = u.withdrawn();
        assertTrue(c.next());
        assertEquals(9, c.pathId());
        assertEquals(List.of(IpPrefix.parse("10.1.0.0/16")), u.withdrawnAll());
      } finally {
        u.release();
      }
      UpdateMessage v = (UpdateMessage) BgpFrameDecoder.next(out, receive);
      try {
        PrefixCursor c = v.attributes().mpUnreach().prefixes();
        assertTrue(c.next());
        assertEquals(11, c.pathId());
        assertEquals(List.of(IpPrefix.parse("2001:db8:1::/48")), v.withdrawnAll());
      } finally {
        v.release();
      }
    } finally {
      out.release();
    }
  }

  /**
   * RFC 4271 §4.1: IPv6 withdrawals fill MP_UNREACH_NLRI up to 4096 octets and no further: 239 /128s (4093 octets
   * with the 30 of header, MP_UNREACH_NLRI header and AFI/SAFI) and one /16 make exactly 4096; a /24 instead (4097)
   * goes in a second UPDATE.
   */
  @Test
  void writeWithdrawals_ipv6_exactly4096_andOneOctetMoreSplits() {
    List<IpPrefix> prefixes = new ArrayList<>();
    for (int i = 0; i < 239; i++) {
      prefixes.add(IpPrefix.parse("2001:db8::" + Integer.toHexString(i + 1) + "/128"));
    }
    ByteBuf out = Unpooled.buffer();
    try {
      List<IpPrefix> exact = new ArrayList<>(prefixes);
      exact.add(IpPrefix.parse("2001::/16"));
      assertEquals(1, UpdateEncoder.writeAllWithdrawals(out, exact, CodecContext.INITIAL));
      assertEquals(4096, out.readableBytes());
      out.clear();
      List<IpPrefix> over = new ArrayList<>(prefixes);
      over.add(IpPrefix.parse("2001:d00::/24"));
      assertEquals(2, UpdateEncoder.writeAllWithdrawals(out, over, CodecContext.INITIAL));
      List<IpPrefix> seen = new ArrayList<>();
      UpdateMessage u;
      while ((u = (UpdateMessage) BgpFrameDecoder.next(out, CodecContext.INITIAL)) != null) {
        try {
          assertTrue(u.length() <= 4096, "UPDATE of " + u.length() + " octets");
          seen.addAll(u.withdrawnAll());
        } finally {
          u.release();
        }
      }
      assertEquals(over, seen);
    } finally {
      out.release();
    }
  }

  /** RFC 8950 through the general writer: IPv4 NLRI with an IPv6 next hop go in MP_REACH_NLRI, once, not in NLRI. */
  @Test
  void write_extendedNextHop_ipv4InMpReachOnly() throws Exception {
    CodecContext enh = UpdateGoldenTest.IBGP.withExtendedNextHop(Set.of(AddressFamily.IPV4_UNICAST));
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.write(out, List.of(), v6(), List.of(IpPrefix.parse("10.1.0.0/16")), enh);
      assertEquals(Hex.norm("M 0040 02 0000 0029 90 0e 0018 0001 01 10 20010db8000000000000000000000001 00 10 0a01"
          + "40 01 01 00 40 02 06 02 01 0000fde8"), Hex.hex(out));
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, enh);
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      assertEquals(List.of(IpPrefix.parse("10.1.0.0/16")), u.announced());
      assertEquals(0, u.nlriLength());
    } finally {
      out.release();
    }
  }

  /** RFC 7911 through the general writer: path identifier 0 in MP_REACH_NLRI, NLRI and both withdrawn forms. */
  @Test
  void write_addPath_pathIdZeroEverywhere() throws Exception {
    CodecContext send = UpdateGoldenTest.IBGP.withAddPath(Set.of(),
        Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST));
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.write(out, List.of(IpPrefix.parse("10.9.0.0/16"), IpPrefix.parse("2001:db8:9::/48")),
          v6().toBuilder().nextHop(InetAddress.getByName("10.0.0.1")).build(),
          List.of(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("2001:db8:1::/48")), send);
      assertEquals(Hex.norm("M 006f 02 0007 00000000 10 0a09 004a"
          + "90 0e 0020 0002 01 10 20010db8000000000000000000000001 00 00000000 30 20010db80001"
          + "90 0f 000e 0002 01 00000000 30 20010db80009"
          + "40 01 01 00 40 02 06 02 01 0000fde8 40 03 04 0a000001"
          + "00000000 10 0a01"), Hex.hex(out));
    } finally {
      out.release();
    }
  }

  /** The general writer keeps to the session's maximum (4096 without RFC 8654) and writes nothing when over. */
  @Test
  void write_over4096_refusedNothingWritten() throws Exception {
    List<IpPrefix> prefixes = new ArrayList<>();
    for (int i = 0; i < 811; i++) {
      prefixes.add(IpPrefix.ipv4(0x0a000000 | i, 32));
    }
    ByteBuf out = Unpooled.buffer();
    try {
      // 23 + 20 + 811 * 5 = 4098
      assertThrows(IllegalArgumentException.class, () -> UpdateEncoder.write(out, List.of(), v4(), prefixes,
          CodecContext.FOUR_OCTET_AS));
      assertEquals(0, out.writerIndex());
      UpdateEncoder.write(out, List.of(), v4(), prefixes, CodecContext.FOUR_OCTET_AS.withExtendedMessage(true));
      assertEquals(4098, out.readableBytes());
    } finally {
      out.release();
    }
  }

  /** RFC 4724 §2: only IPv4 unicast has the empty-UPDATE End-of-RIB; IPv4 multicast uses an empty MP_UNREACH_NLRI. */
  @Test
  void endOfRib_ipv4Multicast_isEmptyMpUnreach() {
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeEndOfRib(out, AddressFamily.of(1, 2));
      assertEquals(Hex.norm("M 001d 02 0000 0006 80 0f 03 0001 02"), Hex.hex(out));
    } finally {
      out.release();
    }
  }
}
