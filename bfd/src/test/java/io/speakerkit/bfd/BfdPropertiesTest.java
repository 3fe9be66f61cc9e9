package io.speakerkit.bfd;

import static io.speakerkit.bfd.Recorder.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Property tests: codec round trip, arbitrary bytes, random packet and timer sequences on a pair of sessions. */
class BfdPropertiesTest {

  @Provide
  Arbitrary<ControlPacket> packets() {
    Arbitrary<SessionState> state = Arbitraries.of(SessionState.class);
    Arbitrary<Integer> diag = Arbitraries.integers().between(0, 31);
    Arbitrary<Integer> flags = Arbitraries.integers().between(0, 15);
    Arbitrary<Integer> mult = Arbitraries.integers().between(1, 255);
    Arbitrary<Integer> my = Arbitraries.integers().filter(i -> i != 0);
    Arbitrary<Integer> your = Arbitraries.integers();
    Arbitrary<Long> u32 = Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    Arbitrary<byte[]> auth = Arbitraries.bytes().array(byte[].class).ofMinSize(2).ofMaxSize(231)
        .map(b -> {
          b[1] = (byte) b.length;
          return b;
        }).injectNull(0.5).map(b -> b == null ? new byte[0] : b);
    return Combinators.combine(state, diag, flags, mult, my, your, Combinators.combine(u32, u32, u32).as(List::of),
        auth).as((s, d, f, m, myD, yourD, intervals, a) -> new ControlPacket(1, Diagnostic.valueOf(d), s,
            (f & 1) != 0 && (f & 2) == 0, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0, false, m, myD, yourD,
            intervals.get(0), intervals.get(1), intervals.get(2), a));
  }

  @Property(tries = 500)
  void codec_roundTrip(@ForAll("packets") ControlPacket p) {
    ByteBuf buf = Unpooled.buffer();
    try {
      p.encode(buf);
      assertEquals(24 + p.authSection().length, buf.readableBytes());
      assertEquals(p, ControlPacket.decode(buf));
      assertEquals(0, buf.readerIndex(), "decode consumes nothing");
    } finally {
      buf.release();
    }
  }

  @Property(tries = 1000)
  void arbitraryBytes_neverThrowFromSession(@ForAll @Size(max = 300) byte[] bytes,
      @ForAll @LongRange(min = 1, max = 1000) long seed) {
    Recorder r = Recorder.of(77, BfdProfile.DEFAULT, BfdAuthentication.NONE, new SplittableRandom(seed));
    r.start();
    if (bytes.length >= 12) {
      // Make some of them reach the later checks: a plausible version and our discriminator.
      bytes[0] = (byte) (0x20 | bytes[0] & 0x1F);
      if ((seed & 1) == 0) {
        bytes[8] = 0;
        bytes[9] = 0;
        bytes[10] = 0;
        bytes[11] = 77;
      }
    }
    r.receiveRaw(bytes);
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      if (ControlPacketCodec.check(buf) == null) {
        ControlPacket.decode(buf);
      }
    } finally {
      buf.release();
    }
  }

  @Property(tries = 300)
  void arbitraryBytes_authenticatedSession_neverThrow(@ForAll @Size(min = 26, max = 300) byte[] bytes,
      @ForAll @IntRange(min = 1, max = 5) int type) {
    AuthType t = AuthType.fromCode(type);
    Recorder r = Recorder.of(77, BfdProfile.DEFAULT, BfdAuthentication.of(t, 1, "k"), new SplittableRandom(1));
    bytes[0] = 0x20;
    bytes[1] = (byte) (bytes[1] | 0x04);
    bytes[1] = (byte) (bytes[1] & ~0x01);
    bytes[3] = (byte) Math.min(bytes.length, 24 + (bytes[3] & 0x3F));
    bytes[24] = (byte) type;
    assertNotEquals(SessionState.Up, r.fsm.sessionState());
    DiscardReason d = r.receiveRaw(bytes);
    assertTrue(d != null, "random bytes never authenticate");
  }

  /** One step of a random scenario. */
  record Step(int kind, long value) {}

  @Provide
  Arbitrary<List<Step>> scenarios() {
    return Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.longs().between(0, 3000))
        .as(Step::new).list().ofMinSize(5).ofMaxSize(60);
  }

  static final BfdProfile[] PROFILES = {
      BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build(),
      BfdProfile.builder().receiveIntervalMillis(300).transmitIntervalMillis(100).detectMultiplier(5).build(),
      BfdProfile.builder().receiveIntervalMillis(20).transmitIntervalMillis(200).detectMultiplier(2).build(),
      BfdProfile.DEFAULT,
  };

  static final Set<String> LEGAL = Set.of("Down>Init", "Down>Up", "Init>Up", "Init>Down", "Up>Down",
      "Down>AdminDown", "Init>AdminDown", "Up>AdminDown", "AdminDown>Down");

  /**
   * Two sessions joined by a lossy, delaying link under random timers, drops, profile changes and admin actions.
   * After every step: no packet with Poll and Final, discriminators right, the 1 s floor while not Up, Echo RX 0,
   * only legal transitions, detection-time Downs carry diagnostic 1. At the end, after 10 s of a clean link,
   * both are Up.
   */
  @Property(tries = 150)
  void randomScenario_invariantsHold_andPairRecovers(@ForAll("scenarios") List<Step> steps,
      @ForAll @LongRange(min = 1, max = 1L << 40) long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Recorder a = Recorder.of(11, PROFILES[0], BfdAuthentication.NONE, new SplittableRandom(seed + 1));
    Recorder b = Recorder.of(22, PROFILES[0], BfdAuthentication.NONE, new SplittableRandom(seed + 2));
    a.start();
    b.start();
    Link link = new Link(a, b, rnd);
    boolean adminA = false;
    for (Step s : steps) {
      switch (s.kind()) {
        case 0, 1, 2, 3 -> link.run(s.value() * MS);
        case 4 -> link.loss = (s.value() % 4) / 4.0;
        case 5 -> link.delay = (s.value() % 40) * MS / 4;
        case 6 -> a.fsm.updateProfile(PROFILES[(int) (s.value() % PROFILES.length)], a.now);
        case 7 -> b.fsm.updateProfile(PROFILES[(int) (s.value() % PROFILES.length)], b.now);
        case 8 -> {
          if (adminA) {
            a.fsm.enable(a.now);
          } else {
            a.fsm.adminDown(a.now);
          }
          adminA = !adminA;
        }
        default -> link.run(1);
      }
      check(a);
      check(b);
    }
    if (adminA) {
      a.fsm.enable(a.now);
    }
    link.loss = 0;
    link.delay = MS;
    link.run(10_000 * MS);
    check(a);
    check(b);
    assertEquals(SessionState.Up, a.fsm.sessionState(), () -> a.fsm + " / " + b.fsm);
    assertEquals(SessionState.Up, b.fsm.sessionState(), () -> a.fsm + " / " + b.fsm);
    assertFalse(a.fsm.pollActive() && b.fsm.pollActive() && a.fsm.pollActive(), "polls end on a clean link");
  }

  private static void check(Recorder r) {
    for (Recorder.Sent s : r.sent) {
      ControlPacket p = s.packet();
      assertFalse(p.poll() && p.fin(), "P and F both set: " + p);
      assertEquals(r.fsm.localDiscr(), p.myDiscriminator());
      assertEquals(0, p.requiredMinEchoRxMicros());
      if (p.state() != SessionState.Up) {
        assertTrue(p.desiredMinTxMicros() >= 1_000_000, "not Up but fast: " + p);
      }
    }
    r.sent.clear();
    for (Recorder.Change c : r.changes) {
      assertTrue(LEGAL.contains(c.from() + ">" + c.to()), "illegal " + c);
      if (c.to() == SessionState.Down && c.diag() == Diagnostic.CONTROL_DETECTION_TIME_EXPIRED) {
        assertTrue(c.from() == SessionState.Up || c.from() == SessionState.Init);
      }
    }
    r.changes.clear();
  }

  /** A link between two recorders: each sent packet arrives after {@code delay} unless lost. */
  static final class Link {
    final Recorder a;
    final Recorder b;
    final SplittableRandom rnd;
    double loss;
    long delay = MS;
    final List<long[]> inFlight = new ArrayList<>(); // {arrival, toA?1:0, index}
    final List<byte[]> payloads = new ArrayList<>();
    int seenA;
    int seenB;

    Link(Recorder a, Recorder b, SplittableRandom rnd) {
      this.a = a;
      this.b = b;
      this.rnd = rnd;
    }

    void run(long duration) {
      long end = a.now + duration;
      while (true) {
        collect();
        long next = Math.min(a.fsm.nextDeadlineNanos(), b.fsm.nextDeadlineNanos());
        long arrival = Long.MAX_VALUE;
        int idx = -1;
        for (int i = 0; i < inFlight.size(); i++) {
          if (inFlight.get(i)[0] < arrival) {
            arrival = inFlight.get(i)[0];
            idx = i;
          }
        }
        long t = Math.min(next, arrival);
        if (t > end) {
          break;
        }
        if (arrival <= next) {
          long[] f = inFlight.remove(idx);
          byte[] payload = payloads.remove(idx);
          Recorder to = f[1] == 1 ? a : b;
          advance(arrival);
          to.receiveRaw(payload);
        } else {
          advance(next);
          a.runUntil(next);
          b.runUntil(next);
        }
      }
      advance(end);
      collect();
    }

    private void advance(long t) {
      a.now = Math.max(a.now, t);
      b.now = Math.max(b.now, t);
    }

    private void collect() {
      while (seenA < a.raw.size()) {
        enqueue(a.raw.get(seenA++), false);
      }
      while (seenB < b.raw.size()) {
        enqueue(b.raw.get(seenB++), true);
      }
    }

    private void enqueue(byte[] p, boolean toA) {
      if (rnd.nextDouble() < loss) {
        return;
      }
      inFlight.add(new long[] {a.now + delay, toA ? 1 : 0});
      payloads.add(p.clone());
    }
  }
}
