package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCounted;
import io.speakerkit.bgp.wire.attribute.AsPathView;
import io.speakerkit.bgp.wire.attribute.AttributeFlags;
import io.speakerkit.bgp.wire.attribute.AttributeType;
import io.speakerkit.bgp.wire.attribute.Origin;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A received UPDATE (RFC 4271 §4.3), decoded as a view over the received bytes:
 *
 * <pre>
 * +-----------------------------------------------------+
 * |   Withdrawn Routes Length (2 octets)                |
 * +-----------------------------------------------------+
 * |   Withdrawn Routes (variable)                       |
 * +-----------------------------------------------------+
 * |   Total Path Attribute Length (2 octets)            |
 * +-----------------------------------------------------+
 * |   Path Attributes (variable)                        |
 * +-----------------------------------------------------+
 * |   Network Layer Reachability Information (variable) |
 * +-----------------------------------------------------+
 * </pre>
 *
 * <p>The decoder records where the fields are, validates every attribute once (lengths, flags, the per-attribute
 * rules of RFC 7606 §7) and every prefix length, and keeps the outcome: {@link #errorAction()} is the harshest RFC
 * 7606 action and {@link #errors()} the reasons. Errors that RFC 7606 still answers with a session reset are thrown
 * as {@link BgpDecodeException} instead, so a message you hold is always readable. With
 * {@link ErrorAction#TREAT_AS_WITHDRAW} the prefixes in {@link #nlri()} and in MP_REACH_NLRI are to be treated as
 * withdrawn; with {@link ErrorAction#AFI_SAFI_DISABLE} the family in the error is to be disabled (or the session
 * reset with {@link UpdateError#notification()}).
 *
 * <p><b>Ownership.</b> The message reads the buffer it was decoded from and copies nothing. From {@link
 * BgpMessageDecoder#decode} its reference count <em>is</em> that frame's ({@link #retain()} and {@link #release()} act
 * on it) and the caller still owns the frame: the message is valid while the frame is and its content is unchanged; do
 * not release both. From {@link BgpFrameDecoder} (the session pipeline) the message holds one reference to the received
 * buffer and counts its own references: whoever consumes it releases it (as {@code SimpleChannelInboundHandler} does),
 * which gives that reference back and returns the message object for reuse, as Netty does with its pooled derived
 * buffers. Such a message pins the buffer: a direct buffer is read from its address (see {@link MessageBytes}), so it
 * must not be reallocated while the message lives (the rule of {@link BgpFrameDecoder#next}). A released message fails
 * on every read until it is reused, and so does every cursor and view it handed out; a reference to the message itself
 * kept past {@link #release()} may then see another message, so keep {@link #copy()} (an independent heap copy) or
 * {@link #retain()} instead. Re-encoding ({@link BgpMessageEncoder}) writes the received bytes unchanged.
 */
public final class UpdateMessage implements BgpMessage, ReferenceCounted {

  private static final int[] EXPECTED_FLAGS = new int[256];

  static {
    for (int t = 0; t < 256; t++) {
      EXPECTED_FLAGS[t] = AttributeType.expectedFlags(t);
    }
  }

  /** {@link #refCnt}: atomic updates, and a plain read where only the decoding thread's own view matters. */
  private static final VarHandle REF_CNT;

  static {
    try {
      REF_CNT = MethodHandles.lookup().findVarHandle(UpdateMessage.class, "refCnt", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** What a released pooled message reads: every access fails as a released buffer does. */
  private static final ByteBuf RELEASED = releasedBuffer();

  private static ByteBuf releasedBuffer() {
    ByteBuf b = Unpooled.buffer(1); // not 0: Unpooled gives the unreleasable empty buffer for that
    b.release();
    return b;
  }

  /**
   * Whether this is a message of {@link BgpFrameDecoder}: it counts its own references, holds one reference to
   * {@link #buf}, and goes back to an {@link UpdatePool} when released.
   */
  private final boolean pooled;
  private volatile int refCnt;
  /** The pool this message was taken from (pooled messages only). */
  UpdatePool pool;
  private ByteBuf buf;
  /** How the message and its views read {@link #buf}; its generation ends when the message is released. */
  private final MessageBytes bytes = new MessageBytes();
  private int base;
  private int length;
  private CodecContext ctx;
  private int withdrawnStart;
  private int withdrawnEnd;
  private int nlriStart;
  /** Whether IPv4 unicast prefixes carry path identifiers (RFC 7911), looked up once per message. */
  private boolean v4AddPath;
  private UpdateAttributes attrs;
  private PrefixCursor withdrawnCursor;
  private PrefixCursor nlriCursor;
  private ErrorAction action = ErrorAction.NONE;
  /** Attribute types 64-255 met in the message being decoded (RFC 7606 §3.g), and whether any was. */
  private final long[] seenHigh = new long[3];
  private boolean seenHighTypes;
  private List<UpdateError> errors;

  /** A new pooled message, for {@link UpdatePool}. */
  static UpdateMessage pooled() {
    return new UpdateMessage();
  }

  private UpdateMessage() {
    this.pooled = true;
    this.buf = RELEASED;
  }

  private UpdateMessage(ByteBuf buf, int base, int length, CodecContext ctx) {
    this.pooled = false;
    this.buf = buf;
    this.base = base;
    this.length = length;
    this.ctx = ctx;
    if (buf != null) {
      bytes.reset(buf, base, base + length, false);
    }
  }

  /**
   * Decodes the UPDATE occupying {@code [base, base + length)} of {@code buf}, header included; the header has been
   * checked by the caller. Does not retain or release {@code buf}.
   */
  static UpdateMessage decode(ByteBuf buf, int base, int length, CodecContext ctx) {
    UpdateMessage m = new UpdateMessage(buf, base, length, ctx);
    m.parse();
    return m;
  }

  /**
   * Decodes the UPDATE occupying {@code [base, base + length)} of {@code buf} into a pooled message that holds one
   * reference to {@code buf} (taken here) and counts its own references: releasing the message to 0 releases
   * {@code buf} once and returns the message for reuse.
   */
  static UpdateMessage decodeRetained(ByteBuf buf, int base, int length, CodecContext ctx) {
    UpdateMessage m = UpdatePool.take();
    try {
      m.redecode(buf, base, length, ctx, true);
    } catch (RuntimeException e) {
      m.detach();
      UpdatePool.giveBack(m);
      throw e;
    }
    buf.retain();
    REF_CNT.setRelease(m, 1);
    return m;
  }

  /**
   * A pooled message released to 0 is read no more (its views fail too: their generation has ended); nor is one
   * whose buffer was reallocated while the message pinned it.
   */
  private void ensureAccessible() {
    // A plain read: a message released by another thread while this one reads it is a race either way.
    if (pooled && (int) REF_CNT.get(this) == 0) {
      throw new IllegalReferenceCountException(0);
    }
    if (!bytes.unmoved()) {
      throw new IllegalStateException("the buffer of this UPDATE was reallocated while the message held it "
          + "(BgpFrameDecoder.next: do not grow a buffer that messages still read)");
    }
  }

  /** Ends the generation of every view handed out and points the message at {@link #RELEASED}. */
  private void detach() {
    buf = RELEASED;
    bytes.endGeneration();
  }

  /** An empty instance for {@link UpdateFlyweight}. */
  static UpdateMessage flyweight() {
    return new UpdateMessage(null, 0, 0, CodecContext.INITIAL);
  }

  /**
   * Re-decodes this instance over another message (flyweight and pooled messages); views of the previous message
   * fail from now on. {@code pinned}: this message holds a reference to {@code buf} (see {@link MessageBytes}).
   */
  void redecode(ByteBuf buf, int base, int length, CodecContext ctx, boolean pinned) {
    if (!pooled) {
      bytes.endGeneration();
    }
    bytes.reset(buf, base, base + length, pinned);
    this.buf = buf;
    this.base = base;
    this.length = length;
    this.ctx = ctx;
    this.action = ErrorAction.NONE;
    this.errors = null;
    parse();
  }

  private void parse() {
    MessageBytes b = bytes;
    boolean v4Ids = ctx.receivesPathId(AddressFamily.IPV4_UNICAST);
    v4AddPath = v4Ids;
    int end = base + length;
    int p = base + HEADER_LENGTH;
    int wlen = b.getUnsignedShort(p);
    // RFC 4271 §6.3: Withdrawn Routes Length + Total Attribute Length + 23 must not exceed the message length.
    if (wlen > length - 23) {
      throw BgpDecodeException.updateMessageError(UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST.value(), null,
          "withdrawn routes length: " + wlen + " (expected: <= " + (length - 23) + ")");
    }
    withdrawnStart = p + 2;
    withdrawnEnd = withdrawnStart + wlen;
    int alen = b.getUnsignedShort(withdrawnEnd);
    if (wlen + alen > length - 23) {
      throw BgpDecodeException.updateMessageError(UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST.value(), null,
          "total path attribute length: " + alen + " (expected: <= " + (length - 23 - wlen) + ")");
    }
    int attrStart = withdrawnEnd + 2;
    int attrEnd = attrStart + alen;
    nlriStart = attrEnd;
    // RFC 7606 §5.3: withdrawn routes that cannot be parsed: session reset.
    if (wlen > 0
        && PrefixCursor.validate(b, withdrawnStart, withdrawnEnd, false, v4Ids) < 0) {
      throw BgpDecodeException.updateMessageError(UpdateMessageErrorSubcode.INVALID_NETWORK_FIELD.value(), null,
          "withdrawn routes: a prefix length above 32 or a prefix overrunning the field (" + wlen + " octets)");
    }
    // RFC 7606 §5.3: NLRI that cannot be parsed: session reset.
    boolean hasNlri = attrEnd < end;
    if (hasNlri
        && PrefixCursor.validate(b, attrEnd, end, false, v4Ids) < 0) {
      throw BgpDecodeException.updateMessageError(UpdateMessageErrorSubcode.INVALID_NETWORK_FIELD.value(), null,
          "NLRI: a prefix length above 32 or a prefix overrunning the field (" + (end - attrEnd) + " octets)");
    }
    UpdateAttributes a = attrs;
    if (a == null) {
      a = new UpdateAttributes(b, attrStart, attrEnd, ctx.fourOctetAs());
      attrs = a;
    } else {
      a.reset(attrStart, attrEnd, ctx.fourOctetAs());
    }
    if (alen > 0) {
      parseAttributes(a, b, attrStart, attrEnd, end, hasNlri);
    } else if (hasNlri) {
      // RFC 4271 §6.3, RFC 7606 §3.d: NLRI with no path attributes at all lacks every well-known mandatory one.
      missing(AttributeType.ORIGIN_CODE);
      missing(AttributeType.AS_PATH_CODE);
      missing(AttributeType.NEXT_HOP_CODE);
    }
  }

  /**
   * Walks the path attributes once (RFC 4271 §4.3): checks each header, the flags and the length, applies the rules
   * of RFC 7606 §7 and records where each valid value is. A well-formed attribute of a fixed size is handled in this
   * loop; the rest, and every malformed attribute, in the methods it calls.
   */
  private void parseAttributes(UpdateAttributes a, MessageBytes b, int p, int end, int messageEnd, boolean hasNlri) {
    if (seenHighTypes) {
      seenHigh[0] = 0;
      seenHigh[1] = 0;
      seenHigh[2] = 0;
      seenHighTypes = false;
    }
    long seen = 0; // the types below 64 met so far; every type this library knows is below 64
    long valid = 0;
    int count = 0;
    boolean overrun = false;
    boolean ibgp = ctx.peerType() == PeerType.INTERNAL;
    while (p < end) {
      int left = end - p;
      if (left < 3) {
        overrun = true;
        break;
      }
      // One read for the header and the first value octets: flags, type, the length octet(s) and up to five value
      // octets, enough for every fixed-size attribute of four octets. Near the message's end it reads the last
      // eight octets of the message; the octets past the end read as zero.
      int q = Math.min(p, messageEnd - 8);
      long word = b.getLong(q) << ((p - q) << 3);
      int flags = (int) (word >>> 56);
      int type = (int) (word >>> 48) & 0xFF;
      int v;
      int len;
      if ((flags & AttributeFlags.EXTENDED_LENGTH) == 0) {
        len = (int) (word >>> 40) & 0xFF;
        v = p + 3;
      } else {
        if (left < 4) {
          overrun = true;
          break;
        }
        len = (int) (word >>> 32) & 0xFFFF;
        v = p + 4;
      }
      if (len > end - v) {
        if (type == AttributeType.MP_REACH_NLRI_CODE || type == AttributeType.MP_UNREACH_NLRI_CODE) {
          // RFC 7606 §2: treat-as-withdraw needs the MP attributes parsed; one that overruns cannot be, and its
          // routes would be lost: session reset (FRR sends Attribute Length Error to iBGP peers only and treats an
          // eBGP peer's overrun as withdraw, leaving the MP routes it could not read in place)
          throw BgpDecodeException.updateMessageError(UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR.value(),
              copy(p, end), AttributeType.valueOf(type) + " length: " + len + " (expected: <= " + (end - v) + ")");
        }
        overrun = true;
        break;
      }
      int next = v + len;
      count++;
      if (type >= 64) {
        if (firstOfHighType(type)) {
          unrecognized(a, type, flags, p, next);
        }
        p = next;
        continue;
      }
      long bit = 1L << type;
      if ((seen & bit) != 0) {
        duplicate(type);
        p = next;
        continue;
      }
      seen |= bit;
      int expected = EXPECTED_FLAGS[type];
      if (expected < 0) {
        unrecognized(a, type, flags, p, next);
        p = next;
        continue;
      }
      if ((flags & 0xC0) != expected
          || ((flags & AttributeFlags.PARTIAL) != 0 && expected != (AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE))) {
        // RFC 7606 §3.c: Optional/Transitive bits in conflict with the type: malformed, handled as the attribute's
        // own malformation; RFC 4271 §6.3 would send Attribute Flags Error with the attribute.
        if (flagsError(a, b, type, flags, expected, p, v, len, next, ibgp)) {
          valid |= bit;
        }
        p = next;
        continue;
      }
      // The first four value octets, big-endian (those past a shorter value are not zeroed).
      int value4 = (int) (word << ((v - p) << 3) >>> 32);
      switch (type) {
        case AttributeType.ORIGIN_CODE -> {
          if (len == 1 && value4 >>> 24 <= 2) {
            a.origin = v;
            a.originCode = value4 >>> 24;
            valid |= bit;
          } else {
            originError(type, p, next, len, value4 >>> 24);
          }
        }
        case AttributeType.AS_PATH_CODE -> {
          if (asPath(a, b, p, v, len, next)) {
            valid |= bit;
          }
        }
        case AttributeType.NEXT_HOP_CODE -> {
          if (len == 4) {
            a.nextHop = v;
            a.nextHopValue = value4;
            valid |= bit;
          } else {
            // RFC 7606 §7.3: NEXT_HOP length not 4: treat-as-withdraw.
            lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "4");
          }
        }
        case AttributeType.MULTI_EXIT_DISC_CODE -> {
          if (len == 4) {
            a.med = v;
            a.medValue = value4;
            valid |= bit;
          } else {
            // RFC 7606 §7.4: MED length not 4: treat-as-withdraw.
            lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "4");
          }
        }
        case AttributeType.LOCAL_PREF_CODE -> {
          if (!ibgp) {
            // RFC 7606 §7.5: LOCAL_PREF from an external neighbour: attribute discard.
            error(ErrorAction.ATTRIBUTE_DISCARD, 0, 0, null, type, null,
                "received from an eBGP peer (expected: iBGP only); discarded");
          } else if (len == 4) {
            a.localPref = v;
            a.localPrefValue = value4;
            valid |= bit;
          } else {
            // RFC 7606 §7.5: LOCAL_PREF length not 4: treat-as-withdraw.
            lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "4");
          }
        }
        case AttributeType.ATOMIC_AGGREGATE_CODE -> {
          if (len == 0) {
            valid |= bit;
          } else {
            // RFC 7606 §7.6: ATOMIC_AGGREGATE length not 0: attribute discard.
            lengthError(ErrorAction.ATTRIBUTE_DISCARD, type, p, next, len, "0");
          }
        }
        case AttributeType.AGGREGATOR_CODE -> {
          if (aggregator(a, type, p, v, len, next, value4)) {
            valid |= bit;
          }
        }
        case AttributeType.COMMUNITIES_CODE -> {
          if (len != 0 && (len & 3) == 0) {
            a.communities = v;
            a.communitiesLen = len;
            valid |= bit;
          } else {
            // RFC 7606 §7.8: COMMUNITIES length not a non-zero multiple of 4: treat-as-withdraw.
            lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "a non-zero multiple of 4");
          }
        }
        case AttributeType.ORIGINATOR_ID_CODE -> {
          if (!ibgp) {
            // RFC 7606 §7.9: ORIGINATOR_ID from an external neighbour: attribute discard.
            error(ErrorAction.ATTRIBUTE_DISCARD, 0, 0, null, type, null,
                "received from an eBGP peer (expected: iBGP only); discarded");
          } else if (len == 4) {
            a.originatorId = v;
            a.originatorIdValue = value4;
            valid |= bit;
          } else {
            // RFC 7606 §7.9: ORIGINATOR_ID length not 4: treat-as-withdraw.
            lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "4");
          }
        }
        case AttributeType.CLUSTER_LIST_CODE -> {
          if (!ibgp) {
            // RFC 7606 §7.10: CLUSTER_LIST from an external neighbour: attribute discard.
            error(ErrorAction.ATTRIBUTE_DISCARD, 0, 0, null, type, null,
                "received from an eBGP peer (expected: iBGP only); discarded");
          } else if (len != 0 && (len & 3) == 0) {
            a.clusterList = v;
            a.clusterListLen = len;
            valid |= bit;
          } else {
            // RFC 7606 §7.10: CLUSTER_LIST length not a non-zero multiple of 4: treat-as-withdraw.
            lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "a non-zero multiple of 4");
          }
        }
        case AttributeType.MP_REACH_NLRI_CODE -> {
          if (mpReach(a, b, p, v, len, next)) {
            valid |= bit;
          }
        }
        case AttributeType.MP_UNREACH_NLRI_CODE -> {
          if (mpUnreach(a, b, p, v, len, next)) {
            valid |= bit;
          }
        }
        case AttributeType.EXTENDED_COMMUNITIES_CODE -> {
          if (len != 0 && (len & 7) == 0) {
            a.extCommunities = v;
            a.extCommunitiesLen = len;
            valid |= bit;
          } else {
            // RFC 7606 §7.14: EXTENDED_COMMUNITIES length not a non-zero multiple of 8: treat-as-withdraw.
            lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "a non-zero multiple of 8");
          }
        }
        case AttributeType.AS4_PATH_CODE -> {
          if (as4Path(a, b, type, p, v, len, next)) {
            valid |= bit;
          }
        }
        case AttributeType.AS4_AGGREGATOR_CODE -> {
          if (as4Aggregator(a, type, p, v, len, next, value4)) {
            valid |= bit;
          }
        }
        case AttributeType.LARGE_COMMUNITY_CODE -> {
          if (len != 0 && len % 12 == 0) {
            a.largeCommunities = v;
            a.largeCommunitiesLen = len;
            valid |= bit;
          } else {
            // RFC 8092 §6: LARGE_COMMUNITY length not a non-zero multiple of 12: treat-as-withdraw.
            lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "a non-zero multiple of 12");
          }
        }
        case AttributeType.ONLY_TO_CUSTOMER_CODE -> {
          if (len == 4) {
            a.onlyToCustomer = v;
            a.onlyToCustomerValue = value4;
            valid |= bit;
          } else {
            // RFC 9234 §5: OTC length not 4: treat-as-withdraw.
            lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "4");
          }
        }
        default -> throw new AssertionError("attribute type " + type + " has expected flags but no rules");
      }
      p = next;
    }
    a.count = count;
    a.valid = valid;
    if (overrun) {
      // RFC 7606 §4: an attribute overrunning the Total Attribute Length, or too few octets left for an attribute
      // header: treat-as-withdraw; the NLRI start is still known from the Total Attribute Length.
      error(ErrorAction.TREAT_AS_WITHDRAW, 3, UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST.value(), null, -1,
          null, "attribute at offset " + (p - a.start) + " overruns the path attributes (" + (end - a.start)
              + " octets)");
    } else if (hasNlri || (valid & (1L << AttributeType.MP_REACH_NLRI_CODE)) != 0) {
      // RFC 7606 §3.d: a missing well-known mandatory attribute: treat-as-withdraw.
      if ((seen & (1L << AttributeType.ORIGIN_CODE)) == 0) {
        missing(AttributeType.ORIGIN_CODE);
      }
      if ((seen & (1L << AttributeType.AS_PATH_CODE)) == 0) {
        missing(AttributeType.AS_PATH_CODE);
      }
      // RFC 4760 §3 / RFC 7606 §3.d: NEXT_HOP is mandatory only with NLRI in the UPDATE's own NLRI field.
      if (hasNlri && (seen & (1L << AttributeType.NEXT_HOP_CODE)) == 0) {
        missing(AttributeType.NEXT_HOP_CODE);
      }
    }
    if ((action == ErrorAction.TREAT_AS_WITHDRAW || action == ErrorAction.AFI_SAFI_DISABLE) && !hasNlri
        && (seen & (1L << AttributeType.MP_REACH_NLRI_CODE)) == 0
        && (overrun || count > ((seen & (1L << AttributeType.MP_UNREACH_NLRI_CODE)) != 0 ? 1 : 0))) {
      // RFC 7606 §5.2: attributes other than MP_UNREACH_NLRI but no reachable NLRI: an error calling for more than
      // attribute discard resets the session (treat-as-withdraw would hide it; an End-of-RIB stays exempt).
      for (UpdateError e : errors) {
        if (e.action() != ErrorAction.ATTRIBUTE_DISCARD) {
          throw BgpDecodeException.updateMessageError(e.subcode(), e.data(),
              "no reachable NLRI, so session reset instead of " + e.action() + ": " + e.reason());
        }
      }
    }
  }

  /** Whether this is the first attribute of {@code type} (64-255) in the message; a later one is discarded. */
  private boolean firstOfHighType(int type) {
    seenHighTypes = true;
    long bit = 1L << type;
    int word = (type >>> 6) - 1;
    if ((seenHigh[word] & bit) != 0) {
      duplicate(type);
      return false;
    }
    seenHigh[word] |= bit;
    return true;
  }

  /** RFC 7606 §3.g: a repeated attribute. */
  private void duplicate(int type) {
    if (type == AttributeType.MP_REACH_NLRI_CODE || type == AttributeType.MP_UNREACH_NLRI_CODE) {
      // MP_REACH_NLRI or MP_UNREACH_NLRI more than once: Malformed Attribute List, session reset.
      throw BgpDecodeException.updateMessageError(UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST.value(),
          null, AttributeType.valueOf(type) + " appears more than once (expected: at most once)");
    }
    // Other duplicates: keep the first, discard the rest (RFC 4271 §6.3 would have sent Malformed Attribute List).
    error(ErrorAction.ATTRIBUTE_DISCARD, 3, UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST.value(), null,
        type, null, "attribute repeated (expected: at most once); later occurrence discarded");
  }

  /** An attribute of a type this library does not interpret: kept if optional. */
  private void unrecognized(UpdateAttributes a, int type, int flags, int p, int next) {
    if ((flags & AttributeFlags.OPTIONAL) == 0) {
      // RFC 4271 §6.3: an unrecognized well-known attribute: Unrecognized Well-known Attribute, data the attr.
      throw BgpDecodeException.updateMessageError(
          UpdateMessageErrorSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE.value(), copy(p, next),
          "attribute type " + type + " with flags " + AttributeFlags.toString(flags)
              + " (expected: a known type, or the Optional bit set)");
    }
    a.unknownCount++;
  }

  private void missing(int type) {
    error(ErrorAction.TREAT_AS_WITHDRAW, 3, UpdateMessageErrorSubcode.MISSING_WELL_KNOWN_ATTRIBUTE.value(),
        new byte[] {(byte) type}, type, null, "missing (expected: present when the UPDATE carries NLRI)");
  }

  /** Records an Attribute Flags Error; true when an MP_REACH_NLRI / MP_UNREACH_NLRI was still read for its NLRI. */
  private boolean flagsError(UpdateAttributes a, MessageBytes b, int type, int flags, int expected, int p, int v,
      int len, int next, boolean ibgp) {
    String reason = "flags " + AttributeFlags.toString(flags) + " (expected: " + AttributeFlags.toString(expected)
        + (expected == (AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE) ? " with P optional" : ", P clear") + ")";
    int sub = UpdateMessageErrorSubcode.ATTRIBUTE_FLAGS_ERROR.value();
    switch (type) {
      case 6, 7, 17, 18 -> error(ErrorAction.ATTRIBUTE_DISCARD, 3, sub, copy(p, next), type, null, reason);
      // RFC 7606 §7.5, §7.9, §7.10: LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST from an eBGP peer are discarded
      // whatever their flags.
      case 5, 9, 10 -> error(ibgp ? ErrorAction.TREAT_AS_WITHDRAW : ErrorAction.ATTRIBUTE_DISCARD, 3, sub,
          copy(p, next), type, null, reason);
      case 14, 15 -> {
        // RFC 7606 §3.c: handled as the attribute's length errors, which for MP_REACH_NLRI / MP_UNREACH_NLRI are
        // AFI/SAFI disable or session reset (§7.11, RFC 4760 §7; FRR resets), not treat-as-withdraw.
        if (len < 3) {
          throw BgpDecodeException.updateMessageError(sub, copy(p, next), AttributeType.valueOf(type) + ": " + reason);
        }
        error(ErrorAction.AFI_SAFI_DISABLE, 3, sub, copy(p, next), type,
            AddressFamily.of(b.getUnsignedShort(v), b.getUnsignedByte(v + 2)), reason);
      }
      default -> error(ErrorAction.TREAT_AS_WITHDRAW, 3, sub, copy(p, next), type, null, reason);
    }
    return false;
  }

  /** A length RFC 7606 §7 rejects: {@code action} with Attribute Length Error and the attribute as data. */
  private void lengthError(ErrorAction action, int type, int p, int next, int len, String expected) {
    error(action, 3, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR.value(), copy(p, next), type, null,
        "length: " + len + " (expected: " + expected + ")");
  }

  /** RFC 7606 §7.1: ORIGIN of another length than 1, or an undefined value: treat-as-withdraw. */
  private void originError(int type, int p, int next, int len, int value) {
    if (len != 1) {
      lengthError(ErrorAction.TREAT_AS_WITHDRAW, type, p, next, len, "1");
    } else {
      // RFC 4271: Invalid ORIGIN Attribute.
      taw(type, p, next, UpdateMessageErrorSubcode.INVALID_ORIGIN_ATTRIBUTE.value(),
          "value: " + value + " (expected: 0 IGP, 1 EGP or 2 INCOMPLETE)");
    }
  }

  /** AS_PATH (RFC 7606 §7.2, RFC 7607): records it when well-formed and free of AS 0. */
  private boolean asPath(UpdateAttributes a, MessageBytes b, int p, int v, int len, int next) {
    int asSize = ctx.fourOctetAs() ? 4 : 2;
    int check = AsPathView.check(b, b.generation(), v, len, asSize);
    if (check == AsPathView.MALFORMED) {
      // RFC 7606 §7.2: malformed AS_PATH: treat-as-withdraw (RFC 4271: Malformed AS_PATH).
      taw(AttributeType.AS_PATH_CODE, p, next, UpdateMessageErrorSubcode.MALFORMED_AS_PATH.value(),
          "segments of " + len + " octets malformed (expected: type 1-4, count >= 1, " + asSize
              + "-octet AS numbers filling the attribute)");
      return false;
    }
    if (check == AsPathView.AS_ZERO) {
      // RFC 7607 §2: AS 0 in AS_PATH makes it malformed: treat-as-withdraw (RFC 7606 §7.2).
      taw(AttributeType.AS_PATH_CODE, p, next, UpdateMessageErrorSubcode.MALFORMED_AS_PATH.value(),
          "AS number: 0 (expected: 1-4294967295, RFC 7607)");
      return false;
    }
    a.asPath = v;
    a.asPathLen = len;
    return true;
  }

  /** AGGREGATOR (RFC 7606 §7.7, RFC 7607): {@code value4} holds its first four octets. */
  private boolean aggregator(UpdateAttributes a, int type, int p, int v, int len, int next, int value4) {
    int want = ctx.fourOctetAs() ? 8 : 6;
    if (len != want) {
      // RFC 7606 §7.7: AGGREGATOR length not 6 (8 with 4-octet AS): attribute discard.
      lengthError(ErrorAction.ATTRIBUTE_DISCARD, type, p, next, len, String.valueOf(want));
      return false;
    }
    if ((want == 8 ? value4 : value4 >>> 16) == 0) {
      // RFC 7607 §2: AS 0 in AGGREGATOR: attribute discard.
      discard(type, p, next, UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR.value(),
          "AS number: 0 (expected: 1-4294967295, RFC 7607)");
      return false;
    }
    a.aggregator = v;
    a.aggregatorLen = len;
    return true;
  }

  /** AS4_PATH: only from 2-octet speakers (RFC 6793 §4.1, §6). */
  private boolean as4Path(UpdateAttributes a, MessageBytes b, int type, int p, int v, int len, int next) {
    if (ctx.fourOctetAs()) {
      // RFC 6793 §4.1: a NEW speaker does not send AS4_PATH to a NEW speaker; one received is discarded.
      error(ErrorAction.ATTRIBUTE_DISCARD, 0, 0, null, type, null,
          "received on a 4-octet AS session (expected: only from 2-octet speakers); discarded");
      return false;
    }
    int check = AsPathView.check(b, b.generation(), v, len, 4);
    if (check == AsPathView.MALFORMED) {
      // RFC 6793 §6 / RFC 7606 §7.2: malformed AS4_PATH: attribute discard.
      discard(type, p, next, UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR.value(),
          "segments of " + len + " octets malformed (expected: type 1-4, count >= 1, 4-octet AS numbers)");
      return false;
    }
    if (check == AsPathView.AS_ZERO) {
      // RFC 7607 §2: AS 0 in AS4_PATH: attribute discard (RFC 6793 §6).
      discard(type, p, next, UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR.value(),
          "AS number: 0 (expected: 1-4294967295, RFC 7607)");
      return false;
    }
    a.as4Path = v;
    a.as4PathLen = len;
    return true;
  }

  /** AS4_AGGREGATOR: only from 2-octet speakers (RFC 6793 §4.1, §6); {@code value4} holds its AS. */
  private boolean as4Aggregator(UpdateAttributes a, int type, int p, int v, int len, int next, int value4) {
    if (ctx.fourOctetAs()) {
      // RFC 6793 §4.1: AS4_AGGREGATOR from a NEW speaker is discarded.
      error(ErrorAction.ATTRIBUTE_DISCARD, 0, 0, null, type, null,
          "received on a 4-octet AS session (expected: only from 2-octet speakers); discarded");
      return false;
    }
    if (len != 8) {
      // RFC 6793 §6: malformed AS4_AGGREGATOR: attribute discard.
      lengthError(ErrorAction.ATTRIBUTE_DISCARD, type, p, next, len, "8");
      return false;
    }
    if (value4 == 0) {
      // RFC 7607 §2: AS 0 in AS4_AGGREGATOR: attribute discard.
      discard(type, p, next, UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR.value(),
          "AS number: 0 (expected: 1-4294967295, RFC 7607)");
      return false;
    }
    a.as4Aggregator = v;
    return true;
  }

  /** MP_REACH_NLRI (RFC 4760 §3, RFC 7606 §7.11): records it when its next hop and NLRI can be read. */
  private boolean mpReach(UpdateAttributes a, MessageBytes b, int p, int v, int len, int next) {
    int optErr = UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR.value();
    if (len < 3) {
      // RFC 7606 §7.11 / §5.3: without AFI/SAFI nothing can be disabled: session reset.
      throw BgpDecodeException.updateMessageError(optErr, copy(p, next),
          "MP_REACH_NLRI length: " + len + " (expected: >= 5)");
    }
    AddressFamily family = AddressFamily.of(b.getUnsignedShort(v), b.getUnsignedByte(v + 2));
    if (len < 5) {
      afiSafiDisable(AttributeType.MP_REACH_NLRI_CODE, p, next, family, "length: " + len + " (expected: >= 5)");
      return false;
    }
    int nhLen = b.getUnsignedByte(v + 3);
    if (5 + nhLen > len) {
      // RFC 7606 §7.11: next hop length inconsistent with the attribute length: AFI/SAFI disable.
      afiSafiDisable(AttributeType.MP_REACH_NLRI_CODE, p, next, family,
          "next hop length: " + nhLen + " (expected: <= " + (len - 5) + ")");
      return false;
    }
    boolean addPath = ctx.receivesPathId(family);
    if (MpReachView.isPrefixFamily(family)) {
      int afi = family.afi().value();
      boolean ok = afi == 2 ? nhLen == 16 || nhLen == 32
          : nhLen == 4 || ((nhLen == 16 || nhLen == 32) && ctx.extendedNextHop().contains(family));
      if (!ok) {
        // RFC 7606 §7.11: next hop length not what the family allows: AFI/SAFI disable.
        afiSafiDisable(AttributeType.MP_REACH_NLRI_CODE, p, next, family, "next hop length: " + nhLen
            + " (expected: " + (afi == 2 ? "16 or 32" : ctx.extendedNextHop().contains(family) ? "4, 16 or 32" : "4")
            + ")");
        return false;
      }
      if (PrefixCursor.validate(b, v + 5 + nhLen, next, afi == 2, addPath) < 0) {
        // RFC 7606 §5.3: NLRI in MP_REACH_NLRI that cannot be parsed: AFI/SAFI disable (or session reset).
        afiSafiDisable(AttributeType.MP_REACH_NLRI_CODE, p, next, family,
            "NLRI: a prefix length above " + (afi == 2 ? 128 : 32) + " or a prefix overrunning the attribute");
        return false;
      }
    }
    a.mpReach = v;
    a.mpReachLen = len;
    a.mpReachNextHopLength = nhLen;
    a.mpReachFamily = family;
    a.mpReachAddPath = addPath;
    return true;
  }

  /** MP_UNREACH_NLRI (RFC 4760 §4, RFC 7606 §7.12): records it when its withdrawn routes can be read. */
  private boolean mpUnreach(UpdateAttributes a, MessageBytes b, int p, int v, int len, int next) {
    if (len < 3) {
      // RFC 7606 §7.12 / §5.3: without AFI/SAFI nothing can be disabled: session reset.
      throw BgpDecodeException.updateMessageError(UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR.value(),
          copy(p, next), "MP_UNREACH_NLRI length: " + len + " (expected: >= 3)");
    }
    AddressFamily family = AddressFamily.of(b.getUnsignedShort(v), b.getUnsignedByte(v + 2));
    boolean addPath = ctx.receivesPathId(family);
    if (MpReachView.isPrefixFamily(family)) {
      boolean v6 = family.afi().value() == 2;
      if (PrefixCursor.validate(b, v + 3, next, v6, addPath) < 0) {
        // RFC 7606 §5.3: withdrawn routes in MP_UNREACH_NLRI that cannot be parsed: AFI/SAFI disable.
        afiSafiDisable(AttributeType.MP_UNREACH_NLRI_CODE, p, next, family,
            "withdrawn routes: a prefix length above " + (v6 ? 128 : 32) + " or a prefix overrunning the attribute");
        return false;
      }
    }
    a.mpUnreach = v;
    a.mpUnreachLen = len;
    a.mpUnreachFamily = family;
    a.mpUnreachAddPath = addPath;
    return true;
  }

  private void taw(int type, int p, int next, int subcode, String reason) {
    error(ErrorAction.TREAT_AS_WITHDRAW, 3, subcode, copy(p, next), type, null, reason);
  }

  private void discard(int type, int p, int next, int subcode, String reason) {
    error(ErrorAction.ATTRIBUTE_DISCARD, 3, subcode, copy(p, next), type, null, reason);
  }

  private void afiSafiDisable(int type, int p, int next, AddressFamily family, String reason) {
    error(ErrorAction.AFI_SAFI_DISABLE, 3, UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR.value(),
        copy(p, next), type, family, reason);
  }

  private void error(ErrorAction act, int code, int subcode, byte[] data, int type, AddressFamily family,
      String reason) {
    if (errors == null) {
      errors = new ArrayList<>(2);
    }
    errors.add(new UpdateError(act, code, subcode, data, type, family, reason));
    action = action.max(act);
  }

  /** The octets {@code [from, to)} of the message (the data of a NOTIFICATION or an RFC 7606 error). */
  private byte[] copy(int from, int to) {
    byte[] d = new byte[to - from];
    buf.getBytes(from, d);
    return d;
  }

  @Override
  public MessageType type() {
    return MessageType.UPDATE;
  }

  /** The negotiated state the message was decoded with. */
  public CodecContext context() {
    return ctx;
  }

  /** Octets of the whole message, header included. */
  public int length() {
    return length;
  }

  /**
   * The buffer the message reads (not a copy, not retained): the received bytes are {@code [offset(), offset() +
   * length())}. Do not release it separately from the message.
   */
  public ByteBuf content() {
    return buf;
  }

  /** Absolute index of the message (its marker) in {@link #content()}. */
  public int offset() {
    return base;
  }

  /** The harshest RFC 7606 action the message calls for; {@link ErrorAction#NONE} when well-formed. */
  public ErrorAction errorAction() {
    return action;
  }

  /** Every problem found, in order; empty when well-formed. */
  public List<UpdateError> errors() {
    return errors == null ? List.of() : Collections.unmodifiableList(errors);
  }

  /**
   * Adds problems that checks needing more than the bytes found ({@link UpdateChecks}: the peer's AS and the like);
   * {@link #errorAction()} becomes the harshest of all. A session runs them before its listener sees the message.
   */
  public void addErrors(List<UpdateError> found) {
    ensureAccessible();
    for (UpdateError e : found) {
      error(e.action(), e.code(), e.subcode(), e.data(), e.attributeType(), e.family(), e.reason());
    }
  }

  /**
   * Drops the problems {@code which} selects and recomputes {@link #errorAction()} from the others: for a session
   * that finds a problem does not concern it, as an AFI/SAFI disable of a family it did not negotiate (RFC 4760 §7:
   * the disable applies to that family only, whose NLRI are ignored anyway).
   */
  public void removeErrors(java.util.function.Predicate<UpdateError> which) {
    ensureAccessible();
    if (errors == null || !errors.removeIf(which)) {
      return;
    }
    ErrorAction a = ErrorAction.NONE;
    for (UpdateError e : errors) {
      a = a.max(e.action());
    }
    action = a;
  }

  /** The path attributes, read in place. */
  public UpdateAttributes attributes() {
    ensureAccessible();
    return attrs;
  }

  /** Octets of the Withdrawn Routes field. */
  public int withdrawnLength() {
    return withdrawnEnd - withdrawnStart;
  }

  /** Octets of the NLRI field. */
  public int nlriLength() {
    return base + length - nlriStart;
  }

  /** This message's cursor over the IPv4 withdrawn routes field, rewound (the same instance on every call). */
  public PrefixCursor withdrawn() {
    ensureAccessible();
    return withdrawnCursor =
        PrefixCursor.reuse(withdrawnCursor, bytes, bytes.generation(), withdrawnStart, withdrawnEnd, false, v4AddPath);
  }

  /** This message's cursor over the IPv4 NLRI field, rewound (the same instance on every call). */
  public PrefixCursor nlri() {
    ensureAccessible();
    return nlriCursor =
        PrefixCursor.reuse(nlriCursor, bytes, bytes.generation(), nlriStart, base + length, false, v4AddPath);
  }

  /** Withdrawn IPv4 prefixes as a list (allocates). */
  public List<IpPrefix> withdrawnList() {
    return withdrawn().toList();
  }

  /** Announced IPv4 prefixes of the NLRI field as a list (allocates). */
  public List<IpPrefix> nlriList() {
    return nlri().toList();
  }

  /**
   * Every announced prefix, from the NLRI field and from MP_REACH_NLRI (IPv4/IPv6 unicast), as a list (allocates).
   */
  public List<IpPrefix> announced() {
    List<IpPrefix> out = nlriList();
    MpReachView r = attrs.mpReach();
    if (r != null && r.hasPrefixes()) {
      out.addAll(r.prefixList());
    }
    return out;
  }

  /** Every withdrawn prefix, from the Withdrawn Routes field and MP_UNREACH_NLRI, as a list (allocates). */
  public List<IpPrefix> withdrawnAll() {
    List<IpPrefix> out = withdrawnList();
    MpUnreachView u = attrs.mpUnreach();
    if (u != null && u.hasPrefixes()) {
      out.addAll(u.prefixList());
    }
    return out;
  }

  /**
   * The family this message is the End-of-RIB marker of (RFC 4724 §2): IPv4 unicast for an UPDATE with nothing in
   * it, otherwise the family of an MP_UNREACH_NLRI that is the only attribute and holds no routes. Null if it is
   * not one.
   */
  public AddressFamily endOfRib() {
    if (withdrawnLength() != 0 || nlriLength() != 0) {
      return null;
    }
    if (attrs.totalLength() == 0) {
      return AddressFamily.IPV4_UNICAST;
    }
    if (attrs.count() == 1 && attrs.present(AttributeType.MP_UNREACH_NLRI_CODE) && attrs.mpUnreachLen == 3) {
      return attrs.mpUnreachFamily;
    }
    return null;
  }

  public boolean isEndOfRib() {
    return endOfRib() != null;
  }

  /**
   * Builds an UPDATE with {@link UpdateEncoder#write} into a new buffer from {@code alloc} and returns it decoded,
   * owning that buffer (refCnt 1: release it, or hand it to a pipeline that does).
   *
   * @param attrs may be null when nothing is announced
   * @throws IllegalArgumentException when it does not fit one message of {@code ctx}
   */
  public static UpdateMessage build(io.netty.buffer.ByteBufAllocator alloc, List<IpPrefix> withdrawn,
      io.speakerkit.bgp.wire.attribute.PathAttributes attrs, List<IpPrefix> announced, CodecContext ctx) {
    ByteBuf out = alloc.buffer(256);
    boolean success = false;
    try {
      UpdateEncoder.write(out, withdrawn, attrs, announced, ctx);
      UpdateMessage u = decode(out, out.readerIndex(), out.readableBytes(), ctx);
      success = true;
      return u;
    } finally {
      if (!success) {
        out.release();
      }
    }
  }

  /**
   * An independent copy on the heap that owns its own buffer (refCnt 1): for keeping the message beyond the life
   * of the received buffer. Release it when done.
   */
  public UpdateMessage copy() {
    ByteBuf c = Unpooled.buffer(length, length);
    c.writeBytes(buf, base, length);
    try {
      UpdateMessage m = decode(c, 0, length, ctx);
      // what a session added ({@link #addErrors}) or dropped ({@link #removeErrors}) after decoding stays with it
      m.errors = errors == null ? null : new ArrayList<>(errors);
      m.action = action;
      return m;
    } catch (RuntimeException e) {
      c.release();
      throw e;
    }
  }

  @Override
  public int refCnt() {
    return pooled ? refCnt : buf.refCnt();
  }

  @Override
  public UpdateMessage retain() {
    return retain(1);
  }

  @Override
  public UpdateMessage retain(int increment) {
    if (!pooled) {
      buf.retain(increment);
      return this;
    }
    if (increment <= 0) {
      throw new IllegalArgumentException("increment: " + increment + " (expected: > 0)");
    }
    for (;;) {
      int c = refCnt;
      if (c == 0 || c + increment < c) {
        throw new IllegalReferenceCountException(c, increment);
      }
      if (REF_CNT.compareAndSet(this, c, c + increment)) {
        return this;
      }
    }
  }

  @Override
  public UpdateMessage touch() {
    buf.touch();
    return this;
  }

  @Override
  public UpdateMessage touch(Object hint) {
    buf.touch(hint);
    return this;
  }

  @Override
  public boolean release() {
    return release(1);
  }

  @Override
  public boolean release(int decrement) {
    if (!pooled) {
      return buf.release(decrement);
    }
    if (decrement <= 0) {
      throw new IllegalArgumentException("decrement: " + decrement + " (expected: > 0)");
    }
    for (;;) {
      int c = refCnt;
      if (c < decrement) {
        throw new IllegalReferenceCountException(c, -decrement);
      }
      if (REF_CNT.compareAndSet(this, c, c - decrement)) {
        if (c != decrement) {
          return false;
        }
        ByteBuf b = buf;
        detach();
        b.release();
        UpdatePool.giveBack(this);
        return true;
      }
    }
  }

  @Override
  public String toString() {
    if (refCnt() == 0) {
      return "UPDATE (released)";
    }
    AddressFamily eor = endOfRib();
    if (eor != null) {
      return "UPDATE End-of-RIB " + eor;
    }
    StringBuilder sb = new StringBuilder("UPDATE");
    if (withdrawnLength() > 0) {
      sb.append(" withdrawn=").append(withdrawnList());
    }
    sb.append(" attributes=").append(attrs.count());
    if (nlriLength() > 0) {
      sb.append(" nlri=").append(nlriList());
    }
    if (attrs.mpReach() != null) {
      sb.append(' ').append(attrs.mpReach());
    }
    if (attrs.mpUnreach() != null) {
      sb.append(' ').append(attrs.mpUnreach());
    }
    if (action != ErrorAction.NONE) {
      sb.append(' ').append(action).append(' ').append(errors);
    }
    return sb.toString();
  }
}
