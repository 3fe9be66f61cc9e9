package io.speakerkit.bgp.fsm;

import static io.speakerkit.bgp.fsm.Fixtures.config;
import static io.speakerkit.bgp.fsm.Fixtures.event;
import static io.speakerkit.bgp.fsm.Fixtures.peerOpen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.timers.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Whole sessions on virtual time: timers, automatic restart, backoff, damping, causes. */
class FsmDriverTest {

  private final ManualScheduler time = new ManualScheduler();
  private final List<BgpAction> io = new ArrayList<>();
  private final List<BgpAction.StateChanged> changes = new ArrayList<>();

  private FsmDriver driver(FsmConfig config) {
    return driver(config, Fixtures.NO_JITTER);
  }

  private FsmDriver driver(FsmConfig config, RandomGenerator random) {
    FsmDriver d = new FsmDriver(new BgpFsm(config, time, random), time, io::add);
    d.addListener(changes::add);
    return d;
  }

  private void establish(FsmDriver d) {
    d.fire(event(1));
    d.fire(event(16));
    d.fire(new BgpEvent.BGPOpen(peerOpen()));
    d.fire(event(26));
    assertEquals(BgpState.Established, d.fsm().state());
  }

  private long count(Class<? extends BgpAction> type) {
    return io.stream().filter(type::isInstance).count();
  }

  @Test
  void established_keepalivesEvery30s_holdTimerExpiresAfter90sOfSilence() {
    FsmDriver d = driver(config().build());
    establish(d);
    io.clear();
    time.advance(Duration.ofSeconds(89));
    assertEquals(2, count(BgpAction.SendKeepalive.class)); // at 30 s and 60 s
    assertEquals(BgpState.Established, d.fsm().state());
    time.advance(Duration.ofSeconds(1));
    assertEquals(BgpState.Idle, d.fsm().state());
    assertEquals(List.of(new BgpAction.SendNotification(Notification.holdTimerExpired())),
        io.stream().filter(a -> a instanceof BgpAction.SendNotification).toList());
    BgpAction.StateChanged last = changes.get(changes.size() - 1);
    assertEquals(EventType.HoldTimer_Expires, last.cause().event());
    assertEquals(Optional.of(Notification.holdTimerExpired()), last.cause().sent());
  }

  @Test
  void established_updateSent_restartsKeepaliveTimer() {
    FsmDriver d = driver(config().build());
    establish(d);
    io.clear();
    time.advance(Duration.ofSeconds(20));
    d.updateSent();
    time.advance(Duration.ofSeconds(29));
    assertEquals(0, count(BgpAction.SendKeepalive.class)); // not at 30 s: restarted at 20 s
    time.advance(Duration.ofSeconds(1));
    assertEquals(1, count(BgpAction.SendKeepalive.class));
  }

  @Test
  void updateSent_notEstablished_nothing() {
    BgpFsm fsm = new BgpFsm(config().build(), time, Fixtures.NO_JITTER);
    assertEquals(List.of(), fsm.updateSent());
  }

  @Test
  void established_keepaliveFromPeer_restartsHoldTimer() {
    FsmDriver d = driver(config().build());
    establish(d);
    for (int i = 0; i < 10; i++) {
      time.advance(Duration.ofSeconds(80));
      d.fire(event(26));
    }
    assertEquals(BgpState.Established, d.fsm().state());
  }

  @Test
  void holdTimeZero_noKeepalivesNoHoldTimer() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    d.fire(event(16));
    d.fire(new BgpEvent.BGPOpen(peerOpen(0)));
    d.fire(event(26));
    assertEquals(BgpState.Established, d.fsm().state());
    assertTrue(d.fsm().runningTimers().isEmpty());
    io.clear();
    time.advance(Duration.ofHours(1));
    assertEquals(0, count(BgpAction.SendKeepalive.class));
    assertEquals(BgpState.Established, d.fsm().state());
  }

  @Test
  void holdTimerExpiry_restartsAutomaticallyAfterIdleHoldTime() {
    FsmDriver d = driver(config().build());
    establish(d);
    time.advance(Duration.ofSeconds(90));
    assertEquals(BgpState.Idle, d.fsm().state());
    io.clear();
    time.advance(Duration.ofMillis(999));
    assertEquals(BgpState.Idle, d.fsm().state());
    time.advance(Duration.ofMillis(1));
    assertEquals(BgpState.Connect, d.fsm().state());
    assertEquals(1, count(BgpAction.ConnectTcp.class));
    assertEquals(EventType.IdleHoldTimer_Expires, changes.get(changes.size() - 1).cause().event());
  }

  @Test
  void connectRetry_unset_backsOffExponentiallyTo2Minutes() {
    FsmDriver d = driver(FsmConfig.builder().localAs(65001)
        .peerAs(65002).bgpIdentifier(Fixtures.LOCAL_ID).build());
    d.fire(event(1));
    List<Long> gaps = new ArrayList<>();
    long last = time.nanoTime();
    for (int i = 0; i < 10; i++) {
      long deadline = d.deadlineNanos(BgpTimer.ConnectRetryTimer);
      gaps.add((deadline - last) / 1_000_000_000L);
      time.advanceTo(deadline);
      last = time.nanoTime();
      assertEquals(BgpState.Connect, d.fsm().state());
    }
    assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 64L, 120L, 120L, 120L), gaps);
    assertEquals(11, count(BgpAction.ConnectTcp.class));
  }

  @Test
  void connectRetry_jitter_takesUpTo25Percent() {
    RandomGenerator max = () -> -1L; // nextDouble() just below 1
    FsmDriver d = driver(FsmConfig.builder().localAs(65001).peerAs(65002).bgpIdentifier(Fixtures.LOCAL_ID)
        .backoff(Duration.ofSeconds(4), Duration.ofSeconds(60)).build(), max);
    d.fire(event(1));
    assertEquals(3_000_000_000L, d.deadlineNanos(BgpTimer.ConnectRetryTimer), 1_000_000L);
  }

  @Test
  void connectionRefused_idleHoldDampsFrom1sTo2Minutes() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    List<Long> holds = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
      assertEquals(BgpState.Idle, d.fsm().state());
      long deadline = d.deadlineNanos(BgpTimer.IdleHoldTimer);
      holds.add((deadline - time.nanoTime()) / 1_000_000_000L);
      time.advanceTo(deadline);
      assertEquals(BgpState.Connect, d.fsm().state());
    }
    assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 64L, 120L, 120L, 120L), holds);
    assertEquals("TcpConnectionFails (Event 18): Connection refused",
        changes.get(changes.size() - 2).cause().toString());
  }

  /** The path is back (BFD Up): after resetBackoff the next wait is the minimum again, not the grown one. */
  @Test
  void resetBackoff_nextIdleHoldIsTheMinimumAgain() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    for (int i = 0; i < 4; i++) { // IdleHoldTimes 1, 2, 4, 8 s
      d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
      time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    }
    d.fsm().resetBackoff();
    assertEquals(BgpState.Connect, d.fsm().state());
    d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
    assertEquals(1_000_000_000L, d.deadlineNanos(BgpTimer.IdleHoldTimer) - time.nanoTime());
  }

  /** As FRR applies {@code neighbor X timers}: the next OPEN proposes the new times, the session keeps its own. */
  @Test
  void timers_changedWhileEstablished_nextOpenProposesThem() {
    FsmDriver d = driver(config().build());
    establish(d);
    d.fsm().timers(Duration.ofSeconds(30), java.util.Optional.of(Duration.ofSeconds(5)));
    assertEquals(BgpState.Established, d.fsm().state());
    assertEquals(Duration.ofSeconds(90), d.fsm().session().orElseThrow().holdTime());
    assertEquals(30, d.fsm().localOpen().holdTime());
    d.fire(new BgpEvent.TcpConnectionFails("connection reset"));
    time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    d.fire(event(16));
    d.fire(new BgpEvent.BGPOpen(peerOpen()));
    d.fire(event(26));
    assertEquals(Duration.ofSeconds(30), d.fsm().session().orElseThrow().holdTime());
    assertEquals(Duration.ofSeconds(5), d.fsm().session().orElseThrow().keepaliveTime());
  }

  /**
   * RFC 4271 §4.2: both sides take the smaller of the hold times in the two OPENs. Timers set in OpenSent, after our
   * OPEN went with 90 s, are for the OPENs to come: negotiating 0 from them would leave us silent while the peer,
   * having settled on 90 s, drops us.
   */
  @Test
  void timers_changedInOpenSent_sessionNegotiatesFromTheOpenSent() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    d.fire(event(16));
    assertEquals(90, ((BgpAction.SendOpen) io.stream().filter(a -> a instanceof BgpAction.SendOpen).findFirst()
        .orElseThrow()).open().holdTime());
    d.fsm().timers(Duration.ZERO, Optional.empty());
    d.fire(new BgpEvent.BGPOpen(peerOpen(90)));
    d.fire(event(26));
    assertEquals(Duration.ofSeconds(90), d.fsm().session().orElseThrow().holdTime());
    io.clear();
    time.advance(Duration.ofSeconds(31));
    assertEquals(1, count(BgpAction.SendKeepalive.class));
  }

  /** RFC 4724 §4.1: the Restart State bit for the OPENs to come, set after a restart and cleared later. */
  @Test
  void restartState_changesTheNextOpensGracefulRestartCapability() {
    GracefulRestart gr = new GracefulRestart(true, 120,
        java.util.Map.of(AddressFamily.IPV4_UNICAST, true));
    FsmDriver d = driver(config().gracefulRestart(gr).build());
    assertTrue(d.fsm().localOpen().capabilities().gracefulRestart().orElseThrow().restartState());
    d.fsm().restartState(false);
    GracefulRestart after = d.fsm().localOpen().capabilities().gracefulRestart().orElseThrow();
    assertEquals(new GracefulRestart(false, 120, gr.forwardingState(), gr.notification()), after);
    FsmDriver plain = driver(config().build());
    plain.fsm().restartState(true); // no graceful restart advertised: nothing to set
    assertTrue(plain.fsm().localOpen().capabilities().gracefulRestart().isEmpty());
  }

  /**
   * An operator's stop and start begins afresh (RFC 4271 §8.2.2: ManualStop zeroes the ConnectRetryCounter; FRR's
   * {@code neighbor shutdown} resets its start timer): the waits grown by earlier failures are forgotten.
   */
  @Test
  void manualStopThenStart_backoffStartsOver() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    for (int i = 0; i < 4; i++) { // IdleHoldTimes 1, 2, 4, 8 s
      d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
      time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    }
    d.fire(event(2));
    assertEquals(BgpState.Idle, d.fsm().state());
    d.fire(event(1));
    d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
    assertEquals(1_000_000_000L, d.deadlineNanos(BgpTimer.IdleHoldTimer) - time.nanoTime());
  }

  @Test
  void connectionRefused_activeOnConnectFailure_waitsInActiveThenRedialsWithBackoff() {
    FsmDriver d = driver(FsmConfig.builder().localAs(65001).peerAs(65002).bgpIdentifier(Fixtures.LOCAL_ID)
        .activeOnConnectFailure(true).build());
    d.fire(event(1));
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
      assertEquals(BgpState.Active, d.fsm().state());
      long deadline = d.deadlineNanos(BgpTimer.ConnectRetryTimer);
      waits.add((deadline - time.nanoTime()) / 1_000_000_000L);
      time.advanceTo(deadline);
      assertEquals(BgpState.Connect, d.fsm().state());
    }
    // The first ConnectRetry (1 s) was started by ManualStart; each failure restarts it one backoff step further.
    assertEquals(List.of(2L, 4L, 8L, 16L, 32L, 64L, 120L, 120L), waits);
    assertEquals(List.of(BgpState.Connect, BgpState.Active, BgpState.Connect, BgpState.Active),
        changes.subList(0, 4).stream().map(BgpAction.StateChanged::to).toList());
    assertEquals("TcpConnectionFails (Event 18): Connection refused", changes.get(1).cause().toString());
  }

  @Test
  void connectionRefused_activeOnConnectFailure_configuredConnectTimeIsFixed() {
    FsmDriver d = driver(config().activeOnConnectFailure(true).build()); // connectRetryTime 120 s
    d.fire(event(1));
    for (int i = 0; i < 3; i++) {
      d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
      assertEquals(BgpState.Active, d.fsm().state());
      assertEquals(120_000_000_000L, d.deadlineNanos(BgpTimer.ConnectRetryTimer) - time.nanoTime());
      time.advanceTo(d.deadlineNanos(BgpTimer.ConnectRetryTimer));
      assertEquals(BgpState.Connect, d.fsm().state());
    }
  }

  /** As FRR applies {@code timers connect}: the next ConnectRetryTimer uses it; a running one keeps its deadline. */
  @Test
  void connectRetryTime_changedWhileRetrying_nextTimerUsesIt() {
    FsmDriver d = driver(config().activeOnConnectFailure(true).build()); // connectRetryTime 120 s
    d.fire(event(1));
    d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
    long deadline = d.deadlineNanos(BgpTimer.ConnectRetryTimer);
    d.fsm().connectRetryTime(java.util.Optional.of(Duration.ofSeconds(5)));
    assertEquals(deadline, d.deadlineNanos(BgpTimer.ConnectRetryTimer));
    time.advanceTo(deadline);
    assertEquals(BgpState.Connect, d.fsm().state());
    d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
    assertEquals(5_000_000_000L, d.deadlineNanos(BgpTimer.ConnectRetryTimer) - time.nanoTime());
    d.fsm().connectRetryTime(java.util.Optional.empty()); // back to the backoff, from its start
    time.advanceTo(d.deadlineNanos(BgpTimer.ConnectRetryTimer)); // Connect: its timer takes the first step, 1 s
    d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
    assertEquals(2_000_000_000L, d.deadlineNanos(BgpTimer.ConnectRetryTimer) - time.nanoTime());
    assertThrows(IllegalArgumentException.class,
        () -> d.fsm().connectRetryTime(java.util.Optional.of(Duration.ofMillis(1500))));
    assertEquals(BgpState.Active, d.fsm().state());
  }

  @Test
  void damping_resetsAfterStableSession_notAfterShortOne() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    for (int i = 0; i < 4; i++) { // 1, 2, 4, 8 s
      d.fire(new BgpEvent.TcpConnectionFails());
      time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    }
    d.fire(event(16));
    d.fire(new BgpEvent.BGPOpen(peerOpen()));
    d.fire(event(26));
    time.advance(Duration.ofSeconds(10)); // short: not stable
    d.fire(new BgpEvent.NotifMsg(Notification.cease(Notification.ADMINISTRATIVE_RESET)));
    assertEquals(16_000_000_000L, d.deadlineNanos(BgpTimer.IdleHoldTimer) - time.nanoTime());
    time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    d.fire(event(16));
    d.fire(new BgpEvent.BGPOpen(peerOpen()));
    d.fire(event(26));
    for (int i = 0; i < 4; i++) { // 2 min, stable
      time.advance(Duration.ofSeconds(30));
      d.fire(event(26));
    }
    d.fire(new BgpEvent.NotifMsg(Notification.cease(Notification.ADMINISTRATIVE_RESET)));
    assertEquals(1_000_000_000L, d.deadlineNanos(BgpTimer.IdleHoldTimer) - time.nanoTime());
  }

  @Test
  void dampingOff_idleHoldStaysAtMinimum() {
    FsmDriver d = driver(config().dampPeerOscillations(false).build());
    d.fire(event(1));
    for (int i = 0; i < 5; i++) {
      d.fire(new BgpEvent.TcpConnectionFails());
      assertEquals(1_000_000_000L, d.deadlineNanos(BgpTimer.IdleHoldTimer) - time.nanoTime());
      time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    }
  }

  @Test
  void noAutomaticStart_staysIdleAfterFailure() {
    FsmDriver d = driver(config().allowAutomaticStart(false).build());
    establish(d);
    time.advance(Duration.ofHours(1));
    assertEquals(BgpState.Idle, d.fsm().state());
    assertEquals(0, time.pendingTasks());
  }

  @Test
  void manualStop_duringIdleHold_cancelsRestart() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    d.fire(new BgpEvent.TcpConnectionFails());
    assertTrue(d.fsm().runningTimers().contains(BgpTimer.IdleHoldTimer));
    d.fire(new BgpEvent.ManualStop());
    // RFC 4271 §8.2.2 ignores ManualStop in Idle, but a stopped session must not restart by itself:
    assertFalse(d.fsm().runningTimers().contains(BgpTimer.IdleHoldTimer));
    time.advance(Duration.ofMinutes(5));
    assertEquals(BgpState.Idle, d.fsm().state());
    assertEquals(0, time.pendingTasks());
  }

  @Test
  void manualStop_established_sendsShutdownCommunicationAndNeverRestarts() {
    FsmDriver d = driver(config().build());
    establish(d);
    io.clear();
    d.fire(BgpEvent.ManualStop.withCommunication("planned maintenance"));
    assertEquals(List.of(new BgpAction.SendNotification(Notification.administrativeShutdown("planned maintenance")),
        new BgpAction.DeleteRoutes(), new BgpAction.DropTcp(),
        new BgpAction.StateChanged(BgpState.Established, BgpState.Idle, d.fsm().lastCause().orElseThrow())), io);
    assertEquals("ManualStop (Event 2), sent Cease / Administrative Shutdown \"planned maintenance\"",
        d.fsm().lastCause().orElseThrow().toString());
    time.advance(Duration.ofHours(1));
    assertEquals(BgpState.Idle, d.fsm().state());
    assertEquals(0, time.pendingTasks());
  }

  @Test
  void automaticStop_bfdDown_sendsCeaseBfdDownAndRestarts() {
    FsmDriver d = driver(config().build());
    establish(d);
    d.fire(BgpEvent.AutomaticStop.cease(Notification.BFD_DOWN));
    assertEquals("AutomaticStop (Event 8), sent Cease / BFD Down", d.fsm().lastCause().orElseThrow().toString());
    time.advance(Duration.ofSeconds(1));
    assertEquals(BgpState.Connect, d.fsm().state());
  }

  @Test
  void badPeerAs_causeNamesEventNotificationAndDetail() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    d.fire(event(16));
    d.fire(new BgpEvent.BGPOpen(new OpenMessage(4, 65099, 90, Fixtures.PEER_ID,
        Capabilities.builder().fourOctetAs(65099).build())));
    assertEquals(BgpState.Idle, d.fsm().state());
    assertEquals("BGPOpenMsgErr (Event 22), sent OPEN Message Error / Bad Peer AS: peer AS: 65099 (expected: 65002)",
        changes.get(changes.size() - 1).cause().toString());
  }

  @Test
  void notificationReceived_causeCarriesShutdownCommunication() {
    FsmDriver d = driver(config().build());
    establish(d);
    d.fire(BgpEvent.notificationReceived(Notification.administrativeShutdown("router reload")));
    assertEquals("NotifMsg (Event 25), received Cease / Administrative Shutdown \"router reload\"",
        d.fsm().lastCause().orElseThrow().toString());
    assertEquals(0, count(BgpAction.SendNotification.class));
  }

  @Test
  void delayOpen_sendsOpenAfterDelayOpenTime() {
    FsmDriver d = driver(config().delayOpenTime(Duration.ofSeconds(5)).build());
    d.fire(event(1));
    d.fire(event(16));
    assertEquals(0, count(BgpAction.SendOpen.class));
    time.advance(Duration.ofMillis(4999));
    assertEquals(0, count(BgpAction.SendOpen.class));
    time.advance(Duration.ofMillis(1));
    assertEquals(1, count(BgpAction.SendOpen.class));
    assertEquals(BgpState.OpenSent, d.fsm().state());
    assertEquals(EventType.DelayOpenTimer_Expires, d.fsm().lastCause().orElseThrow().event());
  }

  @Test
  void delayOpen_openFromPeerFirst_event20() {
    FsmDriver d = driver(config().delayOpenTime(Duration.ofSeconds(5)).build());
    d.fire(event(1));
    d.fire(event(16));
    d.fire(new BgpEvent.BGPOpen(peerOpen()));
    assertEquals(BgpState.OpenConfirm, d.fsm().state());
    assertEquals(EventType.BGPOpen_with_DelayOpenTimer_running, d.fsm().lastCause().orElseThrow().event());
    assertEquals("BGPOpen with DelayOpenTimer running (Event 20)", EventType.BGPOpen_with_DelayOpenTimer_running
        .toString());
  }

  @Test
  void openSent_noOpenFromPeer_holdTimerExpiresAfter4Minutes() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    d.fire(event(16));
    time.advance(Duration.ofSeconds(239));
    assertEquals(BgpState.OpenSent, d.fsm().state());
    time.advance(Duration.ofSeconds(1));
    assertEquals(BgpState.Idle, d.fsm().state());
    assertEquals(EventType.HoldTimer_Expires, d.fsm().lastCause().orElseThrow().event());
  }

  @Test
  void listenOnly_neverConnects() {
    FsmDriver d = driver(config().connectMode(ConnectMode.LISTEN_ONLY).build());
    d.fire(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    assertEquals(BgpState.Active, d.fsm().state());
    time.advance(Duration.ofHours(1));
    d.fire(event(17));
    d.fire(new BgpEvent.TcpConnectionFails());
    assertEquals(BgpState.Active, d.fsm().state());
    time.advance(Duration.ofHours(1));
    assertEquals(0, count(BgpAction.ConnectTcp.class));
  }

  @Test
  void passive_connectsAfterConnectRetryTime() {
    FsmDriver d = driver(config().connectMode(ConnectMode.PASSIVE).build());
    d.fire(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    time.advance(Duration.ofSeconds(119));
    assertEquals(0, count(BgpAction.ConnectTcp.class));
    time.advance(Duration.ofSeconds(1));
    assertEquals(1, count(BgpAction.ConnectTcp.class));
    assertEquals(BgpState.Connect, d.fsm().state());
  }

  @Test
  void listener_throwing_isLoggedAndOthersStillCalled() {
    FsmDriver d = driver(config().build());
    List<BgpState> seen = new ArrayList<>();
    d.addListener(c -> {
      throw new IllegalStateException("listener bug");
    });
    d.addListener(c -> seen.add(c.to()));
    establish(d);
    assertEquals(List.of(BgpState.Connect, BgpState.OpenSent, BgpState.OpenConfirm, BgpState.Established), seen);
  }

  @Test
  void reentrantEvent_fromAction_isQueuedAfterCurrent() {
    List<BgpState> order = new ArrayList<>();
    FsmDriver[] holder = new FsmDriver[1];
    holder[0] = new FsmDriver(new BgpFsm(config().build(), time, Fixtures.NO_JITTER), time, a -> {
      if (a instanceof BgpAction.ConnectTcp) {
        holder[0].fire(new BgpEvent.Tcp_CR_Acked()); // a transport that connects synchronously
      }
      if (a instanceof BgpAction.StateChanged c) {
        order.add(c.to());
      }
    });
    holder[0].fire(event(1));
    assertEquals(List.of(BgpState.Connect, BgpState.OpenSent), order);
    assertFalse(holder[0].fsm().runningTimers().contains(BgpTimer.ConnectRetryTimer));
  }

  /**
   * RFC 4271 §4.4: with a negotiated Hold Time of zero, periodic KEEPALIVEs MUST NOT be sent; §8.2.2 (Established)
   * restarts the KeepaliveTimer on each UPDATE sent "unless the negotiated HoldTime value is zero". An FRR peer with
   * {@code timers 0 0} must not see a KEEPALIVE after every UPDATE.
   */
  @Test
  void holdTimeZero_updateSent_startsNoKeepaliveTimer() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    d.fire(event(16));
    d.fire(new BgpEvent.BGPOpen(peerOpen(0)));
    d.fire(event(26));
    assertEquals(BgpState.Established, d.fsm().state());
    assertEquals(List.of(), d.fsm().updateSent());
    io.clear();
    d.updateSent();
    time.advance(Duration.ofHours(1));
    assertEquals(0, count(BgpAction.SendKeepalive.class));
    assertFalse(d.timerRunning(BgpTimer.KeepaliveTimer));
  }

  /**
   * A session is stable once it has stayed Established for the stable time since it came up (RFC 4271 §8.1.1
   * DampPeerOscillations; FRR and GoBGP damp a flapping peer the same way): a short session late in the process's
   * life does not reset the damping, however long ago the machine was created.
   */
  @Test
  void damping_shortSessionLongAfterStart_notReset() {
    FsmDriver d = driver(config().build());
    time.advance(Duration.ofHours(1));
    d.fire(event(1));
    for (int i = 0; i < 3; i++) { // 1, 2, 4 s
      d.fire(new BgpEvent.TcpConnectionFails());
      time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    }
    d.fire(event(16));
    d.fire(new BgpEvent.BGPOpen(peerOpen()));
    d.fire(event(26));
    time.advance(Duration.ofSeconds(10)); // short: not stable
    d.fire(new BgpEvent.NotifMsg(Notification.cease(Notification.ADMINISTRATIVE_RESET)));
    assertEquals(8_000_000_000L, d.deadlineNanos(BgpTimer.IdleHoldTimer) - time.nanoTime());
  }

  /**
   * RFC 4271 §8.2.2, Connect and Active with the DelayOpenTimer running, Event 22 (the peer's OPEN fails its checks
   * before ours went out): a NOTIFICATION is sent only when SendNOTIFICATIONwithoutOPEN is set; otherwise the
   * connection just drops.
   */
  @Test
  void delayOpen_badOpenBeforeOurs_notificationOnlyWithSendNotificationWithoutOpen() {
    OpenMessage badAs = new OpenMessage(4, 65099, 90, Fixtures.PEER_ID,
        Capabilities.builder().fourOctetAs(65099).build());
    for (boolean withoutOpen : new boolean[] {false, true}) {
      io.clear();
      FsmDriver d = driver(config().delayOpenTime(Duration.ofSeconds(5)).sendNotificationWithoutOpen(withoutOpen)
          .build());
      d.fire(event(1));
      d.fire(event(16));
      d.fire(new BgpEvent.BGPOpen(badAs));
      assertEquals(BgpState.Idle, d.fsm().state());
      assertEquals(0, count(BgpAction.SendOpen.class));
      assertEquals(withoutOpen ? List.of(new BgpAction.SendNotification(Notification.of(2, 2))) : List.of(),
          io.stream().filter(a -> a instanceof BgpAction.SendNotification).toList(), "withoutOpen " + withoutOpen);
    }
  }

  /** A disposed driver (its connection gone for good) keeps no timer: nothing of it runs later on the event loop. */
  @Test
  void dispose_cancelsEveryTimer() {
    FsmDriver d = driver(config().build());
    establish(d);
    assertTrue(time.pendingTasks() > 0);
    d.dispose();
    assertTrue(d.disposed());
    assertEquals(0, time.pendingTasks());
    io.clear();
    time.advance(Duration.ofHours(1));
    assertEquals(List.of(), io);
    assertEquals(BgpState.Established, d.fsm().state());
  }

  @Test
  void dispose_laterEventsIgnored() {
    FsmDriver d = driver(config().build());
    d.dispose();
    d.fire(event(1));
    d.updateSent();
    assertEquals(BgpState.Idle, d.fsm().state());
    assertEquals(List.of(), io);
    assertEquals(0, time.pendingTasks());
  }

  /**
   * The transport disposes a collision's second connection from the action that drops it: the IdleHoldTimer the
   * same fall starts afterwards is not scheduled, and the rest of the fall is still reported.
   */
  @Test
  void dispose_fromAnAction_laterTimerStartsSkipped() {
    FsmDriver[] holder = new FsmDriver[1];
    List<BgpAction> seen = new ArrayList<>();
    holder[0] = new FsmDriver(new BgpFsm(config().build(), time, Fixtures.NO_JITTER), time, a -> {
      seen.add(a);
      if (a instanceof BgpAction.DropTcp) {
        holder[0].dispose();
      }
    });
    FsmDriver d = holder[0];
    d.fire(event(1));
    d.fire(event(16));
    d.fire(new BgpEvent.OpenCollisionDump());
    assertEquals(BgpState.Idle, d.fsm().state());
    assertTrue(d.fsm().runningTimers().contains(BgpTimer.IdleHoldTimer)); // the machine asked for it
    assertFalse(d.timerRunning(BgpTimer.IdleHoldTimer));
    assertEquals(0, time.pendingTasks());
    assertTrue(seen.get(seen.size() - 1) instanceof BgpAction.StateChanged);
  }

  /** An I/O action that throws is logged; the machine's other actions, timers and listeners still run. */
  @Test
  void ioThrowing_isLoggedAndTheOtherActionsStillRun() {
    List<BgpAction> seen = new ArrayList<>();
    FsmDriver d = new FsmDriver(new BgpFsm(config().build(), time, Fixtures.NO_JITTER), time, a -> {
      seen.add(a);
      if (a instanceof BgpAction.ConnectTcp) {
        throw new IllegalStateException("no route to host");
      }
    });
    d.addListener(changes::add);
    d.fire(event(1));
    assertEquals(BgpState.Connect, d.fsm().state());
    assertEquals(2, seen.size());
    assertEquals(1, changes.size());
    assertTrue(d.timerRunning(BgpTimer.ConnectRetryTimer));
  }

  @Test
  void removeListener_noLongerCalled() {
    FsmDriver d = driver(config().build());
    List<BgpState> seen = new ArrayList<>();
    SessionListener l = c -> seen.add(c.to());
    d.addListener(l);
    d.fire(event(1));
    d.removeListener(l);
    d.fire(event(16));
    assertEquals(List.of(BgpState.Connect), seen);
  }
}
