package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpAction;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * TCP MD5 (RFC 2385) and GTSM (RFC 5082) as the kernel applies them on the transport's listener, before any session
 * sees a connection; and a dial into such a listener as the black hole that lets a connect time out on loopback. A
 * plain socket plays the peer: it cannot sign, and it sends with the default TTL of 64, less than GTSM's 255. Needs
 * the epoll transport and root (TCP_MD5SIG). Loopback addresses 127.0.14.40-44 and 47-55, ports 16500-16513.
 */
class ListenerMd5AndTtlIT {

  private static final Duration LIMIT = Duration.ofSeconds(15);

  private static InetAddress addr(int last) throws Exception {
    return InetAddress.getByName("127.0.14." + last);
  }

  private static FsmConfig.Builder ours() {
    return FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"));
  }

  private static BgpSession.Builder listening(BgpTransport t, InetAddress peer) {
    return BgpSession.builder().transport(t).peer(peer).config(ours().connectMode(ConnectMode.LISTEN_ONLY).build());
  }

  /** The kernel drops the plain socket's SYN: the connect never completes. */
  private static void assertHandshakeRefused(InetAddress from, InetAddress to, int port) throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(from, 0));
      assertThrows(SocketTimeoutException.class, () -> s.connect(new InetSocketAddress(to, port), 1_500),
          "handshake from " + from + " completed");
    }
  }

  /** The plain socket's connection reaches its session, which sends its OPEN. */
  private static void assertReachesItsSession(InetAddress from, InetAddress to, int port) throws Exception {
    try (Socket s = DialingPeer.dial(from, to, port)) {
      DialingPeer.bodyOfNext(s.getInputStream(), 1, "our OPEN to " + from);
    }
  }

  /**
   * RFC 2385: a session built before its transport starts listening (the usual order: configure, then start) has
   * its key on the listener once it listens, so the kernel drops the peer's unsigned SYN; a peer without a password
   * on the same listener still gets through.
   */
  @Test
  void md5Session_builtBeforeTheTransportStarts_unsignedSynDropped() throws Exception {
    InetAddress ours = addr(40);
    try (BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16500)).build()) {
      BgpSession signed = listening(t, addr(41)).md5Password("s3cret").build();
      BgpSession plain = listening(t, addr(42)).build();
      t.start();
      signed.start();
      plain.start();
      Poll.until(LIMIT, "listening", () -> signed.state() == BgpState.Active && plain.state() == BgpState.Active,
          () -> signed.state() + " / " + plain.state());
      assertReachesItsSession(addr(42), ours, 16500);
      assertHandshakeRefused(addr(41), ours, 16500);
    }
  }

  /**
   * A second session for a peer that has one is refused at build(); its MD5 password must not stay on the listener,
   * or the running session's peer, which signs nothing, could no longer connect.
   */
  @Test
  void refusedSecondSessionWithMd5_listenerKeepsNoKeyForThePeer() throws Exception {
    InetAddress ours = addr(43);
    InetAddress peer = addr(44);
    try (BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16502)).build().start()) {
      BgpSession s = listening(t, peer).build();
      assertThrows(IllegalStateException.class, () -> listening(t, peer).md5Password("s3cret").build());
      s.start();
      Poll.until(LIMIT, "listening", () -> s.state() == BgpState.Active, () -> "" + s.state());
      assertReachesItsSession(peer, ours, 16502);
    }
  }

  /**
   * RFC 5082 §3 with a GTSM peer and a peer without GTSM on one listener: the listener cannot filter by TTL (it would
   * drop the other peer's SYNs), so the GTSM peer's accepted socket gets the minimum TTL (255 for one hop) instead.
   */
  @Test
  @SuppressWarnings("try") // a resource held open for its side effect (a connection), not read
  void gtsmAndPlainPeerOnOneListener_plainPeerConnects_gtsmPeersSocketHasMinimumTtl() throws Exception {
    InetAddress ours = addr(47);
    InetAddress gtsmPeer = addr(48);
    InetAddress plainPeer = addr(49);
    try (BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16506)).build().start()) {
      BgpSession gtsm = listening(t, gtsmPeer).gtsm(1).build();
      BgpSession plain = listening(t, plainPeer).build();
      gtsm.start();
      plain.start();
      Poll.until(LIMIT, "listening", () -> gtsm.state() == BgpState.Active && plain.state() == BgpState.Active,
          () -> gtsm.state() + " / " + plain.state());
      assertReachesItsSession(plainPeer, ours, 16506);
      try (Socket s = DialingPeer.dial(gtsmPeer, ours, 16506)) {
        Poll.until(LIMIT, "the GTSM session took the connection", () -> gtsm.state() == BgpState.OpenSent,
            () -> "" + gtsm.state());
        assertEquals(255, DialingPeer.onLoop(gtsm, () -> gtsm.primarySocketOption(BgpSession.minTtlOption(false))));
      }
    }
  }

  /** RFC 5082 §3: with only GTSM peers on a listener, the listener itself drops a SYN that arrives with TTL 64. */
  @Test
  void onlyGtsmPeersOnTheListener_synWithTtl64Dropped() throws Exception {
    InetAddress ours = addr(50);
    try (BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16508)).build().start()) {
      BgpSession gtsm = listening(t, addr(51)).gtsm(1).build();
      gtsm.start();
      Poll.until(LIMIT, "listening", () -> gtsm.state() == BgpState.Active, () -> "" + gtsm.state());
      assertHandshakeRefused(addr(51), ours, 16508);
    }
  }

  /**
   * connectTimeout bounds a dial that gets no answer (here an MD5 listener dropping our unsigned SYNs): the attempt
   * fails after the configured second, not after the system's minutes of SYN retries.
   */
  @Test
  void connectTimeout_unansweredDial_failsAfterTheConfiguredTime() throws Exception {
    InetAddress ours = addr(52);
    InetAddress blackHole = addr(53);
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (BgpTransport hole = BgpTransport.builder().listen(new InetSocketAddress(blackHole, 16510)).build().start();
        BgpTransport t = BgpTransport.builder().build()) {
      listening(hole, ours).md5Password("s3cret").build().start();
      BgpSession s = BgpSession.builder().transport(t).peer(blackHole).peerPort(16510).localAddress(ours)
          .connectTimeout(Duration.ofSeconds(1))
          .config(ours().connectRetryTime(Duration.ofSeconds(60)).build()).build();
      s.addListener(changes::add);
      s.start();
      Poll.until(LIMIT, "the dial failed", () -> changes.stream().anyMatch(c -> c.from() == BgpState.Connect),
          changes::toString);
      String cause = String.valueOf(changes.stream().filter(c -> c.from() == BgpState.Connect).findFirst()
          .orElseThrow().cause());
      assertTrue(cause.contains("timed out after 1000 ms"), cause);
    }
  }

  /**
   * The peer's connection arriving while our own dial is still in flight (Connect) becomes the session's, and our
   * dial is abandoned: its later timeout must not end the session that runs on the peer's connection.
   */
  @Test
  void peersConnectionWhileOurDialIsInFlight_dialAbandoned_sessionStaysUp() throws Exception {
    InetAddress ours = addr(54);
    InetAddress peer = addr(55);
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (BgpTransport hole = BgpTransport.builder().listen(new InetSocketAddress(peer, 16512)).build().start();
        BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16513)).build().start()) {
      listening(hole, ours).md5Password("s3cret").build().start(); // our unsigned dial to peer:16512 hangs
      BgpSession s = BgpSession.builder().transport(t).peer(peer).peerPort(16512).localAddress(ours)
          .connectTimeout(Duration.ofSeconds(1)).config(ours().build()).build();
      s.addListener(changes::add);
      s.start();
      Poll.until(LIMIT, "Connect", () -> s.state() == BgpState.Connect, changes::toString);
      try (Socket p = DialingPeer.dial(peer, ours, 16513)) {
        DialingPeer.bodyOfNext(p.getInputStream(), 1, "our OPEN");
        DialingPeer.sendOpen(p, FsmConfig.builder().localAs(64602).peerAs(64601)
            .bgpIdentifier(BgpIdentifier.parse("10.0.0.5")).build());
        DialingPeer.sendKeepalive(p);
        Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established, changes::toString);
        long past = System.nanoTime() + Duration.ofMillis(2_500).toNanos(); // well past the 1 s connect timeout
        Poll.until(LIMIT, "the abandoned dial's timeout passed", () -> System.nanoTime() > past, () -> "");
        assertEquals(BgpState.Established, s.state(), changes::toString);
        assertTrue(changes.stream().noneMatch(c -> c.from() == BgpState.Established), changes::toString);
      }
    }
  }
}
