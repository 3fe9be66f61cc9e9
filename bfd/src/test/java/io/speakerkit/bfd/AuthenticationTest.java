package io.speakerkit.bfd;

import static io.speakerkit.bfd.Recorder.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** RFC 5880 §6.7: every scheme, exactly as the RFC defines it (key in the digest field, not HMAC). */
class AuthenticationTest {

  static final BfdProfile P = BfdProfile.builder().transmitIntervalMillis(50).receiveIntervalMillis(50).build();

  static BfdAuthentication auth(AuthType t, int keyId, String key) {
    return BfdAuthentication.of(t, keyId, key);
  }

  /** Two sessions wired by hand: every packet a sends is given to b and back. */
  static void pump(Recorder a, Recorder b, long until) {
    int ia = 0;
    int ib = 0;
    while (a.now < until || b.now < until) {
      long next = Math.min(Math.min(a.fsm.nextDeadlineNanos(), b.fsm.nextDeadlineNanos()), until);
      a.runUntil(next);
      b.runUntil(next);
      boolean moved = true;
      while (moved) {
        moved = false;
        while (ia < a.raw.size()) {
          b.now = a.now;
          b.receiveRaw(a.raw.get(ia++).clone());
          moved = true;
        }
        while (ib < b.raw.size()) {
          a.now = b.now;
          a.receiveRaw(b.raw.get(ib++).clone());
          moved = true;
        }
      }
      if (next == until) {
        break;
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = AuthType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void sameKey_comesUp(AuthType type) {
    Recorder a = Recorder.of(1, P, auth(type, 7, "s3cret"), new SplittableRandom(1));
    Recorder b = Recorder.of(2, P, auth(type, 7, "s3cret"), new SplittableRandom(2));
    a.start();
    b.start();
    pump(a, b, 5000 * MS);
    assertEquals(SessionState.Up, a.fsm.sessionState());
    assertEquals(SessionState.Up, b.fsm.sessionState());
    assertEquals(0, a.fsm.counters().discardedAuthentication());
    if (type.hasSequence()) {
      assertTrue(a.fsm.authSeqKnown());
      assertEquals(b.fsm.xmitAuthSeq(), a.fsm.rcvAuthSeq());
    }
  }

  @ParameterizedTest
  @EnumSource(value = AuthType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void wrongKey_neverUp(AuthType type) {
    Recorder a = Recorder.of(1, P, auth(type, 7, "s3cret"), new SplittableRandom(1));
    Recorder b = Recorder.of(2, P, auth(type, 7, "s3creT"), new SplittableRandom(2));
    a.start();
    b.start();
    pump(a, b, 10_000 * MS);
    assertEquals(SessionState.Down, a.fsm.sessionState());
    assertEquals(SessionState.Down, b.fsm.sessionState());
    assertTrue(a.fsm.counters().discardedAuthentication() >= 5);
  }

  @ParameterizedTest
  @EnumSource(value = AuthType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void wrongKeyId_neverUp(AuthType type) {
    Recorder a = Recorder.of(1, P, auth(type, 7, "s3cret"), new SplittableRandom(1));
    Recorder b = Recorder.of(2, P, auth(type, 8, "s3cret"), new SplittableRandom(2));
    a.start();
    b.start();
    pump(a, b, 5000 * MS);
    assertEquals(SessionState.Down, a.fsm.sessionState());
  }

  @Test
  void authOnOneSideOnly_discarded() {
    Recorder a = Recorder.of(1, P, auth(AuthType.KEYED_SHA1, 1, "k"), new SplittableRandom(1));
    Recorder b = Recorder.of(2, P);
    a.start();
    b.start();
    pump(a, b, 5000 * MS);
    assertEquals(SessionState.Down, a.fsm.sessionState());
    assertEquals(SessionState.Down, b.fsm.sessionState());
    assertTrue(b.fsm.counters().discardedAuthentication() > 0);
    assertTrue(a.fsm.counters().discardedAuthentication() > 0);
  }

  @Test
  void keyedMd5_digestIsMd5OfPacketWithKeyInDigestField() throws Exception {
    Recorder a = Recorder.of(1, P, auth(AuthType.KEYED_MD5, 3, "abc"), new SplittableRandom(1));
    a.start();
    a.runUntil(1000 * MS);
    byte[] pkt = a.raw.get(0);
    assertEquals(48, pkt.length);
    assertEquals(48, pkt[3]);
    assertEquals(2, pkt[24]);
    assertEquals(24, pkt[25]);
    assertEquals(3, pkt[26]);
    assertEquals(0, pkt[27]);
    byte[] withKey = pkt.clone();
    byte[] key = new byte[16];
    key[0] = 'a';
    key[1] = 'b';
    key[2] = 'c';
    System.arraycopy(key, 0, withKey, 32, 16);
    byte[] expected = MessageDigest.getInstance("MD5").digest(withKey);
    byte[] actual = new byte[16];
    System.arraycopy(pkt, 32, actual, 0, 16);
    assertArrayEquals(expected, actual);
    assertEquals(a.fsm.xmitAuthSeq(), ByteBuffer.wrap(pkt, 28, 4).getInt());
  }

  @Test
  void keyedSha1_layout() throws Exception {
    Recorder a = Recorder.of(1, P, auth(AuthType.METICULOUS_KEYED_SHA1, 200, "abc"), new SplittableRandom(1));
    a.start();
    a.runUntil(1000 * MS);
    byte[] pkt = a.raw.get(0);
    assertEquals(52, pkt.length);
    assertEquals(5, pkt[24]);
    assertEquals(28, pkt[25]);
    assertEquals((byte) 200, pkt[26]);
    byte[] withKey = pkt.clone();
    byte[] key = new byte[20];
    System.arraycopy("abc".getBytes(), 0, key, 0, 3);
    System.arraycopy(key, 0, withKey, 32, 20);
    byte[] expected = MessageDigest.getInstance("SHA-1").digest(withKey);
    byte[] actual = new byte[20];
    System.arraycopy(pkt, 32, actual, 0, 20);
    assertArrayEquals(expected, actual);
  }

  @Test
  void simplePassword_layout() {
    Recorder a = Recorder.of(1, P, auth(AuthType.SIMPLE_PASSWORD, 9, "pw"), new SplittableRandom(1));
    a.start();
    a.runUntil(1000 * MS);
    byte[] pkt = a.raw.get(0);
    assertEquals(29, pkt.length);
    assertEquals(1, pkt[24]);
    assertEquals(5, pkt[25]);
    assertEquals(9, pkt[26]);
    assertEquals('p', pkt[27]);
    assertEquals('w', pkt[28]);
  }

  @Test
  void meticulous_replayedSequence_discarded() {
    Recorder a = Recorder.of(1, P, auth(AuthType.METICULOUS_KEYED_MD5, 1, "k"), new SplittableRandom(1));
    Recorder b = Recorder.of(2, P, auth(AuthType.METICULOUS_KEYED_MD5, 1, "k"), new SplittableRandom(2));
    a.start();
    b.start();
    pump(a, b, 3000 * MS);
    byte[] replay = b.raw.get(b.raw.size() - 1);
    // RFC 5880 §6.7.3: meticulous needs seq in RcvAuthSeq+1 .. +3*DetectMult; the same packet again is out.
    assertEquals(DiscardReason.AUTHENTICATION, a.receiveRaw(replay.clone()));
  }

  @Test
  void keyed_repeatedSequence_accepted_outsideWindow_discarded() {
    Recorder a = Recorder.of(1, P, auth(AuthType.KEYED_SHA1, 1, "k"), new SplittableRandom(1));
    Recorder b = Recorder.of(2, P, auth(AuthType.KEYED_SHA1, 1, "k"), new SplittableRandom(2));
    a.start();
    b.start();
    pump(a, b, 3000 * MS);
    byte[] last = b.raw.get(b.raw.size() - 1);
    // Keyed (not meticulous): RcvAuthSeq itself is in the window.
    assertNull(a.receiveRaw(last.clone()));
    // Jump the peer's sequence far ahead: 3 * Detect Mult + 1 is outside the window.
    for (int i = 0; i < 3 * 3 + 1; i++) {
      b.fsm.writeControlPacket(io.netty.buffer.Unpooled.buffer(), false, false);
    }
    b.fsm.writeControlPacket(io.netty.buffer.Unpooled.buffer(), false, false);
    b.transmit(b.fsm, false, false);
    assertEquals(DiscardReason.AUTHENTICATION, a.receiveRaw(b.raw.get(b.raw.size() - 1).clone()));
  }

  @Test
  void tamperedPacket_discarded() {
    Recorder a = Recorder.of(1, P, auth(AuthType.KEYED_MD5, 1, "k"), new SplittableRandom(1));
    Recorder b = Recorder.of(2, P, auth(AuthType.KEYED_MD5, 1, "k"), new SplittableRandom(2));
    b.start();
    b.runUntil(1000 * MS);
    byte[] pkt = b.raw.get(0).clone();
    pkt[2] = 9; // detect mult changed after signing
    a.start();
    assertEquals(DiscardReason.AUTHENTICATION, a.receiveRaw(pkt));
  }

  @Test
  void authentication_keyLengthChecked() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> auth(AuthType.KEYED_MD5, 1, "01234567890123456"));
    assertTrue(e.getMessage().contains("1-16"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> auth(AuthType.KEYED_SHA1, 256, "k"));
  }

  /** A packet of the minimum length with the A bit (26 octets) and Auth Len 2 has no Key ID: discarded, not read. */
  @Test
  void authSectionOfTwoOctets_discarded() {
    Recorder r = Recorder.of(7, BfdProfile.DEFAULT, BfdAuthentication.of(AuthType.SIMPLE_PASSWORD, 1, "secret"),
        new SplittableRandom(1));
    r.start();
    byte[] p = new byte[26];
    p[0] = 0x20; // version 1
    p[1] = (byte) (1 << 6 | 0x04); // Down, A bit
    p[2] = 3;
    p[3] = 26; // Length
    p[7] = 9; // My Discriminator
    p[24] = 1; // Auth Type: simple password
    p[25] = 2; // Auth Len
    assertEquals(DiscardReason.AUTHENTICATION, r.receiveRaw(p));
  }

  /**
   * RFC 5880 §6.7.2: the password must match, Auth Len being its length plus 3. A longer password that starts with
   * ours, or a shorter one that is its prefix, is another password: discarded (and the shorter one must not make the
   * session read past the packet).
   */
  @Test
  void simplePassword_prefixOrExtension_discarded() {
    Recorder r = Recorder.of(7, P, auth(AuthType.SIMPLE_PASSWORD, 1, "s3cret"), new SplittableRandom(1));
    r.start();
    ControlPacket base = ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, 9, 0,
        1_000_000, 50_000);
    assertNull(r.receive(base.withAuthSection(simplePassword(1, "s3cret"))), "the right password");
    assertEquals(DiscardReason.AUTHENTICATION, r.receive(base.withAuthSection(simplePassword(1, "s3cret!"))));
    assertEquals(DiscardReason.AUTHENTICATION, r.receive(base.withAuthSection(simplePassword(1, "s3c"))));
    assertEquals(2, r.fsm.counters().discardedAuthentication());
  }

  private static byte[] simplePassword(int keyId, String pw) {
    byte[] p = pw.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] s = new byte[3 + p.length];
    s[0] = 1;
    s[1] = (byte) s.length;
    s[2] = (byte) keyId;
    System.arraycopy(p, 0, s, 3, p.length);
    return s;
  }
}
