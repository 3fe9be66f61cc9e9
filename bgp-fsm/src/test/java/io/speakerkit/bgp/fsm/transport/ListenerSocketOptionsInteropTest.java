package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.speakerkit.bgp.fsm.BgpAction;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The passive side's socket options on loopback (127.0.0.50 listens, 127.0.0.51 dials): what the kernel does with a
 * SYN before any session sees the connection, so it has to be set on the listener.
 */
class ListenerSocketOptionsInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(15);

  /** RFC 5082 §3: the SYN-ACK leaves the listener with TTL 255, or a GTSM peer that dials us drops it. */
  @Test
  void gtsm_peerDialsUs_established() throws Exception {
    passiveEstablishes(new InetSocketAddress(InetAddress.getByName("127.0.0.50"), 12005), 12005, b -> b.gtsm(1));
  }

  /** RFC 2385 on the dual-stack IPv6 wildcard listener: an IPv4 peer's key is on it too. */
  @Test
  void md5_dualStackListener_ipv4Peer_established() throws Exception {
    passiveEstablishes(new InetSocketAddress(InetAddress.getByName("::"), 12004), 12004,
        b -> b.md5Password("s3cret"));
  }

  /** The same key makes the kernel drop the peer's SYNs without MD5: the session stays down. */
  @Test
  void md5_dualStackListener_unsignedConnectionFromThePeer_dropped() throws Exception {
    InetAddress a = InetAddress.getByName("127.0.0.50");
    InetAddress b = InetAddress.getByName("127.0.0.51");
    List<BgpAction.StateChanged> dialler = new CopyOnWriteArrayList<>();
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(InetAddress.getByName("::"), 12006))
            .build().start();
        BgpTransport tb = BgpTransport.builder().build()) {
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(12056).md5Password("s3cret")
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .connectMode(ConnectMode.LISTEN_ONLY).build())
          .build();
      BgpSession sb = BgpSession.builder().transport(tb).peer(a).peerPort(12006).localAddress(b) // no MD5
          .connectTimeout(Duration.ofSeconds(1))
          .config(FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"))
              .build())
          .build();
      sb.addListener(dialler::add);
      sa.start();
      sb.start();
      Poll.until(LIMIT, "the unsigned connection attempt failed",
          () -> dialler.stream().anyMatch(c -> c.from() == BgpState.Connect && c.to() != BgpState.OpenSent),
          dialler::toString);
      assertNotEquals(BgpState.Established, sa.state());
      assertNotEquals(BgpState.OpenSent, sb.state());
    }
  }

  /** A listen address already taken: start() fails, and the listener bound before it and the event loops are freed. */
  @Test
  void start_secondAddressTaken_firstListenerAndEventLoopsReleased() throws Exception {
    InetSocketAddress first = new InetSocketAddress(InetAddress.getByName("127.0.0.50"), 12007);
    InetSocketAddress taken = new InetSocketAddress(InetAddress.getByName("127.0.0.50"), 12008);
    try (java.net.ServerSocket occupant = new java.net.ServerSocket()) {
      occupant.bind(taken);
      BgpTransport t = BgpTransport.builder().listen(first).listen(taken).build();
      org.junit.jupiter.api.Assertions.assertThrows(Exception.class, t::start);
      org.junit.jupiter.api.Assertions.assertTrue(t.group().isShutdown(), "the transport's own event loops");
      try (java.net.ServerSocket again = new java.net.ServerSocket()) {
        again.bind(first); // free again
      }
    }
  }

  /** A listens (LISTEN_ONLY) on {@code listen}; B (127.0.0.51) dials 127.0.0.50:{@code port}; both get {@code opt}. */
  private static void passiveEstablishes(InetSocketAddress listen, int port, UnaryOperator<BgpSession.Builder> opt)
      throws Exception {
    InetAddress a = InetAddress.getByName("127.0.0.50");
    InetAddress b = InetAddress.getByName("127.0.0.51");
    try (BgpTransport ta = BgpTransport.builder().listen(listen).build().start();
        BgpTransport tb = BgpTransport.builder().build()) {
      BgpSession sa = opt.apply(BgpSession.builder().transport(ta).peer(b).peerPort(port + 50))
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .connectMode(ConnectMode.LISTEN_ONLY).build())
          .build();
      BgpSession sb = opt.apply(BgpSession.builder().transport(tb).peer(a).peerPort(port).localAddress(b))
          .connectTimeout(Duration.ofSeconds(2))
          .config(FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"))
              .backoff(Duration.ofMillis(200), Duration.ofSeconds(1)).build())
          .build();
      sa.start();
      sb.start();
      Poll.until(LIMIT, "both Established",
          () -> sa.state() == BgpState.Established && sb.state() == BgpState.Established,
          () -> sa.state() + " / " + sb.state());
    }
  }
}
