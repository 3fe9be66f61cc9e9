package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * RFC 4271 §6.8 between our session's own connection and the one the peer dials, against a raw-socket peer (BGP
 * Identifier 10.0.0.5): which connection gets Cease / Connection Collision Resolution, and when. Loopback addresses
 * 127.0.14.1-6, ports 16400-16405.
 */
class CollisionResolutionIT {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  private static FsmConfig peerConfig() {
    return FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.5")).build();
  }

  private static InetAddress addr(int last) throws Exception {
    return InetAddress.getByName("127.0.14." + last);
  }

  /**
   * RFC 4271 §6.8: "the BGP Identifier of the local system is compared to the BGP Identifier of the remote system
   * ... If the value of the local BGP Identifier is less than the remote one, the local system closes the BGP
   * connection that already exists ... and accepts the BGP connection initiated by the remote system." Decided when
   * the peer's OPEN arrives on its connection (our connection in OpenSent), not later when one of them comes up: our
   * own connection gets Cease / Connection Collision Resolution at once, and the peer's carries the session.
   */
  @Test
  void lowerIdentifier_peersOpenOnItsConnection_ourConnectionClosedAtOnceWithCease6_7() throws Exception {
    InetAddress ours = addr(1);
    InetAddress peer = addr(2);
    try (ServerSocket server = new ServerSocket();
        BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16401)).build().start()) {
      server.bind(new InetSocketAddress(peer, 16400));
      BgpSession s = session(t, ours, peer, 16400, "10.0.0.1");
      s.start();
      try (Socket own = server.accept(); Socket peers = DialingPeer.dial(peer, ours, 16401)) {
        own.setSoTimeout(4_000);
        DialingPeer.bodyOfNext(own.getInputStream(), 1, "our OPEN on our connection");
        DialingPeer.bodyOfNext(peers.getInputStream(), 1, "our OPEN on the peer's connection");
        DialingPeer.sendOpen(peers, peerConfig()); // 10.0.0.5 > 10.0.0.1: the peer's connection stays
        assertEquals(new DialingPeer.Ending(6, 7, true), DialingPeer.readToEnd(own.getInputStream()),
            "our own connection: Cease / Connection Collision Resolution, then closed");
        DialingPeer.sendKeepalive(peers);
        Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established, () -> "" + s.lastChange());
        assertFalse(DialingPeer.onLoop(s, s::primaryOutgoing), "the session runs on the peer's connection");
      }
    }
  }

  /**
   * RFC 4271 §6.8, the other way round: with the higher identifier we keep the connection we initiated, so the
   * peer's OPEN on its own connection is answered with Cease / Connection Collision Resolution there, and the
   * session comes up on ours.
   */
  @Test
  void higherIdentifier_peersOpenOnItsConnection_thatConnectionClosedWithCease6_7_oursStays() throws Exception {
    InetAddress ours = addr(3);
    InetAddress peer = addr(4);
    try (ServerSocket server = new ServerSocket();
        BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16403)).build().start()) {
      server.bind(new InetSocketAddress(peer, 16402));
      BgpSession s = session(t, ours, peer, 16402, "10.0.0.9");
      s.start();
      try (Socket own = server.accept(); Socket peers = DialingPeer.dial(peer, ours, 16403)) {
        own.setSoTimeout(4_000);
        DialingPeer.bodyOfNext(own.getInputStream(), 1, "our OPEN on our connection");
        DialingPeer.bodyOfNext(peers.getInputStream(), 1, "our OPEN on the peer's connection");
        DialingPeer.sendOpen(peers, peerConfig()); // 10.0.0.5 < 10.0.0.9: our connection stays
        assertEquals(new DialingPeer.Ending(6, 7, true), DialingPeer.readToEnd(peers.getInputStream()),
            "the peer's connection: Cease / Connection Collision Resolution, then closed");
        DialingPeer.sendOpen(own, peerConfig());
        DialingPeer.sendKeepalive(own);
        Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established, () -> "" + s.lastChange());
        assertTrue(DialingPeer.onLoop(s, s::primaryOutgoing), "the session runs on our own connection");
        assertFalse(DialingPeer.onLoop(s, s::hasSecondConnection));
      }
    }
  }

  /**
   * The peer dials us after its OPEN reached our connection (OpenConfirm there, so no collision is decided on that
   * OPEN) and before the session comes up: once our connection is Established, the peer's second connection is the
   * one closed, with Cease / Connection Collision Resolution (RFC 4271 §6.8: a connection colliding with an
   * Established one goes) rather than dropped without a word.
   */
  @Test
  void secondConnectionInOpenSent_whenFirstBecomesEstablished_closedWithCease6_7() throws Exception {
    InetAddress ours = addr(5);
    InetAddress peer = addr(6);
    try (ServerSocket server = new ServerSocket();
        BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16405)).build().start()) {
      server.bind(new InetSocketAddress(peer, 16404));
      BgpSession s = session(t, ours, peer, 16404, "10.0.0.1");
      s.start();
      try (Socket own = server.accept()) {
        own.setSoTimeout(4_000);
        DialingPeer.bodyOfNext(own.getInputStream(), 1, "our OPEN on our connection");
        DialingPeer.sendOpen(own, peerConfig());
        Poll.until(LIMIT, "OpenConfirm", () -> s.state() == BgpState.OpenConfirm, () -> "" + s.lastChange());
        try (Socket peers = DialingPeer.dial(peer, ours, 16405)) {
          DialingPeer.bodyOfNext(peers.getInputStream(), 1, "our OPEN on the peer's second connection");
          DialingPeer.sendKeepalive(own);
          Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established, () -> "" + s.lastChange());
          assertEquals(new DialingPeer.Ending(6, 7, true), DialingPeer.readToEnd(peers.getInputStream()),
              "the second connection: Cease / Connection Collision Resolution, then closed");
        }
        assertEquals(BgpState.Established, s.state());
        assertTrue(DialingPeer.onLoop(s, s::primaryOutgoing));
      }
    }
  }

  /** Our session (AS 64601, identifier {@code id}) on {@code t}, dialling {@code peer:peerPort} from {@code ours}. */
  private static BgpSession session(BgpTransport t, InetAddress ours, InetAddress peer, int peerPort, String id) {
    return BgpSession.builder().transport(t).peer(peer).peerPort(peerPort).localAddress(ours)
        .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse(id))
            .connectRetryTime(Duration.ofSeconds(60)).build())
        .build();
  }
}
