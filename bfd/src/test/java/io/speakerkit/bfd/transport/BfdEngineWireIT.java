package io.speakerkit.bfd.transport;

import static io.speakerkit.bfd.transport.CraftedPeer.packet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bfd.BfdCounters;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.ControlPacket;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The engine against a {@link CraftedPeer} on loopback (127.0.13.x, ports 16200-16229, source ports 16300-16329):
 * what it sends (RFC 5881 §4 source port, §5 TTL 255, RFC 5883 port 4784), how it hands received packets to the
 * session matched by address or discriminator (RFC 5880 §6.8.6), and what it counts when the TTL filter (RFC 5881
 * §5, RFC 5883 §2) or the format checks drop a datagram, on the shared socket and on the session's own one.
 */
class BfdEngineWireIT {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final int PEER_DISCR = 0x5eed0001;
  /** Packets about once a second (RFC 5880 §6.8.3 before Up), a Detection Time far longer than a test. */
  static final BfdProfile SLOW = BfdProfile.builder().receiveIntervalMillis(1000).transmitIntervalMillis(1000)
      .build();

  static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  static BfdSession session(BfdEngine e, String local, String remote, boolean multihop, BfdProfile p)
      throws Exception {
    return e.createSession(BfdSessionConfig.builder().localAddress(ip(local)).remoteAddress(ip(remote))
        .multihop(multihop).profile(p).build());
  }

  static void awaitCounter(BfdSession s, String what, ToLongFunction<BfdCounters> counter, long value) {
    Poll.until(WAIT, what + " = " + value, () -> counter.applyAsLong(s.counters()) == value,
        () -> s.state() + " " + s.counters());
  }

  static void awaitState(BfdSession s, SessionState state) {
    Poll.until(WAIT, "session " + state, () -> s.state() == state, () -> s.state() + " " + s.counters());
  }

  static void awaitOwnSocket(BfdEngine e, BfdSession s, InetSocketAddress peer) {
    Poll.until(WAIT, "own socket connected to " + peer, () -> e.ownSocketPeer(s).equals(Optional.of(peer)),
        () -> e.ownSocketPeer(s).toString());
  }

  static boolean ownSockets() {
    return BfdEngine.kernelPrefersConnected(System.getProperty("os.version", ""));
  }

  /**
   * A three-way handshake with a crafted peer (RFC 5880 §6.2): the engine sends Down from a source port in the
   * configured range with TTL 255 to the peer's port, goes Init on the peer's Down and Up on its Up, and keeps the
   * same source port (RFC 5881 §4) with the peer's discriminator in Your Discriminator once Up.
   */
  @Test
  void craftedPeerHandshake_sessionUp_packetsFromOneSourcePortWithTtl255() throws Exception {
    InetSocketAddress engineAddr = new InetSocketAddress(ip("127.0.13.1"), 16200);
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16200).sourcePortRange(16300, 16309).build();
        CraftedPeer peer = new CraftedPeer(new InetSocketAddress(ip("127.0.13.2"), 16200)).acceptOnlyTtl255()) {
      BfdSession s = session(e, "127.0.13.1", "127.0.13.2", false, SLOW);

      CraftedPeer.Datagram first = peer.receive();
      assertEquals(24, first.payload().length, "TTL 255 (the filter cuts any other TTL to one byte)");
      int sourcePort = first.sender().getPort();
      assertEquals(new InetSocketAddress(ip("127.0.13.1"), e.sourcePort(s)), first.sender());
      assertTrue(sourcePort >= 16300 && sourcePort <= 16309, "source port " + sourcePort);
      ControlPacket down = first.packet();
      assertEquals(SessionState.Down, down.state());
      assertEquals(s.localDiscriminator(), down.myDiscriminator());
      assertEquals(0, down.yourDiscriminator());

      peer.send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
      awaitState(s, SessionState.Init);
      assertEquals(PEER_DISCR, s.remoteDiscriminator());
      peer.send(packet(SessionState.Up, PEER_DISCR, s.localDiscriminator()), engineAddr);
      awaitState(s, SessionState.Up);
      assertEquals(2, s.counters().controlPacketsIn());

      ControlPacket up;
      do { // an Init packet may still be on its way
        CraftedPeer.Datagram d = peer.receive();
        assertEquals(24, d.payload().length, "TTL 255");
        assertEquals(sourcePort, d.sender().getPort(), "the same source port for the life of the session");
        up = d.packet();
      } while (up.state() == SessionState.Init);
      assertEquals(SessionState.Up, up.state());
      assertEquals(PEER_DISCR, up.yourDiscriminator());
    }
  }

  /**
   * RFC 5881 §5: a datagram with TTL below 255 never reaches the session but is counted on the session its source
   * address names, both on the shared socket (before the session knows the peer's port) and on the session's own
   * socket connected to that port; a stranger's is counted as unmatched.
   */
  @Test
  void ttlBelow255_countedOnSession_sharedAndOwnSocket() throws Exception {
    InetSocketAddress engineAddr = new InetSocketAddress(ip("127.0.13.11"), 16210);
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16210).sourcePortRange(16310, 16319).build();
        CraftedPeer peer = new CraftedPeer(new InetSocketAddress(ip("127.0.13.12"), 16210));
        CraftedPeer stranger = new CraftedPeer(new InetSocketAddress(ip("127.0.13.13"), 16210))) {
      BfdSession s = session(e, "127.0.13.11", "127.0.13.12", false, SLOW);
      peer.receive(); // the engine listens and sends

      peer.ttl(64).send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
      awaitCounter(s, "discardedTtl", BfdCounters::discardedTtl, 1);
      stranger.ttl(64).send(packet(SessionState.Down, PEER_DISCR + 1, 0), engineAddr);
      Poll.until(WAIT, "the stranger's datagram unmatched", () -> e.call(() -> e.driver().unmatchedDiscarded()) == 1);
      assertEquals(1, s.counters().discardedTtl());
      assertEquals(0, s.counters().controlPacketsIn());
      assertEquals(SessionState.Down, s.state());

      peer.ttl(255).send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
      awaitState(s, SessionState.Init);
      Assumptions.assumeTrue(ownSockets(), "own sockets need Linux 5.4");
      awaitOwnSocket(e, s, peer.address);
      peer.ttl(254).send(packet(SessionState.Up, PEER_DISCR, s.localDiscriminator()), engineAddr);
      awaitCounter(s, "discardedTtl", BfdCounters::discardedTtl, 2);
      assertEquals(SessionState.Init, s.state());
      assertEquals(1, s.counters().controlPacketsIn());
    }
  }

  /**
   * RFC 5883: a multihop session sends to and listens on the multihop port, and accepts TTL down to its profile's
   * minimumTtl (254 by default); lowering minimumTtl applies at once to the shared socket and to the session's own.
   */
  @Test
  void multihop_multihopPort_minimumTtlFilteredAndUpdatedLive() throws Exception {
    InetSocketAddress engineAddr = new InetSocketAddress(ip("127.0.13.21"), 16221);
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16220).multihopPort(16221).sourcePortRange(16320, 16329)
            .build();
        CraftedPeer peer = new CraftedPeer(new InetSocketAddress(ip("127.0.13.22"), 16221));
        CraftedPeer peerOtherPort = new CraftedPeer(new InetSocketAddress(ip("127.0.13.22"), 16222))) {
      BfdSession s = session(e, "127.0.13.21", "127.0.13.22", true, SLOW);
      ControlPacket first = peer.receive(SessionState.Down);
      assertEquals(s.localDiscriminator(), first.myDiscriminator());

      peer.ttl(250).send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
      awaitCounter(s, "discardedTtl", BfdCounters::discardedTtl, 1);
      peer.ttl(254).send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
      awaitState(s, SessionState.Init);

      if (ownSockets()) {
        awaitOwnSocket(e, s, peer.address);
        peer.ttl(250).send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
        awaitCounter(s, "discardedTtl", BfdCounters::discardedTtl, 2);
      }
      long ttlDrops = s.counters().discardedTtl();

      s.updateProfile(BfdProfile.builder().receiveIntervalMillis(1000).transmitIntervalMillis(1000).minimumTtl(240)
          .build());
      e.call(() -> null); // the update ran on the loop
      peer.ttl(250).send(packet(SessionState.Up, PEER_DISCR, s.localDiscriminator()), engineAddr);
      awaitState(s, SessionState.Up);
      // another source port of the same peer: the shared socket
      peerOtherPort.ttl(241).send(packet(SessionState.Up, PEER_DISCR, s.localDiscriminator()), engineAddr);
      awaitCounter(s, "controlPacketsIn", BfdCounters::controlPacketsIn, 3);
      peerOtherPort.ttl(239).send(packet(SessionState.Up, PEER_DISCR, s.localDiscriminator()), engineAddr);
      awaitCounter(s, "discardedTtl", BfdCounters::discardedTtl, ttlDrops + 1);
      assertEquals(SessionState.Up, s.state());
    }
  }

  /**
   * RFC 5883 §2 per session: two multihop sessions on one local address, the second added once the receive socket
   * is bound, each with its own minimumTtl; the shared socket applies each peer's own.
   */
  @Test
  void multihopTwoSessionsOneAddress_eachPeersMinimumTtl() throws Exception {
    InetSocketAddress engineAddr = new InetSocketAddress(ip("127.0.13.23"), 16223);
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16224).multihopPort(16223).sourcePortRange(16320, 16329)
            .build();
        CraftedPeer strict = new CraftedPeer(new InetSocketAddress(ip("127.0.13.24"), 16223)).ttl(245);
        CraftedPeer lax = new CraftedPeer(new InetSocketAddress(ip("127.0.13.25"), 16223)).ttl(245)) {
      BfdSession s254 = session(e, "127.0.13.23", "127.0.13.24", true, SLOW);
      strict.receive(); // bound and sending
      BfdSession s240 = session(e, "127.0.13.23", "127.0.13.25", true, BfdProfile.builder()
          .receiveIntervalMillis(1000).transmitIntervalMillis(1000).minimumTtl(240).build());
      lax.receive();

      strict.send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
      awaitCounter(s254, "discardedTtl", BfdCounters::discardedTtl, 1);
      lax.send(packet(SessionState.Down, PEER_DISCR + 1, 0), engineAddr);
      awaitState(s240, SessionState.Init);
      assertEquals(0, s240.counters().discardedTtl());
      assertEquals(SessionState.Down, s254.state());
    }
  }

  /**
   * RFC 5880 §6.8.6: a datagram too short for a control packet, even an empty one, is discarded as malformed and
   * counted on the session of its source address, on the shared socket and on the session's own one.
   */
  @Test
  void emptyAndShortDatagrams_countedMalformed_sharedAndOwnSocket() throws Exception {
    InetSocketAddress engineAddr = new InetSocketAddress(ip("127.0.13.16"), 16215);
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16215).sourcePortRange(16315, 16319).build();
        CraftedPeer peer = new CraftedPeer(new InetSocketAddress(ip("127.0.13.17"), 16215))) {
      BfdSession s = session(e, "127.0.13.16", "127.0.13.17", false, SLOW);
      peer.receive();

      peer.sendBytes(new byte[0], engineAddr);
      awaitCounter(s, "discardedMalformed", BfdCounters::discardedMalformed, 1);
      peer.sendBytes(new byte[23], engineAddr);
      awaitCounter(s, "discardedMalformed", BfdCounters::discardedMalformed, 2);

      peer.send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
      awaitState(s, SessionState.Init);
      Assumptions.assumeTrue(ownSockets(), "own sockets need Linux 5.4");
      awaitOwnSocket(e, s, peer.address);
      peer.sendBytes(new byte[0], engineAddr);
      awaitCounter(s, "discardedMalformed", BfdCounters::discardedMalformed, 3);
      peer.sendBytes(new byte[23], engineAddr);
      awaitCounter(s, "discardedMalformed", BfdCounters::discardedMalformed, 4);
      // and the own socket still reads after them
      peer.send(packet(SessionState.Up, PEER_DISCR, s.localDiscriminator()), engineAddr);
      awaitState(s, SessionState.Up);
      assertEquals(0, s.counters().discardedTtl());
    }
  }

  /**
   * A peer whose port is unreachable for a while (not started yet, restarting): the ICMP errors it causes, which
   * Linux reports on the connected sending socket's next send, do not stop the session's transmission, and the
   * peer hears it again on the same source port once it listens.
   */
  @Test
  void peerPortUnreachableForAWhile_sessionKeepsSending() throws Exception {
    InetSocketAddress peerAddr = new InetSocketAddress(ip("127.0.13.19"), 16218);
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16218).sourcePortRange(16318, 16319).build()) {
      BfdSession s = session(e, "127.0.13.18", "127.0.13.19", false, SLOW);
      int sourcePort;
      try (CraftedPeer peer = new CraftedPeer(peerAddr)) {
        sourcePort = peer.receive().sender().getPort();
      }
      long out = s.counters().controlPacketsOut();
      // the first draws an ICMP port unreachable, the next is refused, the one after must still go
      Poll.until(WAIT, "three more packets sent", () -> s.counters().controlPacketsOut() >= out + 3);
      try (CraftedPeer peer = new CraftedPeer(peerAddr)) {
        CraftedPeer.Datagram again = peer.receive();
        assertEquals(sourcePort, again.sender().getPort());
        assertEquals(SessionState.Down, again.packet().state());
      }
    }
  }

  /** One datagram the tap saw. */
  record Tapped(InetSocketAddress from, InetSocketAddress to, int length) {}

  /**
   * The packet tap sees what the engine sends (from its source port to the peer's port) and what it receives (from
   * the peer's address and port to the listening port), on the shared and on the own socket, but not a datagram
   * the TTL filter cut.
   */
  @Test
  void tap_sentAndReceivedWithAddresses_ttlCutNotShown() throws Exception {
    InetSocketAddress engineAddr = new InetSocketAddress(ip("127.0.13.26"), 16225);
    List<Tapped> tapped = new CopyOnWriteArrayList<>();
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16225).sourcePortRange(16325, 16329)
            .tap((from, to, payload) -> tapped.add(new Tapped(from, to, payload.readableBytes()))).build();
        CraftedPeer peer = new CraftedPeer(new InetSocketAddress(ip("127.0.13.27"), 16225))) {
      BfdSession s = session(e, "127.0.13.26", "127.0.13.27", false, SLOW);
      CraftedPeer.Datagram first = peer.receive();
      assertTrue(tapped.contains(new Tapped(first.sender(), peer.address, 24)), tapped.toString());

      peer.ttl(64).send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
      awaitCounter(s, "discardedTtl", BfdCounters::discardedTtl, 1);
      peer.ttl(255).send(packet(SessionState.Down, PEER_DISCR, 0), engineAddr);
      awaitState(s, SessionState.Init);
      Tapped received = new Tapped(peer.address, engineAddr, 24);
      assertEquals(List.of(received), tapped.stream().filter(t -> t.to().equals(engineAddr)).toList());

      Assumptions.assumeTrue(ownSockets(), "own sockets need Linux 5.4");
      awaitOwnSocket(e, s, peer.address);
      peer.ttl(64).send(packet(SessionState.Up, PEER_DISCR, s.localDiscriminator()), engineAddr);
      awaitCounter(s, "discardedTtl", BfdCounters::discardedTtl, 2);
      peer.ttl(255).send(packet(SessionState.Up, PEER_DISCR, s.localDiscriminator()), engineAddr);
      awaitState(s, SessionState.Up);
      assertEquals(List.of(received, received), tapped.stream().filter(t -> t.to().equals(engineAddr)).toList());
      assertTrue(tapped.stream().filter(t -> !t.to().equals(engineAddr))
          .allMatch(t -> t.from().equals(first.sender()) && t.to().equals(peer.address) && t.length() == 24),
          tapped.toString());
    }
  }
}
