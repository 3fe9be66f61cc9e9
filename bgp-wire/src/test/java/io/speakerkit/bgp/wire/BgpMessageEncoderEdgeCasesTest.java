package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.capability.Capability;
import io.speakerkit.bgp.wire.capability.UnknownCapability;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BgpMessageEncoder and Notification at their limits: lengths, RFC 8654's OPEN limit, buffers on failure. */
class BgpMessageEncoderEdgeCasesTest {

  /** An OPEN with 17 capabilities of 255 octets (RFC 9072 encoding): 4398 octets. */
  static OpenMessage bigOpen() {
    List<Capability> caps = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      caps.add(new UnknownCapability(200 + i, new byte[255]));
    }
    return OpenMessage.of(65001, 90, 0x0a000001, caps);
  }

  /** RFC 8654 §4: OPEN (like KEEPALIVE) is limited to 4096 octets even where extended messages are negotiated. */
  @Test
  void open_over4096_refusedEvenWithExtendedMessages() {
    ByteBuf out = Unpooled.buffer();
    try {
      assertThrows(IllegalArgumentException.class, () -> BgpMessageEncoder.encode(bigOpen(), out,
          CodecContext.FOUR_OCTET_AS.withExtendedMessage(true)));
      assertEquals(0, out.writerIndex());
    } finally {
      out.release();
    }
  }

  /** The allocating form releases the buffer it took when encoding fails: nothing leaks. */
  @Test
  void encodeWithAllocator_failure_releasesItsBuffer() {
    List<ByteBuf> taken = new ArrayList<>();
    ByteBufAllocator alloc = new AbstractByteBufAllocator(false) {
      @Override
      protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = Unpooled.buffer(initialCapacity, maxCapacity);
        taken.add(b);
        return b;
      }

      @Override
      protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
      }

      @Override
      public boolean isDirectBufferPooled() {
        return false;
      }
    };
    assertThrows(IllegalArgumentException.class, () -> BgpMessageEncoder.encode(alloc, bigOpen(),
        CodecContext.FOUR_OCTET_AS));
    assertEquals(1, taken.size());
    assertEquals(0, taken.get(0).refCnt());
  }

  /** RFC 4271 §4.1: a decoded UPDATE of exactly 4096 octets is written back on a session without extended messages. */
  @Test
  void decodedUpdate_exactly4096_writtenBack() throws Exception {
    List<IpPrefix> prefixes = new ArrayList<>();
    for (int i = 0; i < 810; i++) {
      prefixes.add(IpPrefix.ipv4(0x0a000000 | i, 32));
    }
    prefixes.add(IpPrefix.parse("172.16.0.0/16"));
    ByteBuf in = Unpooled.buffer();
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAnnouncements(in, UpdateEncoderEdgeCasesTest.v4(), prefixes, 0, 0,
          CodecContext.FOUR_OCTET_AS);
      assertEquals(4096, in.readableBytes());
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(in, CodecContext.FOUR_OCTET_AS);
      BgpMessageEncoder.encode(u, out, CodecContext.FOUR_OCTET_AS);
      assertEquals(4096, out.readableBytes());
    } finally {
      in.release();
      out.release();
    }
  }

  /** NOTIFICATION data fits a 65535-octet message with the 21 octets of header, code and subcode: 65514 at most. */
  @Test
  void notification_dataOf65514_accepted_65515_refused() {
    assertEquals(65514, new Notification(6, 0, new byte[65514]).dataLength());
    assertThrows(IllegalArgumentException.class, () -> new Notification(6, 0, new byte[65515]));
  }

  /** RFC 9003 §2: the shutdown communication of Cease / Administrative Reset (subcode 4), as of subcode 2. */
  @Test
  void administrativeReset_shutdownCommunication() {
    Notification n = Notification.administrativeReset("rebooting");
    assertEquals(java.util.Optional.of("rebooting"), n.shutdownCommunication());
    assertEquals("Cease / Administrative Reset: \"rebooting\"", n.describe());
  }
}
