package io.speakerkit.bfd;

import static io.speakerkit.bfd.Recorder.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BfdFsmTest {

  static final int PEER = 0x0BADCAFE;
  static final BfdProfile FAST = BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build();

  /** Brings a recorder's session Up against a hand-played peer using 50 ms / x3. */
  static Recorder up(BfdProfile profile) {
    Recorder r = Recorder.of(1234, profile);
    r.start();
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Up, r.fsm.sessionState());
    return r;
  }

  @Test
  void constructor_zeroDiscriminator() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recorder.of(0, FAST));
    assertTrue(e.getMessage().contains("localDiscr: 0"), e.getMessage());
  }

  @Test
  void start_firstPacketWithinJitterOfOneSecond() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.runUntil(1000 * MS);
    assertEquals(1, r.sent.size());
    long at = r.sent.get(0).at();
    assertTrue(at >= 750 * MS && at <= 1000 * MS, "first packet at " + at);
    ControlPacket p = r.last();
    assertEquals(SessionState.Down, p.state());
    assertEquals(7, p.myDiscriminator());
    assertEquals(0, p.yourDiscriminator());
    // RFC 5880 §6.8.3: not Up, so Desired Min TX is at least one second.
    assertEquals(1_000_000, p.desiredMinTxMicros());
    assertEquals(50_000, p.requiredMinRxMicros());
    assertEquals(0, p.requiredMinEchoRxMicros());
    assertEquals(3, p.detectMult());
    assertFalse(p.poll() || p.fin() || p.demand() || p.multipoint() || p.authPresent());
  }

  @Test
  void down_receivesDown_goesInit() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    assertNull(r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0,
        1_000_000, 50_000)));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    assertEquals(PEER, r.fsm.remoteDiscr());
    assertEquals(new Recorder.Change(SessionState.Down, SessionState.Init, Diagnostic.NO_DIAGNOSTIC, 0),
        r.changes.get(0));
  }

  @Test
  void down_receivesInit_goesUp() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.receive(r.fromPeer(PEER, SessionState.Init, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Up, r.fsm.sessionState());
    assertEquals(1, r.fsm.counters().upTransitions());
  }

  @Test
  void down_receivesUp_staysDown() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Down, r.fsm.sessionState());
  }

  @Test
  void init_receivesUp_goesUp() {
    up(FAST);
  }

  @Test
  void init_receivesInit_goesUp() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    r.receive(r.fromPeer(PEER, SessionState.Init, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Up, r.fsm.sessionState());
  }

  @Test
  void up_receivesDown_goesDownWithDiag3() {
    Recorder r = up(FAST);
    r.receive(r.fromPeer(PEER, SessionState.Down, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertEquals(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, r.fsm.localDiag());
    assertEquals(1, r.fsm.counters().downTransitions());
  }

  @Test
  void up_receivesAdminDown_goesDownWithDiag3() {
    Recorder r = up(FAST);
    r.receive(r.fromPeer(PEER, SessionState.AdminDown, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertEquals(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, r.fsm.localDiag());
  }

  @Test
  void yourDiscriminatorZero_peerNotDown_discarded() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    ControlPacket p = ControlPacket.of(SessionState.Init, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0,
        1_000_000, 50_000);
    assertEquals(DiscardReason.UNKNOWN_DISCRIMINATOR, r.receive(p));
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertEquals(0, r.fsm.remoteDiscr());
    assertEquals(1, r.fsm.counters().discardedUnknownDiscriminator());
  }

  @Test
  void yourDiscriminatorWrong_discarded() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    ControlPacket p = ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 8,
        1_000_000, 50_000);
    assertEquals(DiscardReason.UNKNOWN_DISCRIMINATOR, r.receive(p));
  }

  @Test
  void malformed_eachRuleDiscards() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    ControlPacket good = ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0,
        1_000_000, 50_000);
    io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
    good.encode(b);
    byte[] bytes = new byte[24];
    b.getBytes(0, bytes);
    b.release();
    byte[][] bad = new byte[6][];
    for (int i = 0; i < bad.length; i++) {
      bad[i] = bytes.clone();
    }
    bad[0][0] = (byte) (2 << 5); // version 2
    bad[1][3] = 23; // length < 24
    bad[2][3] = 30; // length > datagram
    bad[3][2] = 0; // detect mult 0
    bad[4][1] |= 0x01; // multipoint
    bad[5][4] = bad[5][5] = bad[5][6] = bad[5][7] = 0; // my discriminator 0
    for (byte[] p : bad) {
      assertEquals(DiscardReason.MALFORMED, r.receiveRaw(p));
    }
    assertEquals(DiscardReason.MALFORMED, r.receiveRaw(new byte[] {0x20, 0x40, 3}));
    assertEquals(7, r.fsm.counters().discardedMalformed());
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertNull(r.receiveRaw(bytes));
  }

  @Test
  void detectionTime_expires_downWithDiag1AndRemoteDiscrReset() {
    Recorder r = up(FAST);
    // peer: mult 3, Desired Min TX 1 s (its not-Up floor) -> 3 s detection until it polls down.
    assertEquals(3_000_000, r.fsm.detectionTimeMicros());
    r.receive(r.fromPeer(PEER, SessionState.Up, 50_000, 50_000, 3));
    assertEquals(150_000, r.fsm.detectionTimeMicros());
    long last = r.now;
    r.runUntil(last + 150 * MS - 1);
    assertEquals(SessionState.Up, r.fsm.sessionState());
    r.runUntil(last + 150 * MS);
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertEquals(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, r.fsm.localDiag());
    assertEquals(0, r.fsm.remoteDiscr());
    Recorder.Change c = r.changes.get(r.changes.size() - 1);
    assertEquals(new Recorder.Change(SessionState.Up, SessionState.Down, Diagnostic.CONTROL_DETECTION_TIME_EXPIRED,
        last + 150 * MS), c);
  }

  /** The diagnostic tells why the state last changed: Up again after a failure sends No Diagnostic (as FRR). */
  @Test
  void upAgainAfterDetectionTimeExpired_diagnosticCleared() {
    Recorder r = up(FAST);
    r.receive(r.fromPeer(PEER, SessionState.Up, 50_000, 50_000, 3));
    r.runUntil(r.now + 150 * MS);
    assertEquals(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, r.fsm.localDiag());
    r.receive(r.fromPeer(PEER, SessionState.Down, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    assertEquals(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, r.fsm.localDiag(), "Init still tells of the failure");
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Up, r.fsm.sessionState());
    assertEquals(Diagnostic.NO_DIAGNOSTIC, r.fsm.localDiag());
    r.runUntil(r.now + 1_000 * MS);
    assertEquals(Diagnostic.NO_DIAGNOSTIC, r.last().diag());
  }

  @Test
  void detectionTime_usesPeerMultiplierAndLargerOfIntervals() {
    Recorder r = up(FAST);
    r.receive(r.fromPeer(PEER, SessionState.Up, 200_000, 10_000, 5));
    assertEquals(5 * 200_000, r.fsm.detectionTimeMicros());
    r.receive(r.fromPeer(PEER, SessionState.Up, 20_000, 10_000, 4));
    assertEquals(4 * 50_000, r.fsm.detectionTimeMicros());
  }

  @Test
  void poll_answeredAtOnceWithFinalAndNotPoll() {
    Recorder r = up(FAST);
    int before = r.sent.size();
    r.receive(r.fromPeer(PEER, SessionState.Up, 50_000, 50_000, 3).withPoll(true));
    assertEquals(before + 1, r.sent.size());
    Recorder.Sent s = r.sent.get(r.sent.size() - 1);
    assertEquals(r.now, s.at());
    assertTrue(s.packet().fin());
    assertFalse(s.packet().poll());
  }

  @Test
  void up_pollsToConfiguredInterval_finalEndsPoll() {
    Recorder r = up(FAST);
    assertTrue(r.fsm.pollActive());
    assertEquals(50_000, r.fsm.desiredMinTxInterval());
    // The peer still asks for 50 ms RX; our tx interval is 50 ms at once (a decrease applies immediately).
    r.runUntil(r.now + 60 * MS);
    ControlPacket p = r.last();
    assertTrue(p.poll());
    assertFalse(p.fin());
    assertEquals(50_000, p.desiredMinTxMicros());
    ControlPacket fin = new ControlPacket(1, Diagnostic.NO_DIAGNOSTIC, SessionState.Up, false, true, false, false,
        false, 3, PEER, 1234, 50_000, 50_000, 0, new byte[0]);
    r.receive(fin);
    assertFalse(r.fsm.pollActive());
    r.runUntil(r.now + 60 * MS);
    assertFalse(r.last().poll());
  }

  @Test
  void increasedTransmitInterval_appliesOnlyAfterFinal() {
    Recorder r = up(FAST);
    r.receive(finalFrom(1_000_000, 50_000));
    assertEquals(50_000, r.fsm.transmitIntervalMicros());
    r.fsm.updateProfile(FAST.toBuilder().transmitIntervalMillis(300).build(), r.now);
    assertTrue(r.fsm.pollActive());
    assertEquals(300_000, r.fsm.desiredMinTxInterval());
    // RFC 5880 §6.8.3: the actual interval must not change until the poll ends.
    assertEquals(50_000, r.fsm.transmitIntervalMicros());
    long t0 = r.now;
    r.runUntil(t0 + 200 * MS);
    long polls = r.sent.stream().filter(s -> s.at() > t0).filter(s -> s.packet().poll()).count();
    assertTrue(polls >= 3, "poll packets at the old interval: " + polls);
    r.sent.stream().filter(s -> s.at() > t0).forEach(s -> assertEquals(300_000, s.packet().desiredMinTxMicros()));
    r.receive(finalFrom(1_000_000, 50_000));
    assertEquals(300_000, r.fsm.transmitIntervalMicros());
  }

  @Test
  void reducedReceiveInterval_detectionKeepsOldValueUntilFinal() {
    BfdProfile slow = FAST.toBuilder().receiveIntervalMillis(300).build();
    Recorder r = up(slow);
    r.receive(finalFrom(10_000, 300_000));
    assertEquals(3 * 300_000, r.fsm.detectionTimeMicros());
    r.fsm.updateProfile(slow.toBuilder().receiveIntervalMillis(20).build(), r.now);
    assertEquals(20_000, r.fsm.requiredMinRxInterval());
    assertTrue(r.fsm.pollActive());
    // RFC 5880 §6.8.3: the previous Required Min RX counts for the Detection Time until the Final.
    r.receive(r.fromPeer(PEER, SessionState.Up, 10_000, 300_000, 3));
    assertEquals(3 * 300_000, r.fsm.detectionTimeMicros());
    r.receive(finalFrom(10_000, 300_000));
    assertEquals(3 * 20_000, r.fsm.detectionTimeMicros());
  }

  @Test
  void increasedReceiveInterval_lengthensDetectionAtOnce() {
    Recorder r = up(FAST);
    r.receive(finalFrom(10_000, 50_000));
    assertEquals(150_000, r.fsm.detectionTimeMicros());
    r.fsm.updateProfile(FAST.toBuilder().receiveIntervalMillis(500).build(), r.now);
    r.receive(r.fromPeer(PEER, SessionState.Up, 10_000, 50_000, 3));
    assertEquals(1_500_000, r.fsm.detectionTimeMicros());
  }

  @Test
  void changeDuringPoll_finalAppliesPolledValuesThenPollsAgain() {
    Recorder r = up(FAST);
    r.receive(finalFrom(10_000, 10_000));
    r.fsm.updateProfile(FAST.toBuilder().transmitIntervalMillis(100).build(), r.now);
    r.fsm.updateProfile(FAST.toBuilder().transmitIntervalMillis(200).build(), r.now);
    r.receive(finalFrom(10_000, 10_000));
    assertEquals(100_000, r.fsm.transmitIntervalMicros());
    assertTrue(r.fsm.pollActive());
    r.receive(finalFrom(10_000, 10_000));
    assertEquals(200_000, r.fsm.transmitIntervalMicros());
    assertFalse(r.fsm.pollActive());
  }

  @Test
  void remoteMinRxChange_recomputesInterval() {
    Recorder r = up(FAST);
    r.receive(finalFrom(1_000_000, 500_000));
    assertEquals(500_000, r.fsm.transmitIntervalMicros());
    long t0 = r.now;
    r.runUntil(t0 + 600 * MS);
    long next = r.fsm.txDeadlineNanos();
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 50_000, 3));
    assertEquals(50_000, r.fsm.transmitIntervalMicros());
    assertTrue(r.fsm.txDeadlineNanos() <= next, "a shorter interval pulls the next transmission in");
    assertTrue(r.fsm.txDeadlineNanos() <= r.now + 50 * MS);
  }

  @Test
  void remoteMinRxIncrease_pendingTransmissionPushedOut() {
    Recorder r = up(FAST);
    r.receive(finalFrom(1_000_000, 50_000));
    assertEquals(50_000, r.fsm.transmitIntervalMicros());
    r.runUntil(r.now + 200 * MS);
    long last = r.sent.get(r.sent.size() - 1).at();
    // The next packet is due 37.5-50 ms after the last; 10 ms after it the peer asks for 1 s between packets.
    r.now = last + 10 * MS;
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 1_000_000, 3));
    assertEquals(1_000_000, r.fsm.transmitIntervalMicros());
    // RFC 5880 §6.8.7: never closer than the larger interval less jitter (75 %), counted from the last packet.
    assertTrue(r.fsm.txDeadlineNanos() >= last + 750 * MS, "next at " + (r.fsm.txDeadlineNanos() - last));
    assertTrue(r.fsm.txDeadlineNanos() <= last + 1000 * MS, "next at " + (r.fsm.txDeadlineNanos() - last));
    r.runUntil(last + 2500 * MS);
    assertGapsAtLeast(r, last, 750 * MS);
  }

  @Test
  void desiredTxIncrease_finalPushesPendingTransmissionOut() {
    Recorder r = up(FAST);
    r.receive(finalFrom(1_000_000, 10_000));
    assertEquals(50_000, r.fsm.transmitIntervalMicros());
    r.fsm.updateProfile(FAST.toBuilder().transmitIntervalMillis(300).build(), r.now);
    r.runUntil(r.now + 60 * MS);
    Recorder.Sent poll = r.sent.get(r.sent.size() - 1);
    assertTrue(poll.packet().poll());
    // The Final ends the poll a few ms after the Poll left: the 300 ms interval applies from that packet on.
    r.now = poll.at() + 5 * MS;
    r.receive(finalFrom(1_000_000, 10_000));
    assertEquals(300_000, r.fsm.transmitIntervalMicros());
    assertTrue(r.fsm.txDeadlineNanos() >= poll.at() + 225 * MS, "next at " + (r.fsm.txDeadlineNanos() - poll.at()));
    r.runUntil(poll.at() + 1500 * MS);
    assertGapsAtLeast(r, poll.at(), 225 * MS);
  }

  @Test
  void intervalDecrease_pendingTransmissionNeverDelayed() {
    Recorder r = up(FAST);
    r.receive(finalFrom(1_000_000, 500_000));
    r.runUntil(r.now + 600 * MS);
    long before = r.fsm.txDeadlineNanos();
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 400_000, 3));
    assertEquals(400_000, r.fsm.transmitIntervalMicros());
    assertTrue(r.fsm.txDeadlineNanos() <= before, "a shorter interval may only bring the next packet forward");
  }

  /** Every gap between periodic packets (not Finals, which §6.8.6 sends at once) sent from {@code from} on. */
  private static void assertGapsAtLeast(Recorder r, long from, long min) {
    long prev = from;
    int n = 0;
    for (Recorder.Sent s : r.sent) {
      if (s.at() <= from || s.packet().fin()) {
        continue;
      }
      assertTrue(s.at() - prev >= min, "gap " + (s.at() - prev) / MS + " ms (expected: >= " + min / MS + " ms)");
      prev = s.at();
      n++;
    }
    assertTrue(n >= 1, "no packet after " + from);
  }

  @Test
  void notUp_transmitsAtLeastOneSecondApart() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        10_000));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    r.runUntil(10_000 * MS);
    for (int i = 1; i < r.sent.size(); i++) {
      long gap = r.sent.get(i).at() - r.sent.get(i - 1).at();
      assertTrue(gap >= 750 * MS, "gap " + gap);
      assertEquals(1_000_000, r.sent.get(i).packet().desiredMinTxMicros());
    }
  }

  @Test
  void notUp_intervalChange_appliesAtOnceAndPolls() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.fsm.updateProfile(FAST.toBuilder().transmitIntervalMillis(2000).receiveIntervalMillis(200).build(), r.now);
    // RFC 5880 §6.8.3: not Up, so the new values count at once ...
    assertEquals(2_000_000, r.fsm.transmitIntervalMicros());
    assertEquals(200_000, r.fsm.detectRequiredMinRx());
    // ... and the change still starts a Poll Sequence: that MUST has no condition on the state.
    assertTrue(r.fsm.pollActive());
    r.runUntil(2000 * MS);
    ControlPacket p = r.last();
    assertEquals(SessionState.Down, p.state());
    assertTrue(p.poll());
    assertEquals(2_000_000, p.desiredMinTxMicros());
    assertEquals(200_000, p.requiredMinRxMicros());
    // The peer's Down moves the session to Init; the poll goes on until the Final.
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    assertTrue(r.fsm.pollActive());
    r.runUntil(r.now + 2000 * MS);
    assertTrue(r.last().poll());
    assertEquals(SessionState.Init, r.last().state());
    r.receive(new ControlPacket(1, Diagnostic.NO_DIAGNOSTIC, SessionState.Down, false, true, false, false, false, 3,
        PEER, 7, 1_000_000, 50_000, 0, new byte[0]));
    assertFalse(r.fsm.pollActive());
    assertEquals(1, r.fsm.counters().pollSequencesCompleted());
    assertEquals(2_000_000, r.fsm.transmitIntervalMicros());
    r.runUntil(r.now + 2000 * MS);
    assertFalse(r.last().poll());
  }

  @Test
  void notUp_changeDuringPoll_finalKeepsNewestValues() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    r.fsm.updateProfile(FAST.toBuilder().transmitIntervalMillis(2000).build(), r.now);
    r.fsm.updateProfile(FAST.toBuilder().transmitIntervalMillis(3000).build(), r.now);
    r.receive(new ControlPacket(1, Diagnostic.NO_DIAGNOSTIC, SessionState.Down, false, true, false, false, false, 3,
        PEER, 7, 1_000_000, 50_000, 0, new byte[0]));
    // Still Init: 3 s already counts; the Final of the poll for 2 s must not bring the interval back below it.
    assertEquals(3_000_000, r.fsm.transmitIntervalMicros());
    assertTrue(r.fsm.pollActive(), "the second change is polled next");
  }

  @Test
  void adminDown_intervalChange_appliesWithoutPoll() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.fsm.adminDown(r.now);
    r.fsm.updateProfile(FAST.toBuilder().receiveIntervalMillis(200).build(), r.now);
    // AdminDown discards every packet (RFC 5880 §6.8.6), so no Final could end a poll.
    assertFalse(r.fsm.pollActive());
    assertEquals(200_000, r.fsm.requiredMinRxInterval());
  }

  @Test
  void goingDown_restoresOneSecondFloor() {
    Recorder r = up(FAST);
    r.receive(finalFrom(50_000, 50_000));
    r.receive(r.fromPeer(PEER, SessionState.Down, 50_000, 50_000, 3));
    assertEquals(1_000_000, r.fsm.desiredMinTxInterval());
    assertEquals(1_000_000, r.fsm.transmitIntervalMicros());
    assertFalse(r.fsm.pollActive());
  }

  @Test
  void passive_silentUntilPeerSpeaks() {
    Recorder r = Recorder.of(7, FAST.toBuilder().passiveMode(true).build());
    r.start();
    r.runUntil(10_000 * MS);
    assertTrue(r.sent.isEmpty());
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    r.runUntil(r.now + 1100 * MS);
    assertFalse(r.sent.isEmpty());
    assertEquals(PEER, r.last().yourDiscriminator());
  }

  @Test
  void passive_silentAgainAfterDetectionTime() {
    Recorder r = Recorder.of(7, FAST.toBuilder().passiveMode(true).build());
    r.start();
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    r.runUntil(r.now + 3001 * MS);
    assertEquals(0, r.fsm.remoteDiscr());
    int n = r.sent.size();
    r.runUntil(r.now + 10_000 * MS);
    assertEquals(n, r.sent.size());
    // the peer comes back: the passive session speaks again (it used to stay silent for good)
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    r.runUntil(r.now + 1100 * MS);
    assertTrue(r.sent.size() > n, "transmitting again after the peer's packet");
    assertEquals(PEER, r.last().yourDiscriminator());
  }

  @Test
  void passiveTurnedOff_startsTransmitting() {
    Recorder r = Recorder.of(7, FAST.toBuilder().passiveMode(true).build());
    r.start();
    r.runUntil(5000 * MS);
    assertTrue(r.sent.isEmpty());
    r.fsm.updateProfile(FAST, r.now);
    r.runUntil(r.now + 1000 * MS);
    assertEquals(1, r.sent.size());
  }

  @Test
  void remoteDemand_bothUp_periodicTransmissionStops() {
    Recorder r = up(FAST);
    r.receive(finalFrom(50_000, 50_000));
    ControlPacket demand = new ControlPacket(1, Diagnostic.NO_DIAGNOSTIC, SessionState.Up, false, false, false, true,
        false, 3, PEER, 1234, 50_000, 50_000, 0, new byte[0]);
    r.receive(demand);
    int n = r.sent.size();
    r.runUntil(r.now + 140 * MS);
    assertEquals(n, r.sent.size());
  }

  @Test
  void adminDown_sendsAdminDownDiag7_andDiscardsPackets() {
    Recorder r = up(FAST);
    r.fsm.adminDown(r.now);
    assertEquals(SessionState.AdminDown, r.fsm.sessionState());
    r.runUntil(r.now + 1100 * MS);
    assertEquals(SessionState.AdminDown, r.last().state());
    assertEquals(Diagnostic.ADMINISTRATIVELY_DOWN, r.last().diag());
    assertEquals(DiscardReason.ADMIN_DOWN, r.receive(r.fromPeer(PEER, SessionState.Down, 1_000_000, 50_000, 3)));
    assertEquals(SessionState.AdminDown, r.fsm.sessionState());
    r.fsm.enable(r.now);
    assertEquals(SessionState.Down, r.fsm.sessionState());
  }

  @Test
  void writeControlPacket_pollAndFinal_refused() {
    Recorder r = Recorder.of(7, FAST);
    assertThrows(IllegalArgumentException.class,
        () -> r.fsm.writeControlPacket(io.netty.buffer.Unpooled.buffer(), true, true));
  }

  @Test
  void lateness_recordedAgainstSchedule() {
    Recorder r = up(FAST);
    long due = r.fsm.txDeadlineNanos();
    r.now = due + 3 * MS;
    r.fsm.onTimer(r.now);
    BfdCounters c = r.fsm.counters();
    assertEquals(3 * MS, c.txLatenessMaxNanos());
    assertEquals(1, c.txLateBuckets()[2]);
  }

  private static ControlPacket finalFrom(long tx, long rx) {
    return new ControlPacket(1, Diagnostic.NO_DIAGNOSTIC, SessionState.Up, false, true, false, false, false, 3, PEER,
        1234, tx, rx, 0, new byte[0]);
  }

  static Duration ms(long v) {
    return Duration.ofMillis(v);
  }

  /**
   * metallb_bfd_session_down_events is FRR's session-down counter, which bfdd's ptm_bfd_sess_dn increments on every
   * change into Down, Init to Down on a Detection Time included (a peer that answers once and then goes silent).
   */
  @Test
  void init_detectionTimeExpires_countsSessionDownEventAsFrr() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    r.runUntil(r.now + 5_000 * MS);
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertEquals(1, r.fsm.counters().downTransitions());
  }

  /**
   * RFC 5880 §6.8.7: "A system MUST NOT periodically transmit BFD Control packets if bfd.RemoteMinRxInterval is
   * zero." A peer that asks for no packets (Required Min RX Interval 0) gets none until it asks again.
   */
  @Test
  void remoteRequiredMinRxZero_periodicTransmissionStops_resumesWhenNonZero() {
    Recorder r = up(FAST);
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 0, 3));
    int before = r.sent.size();
    long from = r.now;
    r.runUntil(from + 2500 * MS); // within the 3 s Detection Time
    assertEquals(SessionState.Up, r.fsm.sessionState());
    assertEquals(0, r.sent.size() - before, "periodic packets sent while bfd.RemoteMinRxInterval is 0");
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 50_000, 3));
    r.runUntil(r.now + 1000 * MS);
    assertTrue(r.sent.size() > before, "transmission resumes once the peer's Required Min RX is non-zero again");
  }

  /** RFC 5880 §6.8.6: Up and the peer says Init: no change (only Down and AdminDown bring the session down). */
  @Test
  void up_receivesInit_staysUp() {
    Recorder r = up(FAST);
    r.receive(r.fromPeer(PEER, SessionState.Init, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Up, r.fsm.sessionState());
    assertEquals(Diagnostic.NO_DIAGNOSTIC, r.fsm.localDiag());
    assertEquals(0, r.fsm.counters().downTransitions());
  }

  /** RFC 5880 §6.8.6: received AdminDown and bfd.SessionState not Down (Init too): Down with diagnostic 3. */
  @Test
  void init_receivesAdminDown_goesDownWithDiag3() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    assertEquals(SessionState.Init, r.fsm.sessionState());
    r.receive(r.fromPeer(PEER, SessionState.AdminDown, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertEquals(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, r.fsm.localDiag());
  }

  /**
   * RFC 5880 §6.8.6: Your Discriminator 0 is valid when the peer is Down or AdminDown. A peer restarted with the
   * session administratively down sends AdminDown with Your Discriminator 0: the Up session goes Down (diag 3) at
   * once instead of waiting for its Detection Time.
   */
  @Test
  void up_peerRestartedAdminDown_yourDiscriminatorZero_goesDownWithDiag3() {
    Recorder r = up(FAST);
    assertNull(r.receive(ControlPacket.of(SessionState.AdminDown, Diagnostic.ADMINISTRATIVELY_DOWN, false, false, 3,
        PEER + 1, 0, 1_000_000, 50_000)));
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertEquals(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, r.fsm.localDiag());
    assertEquals(SessionState.AdminDown, r.fsm.remoteSessionState());
    assertEquals(PEER + 1, r.fsm.remoteDiscr());
  }

  /** A Final sent in answer to a Poll is counted. */
  @Test
  void poll_answered_finalCounted() {
    Recorder r = up(FAST);
    assertEquals(0, r.fsm.counters().finalsSent());
    r.receive(r.fromPeer(PEER, SessionState.Up, 50_000, 50_000, 3).withPoll(true));
    r.receive(r.fromPeer(PEER, SessionState.Up, 50_000, 50_000, 3).withPoll(true));
    assertEquals(2, r.fsm.counters().finalsSent());
  }

  /** A new detectMultiplier is advertised from the next packet on (bfd.DetectMult, RFC 5880 §6.8.1). */
  @Test
  void updateProfile_detectMultiplier_advertisedAtOnce() {
    Recorder r = up(FAST);
    r.receive(finalFrom(50_000, 50_000));
    r.fsm.updateProfile(FAST.toBuilder().detectMultiplier(5).build(), r.now);
    assertEquals(5, r.fsm.detectMult());
    // the peer's Detection Time uses it: both sides agree on when it changed through a poll
    assertTrue(r.fsm.pollActive());
    r.runUntil(r.now + 60 * MS);
    assertEquals(5, r.last().detectMult());
    assertTrue(r.last().poll());
  }

  /**
   * RFC 5880 §6.8.7: "A system MUST NOT transmit BFD Control packets if bfd.RemoteDiscr is zero and the system is
   * taking the Passive role." Turned passive before the peer spoke, the transmission already scheduled is dropped.
   */
  @Test
  void passiveTurnedOn_beforePeerSpoke_noPacketLeaves() {
    Recorder r = Recorder.of(7, FAST);
    r.start();
    assertTrue(r.fsm.txDeadlineNanos() != Long.MAX_VALUE);
    r.fsm.updateProfile(FAST.toBuilder().passiveMode(true).build(), r.now);
    r.runUntil(r.now + 5_000 * MS);
    assertTrue(r.sent.isEmpty(), "sent " + r.sent.size() + " packets with bfd.RemoteDiscr 0 while passive");
  }

  /**
   * RFC 5880 §6.8.7: Demand mode stops periodic transmission "except during a Poll Sequence": a poll of ours still
   * goes out periodically with P set.
   */
  @Test
  void remoteDemand_bothUp_pollStillSentPeriodically() {
    Recorder r = up(FAST);
    r.receive(finalFrom(50_000, 50_000));
    ControlPacket demand = new ControlPacket(1, Diagnostic.NO_DIAGNOSTIC, SessionState.Up, false, false, false, true,
        false, 3, PEER, 1234, 50_000, 50_000, 0, new byte[0]);
    r.receive(demand);
    r.fsm.updateProfile(FAST.toBuilder().receiveIntervalMillis(100).build(), r.now);
    int n = r.sent.size();
    r.runUntil(r.now + 140 * MS);
    assertTrue(r.sent.size() - n >= 2, "poll packets sent in Demand mode: " + (r.sent.size() - n));
    assertTrue(r.last().poll());
  }

  /**
   * RFC 5880 §6.8.7: Demand mode is active on the remote system only when bfd.RemoteDemandMode is 1 and both
   * bfd.SessionState and bfd.RemoteSessionState are Up; a peer in Init with the D bit still gets periodic packets.
   */
  @Test
  void remoteDemand_peerNotUp_periodicTransmissionGoesOn() {
    Recorder r = up(FAST);
    r.receive(finalFrom(50_000, 50_000));
    ControlPacket demandInit = new ControlPacket(1, Diagnostic.NO_DIAGNOSTIC, SessionState.Init, false, false, false,
        true, false, 3, PEER, 1234, 50_000, 50_000, 0, new byte[0]);
    r.receive(demandInit);
    assertEquals(SessionState.Up, r.fsm.sessionState());
    int n = r.sent.size();
    r.runUntil(r.now + 140 * MS);
    assertTrue(r.sent.size() - n >= 2, "periodic packets while the peer is Init: " + (r.sent.size() - n));
  }

  /** A passive session that waits for its peer has no transmit deadline: no timer wake-ups for nothing. */
  @Test
  void passive_waitingForPeer_noTransmitDeadline() {
    Recorder r = Recorder.of(7, FAST.toBuilder().passiveMode(true).build());
    r.start();
    assertEquals(Long.MAX_VALUE, r.fsm.txDeadlineNanos());
    assertEquals(Long.MAX_VALUE, r.fsm.nextDeadlineNanos());
  }

  /**
   * RFC 5880 §6.8.7: jitter only ever shortens the interval. When the peer raises its Required Min RX between two
   * packets, the next one is drawn from the last one sent, so the gap never exceeds the new interval (with the
   * least jitter, it is exactly the interval).
   */
  @Test
  void remoteMinRxIncrease_nextPacketNoLaterThanLastPlusInterval() {
    Recorder r = Recorder.of(1234, FAST, BfdAuthentication.NONE, new NoJitter());
    r.start();
    r.receive(ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, PEER, 0, 1_000_000,
        50_000));
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 50_000, 3));
    r.receive(finalFrom(1_000_000, 50_000));
    r.runUntil(r.now + 200 * MS);
    long last = r.sent.get(r.sent.size() - 1).at();
    r.now = last + 10 * MS;
    r.receive(r.fromPeer(PEER, SessionState.Up, 1_000_000, 1_000_000, 3));
    assertEquals(last + 1000 * MS, r.fsm.txDeadlineNanos(), "next at " + (r.fsm.txDeadlineNanos() - last) / MS);
  }

  /** Always draws the longest interval (no reduction): the edge of the RFC 5880 §6.8.7 jitter range. */
  static final class NoJitter implements java.util.random.RandomGenerator {
    @Override
    public long nextLong() {
      return 42;
    }

    @Override
    public long nextLong(long bound) {
      return bound - 1;
    }
  }

  /** RFC 5880 §6.8.3: a decreased Desired Min TX may count at once while Up (only an increase waits for the Final). */
  @Test
  void up_decreasedTransmitInterval_appliesAtOnce() {
    BfdProfile slow = FAST.toBuilder().transmitIntervalMillis(300).build();
    Recorder r = up(slow);
    r.receive(finalFrom(1_000_000, 10_000));
    assertEquals(300_000, r.fsm.transmitIntervalMicros());
    r.fsm.updateProfile(FAST, r.now);
    assertTrue(r.fsm.pollActive());
    assertEquals(50_000, r.fsm.transmitIntervalMicros());
    assertTrue(r.fsm.txDeadlineNanos() <= r.now + 50 * MS);
  }

  /**
   * RFC 5880 §6.8.3: a reduced Required Min RX counts for the Detection Time only once the peer has acknowledged it.
   * Reduced twice during one poll, the Final acknowledges the first value only: the second waits for its own poll,
   * else the peer, still sending at the first, would be declared down.
   */
  @Test
  void receiveIntervalReducedTwiceDuringPoll_finalAppliesFirstReductionOnly() {
    BfdProfile slow = FAST.toBuilder().receiveIntervalMillis(300).build();
    Recorder r = up(slow);
    r.receive(finalFrom(10_000, 300_000));
    r.fsm.updateProfile(slow.toBuilder().receiveIntervalMillis(100).build(), r.now);
    r.fsm.updateProfile(slow.toBuilder().receiveIntervalMillis(20).build(), r.now);
    r.receive(finalFrom(10_000, 300_000));
    assertEquals(100_000, r.fsm.detectRequiredMinRx());
    assertEquals(3 * 100_000, r.fsm.detectionTimeMicros());
    assertTrue(r.fsm.pollActive());
    r.receive(finalFrom(10_000, 300_000));
    assertEquals(20_000, r.fsm.detectRequiredMinRx());
    assertFalse(r.fsm.pollActive());
  }

  /** A poll of ours ends with the session: back in Down, packets carry no P bit. */
  @Test
  void up_receivesDown_pollAbandoned() {
    Recorder r = up(FAST);
    assertTrue(r.fsm.pollActive());
    r.receive(r.fromPeer(PEER, SessionState.Down, 1_000_000, 50_000, 3));
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertFalse(r.fsm.pollActive());
    r.runUntil(r.now + 1_100 * MS);
    assertFalse(r.last().poll());
  }

  /**
   * RFC 5880 §6.8.3: the old Required Min RX is held for the Detection Time only while Up. A session that goes Down
   * during the poll uses the reduced value at once.
   */
  @Test
  void reducedReceiveInterval_goingDownDuringPoll_appliesAtOnce() {
    BfdProfile slow = FAST.toBuilder().receiveIntervalMillis(300).build();
    Recorder r = up(slow);
    r.receive(finalFrom(10_000, 300_000));
    r.fsm.updateProfile(slow.toBuilder().receiveIntervalMillis(20).build(), r.now);
    assertEquals(300_000, r.fsm.detectRequiredMinRx());
    r.receive(r.fromPeer(PEER, SessionState.Down, 1_000_000, 300_000, 3));
    assertEquals(SessionState.Down, r.fsm.sessionState());
    assertEquals(20_000, r.fsm.detectRequiredMinRx());
  }
}
