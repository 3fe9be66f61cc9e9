package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import io.speakerkit.bgp.wire.attribute.AsPathView;
import io.speakerkit.bgp.wire.attribute.Uint32ListView;
import org.junit.jupiter.api.Test;

/**
 * UPDATEs of the pipeline's entry point read a direct buffer from its address ({@link MessageBytes}): the same
 * values as through Netty's accessors, and a view kept past its message's release fails instead of reading memory
 * the message no longer holds.
 */
class InPlaceReadsTest {

  private static final String TWO_UPDATES = UpdateGoldenTest.IPV4_UPDATE + UpdateGoldenTest.IPV6_UPDATE;

  /** A pooled direct buffer holding {@code hex}, as the epoll transport hands received bytes over. */
  private static ByteBuf direct(String hex) {
    byte[] bytes = Hex.bytes(hex);
    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
    return b.writeBytes(bytes);
  }

  @Test
  void directBuffer_sameValuesAsHeapBuffer() {
    ByteBuf heap = Unpooled.wrappedBuffer(Hex.bytes(TWO_UPDATES));
    ByteBuf direct = direct(TWO_UPDATES);
    try {
      assertTrue(direct.hasMemoryAddress());
      for (int i = 0; i < 2; i++) {
        UpdateMessage fromHeap = (UpdateMessage) BgpFrameDecoder.next(heap, UpdateGoldenTest.IBGP);
        UpdateMessage fromAddress = (UpdateMessage) BgpFrameDecoder.next(direct, UpdateGoldenTest.IBGP);
        try {
          assertEquals(Visit.all(fromHeap), Visit.all(fromAddress),
              () -> fromHeap + " | " + fromAddress + " | " + Visit.update(fromHeap) + " " + Visit.update(fromAddress)
                  + " | " + fromHeap.errors() + " " + fromAddress.errors());
          assertEquals(fromHeap.toString(), fromAddress.toString());
        } finally {
          fromHeap.release();
          fromAddress.release();
        }
      }
    } finally {
      heap.release();
      direct.release();
    }
  }

  @Test
  void viewsKeptPastRelease_failOnRead_alsoOnceTheMessageIsReused() {
    ByteBuf in = direct(TWO_UPDATES);
    try {
      UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(in, UpdateGoldenTest.IBGP);
      UpdateAttributes attributes = u.attributes();
      PrefixCursor nlri = u.nlri();
      AsPathView path = attributes.asPath();
      Uint32ListView communities = attributes.communities();
      UpdateAttributes.AttributeCursor all = attributes.cursor();
      assertTrue(u.release());

      assertThrows(IllegalReferenceCountException.class, nlri::next);
      assertThrows(IllegalReferenceCountException.class, path::nextSegment);
      assertThrows(IllegalReferenceCountException.class, () -> communities.get(0));
      assertThrows(IllegalReferenceCountException.class, all::next);
      assertThrows(IllegalReferenceCountException.class, () -> attributes.communities().get(0));

      // The released message object decodes the next UPDATE; what was handed out before still fails.
      UpdateMessage next = (UpdateMessage) BgpFrameDecoder.next(in, UpdateGoldenTest.IBGP);
      try {
        assertSame(u, next);
        assertThrows(IllegalReferenceCountException.class, path::nextSegment);
        assertThrows(IllegalReferenceCountException.class, () -> communities.get(0));
        assertThrows(IllegalReferenceCountException.class, all::next);
        assertEquals(2, next.attributes().mpReach().prefixList().size());
      } finally {
        next.release();
      }
    } finally {
      in.release();
    }
  }

  @Test
  void bufferGrownWhileAMessageHoldsIt_messageRefusesReads() {
    ByteBuf in = direct(UpdateGoldenTest.IPV4_UPDATE);
    UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(in, UpdateGoldenTest.IBGP);
    try {
      long before = in.memoryAddress();
      in.writeZero(1 << 20); // grows the buffer: a pooled buffer moves to other memory
      assertTrue(in.memoryAddress() != before);
      assertThrows(IllegalStateException.class, u::nlri);
      assertThrows(IllegalStateException.class, u::attributes);
    } finally {
      u.release();
      in.release();
    }
  }

  /** The tests run with assertions: a read from an address that strays outside its message fails there. */
  @Test
  void readFromAddressOutsideTheMessage_failsUnderAssertions() {
    ByteBuf in = direct(TWO_UPDATES);
    try {
      MessageBytes bytes = new MessageBytes();
      bytes.reset(in, 0, 0x51, true); // the first UPDATE only
      assertEquals(-1L, bytes.getLong(0)); // the marker
      assertEquals(0x0a00000aL, bytes.getLong(0x51 - 8) & 0xFFFF_FFFFL); // the last prefix, 10.0.0.10
      assertThrows(AssertionError.class, () -> bytes.getLong(0x51 - 7));
      assertThrows(AssertionError.class, () -> bytes.getUnsignedByte(0x51));
      assertThrows(AssertionError.class, () -> bytes.getInt(-1));
    } finally {
      in.release();
    }
  }

  @Test
  void flyweight_viewsOfThePreviousMessageFail() {
    UpdateFlyweight fly = new UpdateFlyweight();
    ByteBuf first = Hex.buf(UpdateGoldenTest.IPV4_UPDATE);
    ByteBuf second = Hex.buf(UpdateGoldenTest.IPV6_UPDATE);
    try {
      Uint32ListView communities = fly.decode(first, UpdateGoldenTest.IBGP).attributes().communities();
      assertEquals(2, communities.size());
      fly.decode(second, UpdateGoldenTest.IBGP);
      assertThrows(IllegalReferenceCountException.class, () -> communities.get(0));
    } finally {
      first.release();
      second.release();
    }
  }
}
