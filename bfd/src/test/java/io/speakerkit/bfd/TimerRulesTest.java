package io.speakerkit.bfd;

import static io.speakerkit.bfd.Recorder.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.timers.ManualScheduler;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** RFC 5880 timer rules at their edges: the Detection Time (§6.8.4) and the jittered interval (§6.8.7). */
class TimerRulesTest {

  static final int PEER = 0x0BADCAFE;
  static final BfdProfile FAST = BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build();

  /**
   * RFC 5880 §6.8.4: the Detection Time is the peer's Detect Mult times the greater of bfd.RequiredMinRxInterval and
   * the last received Desired Min TX. Raising bfd.RequiredMinRxInterval while Init lengthens it at once (as the Up
   * branch of setIntervals already does); the peer (FRR: bs_final_handler on our Poll) slows down to it.
   */
  @Test
  void notUp_increasedReceiveInterval_lengthensDetectionAtOnce() {
    Recorder r = Recorder.of(1234, FAST);
    r.start();
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    long lastRx = r.now;
    r.fsm.updateProfile(FAST.toBuilder().receiveIntervalMillis(5000).build(), r.now);
    assertEquals(3 * 5_000_000, r.fsm.detectionTimeMicros());
    // The peer's next packet may come up to 5 s later; 3 s (the old Detection Time) is not a failure.
    r.runUntil(lastRx + 3_001 * MS);
    assertEquals(SessionState.Init, r.fsm.sessionState(), "Init -> Down on the stale 3 s Detection Time");
    assertEquals(lastRx + 15_000 * MS, r.fsm.detectDeadlineNanos());
  }

  /**
   * RFC 5880 §6.8.7: "the interval MUST be reduced by a random value of 0 to 25%": never longer than the negotiated
   * transmit interval. With timer slack the driver rounds every deadline up to the slack grid, so when the
   * negotiated interval (the peer's Required Min RX, any number of microseconds) is not a multiple of the slack, a
   * jitter draw near 100% fires late and the gap exceeds the interval (by up to the slack, 10 ms at most).
   */
  @Test
  void timerSlack_periodicGapNeverLongerThanNegotiatedInterval() throws Exception {
    longestGapWithSlack(false);
  }

  /** The same bound when the slack is set while sessions already run (the engine sets it once started). */
  @Test
  void timerSlack_setAfterSessionCreated_periodicGapNeverLongerThanNegotiatedInterval() throws Exception {
    longestGapWithSlack(true);
  }

  private static void longestGapWithSlack(boolean slackAfterCreate) throws Exception {
    ManualScheduler sch = new ManualScheduler();
    List<Long> periodicAt = new ArrayList<>();
    BfdDriver a = new BfdDriver(sch, new SplittableRandom(11), new BfdDriver.PacketIo() {
      @Override
      public ByteBuf allocate() {
        return Unpooled.buffer(64);
      }

      @Override
      public void send(BfdSession session, ByteBuf packet) {
        ControlPacket p = ControlPacket.decode(packet);
        packet.release();
        if (p.state() == SessionState.Up && !p.fin()) {
          periodicAt.add(sch.nanoTime());
        }
      }
    });
    if (!slackAfterCreate) {
      a.timerSlack(Duration.ofMillis(1));
    }
    InetAddress la = InetAddress.getByName("10.252.9.1");
    InetAddress lb = InetAddress.getByName("10.252.9.2");
    BfdSession s = a.createSession(BfdSessionConfig.builder().localAddress(la).remoteAddress(lb).profile(FAST).build());
    if (slackAfterCreate) {
      a.timerSlack(Duration.ofMillis(1));
    }
    long peerRxMicros = 50_500; // the peer's Required Min RX: 50.5 ms
    // The peer: Init until we are Up, then Up with Final every 20 ms (ends our poll; keeps the session Up).
    Runnable[] peer = new Runnable[1];
    peer[0] = () -> {
      SessionState st = s.state() == SessionState.Up ? SessionState.Up : SessionState.Init;
      ControlPacket p = new ControlPacket(1, Diagnostic.NO_DIAGNOSTIC, st, false, st == SessionState.Up, false, false,
          false, 3, PEER, s.localDiscriminator(), 50_000, peerRxMicros, 0, new byte[0]);
      ByteBuf b = Unpooled.buffer();
      p.encode(b);
      a.receive(b, la, lb, false);
      b.release();
      sch.schedule(peer[0], Duration.ofMillis(20));
    };
    sch.schedule(peer[0], Duration.ofMillis(10));
    sch.advance(Duration.ofSeconds(30));
    assertEquals(SessionState.Up, s.state());
    long max = 0;
    for (int i = 1; i < periodicAt.size(); i++) {
      if (periodicAt.get(i - 1) > 2_000 * MS) {
        max = Math.max(max, periodicAt.get(i) - periodicAt.get(i - 1));
      }
    }
    assertTrue(periodicAt.size() > 500, "sent " + periodicAt.size());
    assertTrue(max <= peerRxMicros * 1000, "longest gap " + max + " ns > negotiated " + peerRxMicros * 1000 + " ns");
  }
}
