package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The idioms of bgp-wire/README.md and the package Javadoc, compiled and run as written. */
class ReadmeClaimsTest {

  private static final CodecContext CTX = CodecContext.FOUR_OCTET_AS;

  private static PathAttributes attrs() throws Exception {
    return PathAttributes.builder().origin(Origin.IGP).asPath(64512).nextHop(InetAddress.getByName("192.0.2.1"))
        .communities(Community.NO_ADVERTISE).build();
  }

  @Test
  void writing_thenReading_asTheReadmeTablesSay() throws Exception {
    PathAttributes attrs = attrs();
    IpPrefix prefix = IpPrefix.parse("198.51.100.7/32");
    ByteBuf out = Unpooled.buffer();
    try {
      // "UpdateEncoder.announcementLength(...) sizes a buffer exactly"
      int expected = UpdateEncoder.announcementLength(attrs, prefix, CTX);
      UpdateEncoder.writeAnnouncement(out, attrs, prefix, CTX);
      assertEquals(expected, out.readableBytes());

      // "BgpFrameDecoder.next(cumulation, ctx): next message or null (wait); consumes what it decodes"
      ByteBuf half = out.retainedSlice(0, 10);
      try {
        assertNull(BgpFrameDecoder.next(half, CTX));
      } finally {
        half.release();
      }
      BgpMessage m = BgpFrameDecoder.next(out, CTX);
      UpdateMessage u = assertInstanceOf(UpdateMessage.class, m);
      try {
        assertEquals(0, out.readableBytes(), "consumed");
        assertEquals(List.of(prefix), u.nlriList());
        assertEquals(Origin.IGP, u.attributes().origin());
        assertEquals(ErrorAction.NONE, u.errorAction());
        PrefixCursor c = u.nlri();
        assertTrue(c.next());
        assertEquals(32, c.length());
        assertEquals(prefix, c.prefix());
        assertEquals(List.of(), UpdateChecks.check(u, 64512, true));
        // attributes().toPathAttributes().forPropagation()
        assertNotNull(u.attributes().toPathAttributes().forPropagation());
      } finally {
        u.release();
      }
    } finally {
      out.release();
    }
  }

  @Test
  void writeAnnouncements_returnsNextIndex_oneFullMessage() throws Exception {
    List<IpPrefix> prefixes = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      prefixes.add(IpPrefix.parse("10." + (i / 256) + "." + (i % 256) + ".0/24"));
    }
    ByteBuf out = Unpooled.buffer();
    try {
      int next = UpdateEncoder.writeAnnouncements(out, attrs(), prefixes, 0, 0, CTX);
      assertTrue(next > 0 && next < prefixes.size(), "one full message: " + next);
      assertTrue(out.readableBytes() <= CTX.maxMessageLength());
      // writeEndOfRib(out, family)
      out.clear();
      UpdateEncoder.writeEndOfRib(out, AddressFamily.IPV4_UNICAST);
      UpdateMessage eor = BgpMessageDecoder.decodeUpdate(out, CTX);
      assertEquals(AddressFamily.IPV4_UNICAST, eor.endOfRib());
    } finally {
      out.release();
    }
  }

  /** "Encoders write at the writer index of a caller-owned buffer; on an exception the writer index is restored." */
  @Test
  void encoderException_restoresWriterIndex() throws Exception {
    ByteBuf out = Unpooled.buffer(8, 30);
    try {
      out.writeByte(7);
      assertThrows(RuntimeException.class,
          () -> UpdateEncoder.writeAnnouncement(out, attrs(), IpPrefix.parse("198.51.100.7/32"), CTX));
      assertEquals(1, out.writerIndex(), "writeAnnouncement");
      List<IpPrefix> many = List.of(IpPrefix.parse("198.51.100.7/32"), IpPrefix.parse("198.51.100.8/32"));
      assertThrows(RuntimeException.class, () -> UpdateEncoder.writeAnnouncements(out, attrs(), many, 0, 0, CTX));
      assertEquals(1, out.writerIndex(), "writeAnnouncements");
      assertThrows(RuntimeException.class, () -> UpdateEncoder.writeAllAnnouncements(out, attrs(), many, CTX));
      assertEquals(1, out.writerIndex(), "writeAllAnnouncements");
      out.writeZero(10);
      assertThrows(RuntimeException.class, () -> UpdateEncoder.writeWithdrawals(out, many, 0, 0, CTX));
      assertEquals(11, out.writerIndex(), "writeWithdrawals");
      assertThrows(RuntimeException.class, () -> UpdateEncoder.writeEndOfRib(out, AddressFamily.IPV6_UNICAST));
      assertEquals(11, out.writerIndex(), "writeEndOfRib");
    } finally {
      out.release();
    }
  }

  /** "Notification.from(e) is the NOTIFICATION to send" and BgpDecodeException is a Netty DecoderException. */
  @Test
  void badMarker_decodeException_notificationFrom() {
    ByteBuf bad = Unpooled.buffer();
    try {
      bad.writeZero(16).writeShort(19).writeByte(4); // KEEPALIVE with a zero marker
      BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> BgpFrameDecoder.next(bad, CTX));
      assertInstanceOf(io.netty.handler.codec.DecoderException.class, e);
      Notification n = Notification.from(e);
      assertEquals(1, n.code());
      assertEquals(1, n.subcode()); // Connection Not Synchronized
    } finally {
      bad.release();
    }
  }

  /** UpdateMessage.build(alloc, withdrawn, attrs, announced, ctx) and BgpMessageEncoder.encode(alloc, msg, ctx). */
  @Test
  void build_thenEncode_byteForByte() throws Exception {
    UpdateMessage built = UpdateMessage.build(ByteBufAllocator.DEFAULT, List.of(IpPrefix.parse("10.9.0.0/16")),
        attrs(), List.of(IpPrefix.parse("198.51.100.7/32")), CTX);
    try {
      ByteBuf enc = BgpMessageEncoder.encode(ByteBufAllocator.DEFAULT, built, CTX);
      try {
        UpdateMessage back = BgpMessageDecoder.decodeUpdate(enc, CTX);
        assertEquals(List.of(IpPrefix.parse("10.9.0.0/16")), back.withdrawnList());
        assertEquals(List.of(IpPrefix.parse("198.51.100.7/32")), back.nlriList());
      } finally {
        enc.release();
      }
    } finally {
      built.release();
    }
  }
}
