package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramingTest {

  static final String KEEPALIVE = "M 0013 04";
  static final String UPDATE_EOR = "M 0017 02 0000 0000";
  static final String NOTIFICATION = "M 0015 03 0401";

  @Test
  void keepalive_decodes() {
    ByteBuf b = Hex.buf(KEEPALIVE);
    try {
      assertSame(KeepaliveMessage.INSTANCE, BgpMessageDecoder.decode(b, CodecContext.INITIAL));
      assertEquals(0, b.readerIndex());
    } finally {
      b.release();
    }
  }

  @Test
  void keepalive_encodesToNineteenOctets() {
    assertArrayEquals(Hex.bytes(KEEPALIVE), Hex.encode(KeepaliveMessage.INSTANCE, CodecContext.INITIAL));
  }

  @Test
  void encode_withAllocator_callerOwnsBuffer() {
    ByteBuf b = BgpMessageEncoder.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, KeepaliveMessage.INSTANCE,
        CodecContext.INITIAL);
    try {
      assertEquals(Hex.norm(KEEPALIVE), Hex.hex(b));
    } finally {
      assertTrue(b.release());
    }
  }

  @Test
  void marker_notAllOnes_connectionNotSynchronized() {
    ByteBuf b = Hex.buf("ffffffff 00 ffffffffffffffffffffff 0013 04");
    try {
      BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> BgpFraming.frameLength(b, 4096));
      assertEquals(1, e.code());
      assertEquals(1, e.subcode());
    } finally {
      b.release();
    }
  }

  @Test
  void marker_badOctetSeenBeforeHeaderComplete() {
    ByteBuf b = Hex.buf("ff fe");
    try {
      assertThrows(BgpDecodeException.class, () -> BgpFraming.frameLength(b, 4096));
    } finally {
      b.release();
    }
  }

  /** Every one of the 16 marker octets is checked as it arrives, the last one too (RFC 4271 §4.1). */
  @Test
  void marker_badLastOctetSeenBeforeHeaderComplete() {
    ByteBuf b = Hex.buf("ffffffffffffffffffffffffffffff fe");
    try {
      BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> BgpFraming.frameLength(b, 4096));
      assertEquals(1, e.code());
      assertEquals(1, e.subcode());
    } finally {
      b.release();
    }
  }

  @Test
  void length_tooShort_badMessageLengthWithLengthAsData() {
    assertHeaderError("M 0012 04", 2, new byte[] {0, 0x12});
  }

  @Test
  void length_aboveMax_badMessageLength() {
    assertHeaderError("M 1001 02", 2, new byte[] {0x10, 0x01});
  }

  @Test
  void length_extendedAllowedAfterNegotiation() {
    ByteBuf b = Hex.buf("M 1001 02");
    try {
      assertEquals(0, BgpFraming.frameLength(b, CodecContext.MAX_EXTENDED_MESSAGE_LENGTH));
    } finally {
      b.release();
    }
  }

  @Test
  void keepalive_longer_badMessageLength() {
    assertHeaderError("M 0014 04 00", 2, new byte[] {0, 0x14});
  }

  @Test
  void open_shorterThan29_badMessageLength() {
    assertHeaderError("M 001c 01", 2, new byte[] {0, 0x1c});
  }

  @Test
  void open_extendedLength_badMessageLengthEvenWhenNegotiated() {
    ByteBuf b = Hex.buf("M 1001 01");
    try {
      BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> BgpFraming.frameLength(b, 65535));
      assertEquals(2, e.subcode());
    } finally {
      b.release();
    }
  }

  @Test
  void notification_shorterThan21_badMessageLength() {
    assertHeaderError("M 0014 03", 2, new byte[] {0, 0x14});
  }

  @Test
  void type_unknown_badMessageTypeWithTypeAsData() {
    assertHeaderError("M 0013 09", 3, new byte[] {9});
  }

  @Test
  void header_checkedBeforeBody() {
    // header says 200-octet UPDATE but only the header is there: no error, wait
    ByteBuf b = Hex.buf("M 00c8 02");
    try {
      assertEquals(0, BgpFraming.frameLength(b, 4096));
    } finally {
      b.release();
    }
  }

  private static void assertHeaderError(String hex, int subcode, byte[] data) {
    ByteBuf b = Hex.buf(hex);
    try {
      BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> BgpFraming.frameLength(b, 4096));
      assertEquals(1, e.code());
      assertEquals(subcode, e.subcode());
      assertArrayEquals(data, e.data());
    } finally {
      b.release();
    }
  }

  @Test
  void frameDecoder_oneByteAtATime_sameMessages() {
    byte[] stream = Hex.bytes(KEEPALIVE + UPDATE_EOR + NOTIFICATION + UpdateGoldenTest.IPV4_UPDATE + KEEPALIVE);
    List<String> whole = feed(stream, stream.length);
    List<String> single = feed(stream, 1);
    List<String> threes = feed(stream, 3);
    assertEquals(5, whole.size());
    assertEquals(whole, single);
    assertEquals(whole, threes);
  }

  private static List<String> feed(byte[] stream, int chunk) {
    EmbeddedChannel ch = new EmbeddedChannel(new BgpFrameDecoder(CodecContext.FOUR_OCTET_AS));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < stream.length; i += chunk) {
      ch.writeInbound(Unpooled.wrappedBuffer(stream, i, Math.min(chunk, stream.length - i)));
      Object m;
      while ((m = ch.readInbound()) != null) {
        out.add(m.toString());
        ReferenceCountUtil.release(m);
      }
    }
    ch.finishAndReleaseAll();
    return out;
  }

  @Test
  void frameDecoder_badMarker_firesBgpDecodeExceptionAndDiscardsRest() {
    EmbeddedChannel ch = new EmbeddedChannel(new BgpFrameDecoder());
    ByteBuf bad = Hex.buf("00" + KEEPALIVE.substring(1) + KEEPALIVE);
    BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> ch.writeInbound(bad));
    assertEquals(1, e.code());
    assertNull(ch.readInbound());
    ch.writeInbound(Hex.buf(KEEPALIVE));
    assertNull(ch.readInbound());
    ch.finishAndReleaseAll();
  }

  @Test
  void frameDecoder_contextSwitch_raisesMaxLength() {
    BgpFrameDecoder dec = new BgpFrameDecoder();
    EmbeddedChannel ch = new EmbeddedChannel(dec);
    dec.context(CodecContext.FOUR_OCTET_AS.withExtendedMessage(true));
    // a 5000-octet UPDATE: 23 + NLRI of 4977/4... use withdrawn routes: 0x18 prefixes (4 octets each)
    int n = (5000 - 23) / 4;
    ByteBuf b = Unpooled.buffer();
    b.writeLong(-1).writeLong(-1).writeShort(23 + 4 * n).writeByte(2).writeShort(4 * n);
    for (int i = 0; i < n; i++) {
      b.writeByte(24).writeByte(10).writeByte(i >> 8).writeByte(i);
    }
    b.writeShort(0);
    ch.writeInbound(b);
    UpdateMessage u = ch.readInbound();
    try {
      assertEquals(n, u.withdrawn().count());
      assertTrue(u.refCnt() > 0);
    } finally {
      u.release();
    }
    ch.finishAndReleaseAll();
  }

  /**
   * An UPDATE from the pipeline's entry point holds one reference to the input and counts its own; released to 0
   * it gives that reference back, and a stale reference fails on every read instead of reading other bytes.
   */
  @Test
  void next_update_holdsOneInputReference_releaseGivesItBack_staleReadsFail() {
    ByteBuf in = Unpooled.buffer();
    try {
      in.writeBytes(Hex.bytes(UpdateGoldenTest.IPV4_UPDATE));
      UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(in, UpdateGoldenTest.IBGP);
      assertEquals(2, in.refCnt());
      assertEquals(1, u.refCnt());
      assertSame(in, u.content());
      u.retain();
      assertEquals(2, u.refCnt());
      assertEquals(2, in.refCnt());
      assertEquals(false, u.release());
      assertTrue(u.release());
      assertEquals(1, in.refCnt());
      assertEquals(0, u.refCnt());
      assertThrows(io.netty.util.IllegalReferenceCountException.class, () -> u.attributes().med());
      assertThrows(io.netty.util.IllegalReferenceCountException.class, u::nlriList);
      assertThrows(io.netty.util.IllegalReferenceCountException.class, u::release);
      assertEquals("UPDATE (released)", u.toString());
    } finally {
      in.release();
    }
  }

  /** A malformed UPDATE takes no reference: the input stays the caller's alone. */
  @Test
  void next_malformedUpdate_takesNoReference() {
    ByteBuf in = Unpooled.buffer();
    try {
      in.writeBytes(Hex.bytes("M 0017 02 0004 0000")); // withdrawn routes length 4 in a 23-octet message
      assertThrows(BgpDecodeException.class, () -> BgpFrameDecoder.next(in, CodecContext.INITIAL));
      assertEquals(1, in.refCnt());
    } finally {
      in.release();
    }
  }

  @Test
  void next_returnsNullUntilComplete() {
    ByteBuf b = Unpooled.buffer();
    try {
      b.writeBytes(Hex.bytes(NOTIFICATION), 0, 20);
      assertNull(BgpFrameDecoder.next(b, CodecContext.INITIAL));
      assertEquals(0, b.readerIndex());
      b.writeBytes(Hex.bytes(NOTIFICATION), 20, 1);
      BgpMessage m = BgpFrameDecoder.next(b, CodecContext.INITIAL);
      assertInstanceOf(Notification.class, m);
      assertEquals(21, b.readerIndex());
    } finally {
      b.release();
    }
  }

  @Test
  void decode_lengthFieldDisagreesWithFrame_badMessageLength() {
    ByteBuf b = Hex.buf(KEEPALIVE + "00");
    try {
      BgpDecodeException e = assertThrows(BgpDecodeException.class,
          () -> BgpMessageDecoder.decode(b, CodecContext.INITIAL));
      assertEquals(2, e.subcode());
    } finally {
      b.release();
    }
  }

  @Test
  void frameDecoder_contextSwitchedOnOpen_appliesToMessagesInSameSegment() {
    BgpFrameDecoder dec = new BgpFrameDecoder();
    List<String> seen = new ArrayList<>();
    EmbeddedChannel ch = new EmbeddedChannel(dec, new io.netty.channel.ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof OpenMessage) {
          dec.context(CodecContext.FOUR_OCTET_AS);
        }
        seen.add(msg.toString());
        ReferenceCountUtil.release(msg);
      }
    });
    // OPEN then an UPDATE whose AS_PATH only parses with 4-octet AS numbers, in one segment
    ch.writeInbound(Hex.buf(OpenMessageTest.OPEN + UpdateGoldenTest.IPV6_UPDATE));
    assertEquals(2, seen.size());
    assertTrue(seen.get(1).startsWith("UPDATE attributes=3 MP_REACH_NLRI"), seen.get(1));
    ch.finishAndReleaseAll();
  }

  /** RFC 4271 §4.1, §6.1: all 16 marker octets must be ones; a zero in the second half is Connection Not Synchronized. */
  @Test
  void marker_secondHalfNotAllOnes_connectionNotSynchronized() {
    ByteBuf b = Hex.buf("ffffffffffffffff ffffffff 00 ffffff 0013 04");
    try {
      BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> BgpFraming.frameLength(b, 4096));
      assertEquals(1, e.code());
      assertEquals(1, e.subcode());
    } finally {
      b.release();
    }
  }

  /** RFC 4271 §4.3, §6.1: an UPDATE is at least 23 octets; 22 is Bad Message Length with the Length as data. */
  @Test
  void update_shorterThan23_badMessageLength() {
    assertHeaderError("M 0016 02 0000 00", 2, new byte[] {0, 0x16});
  }

  /** RFC 2918 §3, RFC 4271 §6.1: a ROUTE-REFRESH is at least 23 octets; 22 is Bad Message Length. */
  @Test
  void routeRefresh_shorterThan23_badMessageLength() {
    assertHeaderError("M 0016 05 0001 00", 2, new byte[] {0, 0x16});
  }
}
