package io.speakerkit.bgp.fsm;

import static io.speakerkit.bgp.fsm.Fixtures.config;
import static io.speakerkit.bgp.fsm.Fixtures.event;
import static io.speakerkit.bgp.fsm.Fixtures.peerOpen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.timers.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How a session comes back after a fall, on virtual time: the start mode its automatic restarts use, the IdleHoldTimer
 * against an operator's start and stop, the backoff of both timers over many falls and after a stable session, and
 * what a machine that replaces another (the winner of a collision, RFC 4271 §6.8) takes over from it.
 */
class AutomaticRestartTest {

  private final ManualScheduler time = new ManualScheduler();
  private final List<BgpAction> io = new ArrayList<>();

  private FsmDriver driver(FsmConfig config) {
    return new FsmDriver(new BgpFsm(config, time, Fixtures.NO_JITTER), time, io::add);
  }

  private static FsmConfig.Builder backoffConfig() {
    return FsmConfig.builder().localAs(65001).peerAs(65002).bgpIdentifier(Fixtures.LOCAL_ID); // no ConnectRetryTime
  }

  private long count(Class<? extends BgpAction> type) {
    return io.stream().filter(type::isInstance).count();
  }

  private long remaining(FsmDriver d, BgpTimer timer) {
    return d.deadlineNanos(timer) - time.nanoTime();
  }

  private static void openAndKeepalive(FsmDriver d) {
    d.fire(new BgpEvent.BGPOpen(peerOpen()));
    d.fire(event(26));
    assertEquals(BgpState.Established, d.fsm().state());
  }

  /**
   * A session started passively (MetalLB/FRR {@code passive}) comes back passively: after the IdleHoldTimer it waits
   * in Active for the peer to connect, it does not dial.
   */
  @Test
  void passiveSession_afterFall_restartsInActiveWithoutDialling() {
    FsmDriver d = driver(config().connectMode(ConnectMode.PASSIVE).build());
    d.fire(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    d.fire(event(17));
    openAndKeepalive(d);
    d.fire(new BgpEvent.NotifMsg(Notification.cease(Notification.ADMINISTRATIVE_RESET)));
    assertEquals(BgpState.Idle, d.fsm().state());
    time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    assertEquals(BgpState.Active, d.fsm().state());
    assertEquals(EventType.IdleHoldTimer_Expires, d.fsm().lastCause().orElseThrow().event());
    assertEquals(0, count(BgpAction.ConnectTcp.class));
  }

  /**
   * An operator's ManualStart while an automatic restart is pending takes over: the IdleHoldTimer stops, and its
   * expiry (Event 13) never reaches the new attempt, where it would drop the connection (RFC 4271 §8.2.2, Connect).
   */
  @Test
  void manualStart_duringIdleHold_stopsTheIdleHoldTimer() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
    assertTrue(d.timerRunning(BgpTimer.IdleHoldTimer));
    d.fire(event(1));
    assertEquals(BgpState.Connect, d.fsm().state());
    assertFalse(d.fsm().runningTimers().contains(BgpTimer.IdleHoldTimer));
    assertFalse(d.timerRunning(BgpTimer.IdleHoldTimer));
    time.advance(Duration.ofSeconds(60));
    assertEquals(BgpState.Connect, d.fsm().state());
    assertEquals(0, count(BgpAction.DropTcp.class));
  }

  /**
   * RFC 4271 §8.1.1: the DampPeerOscillations starts (Events 6, 7) are how a damped restart is requested; ours waits
   * for a running IdleHoldTimer instead of starting at once, and starts when none runs.
   */
  @Test
  void dampPeerOscillationsStart_waitsForARunningIdleHoldTimer() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
    io.clear();
    d.fire(event(6));
    d.fire(event(7));
    assertEquals(BgpState.Idle, d.fsm().state());
    assertEquals(List.of(), io);
    assertTrue(d.timerRunning(BgpTimer.IdleHoldTimer));
    d.fire(event(2)); // the operator's stop: no IdleHoldTimer any more
    d.fire(event(7));
    assertEquals(BgpState.Active, d.fsm().state());
    assertEquals(EventType.AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment,
        d.fsm().lastCause().orElseThrow().event());
  }

  /**
   * RFC 4271 §8.2.2 (Idle, Events 1-7): a start sets the ConnectRetryCounter to zero, also after falls that raised it
   * while no automatic restart was allowed.
   */
  @Test
  void manualStart_afterFalls_zeroesTheConnectRetryCounter() {
    FsmDriver d = driver(config().allowAutomaticStart(false).build());
    d.fire(event(1));
    d.fire(event(16));
    d.fire(new BgpEvent.HoldTimer_Expires());
    assertEquals(BgpState.Idle, d.fsm().state());
    assertEquals(1, d.fsm().connectRetryCounter());
    d.fire(event(1));
    assertEquals(0, d.fsm().connectRetryCounter());
  }

  /**
   * ManualStop in Idle, while an automatic restart waits (FRR's {@code neighbor shutdown} between two attempts), also
   * starts the backoff over: the next start waits the minimum again after a failure.
   */
  @Test
  void manualStop_duringIdleHold_backoffStartsOver() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    for (int i = 0; i < 4; i++) { // IdleHoldTimes 1, 2, 4, 8 s
      d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
      time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    }
    d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
    assertEquals(16_000_000_000L, remaining(d, BgpTimer.IdleHoldTimer));
    d.fire(event(2));
    d.fire(event(1));
    d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
    assertEquals(1_000_000_000L, remaining(d, BgpTimer.IdleHoldTimer));
  }

  /**
   * A peer that stays down for hours: the IdleHoldTime stays at the maximum however many falls there are (the
   * doubling is capped; a shift by 64 would wrap to the minimum and hammer the peer every second again).
   */
  @Test
  void manyFalls_idleHoldStaysAtTheMaximum() {
    FsmDriver d = driver(config().build());
    d.fire(event(1));
    for (int i = 0; i < 80; i++) {
      d.fire(new BgpEvent.TcpConnectionFails("Connection refused"));
      long wait = remaining(d, BgpTimer.IdleHoldTimer);
      if (i >= 7) {
        assertEquals(120_000_000_000L, wait, "fall " + (i + 1));
      }
      time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    }
  }

  @Test
  void manyConnectRetries_connectRetryTimeStaysAtTheMaximum() {
    FsmDriver d = driver(backoffConfig().build());
    d.fire(event(1));
    for (int i = 0; i < 80; i++) {
      long wait = remaining(d, BgpTimer.ConnectRetryTimer);
      if (i >= 7) {
        assertEquals(120_000_000_000L, wait, "attempt " + (i + 1));
      }
      time.advanceTo(d.deadlineNanos(BgpTimer.ConnectRetryTimer));
      assertEquals(BgpState.Connect, d.fsm().state());
    }
  }

  /**
   * FsmConfig#stableTime: a session that stayed Established that long starts the ConnectRetryTimer's backoff over
   * too, not only the IdleHoldTimer's: the next attempt after its fall gives up on a silent peer after 1 s, not 2 min.
   */
  @Test
  void stableSession_connectRetryBackoffStartsOver() {
    FsmDriver d = driver(backoffConfig().build());
    d.fire(event(1));
    for (int i = 0; i < 8; i++) { // connects never answered: 1, 2, 4, ... 120 s
      time.advanceTo(d.deadlineNanos(BgpTimer.ConnectRetryTimer));
    }
    assertEquals(120_000_000_000L, remaining(d, BgpTimer.ConnectRetryTimer));
    d.fire(event(16));
    openAndKeepalive(d);
    for (int i = 0; i < 3; i++) { // 90 s: stable
      time.advance(Duration.ofSeconds(30));
      d.fire(event(26));
    }
    d.fire(new BgpEvent.NotifMsg(Notification.cease(Notification.ADMINISTRATIVE_RESET)));
    assertEquals(1_000_000_000L, remaining(d, BgpTimer.IdleHoldTimer));
    time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    assertEquals(BgpState.Connect, d.fsm().state());
    assertEquals(1_000_000_000L, remaining(d, BgpTimer.ConnectRetryTimer));
  }

  /**
   * resetBackoff (BFD Up, an operator's retry) also forgets the ConnectRetryTime last chosen: the restart in Active
   * (RFC 4271 §8.2.2, Event 9), which keeps the current time rather than growing it, then waits the minimum, not the
   * 16 s the failures had reached.
   */
  @Test
  void resetBackoff_activeConnectRetryExpiry_waitsTheMinimum() {
    FsmDriver d = driver(backoffConfig().build());
    d.fire(new BgpEvent.ManualStart_with_PassiveTcpEstablishment()); // Active, 1 s
    time.advanceTo(d.deadlineNanos(BgpTimer.ConnectRetryTimer)); // Connect, 1 s
    for (int i = 0; i < 3; i++) { // 2, 4, 8 s
      time.advanceTo(d.deadlineNanos(BgpTimer.ConnectRetryTimer));
    }
    d.fire(event(17));
    d.fire(event(18)); // OpenSent -> Active, 16 s
    assertEquals(BgpState.Active, d.fsm().state());
    assertEquals(16_000_000_000L, remaining(d, BgpTimer.ConnectRetryTimer));
    d.fsm().resetBackoff();
    time.advanceTo(d.deadlineNanos(BgpTimer.ConnectRetryTimer));
    assertEquals(BgpState.Connect, d.fsm().state());
    assertEquals(1_000_000_000L, remaining(d, BgpTimer.ConnectRetryTimer));
  }

  /** Established for exactly the stable time counts as stable (FsmConfig#stableTime: "must stay Established"). */
  @Test
  void establishedForExactlyTheStableTime_dampingStartsOver() {
    FsmDriver d = driver(config().stableTime(Duration.ofSeconds(60)).build());
    d.fire(event(1));
    for (int i = 0; i < 3; i++) { // 1, 2, 4 s
      d.fire(new BgpEvent.TcpConnectionFails());
      time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    }
    d.fire(event(16));
    openAndKeepalive(d);
    time.advance(Duration.ofSeconds(30));
    d.fire(event(26));
    time.advance(Duration.ofSeconds(30));
    d.fire(new BgpEvent.NotifMsg(Notification.cease(Notification.ADMINISTRATIVE_RESET)));
    assertEquals(1_000_000_000L, remaining(d, BgpTimer.IdleHoldTimer));
  }

  /**
   * A collision's winner started passively (its connection was accepted) replaces a machine started by ManualStart:
   * it takes over the start mode, so that after its own fall the session dials the peer again, as before.
   */
  @Test
  void inheritRestartState_replacedWasActive_restartDials() {
    BgpFsm replaced = new BgpFsm(config().build(), time, Fixtures.NO_JITTER);
    replaced.handle(event(1));
    FsmDriver d = driver(config().build());
    d.fire(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    d.fire(event(17));
    d.fsm().inheritRestartState(replaced);
    openAndKeepalive(d);
    d.fire(new BgpEvent.NotifMsg(Notification.cease(Notification.ADMINISTRATIVE_RESET)));
    time.advanceTo(d.deadlineNanos(BgpTimer.IdleHoldTimer));
    assertEquals(BgpState.Connect, d.fsm().state());
    assertEquals(1, count(BgpAction.ConnectTcp.class));
  }

  /**
   * ... and the damping the replaced machine had grown: a peer that flaps does not get a fresh 1 s IdleHoldTime
   * because its last attempt happened to win a collision.
   */
  @Test
  void inheritRestartState_takesOverTheDampingStep() {
    BgpFsm replaced = new BgpFsm(config().build(), time, Fixtures.NO_JITTER);
    replaced.handle(event(1));
    for (int i = 0; i < 3; i++) { // IdleHoldTimes 1, 2, 4 s
      replaced.handle(new BgpEvent.TcpConnectionFails());
      replaced.handle(new BgpEvent.IdleHoldTimer_Expires());
    }
    FsmDriver d = driver(config().build());
    d.fire(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    d.fire(event(17));
    d.fsm().inheritRestartState(replaced);
    openAndKeepalive(d);
    time.advance(Duration.ofSeconds(10)); // not stable
    d.fire(new BgpEvent.NotifMsg(Notification.cease(Notification.ADMINISTRATIVE_RESET)));
    assertEquals(8_000_000_000L, remaining(d, BgpTimer.IdleHoldTimer));
  }

  /** ... and the ConnectRetryTimer's backoff: a connection that fails right after the takeover waits the next step. */
  @Test
  void inheritRestartState_takesOverTheConnectRetryBackoff() {
    BgpFsm replaced = new BgpFsm(backoffConfig().build(), time, Fixtures.NO_JITTER);
    replaced.handle(event(1)); // 1 s
    for (int i = 0; i < 3; i++) { // 2, 4, 8 s
      replaced.handle(new BgpEvent.ConnectRetryTimer_Expires());
    }
    BgpFsm fsm = new BgpFsm(backoffConfig().build(), time, Fixtures.NO_JITTER);
    fsm.handle(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    fsm.handle(event(17));
    fsm.inheritRestartState(replaced);
    List<BgpAction> out = fsm.handle(new BgpEvent.TcpConnectionFails("connection reset"));
    assertEquals(BgpState.Active, fsm.state());
    assertTrue(out.contains(new BgpAction.StartTimer(BgpTimer.ConnectRetryTimer, Duration.ofSeconds(16))), "" + out);
  }

  /**
   * ... and the ConnectRetryTime set while the replaced machine ran (the session's connectRetryTime setter, FRR's
   * {@code timers connect}), not the one of the configuration both machines were built from.
   */
  @Test
  void inheritRestartState_takesOverTheConnectRetryTimeSetAtRuntime() {
    BgpFsm replaced = new BgpFsm(backoffConfig().build(), time, Fixtures.NO_JITTER);
    replaced.connectRetryTime(Optional.of(Duration.ofSeconds(7)));
    replaced.handle(event(1));
    BgpFsm fsm = new BgpFsm(backoffConfig().build(), time, Fixtures.NO_JITTER);
    fsm.handle(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    fsm.handle(event(17));
    fsm.inheritRestartState(replaced);
    assertEquals(Optional.of(Duration.ofSeconds(7)), fsm.connectRetryTime());
    List<BgpAction> out = fsm.handle(new BgpEvent.TcpConnectionFails("connection reset"));
    assertTrue(out.contains(new BgpAction.StartTimer(BgpTimer.ConnectRetryTimer, Duration.ofSeconds(7))), "" + out);
  }

  /**
   * ... and the ConnectRetryTime it last chose: the restart in Active (RFC 4271 §8.2.2, Event 9), which keeps the
   * current time, keeps the replaced machine's 8 s rather than the 1 s this machine started with.
   */
  @Test
  void inheritRestartState_activeConnectRetryExpiry_keepsTheReplacedTime() {
    BgpFsm replaced = new BgpFsm(backoffConfig().build(), time, Fixtures.NO_JITTER);
    replaced.handle(event(1)); // 1 s
    for (int i = 0; i < 3; i++) { // 2, 4, 8 s
      replaced.handle(new BgpEvent.ConnectRetryTimer_Expires());
    }
    BgpFsm fsm = new BgpFsm(backoffConfig().build(), time, Fixtures.NO_JITTER);
    fsm.handle(new BgpEvent.ManualStart_with_PassiveTcpEstablishment()); // Active, 1 s
    fsm.inheritRestartState(replaced);
    List<BgpAction> out = fsm.handle(new BgpEvent.ConnectRetryTimer_Expires());
    assertEquals(BgpState.Connect, fsm.state());
    assertTrue(out.contains(new BgpAction.StartTimer(BgpTimer.ConnectRetryTimer, Duration.ofSeconds(8))), "" + out);
  }

  /** ... and the ConnectRetryCounter (RFC 4271 §8): the falls of the replaced machine still count. */
  @Test
  void inheritRestartState_takesOverTheConnectRetryCounter() {
    BgpFsm replaced = new BgpFsm(config().allowAutomaticStart(false).build(), time, Fixtures.NO_JITTER);
    replaced.handle(event(1));
    replaced.handle(event(16));
    replaced.handle(new BgpEvent.HoldTimer_Expires());
    assertEquals(1, replaced.connectRetryCounter());
    BgpFsm fsm = new BgpFsm(config().build(), time, Fixtures.NO_JITTER);
    fsm.handle(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    fsm.handle(event(17));
    fsm.inheritRestartState(replaced);
    assertEquals(1, fsm.connectRetryCounter());
  }
}
