package io.speakerkit.bgp.wire.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.BgpFrameDecoder;
import io.speakerkit.bgp.wire.BgpMessage;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.ErrorAction;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.MpReachView;
import io.speakerkit.bgp.wire.MpUnreachView;
import io.speakerkit.bgp.wire.OpenMessage;
import io.speakerkit.bgp.wire.OpenNegotiation;
import io.speakerkit.bgp.wire.PeerType;
import io.speakerkit.bgp.wire.PrefixCursor;
import io.speakerkit.bgp.wire.UpdateAttributes;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.PathAttribute;
import io.speakerkit.bgp.wire.golden.GoldenCaptures.Direction;
import io.speakerkit.bgp.wire.golden.GoldenCaptures.Session;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every BGP message in every golden capture (FRR 8.4, GoBGP 3.10, BIRD 2.0.12, ExaBGP 4.2 talking to each other; see
 * {@code src/test/resources/golden/README.md}) is framed by {@link BgpFrameDecoder#next} (the pipeline's entry
 * point), decoded with the {@link CodecContext} its session's OPENs negotiate, re-encoded and compared byte for byte
 * with what the daemon sent.
 *
 * <p>OPEN, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH are re-encoded from their decoded values with
 * {@link BgpMessageEncoder}. {@link BgpMessageEncoder} writes a decoded UPDATE back as received, which proves
 * little, so an UPDATE is rebuilt from what was decoded: header; each withdrawn prefix and each NLRI prefix from the
 * prefix cursors (path identifier included under ADD-PATH); each path attribute materialised as a value and written
 * with {@link PathAttribute#write}; MP_REACH_NLRI / MP_UNREACH_NLRI from their views (family, next hop, prefixes).
 */
class GoldenRoundTripTest {

  private static final HexFormat HEX = HexFormat.of();

  @TestFactory
  Stream<DynamicTest> everyMessage_decodesAndReencodesByteForByte() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Session s : GoldenCaptures.allSessions()) {
      for (boolean fromClient : new boolean[] {true, false}) {
        Direction d = fromClient ? s.fromClient() : s.fromServer();
        Direction other = fromClient ? s.fromServer() : s.fromClient();
        if (d.messages().isEmpty()) {
          continue;
        }
        tests.add(DynamicTest.dynamicTest(d.describe() + ", " + d.messages().size() + " messages",
            () -> roundTrip(d, other)));
      }
    }
    return tests.stream();
  }

  /** What the receiver of {@code d} negotiated: its own OPEN is the local one, the sender's the remote one. */
  static CodecContext receiveContext(Direction d, Direction other) {
    OpenMessage senderOpen = open(d.messages().get(0));
    if (other.messages().isEmpty()) {
      // The receiver never answered (a refused connection): the sender's messages before its OPEN was answered
      // can only be the OPEN itself and perhaps a NOTIFICATION, which need no context.
      return CodecContext.INITIAL;
    }
    OpenMessage receiverOpen = open(other.messages().get(0));
    PeerType type = senderOpen.asNumber() == receiverOpen.asNumber() ? PeerType.INTERNAL : PeerType.EXTERNAL;
    return OpenNegotiation.negotiate(receiverOpen, senderOpen, type);
  }

  private static OpenMessage open(byte[] message) {
    ByteBuf in = Unpooled.wrappedBuffer(message);
    try {
      return assertInstanceOf(OpenMessage.class, BgpFrameDecoder.next(in, CodecContext.INITIAL));
    } finally {
      in.release();
    }
  }

  static void roundTrip(Direction d, Direction other) {
    CodecContext negotiated = receiveContext(d, other);
    // The whole stream in one buffer, framed as the pipeline frames it; the context switches after the OPEN.
    ByteBuf stream = Unpooled.buffer();
    d.messages().forEach(stream::writeBytes);
    CodecContext ctx = CodecContext.INITIAL;
    try {
      for (int i = 0; i < d.messages().size(); i++) {
        byte[] original = d.messages().get(i);
        String where = d.describe() + ", message " + i + " (type " + original[18] + "): " + HEX.formatHex(original);
        BgpMessage m = BgpFrameDecoder.next(stream, ctx);
        assertNotNull(m, where);
        try {
          byte[] again = m instanceof UpdateMessage u ? rebuild(u, ctx, where) : encode(m, ctx);
          assertArrayEquals(original, again, () -> where + "\nre-encoded: " + HEX.formatHex(again));
        } finally {
          if (m instanceof UpdateMessage u) {
            u.release();
          }
        }
        if (i == 0) {
          ctx = negotiated;
        }
      }
      assertNull(BgpFrameDecoder.next(stream, ctx), "no message left");
      assertEquals(0, stream.readableBytes());
    } finally {
      stream.release();
    }
  }

  private static byte[] encode(BgpMessage m, CodecContext ctx) {
    ByteBuf out = Unpooled.buffer();
    try {
      BgpMessageEncoder.encode(m, out, ctx);
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }

  /** Rebuilds {@code u} from its decoded parts (see the class comment). */
  static byte[] rebuild(UpdateMessage u, CodecContext ctx, String where) {
    assertEquals(ErrorAction.NONE, u.errorAction(), () -> where + "\nerrors: " + u.errors());
    UpdateAttributes attrs = u.attributes();
    List<PathAttribute> values = attrs.toList();
    ByteBuf out = Unpooled.buffer();
    try {
      for (int i = 0; i < 16; i++) {
        out.writeByte(0xFF);
      }
      int lengthAt = out.writerIndex();
      out.writeShort(0);
      out.writeByte(2);

      int wAt = out.writerIndex();
      out.writeShort(0);
      writePrefixes(out, u.withdrawn());
      out.setShort(wAt, out.writerIndex() - wAt - 2);

      int aAt = out.writerIndex();
      out.writeShort(0);
      UpdateAttributes.AttributeCursor c = attrs.cursor();
      int next = 0;
      while (c.next()) {
        int start = out.writerIndex();
        switch (c.type()) {
          case 14 -> writeMpReach(out, c.flags(), attrs.mpReach());
          case 15 -> writeMpUnreach(out, c.flags(), attrs.mpUnreach());
          default -> {
            assertTrue(next < values.size(), () -> where + ": attribute type " + c.type() + " not materialised");
            PathAttribute value = values.get(next++);
            assertEquals(c.type(), value.typeCode(), where + ": attribute order");
            writeAttribute(out, value, ctx.fourOctetAs(), (c.flags() & 0x10) != 0);
          }
        }
        byte[] originalAttribute = c.copyAttribute();
        byte[] rebuilt = ByteBufUtil.getBytes(out, start, out.writerIndex() - start);
        assertArrayEquals(originalAttribute, rebuilt, () -> where + "\nattribute " + c.type() + " was "
            + HEX.formatHex(originalAttribute) + "\n       re-encoded " + HEX.formatHex(rebuilt));
      }
      assertEquals(values.size(), next, where + ": every materialised attribute written");
      out.setShort(aAt, out.writerIndex() - aAt - 2);

      writePrefixes(out, u.nlri());
      out.setShort(lengthAt, out.writerIndex());
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }

  private static void writePrefixes(ByteBuf out, PrefixCursor prefixes) {
    prefixes.reset();
    while (prefixes.next()) {
      if (prefixes.hasPathId()) {
        out.writeInt(prefixes.pathId());
      }
      IpPrefix p = prefixes.prefix();
      p.writeNlri(out);
    }
  }

  private static void writeMpReach(ByteBuf out, int flags, MpReachView r) {
    ByteBuf value = Unpooled.buffer();
    try {
      value.writeShort(r.afi());
      value.writeByte(r.safi());
      value.writeByte(r.nextHopLength());
      value.writeBytes(r.nextHopBytes());
      value.writeByte(0); // RFC 4760 §3: Reserved
      writePrefixes(value, r.prefixes());
      writeAttribute(out, flags, 14, value);
    } finally {
      value.release();
    }
  }

  private static void writeMpUnreach(ByteBuf out, int flags, MpUnreachView r) {
    ByteBuf value = Unpooled.buffer();
    try {
      value.writeShort(r.family().afi().value());
      value.writeByte(r.family().safi().value());
      writePrefixes(value, r.prefixes());
      writeAttribute(out, flags, 15, value);
    } finally {
      value.release();
    }
  }

  /**
   * {@link PathAttribute#write} with the sender's length form: FRR gives every AS_PATH the Extended Length flag
   * (RFC 4271 §4.3 allows either), and the codec writes that form on request.
   */
  private static void writeAttribute(ByteBuf out, PathAttribute value, boolean fourOctetAs, boolean extended) {
    PathAttribute.write(out, value, fourOctetAs, extended);
  }

  /** Flags as received (the Extended Length choice is the sender's), type, length, value. */
  private static void writeAttribute(ByteBuf out, int flags, int type, ByteBuf value) {
    out.writeByte(flags);
    out.writeByte(type);
    if ((flags & 0x10) != 0) {
      out.writeShort(value.readableBytes());
    } else {
      out.writeByte(value.readableBytes());
    }
    out.writeBytes(value);
  }

  /** The golden set exercises what the issue asks of it; if a recapture loses something, this says what. */
  @Test
  void captures_coverEveryAttributeAndCapabilityTheIssueNames() {
    Map<Integer, Integer> attributes = new TreeMap<>();
    Map<Integer, Integer> capabilities = new TreeMap<>();
    int addPathUpdates = 0;
    int linkLocalNextHops = 0;
    int endOfRib = 0;
    for (Session s : GoldenCaptures.allSessions()) {
      for (boolean fromClient : new boolean[] {true, false}) {
        Direction d = fromClient ? s.fromClient() : s.fromServer();
        Direction other = fromClient ? s.fromServer() : s.fromClient();
        if (d.messages().isEmpty()) {
          continue;
        }
        open(d.messages().get(0)).capabilities().forEach(c -> capabilities.merge(c.code(), 1, Integer::sum));
        CodecContext ctx = receiveContext(d, other);
        for (byte[] m : d.messages().subList(1, d.messages().size())) {
          if (m[18] != 2) {
            continue;
          }
          ByteBuf in = Unpooled.wrappedBuffer(m);
          UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(in, ctx);
          try {
            UpdateAttributes.AttributeCursor c = u.attributes().cursor();
            while (c.next()) {
              attributes.merge(c.type(), 1, Integer::sum);
            }
            if (u.nlri().hasPathId() || (u.attributes().hasMpReach()
                && u.attributes().mpReach().prefixes().hasPathId())) {
              addPathUpdates++;
            }
            if (u.attributes().hasMpReach() && u.attributes().mpReach().hasLinkLocalNextHop()) {
              linkLocalNextHops++;
            }
            if (u.isEndOfRib()) {
              endOfRib++;
            }
          } finally {
            u.release();
            in.release();
          }
        }
      }
    }
    for (int type : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 32}) {
      assertTrue(attributes.containsKey(type), "no attribute of type " + type + " in " + attributes);
    }
    // MP, route refresh, extended message, GR, 4-octet AS, ADD-PATH, enhanced RR, LLGR, FQDN, role
    for (int code : new int[] {1, 2, 6, 9, 64, 65, 69, 70, 71, 73}) {
      assertTrue(capabilities.containsKey(code), "no capability " + code + " in " + capabilities);
    }
    assertTrue(addPathUpdates > 0, "no ADD-PATH NLRI");
    assertTrue(linkLocalNextHops > 0, "no MP_REACH_NLRI with a link-local next hop");
    assertTrue(endOfRib >= 4, "End-of-RIB markers: " + endOfRib);
  }
}
