package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelFuture;
import io.speakerkit.bgp.fsm.BgpAction;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.BgpTimer;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * What stop(), stopForRestart(), close(), retryNow() and a changed ConnectRetryTime do to the session's connections,
 * as the peer (a raw socket) sees them. Loopback addresses 127.0.14.10-27, ports 16420-16430.
 */
class SessionStopAndRetryIT {

  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final GracefulRestart GR = new GracefulRestart(false, 120, Map.of(AddressFamily.IPV4_UNICAST, true));

  private static InetAddress addr(int last) throws Exception {
    return InetAddress.getByName("127.0.14." + last);
  }

  private static FsmConfig.Builder peerConfig() {
    return FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.5"));
  }

  /** Our session (AS 64601, 10.0.0.1) dialling {@code peer:port} from {@code ours}; {@code settings} finish it. */
  private static BgpSession session(BgpTransport t, InetAddress ours, InetAddress peer, int port,
      UnaryOperator<FsmConfig.Builder> settings) {
    return BgpSession.builder().transport(t).peer(peer).peerPort(port).localAddress(ours)
        .config(settings.apply(FsmConfig.builder().localAs(64601).peerAs(64602)
            .bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))).build())
        .random(() -> 0L).build();
  }

  /** Accepts the session's connection and brings the session up on it as the peer of {@code config}. */
  private static Socket established(BgpSession s, ServerSocket server, FsmConfig config) throws Exception {
    Socket peer = server.accept();
    peer.setSoTimeout(4_000);
    DialingPeer.bodyOfNext(peer.getInputStream(), 1, "our OPEN");
    DialingPeer.sendOpen(peer, config);
    DialingPeer.sendKeepalive(peer);
    Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established, () -> "" + s.lastChange());
    return peer;
  }

  /**
   * stop() during a collision (RFC 4271 §6.8: our connection and the peer's both in OpenSent) ends both with Cease /
   * Administrative Shutdown: the peer's connection left running would bring the stopped session up on its OPEN.
   */
  @Test
  void stop_duringCollision_bothConnectionsGetCease6_2() throws Exception {
    InetAddress ours = addr(10);
    InetAddress peer = addr(11);
    try (ServerSocket server = new ServerSocket();
        BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16421)).build().start()) {
      server.bind(new InetSocketAddress(peer, 16420));
      BgpSession s = session(t, ours, peer, 16420, c -> c);
      s.start();
      try (Socket own = server.accept(); Socket peers = DialingPeer.dial(peer, ours, 16421)) {
        own.setSoTimeout(4_000);
        DialingPeer.bodyOfNext(own.getInputStream(), 1, "our OPEN on our connection");
        DialingPeer.bodyOfNext(peers.getInputStream(), 1, "our OPEN on the peer's connection");
        s.stop("maintenance");
        assertEquals(new DialingPeer.Ending(6, 2, true), DialingPeer.readToEnd(own.getInputStream()), "our connection");
        assertEquals(new DialingPeer.Ending(6, 2, true), DialingPeer.readToEnd(peers.getInputStream()), "the peer's");
        // (the peer can read the end before the loop has published the state change)
        Poll.until(LIMIT, "Idle", () -> s.state() == BgpState.Idle, () -> "" + s.state());
        assertFalse(DialingPeer.onLoop(s, s::hasSecondConnection));
      }
    }
  }

  /** close() on an Established session says goodbye as stop() does: Cease / Administrative Shutdown, then closed. */
  @Test
  void close_established_ceaseAdministrativeShutdown() throws Exception {
    InetAddress ours = addr(12);
    InetAddress peer = addr(13);
    try (ServerSocket server = new ServerSocket(); BgpTransport t = BgpTransport.builder().build()) {
      server.bind(new InetSocketAddress(peer, 16422));
      BgpSession s = session(t, ours, peer, 16422, c -> c);
      s.start();
      try (Socket p = established(s, server, peerConfig().build())) {
        s.close();
        assertEquals(new DialingPeer.Ending(6, 2, true), DialingPeer.readToEnd(p.getInputStream()));
      }
    }
  }

  /**
   * RFC 4724 §4.1: with graceful restart negotiated, stopForRestart() closes the connection without a NOTIFICATION
   * (the peer keeps our routes, stale), and the session does not restart by itself (no IdleHoldTimer running).
   */
  @Test
  void stopForRestart_gracefulRestart_closedWithoutNotification_noAutomaticRestart() throws Exception {
    InetAddress ours = addr(14);
    InetAddress peer = addr(15);
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (ServerSocket server = new ServerSocket(); BgpTransport t = BgpTransport.builder().build()) {
      server.bind(new InetSocketAddress(peer, 16423));
      BgpSession s = session(t, ours, peer, 16423, c -> c.gracefulRestart(GR).backoff(Duration.ofSeconds(1),
          Duration.ofSeconds(2)));
      s.addListener(changes::add);
      s.start();
      try (Socket p = established(s, server, peerConfig().gracefulRestart(GR).build())) {
        s.stopForRestart("restarting");
        assertEquals(new DialingPeer.Ending(-1, -1, true), DialingPeer.readToEnd(p.getInputStream()),
            "closed, no NOTIFICATION");
        Poll.until(LIMIT, "Idle", () -> s.state() == BgpState.Idle, () -> "" + s.lastChange());
        assertEquals(-1L, DialingPeer.onLoop(s, () -> s.primaryTimerRemainingNanos(BgpTimer.IdleHoldTimer)),
            "no automatic restart pending");
        BgpAction.StateChanged end = changes.stream().filter(c -> c.from() == BgpState.Established).findFirst()
            .orElseThrow();
        assertTrue(end.cause().sent().isEmpty(), end.toString());
      }
    }
  }

  /** Without graceful restart stopForRestart() is stop(): Cease / Administrative Shutdown. */
  @Test
  void stopForRestart_withoutGracefulRestart_ceaseAdministrativeShutdown() throws Exception {
    InetAddress ours = addr(16);
    InetAddress peer = addr(17);
    try (ServerSocket server = new ServerSocket(); BgpTransport t = BgpTransport.builder().build()) {
      server.bind(new InetSocketAddress(peer, 16424));
      BgpSession s = session(t, ours, peer, 16424, c -> c.gracefulRestart(GR));
      s.start();
      try (Socket p = established(s, server, peerConfig().build())) { // the peer does not do graceful restart
        s.stopForRestart("restarting");
        assertEquals(new DialingPeer.Ending(6, 2, true), DialingPeer.readToEnd(p.getInputStream()));
      }
    }
  }

  /**
   * retryNow() (BFD came Up) leaves a stopped session alone: an operator's stop is not undone by the path coming
   * back.
   */
  @Test
  void retryNow_stoppedSession_staysIdle() throws Exception {
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (BgpTransport t = BgpTransport.builder().build()) {
      BgpSession s = session(t, addr(18), addr(19), 16425, c -> c); // nothing listens there: refused
      s.addListener(changes::add);
      s.start();
      Poll.until(LIMIT, "the dial refused", () -> changes.stream().anyMatch(c -> c.from() == BgpState.Connect),
          changes::toString);
      s.stop("");
      DialingPeer.drainLoop(s);
      int before = changes.size();
      s.retryNow();
      DialingPeer.drainLoop(s);
      assertEquals(BgpState.Idle, s.state());
      assertEquals(before, changes.size(), changes::toString);
    }
  }

  /**
   * retryNow() on a session waiting in Active for its ConnectRetryTimer (a fixed connect time of 60 s here) dials at
   * once, and the ConnectRetryTimer after that uses a ConnectRetryTime changed meanwhile (as FRR applies
   * {@code timers connect}: the next timer, without a reset).
   */
  @Test
  void retryNow_activeWaitingForConnectRetryTimer_dialsAtOnce_nextTimerUsesTheChangedTime() throws Exception {
    InetAddress ours = addr(20);
    InetAddress peer = addr(21);
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (BgpTransport t = BgpTransport.builder().build()) {
      BgpSession s = session(t, ours, peer, 16426,
          c -> c.connectRetryTime(Duration.ofSeconds(60)).activeOnConnectFailure(true));
      s.addListener(changes::add);
      s.start(); // refused: Active until the ConnectRetryTimer
      Poll.until(LIMIT, "Active", () -> s.state() == BgpState.Active, changes::toString);
      s.connectRetryTime(Optional.of(Duration.ofSeconds(5)));
      s.retryNow(); // refused again: Active, now with the 5 s timer
      Poll.until(LIMIT, "Active after the retry",
          () -> changes.stream().filter(c -> c.to() == BgpState.Active).count() == 2, changes::toString);
      long left = DialingPeer.onLoop(s, () -> s.primaryTimerRemainingNanos(BgpTimer.ConnectRetryTimer));
      assertTrue(left > 0 && left <= Duration.ofSeconds(5).toNanos(), "ConnectRetryTimer: " + left + " ns");
      try (ServerSocket server = new ServerSocket()) {
        server.bind(new InetSocketAddress(peer, 16426));
        server.setSoTimeout(3_000); // well before the 5 s timer
        s.retryNow();
        try (Socket dialled = server.accept()) {
          assertEquals(ours, dialled.getInetAddress());
        }
      }
    }
  }

  /**
   * retryNow() starts the backoff over: after a retry that fails again, the next automatic restart comes after the
   * minimum backoff, not after the doubled delay the failures before it had reached.
   */
  @Test
  void retryNow_backoffStartsOver() throws Exception {
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (BgpTransport t = BgpTransport.builder().build()) {
      BgpSession s = session(t, addr(22), addr(23), 16427,
          c -> c.backoff(Duration.ofMillis(100), Duration.ofSeconds(60))); // nothing listens: refused each time
      s.addListener(changes::add);
      s.start();
      Poll.until(LIMIT, "an automatic restart more than 3 s away",
          () -> idleHoldNanos(s) > Duration.ofSeconds(3).toNanos(), () -> "" + s.lastChange());
      int before = changes.size();
      s.retryNow();
      Poll.until(LIMIT, "the retry refused",
          () -> changes.stream().skip(before).anyMatch(c -> c.from() == BgpState.Connect), changes::toString);
      long left = idleHoldNanos(s);
      assertTrue(left < Duration.ofSeconds(3).toNanos(), "IdleHoldTimer after the retry: " + left + " ns");
    }
  }

  private static long idleHoldNanos(BgpSession s) {
    try {
      return DialingPeer.onLoop(s, () -> s.primaryTimerRemainingNanos(BgpTimer.IdleHoldTimer));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * awaitConnectionsClosed() returns true only once the connection the stop's NOTIFICATION went on is closed (the
   * caller then closes BFD, and the router records our Cease rather than a BFD failure).
   */
  @Test
  void awaitConnectionsClosed_afterStop_trueOnceTheConnectionIsClosed() throws Exception {
    InetAddress ours = addr(24);
    InetAddress peer = addr(25);
    try (ServerSocket server = new ServerSocket(); BgpTransport t = BgpTransport.builder().build()) {
      server.bind(new InetSocketAddress(peer, 16428));
      BgpSession s = session(t, ours, peer, 16428, c -> c);
      s.start();
      try (Socket p = established(s, server, peerConfig().build())) { // the peer never closes its side
        s.stop("");
        assertTrue(s.awaitConnectionsClosed(LIMIT));
        for (ChannelFuture f : s.closingChannels()) {
          assertTrue(f.isDone(), "a connection still closing");
        }
        assertEquals(new DialingPeer.Ending(6, 2, true), DialingPeer.readToEnd(p.getInputStream()));
      }
    }
  }
}
