package io.speakerkit.bfd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Packets captured from real peers (tshark on the test veth), checked both ways. */
class GoldenPacketTest {

  static String[] lines(String name) throws IOException {
    try (InputStream in = GoldenPacketTest.class.getResourceAsStream("/golden/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\n");
    }
  }

  @Test
  void frrDown_decodesAndReencodes() throws IOException {
    byte[] bytes = ByteBufUtil.decodeHexDump(lines("frr-8.4-down.hex")[0]);
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      ControlPacket p = ControlPacket.decode(buf);
      assertEquals(1, p.version());
      assertEquals(Diagnostic.NO_DIAGNOSTIC, p.diag());
      assertEquals(SessionState.Down, p.state());
      assertEquals(3, p.detectMult());
      assertEquals(0xe2b9a1a4, p.myDiscriminator());
      assertEquals(0, p.yourDiscriminator());
      assertEquals(1_000_000, p.desiredMinTxMicros());
      assertEquals(1_000_000, p.requiredMinRxMicros());
      assertEquals(50_000, p.requiredMinEchoRxMicros());
      ByteBuf out = Unpooled.buffer();
      p.encode(out);
      assertArrayEquals(bytes, ByteBufUtil.getBytes(out));
      out.release();
      Recorder r = Recorder.of(5, BfdProfile.DEFAULT);
      r.start();
      assertNull(r.receiveRaw(bytes));
      assertEquals(SessionState.Init, r.fsm.sessionState());
    } finally {
      buf.release();
    }
  }

  /** Inputs a property test once failed on, replayed forever. */
  @Test
  void regressions_decodeWithoutThrowing() throws IOException {
    for (String name : new String[] {"length-25-without-auth.hex"}) {
      byte[] bytes = null;
      try (InputStream in = GoldenPacketTest.class.getResourceAsStream("/regressions/" + name)) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
          if (!line.startsWith("#") && !line.isBlank()) {
            bytes = ByteBufUtil.decodeHexDump(line.trim());
          }
        }
      }
      ByteBuf buf = Unpooled.wrappedBuffer(bytes);
      try {
        ControlPacket p = ControlPacket.decode(buf);
        assertEquals(0, p.authSection().length, name);
      } finally {
        buf.release();
      }
      Recorder r = Recorder.of(77, BfdProfile.DEFAULT);
      r.start();
      r.receiveRaw(bytes);
    }
  }

  @Test
  void birdMeticulousKeyedSha1_authenticates_andReplayRejected() throws IOException {
    String[] hex = lines("bird-2.0-meticulous-keyed-sha1-key7-golden.hex");
    byte[] first = ByteBufUtil.decodeHexDump(hex[0]);
    byte[] second = ByteBufUtil.decodeHexDump(hex[1]);
    Recorder r = Recorder.of(5, BfdProfile.DEFAULT,
        BfdAuthentication.of(AuthType.METICULOUS_KEYED_SHA1, 7, "golden"), new SplittableRandom(1));
    r.start();
    assertNull(r.receiveRaw(first.clone()));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    assertEquals(0x112d49e7, r.fsm.rcvAuthSeq());
    assertEquals(DiscardReason.AUTHENTICATION, r.receiveRaw(first.clone()), "meticulous: the same sequence again");
    assertNull(r.receiveRaw(second.clone()));
    Recorder wrong = Recorder.of(5, BfdProfile.DEFAULT,
        BfdAuthentication.of(AuthType.METICULOUS_KEYED_SHA1, 7, "Golden"), new SplittableRandom(1));
    wrong.start();
    assertEquals(DiscardReason.AUTHENTICATION, wrong.receiveRaw(first.clone()));
  }
}
