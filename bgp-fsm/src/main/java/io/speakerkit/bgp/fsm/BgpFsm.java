package io.speakerkit.bgp.fsm;

import io.speakerkit.bgp.fsm.BgpAction.ConnectTcp;
import io.speakerkit.bgp.fsm.BgpAction.DeleteRoutes;
import io.speakerkit.bgp.fsm.BgpAction.DropTcp;
import io.speakerkit.bgp.fsm.BgpAction.ProcessUpdate;
import io.speakerkit.bgp.fsm.BgpAction.SendKeepalive;
import io.speakerkit.bgp.fsm.BgpAction.SendNotification;
import io.speakerkit.bgp.fsm.BgpAction.SendOpen;
import io.speakerkit.bgp.fsm.BgpAction.StartTimer;
import io.speakerkit.bgp.fsm.BgpAction.StateChanged;
import io.speakerkit.bgp.fsm.BgpAction.StopTimer;
import io.speakerkit.timers.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The BGP finite state machine of RFC 4271 §8 for one TCP connection to one peer, sans-IO: {@link #handle} takes an
 * {@link BgpEvent} and returns the {@link BgpAction}s to perform, in order. Sockets and timers only deliver events;
 * nothing here blocks, reads a clock other than the injected {@link Ticker}, or touches the network.
 *
 * <p>Follows §8.2.2 state by state, with these documented choices:
 *
 * <ul>
 *   <li>"sets the ConnectRetryTimer to zero" and "releases all BGP resources" appear as {@link StopTimer} actions, one
 *       per timer that runs, so every action list says exactly which timers stop.
 *   <li>Active / TcpConnectionFails: the RFC restarts the ConnectRetryTimer and then goes to Idle, where the timer has
 *       no effect; this machine stops it instead and restarts through the IdleHoldTimer.
 *   <li>OpenSent / NotifMsg: the RFC lists Event 25 among the events answered with an FSM Error NOTIFICATION; this
 *       machine never answers a NOTIFICATION with a NOTIFICATION (the peer has already closed), it just closes.
 *   <li>A BGPOpen on this connection in OpenConfirm or Established is a second OPEN on the same connection: FSM Error
 *       with the RFC 6608 subcode. OPENs on a colliding second connection are the {@link Collision} resolver's
 *       business, which answers with {@link BgpEvent.OpenCollisionDump} for the loser.
 *   <li>Header and OPEN errors in Established send their own NOTIFICATION (RFC 4271 §6.1, §6.2), not FSM Error.
 *   <li>Automatic restart: with {@link FsmConfig#allowAutomaticStart()} every fall to Idle other than ManualStop
 *       starts the IdleHoldTimer; its expiry (Event 13) restarts the session in the last start mode. With
 *       {@link FsmConfig#dampPeerOscillations()} the IdleHoldTime doubles from {@link FsmConfig#minBackoff()} to
 *       {@link FsmConfig#maxBackoff()} on each such fall and starts over once a session has stayed Established for
 *       {@link FsmConfig#stableTime()}. Unless a ConnectRetryTime is configured, the ConnectRetryTimer backs off
 *       the same way. Both take up to 25% jitter from the injected {@link RandomGenerator}. ManualStop starts both
 *       over from the minimum ({@link #resetBackoff()}), as FRR's {@code neighbor shutdown} resets its start timer.
 * </ul>
 *
 * <p>Not thread-safe: drive it from one thread (the channel's event loop).
 */
public final class BgpFsm {

  private static final double JITTER = 0.25;
  private static final int MAX_STEP = 30;

  /** Replaced only by {@link #timers}, for the OPENs to come. */
  private FsmConfig config;
  private final Ticker ticker;
  private final RandomGenerator random;
  private OpenMessage localOpen;
  /**
   * The configuration our OPEN on this connection went out with: the peer's OPEN is negotiated against it (RFC 4271
   * §4.2, both sides take the smaller of the two hold times sent), whatever {@link #timers} changed since.
   */
  private FsmConfig sentConfig;
  /**
   * The peer answered an OPEN with OPEN Message Error / Unsupported Optional Parameter: it does not support
   * capabilities advertisement, and our OPENs go without the Capabilities parameter from now on (RFC 5492 §3, as FRR
   * does). Nothing is negotiated then: a capability is used only when both sides advertised it.
   */
  private volatile boolean capabilitiesRefused;

  private BgpState state = BgpState.Idle;
  private final EnumSet<BgpTimer> running = EnumSet.noneOf(BgpTimer.class);
  private int connectRetryCounter;
  private boolean connection;
  private boolean passive;
  private boolean automatic;
  private int backoffStep;
  private Duration lastConnectRetryTime;
  /** {@link FsmConfig#connectRetryTime()}, changeable while the machine runs ({@link #connectRetryTime(Optional)}). */
  private Optional<Duration> connectRetryTime;
  private int dampStep;
  private long establishedAt;
  private NegotiatedSession session;
  private StateChangeCause lastCause;

  // per call
  private List<BgpAction> out;
  private Notification sent;
  private Notification received;
  private String detail;

  /**
   * A machine in Idle.
   *
   * @param config the peer's settings
   * @param ticker the clock used to tell a stable session (only read, never waited on)
   * @param random jitter for the backoff; tests pass one that returns constants
   */
  public BgpFsm(FsmConfig config, Ticker ticker, RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.random = Objects.requireNonNull(random, "random");
    this.localOpen = localOpen(config);
    this.connectRetryTime = config.connectRetryTime();
  }

  /** The OPEN {@code config} makes, without capabilities once the peer refused them (RFC 5492 §3). */
  private OpenMessage localOpen(FsmConfig config) {
    OpenMessage o = config.localOpen();
    return capabilitiesRefused ? o.withoutCapabilities() : o;
  }

  /**
   * The peer's OPEN as negotiation must see it: when our OPENs go without capabilities (RFC 5492 §3), none of the
   * peer's can be used, so it is taken as advertising none.
   */
  public OpenMessage asNegotiated(OpenMessage open) {
    return capabilitiesRefused ? open.withoutCapabilities() : open;
  }

  /** RFC 5492 §3: OPEN Message Error / Unsupported Optional Parameter: the peer does not take capabilities. */
  private void refusedCapabilities(Notification n) {
    if (n.code() == Notification.OPEN_MESSAGE_ERROR && n.subcode() == Notification.UNSUPPORTED_OPTIONAL_PARAMETER
        && !capabilitiesRefused) {
      capabilitiesRefused = true;
      localOpen = localOpen(config);
    }
  }

  public FsmConfig config() {
    return config;
  }

  public BgpState state() {
    return state;
  }

  /** RFC 4271 ConnectRetryCounter. */
  public int connectRetryCounter() {
    return connectRetryCounter;
  }

  /** The timers the machine considers running. */
  public Set<BgpTimer> runningTimers() {
    return Collections.unmodifiableSet(running);
  }

  /** Whether a TCP connection (or an attempt) belongs to this machine. */
  public boolean hasConnection() {
    return connection;
  }

  /** The negotiated session, from OpenConfirm on. */
  public Optional<NegotiatedSession> session() {
    return Optional.ofNullable(session);
  }

  /** The cause of the last state change, if any. */
  public Optional<StateChangeCause> lastCause() {
    return Optional.ofNullable(lastCause);
  }

  /**
   * Takes over how {@code replaced} restarts: the start mode its automatic restarts use (connecting or passive), its
   * ConnectRetryCounter, its ConnectRetryTime and its backoff and damping steps. For the transport, when the machine
   * of the second connection of a collision (RFC 4271 §6.8), started passively because that connection was accepted,
   * becomes the session in place of {@code replaced}.
   */
  public void inheritRestartState(BgpFsm replaced) {
    passive = replaced.passive;
    connectRetryCounter = replaced.connectRetryCounter;
    backoffStep = replaced.backoffStep;
    lastConnectRetryTime = replaced.lastConnectRetryTime;
    connectRetryTime = replaced.connectRetryTime;
    dampStep = replaced.dampStep;
  }

  /**
   * Takes what {@code other}, the machine of another connection to the same peer, learned about the peer: that it
   * refused capabilities advertisement (RFC 5492 §3), so that this machine's OPENs go without them too. For the
   * transport, before the machine of the second connection of a collision sends its OPEN (FRR keeps this per peer,
   * PEER_STATUS_CAPABILITY_OPEN). Changes no state and returns no action.
   */
  public void learnPeerFrom(BgpFsm other) {
    if (other.capabilitiesRefused && !capabilitiesRefused) {
      capabilitiesRefused = true;
      localOpen = localOpen(config);
    }
  }

  /** The OPEN this machine sends. */
  public OpenMessage localOpen() {
    return localOpen;
  }

  /** Handles one event; returns the actions to perform, in order (empty when the event changes nothing). */
  public List<BgpAction> handle(BgpEvent event) {
    Objects.requireNonNull(event, "event");
    out = new ArrayList<>(6);
    sent = null;
    received = null;
    detail = "";
    EventType type = event.type();
    BgpTimer expired = expiredTimer(type);
    if (expired != null) {
      running.remove(expired);
    }
    if (event instanceof BgpEvent.TcpConnectionFails f) {
      connection = false;
      detail = f.reason();
    }
    switch (state) {
      case Idle -> idle(event);
      case Connect -> connect(event);
      case Active -> active(event);
      case OpenSent -> openSent(event);
      case OpenConfirm -> openConfirm(event);
      case Established -> established(event);
    }
    List<BgpAction> result = out;
    out = null;
    return result;
  }

  /** The fixed ConnectRetryTime in use; empty: the exponential backoff. */
  public Optional<Duration> connectRetryTime() {
    return connectRetryTime;
  }

  /**
   * Changes the hold and keepalive times we propose for the OPENs to come, as FRR applies {@code neighbor X timers}:
   * a running session keeps what it negotiated, and a peer OPEN is negotiated against the OPEN this connection sent
   * (RFC 4271 §4.2). Changes no state and returns no action.
   *
   * @param keepalive empty: a third of the negotiated hold time
   * @throws IllegalArgumentException as {@link FsmConfig.Builder#build()} for these values
   */
  public void timers(Duration hold, Optional<Duration> keepalive) {
    config = config.withTimers(hold, keepalive);
    localOpen = localOpen(config);
  }

  /**
   * Sets or clears the Restart State bit of the graceful restart capability for the OPENs to come (RFC 4724 §4.1: set
   * while the speaker has just restarted). Changes no state and returns no action.
   */
  public void restartState(boolean restartState) {
    config = config.withRestartState(restartState);
    localOpen = localOpen(config);
  }

  /**
   * Changes the fixed ConnectRetryTime (empty: back to the exponential backoff) without touching the session, as FRR
   * applies {@code timers connect}: it is used the next time the ConnectRetryTimer starts; a running timer keeps its
   * deadline. The value is checked as by {@link FsmConfig.Builder#connectRetryTime}.
   */
  public void connectRetryTime(Optional<Duration> value) {
    value.ifPresent(d -> FsmConfig.builder().connectRetryTime(d)); // the builder's range check
    connectRetryTime = value;
  }

  /**
   * The path to the peer is known to work again (BFD came Up, say): the connect and idle backoff start over from
   * {@link FsmConfig#minBackoff()}. Not an RFC 4271 event; changes no state and returns no action.
   */
  public void resetBackoff() {
    backoffStep = 0;
    dampStep = 0;
    lastConnectRetryTime = null;
  }

  /**
   * We sent an UPDATE. RFC 4271 §8.2.2 (Established): "Each time the local system sends a KEEPALIVE or UPDATE
   * message, it restarts its KeepaliveTimer, unless the negotiated HoldTime value is zero." Not an RFC event, so it
   * causes no state change; returns the timer restart (or nothing).
   */
  public List<BgpAction> updateSent() {
    if (state != BgpState.Established || session == null || session.holdTime().isZero()) {
      return List.of();
    }
    running.add(BgpTimer.KeepaliveTimer);
    return List.of(new StartTimer(BgpTimer.KeepaliveTimer, session.keepaliveTime()));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // RFC 4271 §8.2.2, one method per state

  private void idle(BgpEvent e) {
    switch (e.type()) {
      case ManualStart, AutomaticStart -> start(e.type(), false);
      case ManualStart_with_PassiveTcpEstablishment, AutomaticStart_with_PassiveTcpEstablishment ->
          start(e.type(), true);
      case AutomaticStart_with_DampPeerOscillations,
          AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment -> {
        // RFC 4271 §8.2.2: the damping method is local; ours waits for a running IdleHoldTimer.
        if (!running.contains(BgpTimer.IdleHoldTimer)) {
          start(e.type(), e.type() == EventType.AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment);
        }
      }
      case IdleHoldTimer_Expires -> {
        if (automatic) {
          start(e.type(), passive);
        }
      }
      case ManualStop -> {
        // RFC 4271 §8.2.2 ignores ManualStop in Idle; an operator's stop must still cancel a pending automatic
        // restart, so the IdleHoldTimer stops too.
        automatic = false;
        stop(BgpTimer.IdleHoldTimer);
        resetBackoff();
      }
      default -> {
        // RFC 4271 §8.2.2: AutomaticStop is ignored in Idle, and any other event does not change
        // the state. The transport refuses connections for a machine in Idle.
      }
    }
  }

  private void start(EventType type, boolean passiveStart) {
    if (config.connectMode() == ConnectMode.LISTEN_ONLY) {
      passiveStart = true; // a listen-only peer never dials, whichever start it is given
    }
    stop(BgpTimer.IdleHoldTimer);
    passive = passiveStart;
    automatic = true;
    connectRetryCounter = 0;
    if (passiveStart) {
      if (config.connectMode() != ConnectMode.LISTEN_ONLY) {
        start(BgpTimer.ConnectRetryTimer, nextConnectRetryTime());
      }
      transition(BgpState.Active, type);
    } else {
      start(BgpTimer.ConnectRetryTimer, nextConnectRetryTime());
      connectTcp();
      transition(BgpState.Connect, type);
    }
  }

  private void connect(BgpEvent e) {
    EventType t = e.type();
    switch (t) {
      case ManualStart, AutomaticStart, ManualStart_with_PassiveTcpEstablishment,
          AutomaticStart_with_PassiveTcpEstablishment, AutomaticStart_with_DampPeerOscillations,
          AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment -> {
        // ignored
      }
      case ManualStop -> manualStop();
      case ConnectRetryTimer_Expires -> {
        dropTcp();
        start(BgpTimer.ConnectRetryTimer, nextConnectRetryTime());
        stop(BgpTimer.DelayOpenTimer);
        connectTcp();
      }
      case DelayOpenTimer_Expires -> sendOpenGoOpenSent(t);
      case TcpConnection_Valid, Tcp_CR_Invalid -> {
        // processed or rejected by the transport; no change
      }
      case Tcp_CR_Acked, TcpConnectionConfirmed -> tcpEstablished(t);
      case TcpConnectionFails -> {
        if (running.contains(BgpTimer.DelayOpenTimer) || config.activeOnConnectFailure()) {
          start(BgpTimer.ConnectRetryTimer, nextConnectRetryTime());
          stop(BgpTimer.DelayOpenTimer);
          transition(BgpState.Active, t);
        } else {
          toIdle(t, false);
        }
      }
      case BGPOpen -> openBeforeOpenSent((BgpEvent.BGPOpen) e);
      case BGPHeaderErr, BGPOpenMsgErr -> {
        if (config.sendNotificationWithoutOpen() && connection) {
          sendNotification(notificationOf(e));
        }
        toIdle(t, true);
      }
      case NotifMsgVerErr -> {
        received = ((BgpEvent.NotifMsgVerErr) e).notification();
        boolean delayOpenRunning = running.contains(BgpTimer.DelayOpenTimer);
        toIdle(t, !delayOpenRunning);
      }
      default -> {
        // Events 8, 10, 11, 13, 19, 23, 25-28
        recordReceived(e);
        toIdle(t, true);
      }
    }
  }

  private void active(BgpEvent e) {
    EventType t = e.type();
    switch (t) {
      case ManualStart, AutomaticStart, ManualStart_with_PassiveTcpEstablishment,
          AutomaticStart_with_PassiveTcpEstablishment, AutomaticStart_with_DampPeerOscillations,
          AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment -> {
        // ignored
      }
      case ManualStop -> {
        if (running.contains(BgpTimer.DelayOpenTimer) && config.sendNotificationWithoutOpen()) {
          sendNotification(((BgpEvent.ManualStop) e).cease());
        }
        manualStop();
      }
      case ConnectRetryTimer_Expires -> {
        // RFC 4271 §8.2.2 Active, Event 9: "restarts the ConnectRetryTimer" - the backoff grows on failures only.
        start(BgpTimer.ConnectRetryTimer, currentConnectRetryTime());
        connectTcp();
        transition(BgpState.Connect, t);
      }
      case DelayOpenTimer_Expires -> sendOpenGoOpenSent(t);
      case TcpConnection_Valid, Tcp_CR_Invalid -> {
        // processed or rejected by the transport; no change
      }
      case Tcp_CR_Acked, TcpConnectionConfirmed -> tcpEstablished(t);
      case TcpConnectionFails -> {
        stop(BgpTimer.DelayOpenTimer);
        toIdle(t, true);
      }
      case BGPOpen -> openBeforeOpenSent((BgpEvent.BGPOpen) e);
      case BGPHeaderErr, BGPOpenMsgErr -> {
        if (config.sendNotificationWithoutOpen() && connection) {
          sendNotification(notificationOf(e));
        }
        toIdle(t, true);
      }
      case NotifMsgVerErr -> {
        received = ((BgpEvent.NotifMsgVerErr) e).notification();
        boolean delayOpenRunning = running.contains(BgpTimer.DelayOpenTimer);
        toIdle(t, !delayOpenRunning);
      }
      default -> {
        // Events 8, 10, 11, 13, 19, 23, 25-28
        recordReceived(e);
        toIdle(t, true);
      }
    }
  }

  private void openSent(BgpEvent e) {
    EventType t = e.type();
    switch (t) {
      case ManualStart, AutomaticStart, ManualStart_with_PassiveTcpEstablishment,
          AutomaticStart_with_PassiveTcpEstablishment, AutomaticStart_with_DampPeerOscillations,
          AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment -> {
        // ignored
      }
      case ManualStop -> {
        sendNotification(((BgpEvent.ManualStop) e).cease());
        manualStop();
      }
      case AutomaticStop -> {
        sendNotification(((BgpEvent.AutomaticStop) e).cease());
        toIdle(t, true);
      }
      case HoldTimer_Expires, SendHoldTimer_Expires -> {
        // RFC 9687 §4 for the send hold timer: the NOTIFICATION is tried, the connection dropped without waiting
        sendNotification(t == EventType.HoldTimer_Expires ? Notification.holdTimerExpired()
            : Notification.sendHoldTimerExpired());
        toIdle(t, true);
      }
      case TcpConnection_Valid, Tcp_CR_Invalid, Tcp_CR_Acked, TcpConnectionConfirmed -> {
        // RFC 4271 §8.2.2: a second connection is tracked by collision detection (§6.8); no change here.
      }
      case TcpConnectionFails -> {
        releaseResources();
        if (config.connectMode() != ConnectMode.LISTEN_ONLY) {
          start(BgpTimer.ConnectRetryTimer, nextConnectRetryTime());
        }
        transition(BgpState.Active, t);
      }
      case BGPOpen -> {
        OpenMessage open = ((BgpEvent.BGPOpen) e).open();
        OpenNegotiation.Result r =
            OpenNegotiation.negotiate(sentConfig != null ? sentConfig : config, asNegotiated(open));
        if (r instanceof OpenNegotiation.Rejected rej) {
          detail = rej.detail();
          sendNotification(rej.notification());
          toIdle(EventType.BGPOpenMsgErr, true);
          return;
        }
        session = ((OpenNegotiation.Accepted) r).session();
        stop(BgpTimer.DelayOpenTimer);
        stop(BgpTimer.ConnectRetryTimer);
        out.add(new SendKeepalive());
        armKeepaliveAndHold();
        transition(BgpState.OpenConfirm, t);
      }
      case BGPHeaderErr, BGPOpenMsgErr, UpdateMsgErr -> {
        if (t == EventType.UpdateMsgErr) {
          sendNotification(Notification.fsmError(Notification.FSM_UNEXPECTED_IN_OPENSENT));
        } else {
          sendNotification(notificationOf(e));
        }
        toIdle(t, true);
      }
      case OpenCollisionDump -> {
        sendNotification(Notification.cease(Notification.CONNECTION_COLLISION_RESOLUTION));
        toIdle(t, true);
      }
      case NotifMsgVerErr -> {
        received = ((BgpEvent.NotifMsgVerErr) e).notification();
        toIdle(t, false);
      }
      case NotifMsg -> {
        // Deviation: never answer a NOTIFICATION with a NOTIFICATION.
        received = ((BgpEvent.NotifMsg) e).notification();
        refusedCapabilities(received);
        toIdle(t, true);
      }
      default -> {
        // Events 9, 11-13, 20, 26, 27
        sendNotification(Notification.fsmError(isMessage(t) ? Notification.FSM_UNEXPECTED_IN_OPENSENT
            : Notification.FSM_UNSPECIFIED));
        toIdle(t, true);
      }
    }
  }

  private void openConfirm(BgpEvent e) {
    EventType t = e.type();
    switch (t) {
      case ManualStart, AutomaticStart, ManualStart_with_PassiveTcpEstablishment,
          AutomaticStart_with_PassiveTcpEstablishment, AutomaticStart_with_DampPeerOscillations,
          AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment -> {
        // ignored
      }
      case ManualStop -> {
        sendNotification(((BgpEvent.ManualStop) e).cease());
        manualStop();
      }
      case AutomaticStop -> {
        sendNotification(((BgpEvent.AutomaticStop) e).cease());
        toIdle(t, true);
      }
      case HoldTimer_Expires, SendHoldTimer_Expires -> {
        // RFC 9687 §4 for the send hold timer: the NOTIFICATION is tried, the connection dropped without waiting
        sendNotification(t == EventType.HoldTimer_Expires ? Notification.holdTimerExpired()
            : Notification.sendHoldTimerExpired());
        toIdle(t, true);
      }
      case KeepaliveTimer_Expires -> {
        out.add(new SendKeepalive());
        if (!session.holdTime().isZero()) {
          start(BgpTimer.KeepaliveTimer, session.keepaliveTime()); // never a zero-length timer loop
        }
      }
      case TcpConnection_Valid, Tcp_CR_Invalid, Tcp_CR_Acked, TcpConnectionConfirmed -> {
        // a second connection is tracked by collision detection (§6.8)
      }
      case TcpConnectionFails, NotifMsg -> {
        recordReceived(e);
        if (e instanceof BgpEvent.NotifMsg n) {
          refusedCapabilities(n.notification()); // our OPEN refused after the peer's came
        }
        toIdle(t, true);
      }
      case NotifMsgVerErr -> {
        recordReceived(e);
        toIdle(t, false);
      }
      case BGPHeaderErr, BGPOpenMsgErr -> {
        sendNotification(notificationOf(e));
        toIdle(t, true);
      }
      case OpenCollisionDump -> {
        sendNotification(Notification.cease(Notification.CONNECTION_COLLISION_RESOLUTION));
        toIdle(t, true);
      }
      case KeepAliveMsg -> {
        if (!session.holdTime().isZero()) {
          start(BgpTimer.HoldTimer, session.holdTime());
        }
        establishedAt = ticker.nanoTime();
        transition(BgpState.Established, t);
      }
      default -> {
        // Events 9, 12, 13, 19 (a second OPEN on this connection), 20, 27, 28
        sendNotification(Notification.fsmError(isMessage(t) ? Notification.FSM_UNEXPECTED_IN_OPENCONFIRM
            : Notification.FSM_UNSPECIFIED));
        toIdle(t, true);
      }
    }
  }

  private void established(BgpEvent e) {
    EventType t = e.type();
    switch (t) {
      case ManualStart, AutomaticStart, ManualStart_with_PassiveTcpEstablishment,
          AutomaticStart_with_PassiveTcpEstablishment, AutomaticStart_with_DampPeerOscillations,
          AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment -> {
        // ignored
      }
      case ManualStop -> {
        sendNotification(((BgpEvent.ManualStop) e).cease());
        manualStop();
      }
      case AutomaticStop -> {
        sendNotification(((BgpEvent.AutomaticStop) e).cease());
        toIdle(t, true);
      }
      case HoldTimer_Expires, SendHoldTimer_Expires -> {
        // RFC 9687 §4 for the send hold timer: the NOTIFICATION is tried, the connection dropped without waiting
        sendNotification(t == EventType.HoldTimer_Expires ? Notification.holdTimerExpired()
            : Notification.sendHoldTimerExpired());
        toIdle(t, true);
      }
      case KeepaliveTimer_Expires -> {
        out.add(new SendKeepalive());
        if (!session.holdTime().isZero()) {
          start(BgpTimer.KeepaliveTimer, session.keepaliveTime()); // never a zero-length timer loop
        }
      }
      case TcpConnection_Valid, Tcp_CR_Invalid, Tcp_CR_Acked, TcpConnectionConfirmed -> {
        // a second connection is closed by collision detection (§6.8); no change here
      }
      case TcpConnectionFails, NotifMsgVerErr, NotifMsg -> {
        recordReceived(e);
        toIdle(t, true);
      }
      case KeepAliveMsg -> restartHoldTimer();
      case UpdateMsg -> {
        out.add(new ProcessUpdate());
        restartHoldTimer();
      }
      case BGPHeaderErr, BGPOpenMsgErr, UpdateMsgErr -> {
        sendNotification(notificationOf(e));
        toIdle(t, true);
      }
      case OpenCollisionDump -> {
        sendNotification(Notification.cease(Notification.CONNECTION_COLLISION_RESOLUTION));
        toIdle(t, true);
      }
      default -> {
        // Events 9, 12, 13, 19 (a second OPEN on this connection), 20
        sendNotification(Notification.fsmError(isMessage(t) ? Notification.FSM_UNEXPECTED_IN_ESTABLISHED
            : Notification.FSM_UNSPECIFIED));
        toIdle(t, true);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // shared steps

  private void tcpEstablished(EventType t) {
    connection = true;
    stop(BgpTimer.ConnectRetryTimer);
    if (config.delayOpen()) {
      start(BgpTimer.DelayOpenTimer, config.delayOpenTime());
    } else {
      sendOpenGoOpenSent(t);
    }
  }

  private void sendOpenGoOpenSent(EventType t) {
    stop(BgpTimer.ConnectRetryTimer);
    stop(BgpTimer.DelayOpenTimer);
    sentConfig = config;
    out.add(new SendOpen(localOpen));
    start(BgpTimer.HoldTimer, config.openSentHoldTime());
    transition(BgpState.OpenSent, t);
  }

  /** Connect or Active receiving an OPEN: Event 20 with the DelayOpenTimer running, else an unexpected Event 19. */
  private void openBeforeOpenSent(BgpEvent.BGPOpen e) {
    if (!running.contains(BgpTimer.DelayOpenTimer)) {
      toIdle(EventType.BGPOpen, true);
      return;
    }
    OpenNegotiation.Result r = OpenNegotiation.negotiate(config, asNegotiated(e.open()));
    if (r instanceof OpenNegotiation.Rejected rej) {
      detail = rej.detail();
      // RFC 4271 §8.2.2: Event 22 in Connect/Active sends a NOTIFICATION only with SendNOTIFICATIONwithoutOPEN.
      if (config.sendNotificationWithoutOpen()) {
        sendNotification(rej.notification());
      }
      toIdle(EventType.BGPOpenMsgErr, true);
      return;
    }
    session = ((OpenNegotiation.Accepted) r).session();
    stop(BgpTimer.ConnectRetryTimer);
    stop(BgpTimer.DelayOpenTimer);
    out.add(new SendOpen(localOpen));
    out.add(new SendKeepalive());
    armKeepaliveAndHold();
    transition(BgpState.OpenConfirm, EventType.BGPOpen_with_DelayOpenTimer_running);
  }

  private void armKeepaliveAndHold() {
    if (session.holdTime().isZero()) {
      stop(BgpTimer.KeepaliveTimer);
      stop(BgpTimer.HoldTimer);
    } else {
      start(BgpTimer.KeepaliveTimer, session.keepaliveTime());
      start(BgpTimer.HoldTimer, session.holdTime());
    }
  }

  private void restartHoldTimer() {
    if (!session.holdTime().isZero()) {
      start(BgpTimer.HoldTimer, session.holdTime());
    }
  }

  private void manualStop() {
    automatic = false;
    stop(BgpTimer.ConnectRetryTimer);
    boolean wasEstablished = state == BgpState.Established;
    releaseResources();
    if (wasEstablished) {
      out.add(new DeleteRoutes());
    }
    dropTcp();
    connectRetryCounter = 0;
    stop(BgpTimer.IdleHoldTimer);
    // An operator's start after this one begins afresh, as FRR's neighbor shutdown resets its start timer.
    resetBackoff();
    transition(BgpState.Idle, EventType.ManualStop);
  }

  /**
   * The common fall to Idle: stop the ConnectRetryTimer, release resources (timers, negotiated session, routes when
   * Established), drop TCP, count ({@code increment}: the ConnectRetryCounter), and arm the automatic restart.
   */
  private void toIdle(EventType t, boolean increment) {
    stop(BgpTimer.ConnectRetryTimer);
    boolean wasEstablished = state == BgpState.Established;
    releaseResources();
    if (wasEstablished) {
      out.add(new DeleteRoutes());
    }
    dropTcp();
    if (increment) {
      connectRetryCounter++;
    }
    if (automatic && config.allowAutomaticStart()) {
      start(BgpTimer.IdleHoldTimer, nextIdleHoldTime());
    }
    transition(BgpState.Idle, t);
  }

  private void releaseResources() {
    stop(BgpTimer.HoldTimer);
    stop(BgpTimer.KeepaliveTimer);
    stop(BgpTimer.DelayOpenTimer);
    if (state == BgpState.Established
        && ticker.nanoTime() - establishedAt >= config.stableTime().toNanos()) {
      backoffStep = 0;
      dampStep = 0;
    }
    session = null;
  }

  private void transition(BgpState to, EventType cause) {
    BgpState from = state;
    state = to;
    lastCause = new StateChangeCause(cause, Optional.ofNullable(sent), Optional.ofNullable(received), detail);
    out.add(new StateChanged(from, to, lastCause));
  }

  private void connectTcp() {
    connection = true;
    out.add(new ConnectTcp());
  }

  private void dropTcp() {
    if (connection) {
      connection = false;
      out.add(new DropTcp());
    }
  }

  private void sendNotification(Notification n) {
    sent = n;
    out.add(new SendNotification(n));
  }

  private void recordReceived(BgpEvent e) {
    if (e instanceof BgpEvent.NotifMsg n) {
      received = n.notification();
    } else if (e instanceof BgpEvent.NotifMsgVerErr n) {
      received = n.notification();
    }
  }

  private void start(BgpTimer timer, Duration d) {
    running.add(timer);
    out.add(new StartTimer(timer, d));
  }

  private void stop(BgpTimer timer) {
    if (running.remove(timer)) {
      out.add(new StopTimer(timer));
    }
  }

  private Duration nextConnectRetryTime() {
    if (connectRetryTime.isPresent()) {
      return connectRetryTime.get();
    }
    lastConnectRetryTime = backoff(backoffStep++);
    return lastConnectRetryTime;
  }

  /** The ConnectRetryTime last chosen, for a restart that is not a new failure. */
  private Duration currentConnectRetryTime() {
    if (connectRetryTime.isPresent()) {
      return connectRetryTime.get();
    }
    return lastConnectRetryTime != null ? lastConnectRetryTime : nextConnectRetryTime();
  }

  private Duration nextIdleHoldTime() {
    if (!config.dampPeerOscillations()) {
      return config.minBackoff();
    }
    // RFC 4271 names damping for some falls only; a peer that refuses connections (TcpConnectionFails in Connect)
    // must back off too, so every automatic fall grows the IdleHoldTime until a session proves stable.
    return backoff(dampStep++);
  }

  /** min × 2^step, capped at max, less up to 25% jitter. */
  private Duration backoff(int step) {
    long min = config.minBackoff().toNanos();
    long max = config.maxBackoff().toNanos();
    int s = Math.min(step, MAX_STEP);
    long base = min > (max >> s) ? max : Math.min(max, min << s);
    double jitter = random.nextDouble() * JITTER;
    long nanos = (long) (base * (1.0 - jitter));
    // whole milliseconds keep timer listings readable
    return Duration.ofMillis(Math.max(1, nanos / 1_000_000));
  }

  private static Notification notificationOf(BgpEvent e) {
    if (e instanceof BgpEvent.BGPHeaderErr h) {
      return h.notification();
    }
    if (e instanceof BgpEvent.BGPOpenMsgErr o) {
      return o.notification();
    }
    if (e instanceof BgpEvent.UpdateMsgErr u) {
      return u.notification();
    }
    throw new IllegalArgumentException("no NOTIFICATION in " + e);
  }

  private static boolean isMessage(EventType t) {
    return t.number() >= 19;
  }

  private static BgpTimer expiredTimer(EventType t) {
    return switch (t) {
      case ConnectRetryTimer_Expires -> BgpTimer.ConnectRetryTimer;
      case HoldTimer_Expires -> BgpTimer.HoldTimer;
      case KeepaliveTimer_Expires -> BgpTimer.KeepaliveTimer;
      case DelayOpenTimer_Expires -> BgpTimer.DelayOpenTimer;
      case IdleHoldTimer_Expires -> BgpTimer.IdleHoldTimer;
      default -> null;
    };
  }
}
