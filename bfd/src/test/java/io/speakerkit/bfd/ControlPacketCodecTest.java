package io.speakerkit.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * The RFC 5880 §6.8.6 checks that need no session, in both forms: {@link ControlPacketCodec#check} (the message
 * tools and {@link ControlPacket#decode} give) and {@link ControlPacketCodec#isWellFormed} (the engine's) must
 * reject exactly the same packets.
 */
class ControlPacketCodecTest {

  private static byte[] good(boolean auth) {
    ControlPacket p = ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, 9, 0, 1_000_000,
        50_000);
    if (auth) {
      p = p.withAuthSection(new byte[] {1, 5, 1, 'p', 'w'});
    }
    ByteBuf b = Unpooled.buffer();
    p.encode(b);
    byte[] bytes = new byte[b.readableBytes()];
    b.getBytes(0, bytes);
    b.release();
    return bytes;
  }

  private static void assertBothReject(String what, byte[] bytes) {
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    assertNotNull(ControlPacketCodec.check(b), what + ": check() passed it");
    assertFalse(ControlPacketCodec.isWellFormed(b), what + ": isWellFormed() passed it");
    assertThrows(IllegalArgumentException.class, () -> ControlPacket.decode(b), what + ": decode() took it");
  }

  @Test
  void check_andIsWellFormed_rejectTheSamePackets() {
    for (boolean auth : new boolean[] {false, true}) {
      byte[] ok = good(auth);
      assertNull(ControlPacketCodec.check(Unpooled.wrappedBuffer(ok)));
      assertTrue(ControlPacketCodec.isWellFormed(Unpooled.wrappedBuffer(ok)));
      byte[] p;
      p = ok.clone();
      p[0] = (byte) (2 << 5);
      assertBothReject("version 2", p);
      p = ok.clone();
      p[3] = 23;
      assertBothReject("length 23", p);
      p = ok.clone();
      p[3] = (byte) (ok.length + 1);
      assertBothReject("length past the datagram", p);
      p = ok.clone();
      p[2] = 0;
      assertBothReject("detect mult 0", p);
      p = ok.clone();
      p[1] |= 0x01;
      assertBothReject("multipoint", p);
      p = ok.clone();
      p[4] = p[5] = p[6] = p[7] = 0;
      assertBothReject("my discriminator 0", p);
    }
    byte[] a = good(true);
    byte[] p = a.clone();
    p[3] = 25;
    assertBothReject("A bit, length 25", java.util.Arrays.copyOf(p, 25));
    p = a.clone();
    p[25] = 1;
    assertBothReject("auth len 1", p);
    p = a.clone();
    p[25] = 6;
    assertBothReject("auth len past the Length", p);
    assertBothReject("short datagram", new byte[] {0x20, 0x40, 3});
  }

  /** Length is one octet: the authentication section can hold at most 255 - 24 octets. */
  @Test
  void controlPacket_authSectionLongerThan231_refused() {
    ControlPacket p = ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, 9, 0, 1_000_000,
        50_000);
    byte[] max = new byte[231];
    max[0] = 1;
    max[1] = (byte) 231;
    ByteBuf b = Unpooled.buffer();
    p.withAuthSection(max).encode(b);
    assertEquals(255, b.getUnsignedByte(3));
    b.release();
    assertThrows(IllegalArgumentException.class, () -> p.withAuthSection(new byte[232]));
  }
}
