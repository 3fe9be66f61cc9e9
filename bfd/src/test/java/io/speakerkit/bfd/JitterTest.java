package io.speakerkit.bfd;

import static io.speakerkit.bfd.Recorder.MS;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** RFC 5880 §6.8.7: 75-100% of the interval, 75-90% when bfd.DetectMult is 1. */
class JitterTest {

  @Property(tries = 200)
  void periodicTransmission_within75to100Percent(@ForAll @LongRange(min = 1, max = 1L << 40) long seed,
      @ForAll @IntRange(min = 10, max = 2000) int txMillis, @ForAll @IntRange(min = 2, max = 255) int mult) {
    check(seed, txMillis, mult, 100);
  }

  @Property(tries = 200)
  void detectMultOne_within75to90Percent(@ForAll @LongRange(min = 1, max = 1L << 40) long seed,
      @ForAll @IntRange(min = 10, max = 2000) int txMillis) {
    check(seed, txMillis, 1, 90);
  }

  private static void check(long seed, int txMillis, int mult, int maxPercent) {
    BfdProfile p = BfdProfile.builder().transmitIntervalMillis(txMillis).receiveIntervalMillis(10).build();
    Recorder r = Recorder.of(5, p, BfdAuthentication.NONE, new SplittableRandom(seed));
    r.fsm.overrideDetectMult(mult);
    r.start();
    // Not Up: the interval is max(1 s, ...) and the peer's RemoteMinRxInterval is 1 us until heard from.
    r.runUntil(20_000L * MS);
    long interval = Math.max(1000, txMillis) * MS;
    for (int i = 1; i < r.sent.size(); i++) {
      long gap = r.sent.get(i).at() - r.sent.get(i - 1).at();
      assertTrue(gap >= interval * 75 / 100 && gap <= interval * maxPercent / 100,
          "gap " + gap + " for interval " + interval + " mult " + mult);
    }
    assertTrue(r.sent.size() >= 20_000 / Math.max(1000, txMillis) - 1, "sent " + r.sent.size());
  }

  @Property(tries = 100)
  void upSession_gapsFollowNegotiatedInterval(@ForAll @LongRange(min = 1, max = 1L << 40) long seed,
      @ForAll @IntRange(min = 10, max = 500) int txMillis, @ForAll @IntRange(min = 10, max = 500) int peerRxMillis) {
    BfdProfile p = BfdProfile.builder().transmitIntervalMillis(txMillis).receiveIntervalMillis(10).build();
    Recorder r = Recorder.of(5, p, BfdAuthentication.NONE, new SplittableRandom(seed));
    r.start();
    r.receive(r.fromPeer(99, SessionState.Init, 60_000_000, peerRxMillis * 1000L, 255));
    long from = r.now;
    r.runUntil(from + 5000 * MS);
    long interval = Math.max(txMillis, peerRxMillis) * MS;
    int checked = 0;
    for (int i = 1; i < r.sent.size(); i++) {
      if (r.sent.get(i - 1).at() <= from || r.sent.get(i).packet().fin()) {
        continue;
      }
      long gap = r.sent.get(i).at() - r.sent.get(i - 1).at();
      assertTrue(gap >= interval * 3 / 4 && gap <= interval, "gap " + gap + " interval " + interval);
      checked++;
    }
    assertTrue(checked > 0);
  }
}
