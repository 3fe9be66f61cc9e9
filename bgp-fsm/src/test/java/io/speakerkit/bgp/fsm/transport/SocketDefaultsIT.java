package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.ChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The socket a session gets when nothing is configured, as FRR's bgpd gives it: two sessions over loopback,
 * 127.253.0.97-99, ports 11231-11238.
 */
class SocketDefaultsIT {

  private static final Duration LIMIT = Duration.ofSeconds(15);

  /**
   * Without ebgp-multihop or ttl-security, FRR sends with TTL 1 to an eBGP peer and 255 to an iBGP peer (bgpd.c
   * peer_create: {@code peer->ttl = sort == IBGP ? MAXTTL : BGP_DEFAULT_TTL}; bgp_network.c bgp_set_socket_ttl on the
   * connect()ed and the accept()ed socket): a single-hop eBGP peer more hops away is not reached.
   */
  @Test
  void ebgpTtl1_ibgpTtl255_onDialledAndAcceptedSockets() throws Exception {
    assertEquals(List.of(1, 1), establishAndRead(11231, 64601, 64602, BgpSession.ttlOption(false)));
    assertEquals(List.of(255, 255), establishAndRead(11233, 64601, 64601, BgpSession.ttlOption(false)));
  }

  /** FRR marks BGP traffic CS6 (bm->tcp_dscp = IPTOS_PREC_INTERNETCONTROL) on connect and on the listener. */
  @Test
  void dscpCs6_onDialledAndAcceptedSockets() throws Exception {
    assertEquals(List.of(0xc0, 0xc0), establishAndRead(11235, 64601, 64602, new IntegerUnixChannelOption("TOS", 0, 1)));
  }

  /**
   * FRR's bgp_accept finds the peer by its address only (peer_lookup); update-source is for connect(): a peer that
   * dials another of our addresses than the session's source address is accepted.
   */
  @Test
  void peerDialsAnotherOfOurAddressesThanTheSourceAddress_accepted() throws Exception {
    // listening on .97, our session's source address .99: the peer .98 dials .97 and both come up
    assertEquals(List.of(1, 1), establishAndRead(11237, InetAddress.getByName("127.253.0.99"), 64601, 64602,
        BgpSession.ttlOption(false)));
  }

  /** {@link #establishAndRead(int, InetAddress, long, long, ChannelOption)} with no source address on our side. */
  private static List<Integer> establishAndRead(int port, long asA, long asB, ChannelOption<Integer> option)
      throws Exception {
    return establishAndRead(port, null, asA, asB, option);
  }

  /**
   * Our session listens on 127.253.0.97:{@code port} ({@code ourSource}, if given, the source address of its own
   * connects), the peer 127.253.0.98 dials it; once both are Established, {@code option} on the listening side's
   * (accepted) and the dialling side's socket.
   */
  private static List<Integer> establishAndRead(int port, InetAddress ourSource, long asA, long asB,
      ChannelOption<Integer> option) throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.97");
    InetAddress b = InetAddress.getByName("127.253.0.98");
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, port)).build().start();
        BgpTransport tb = BgpTransport.builder().build()) {
      BgpSession.Builder ours = BgpSession.builder().transport(ta).peer(b).peerPort(port + 1)
          .config(FsmConfig.builder().localAs(asA).peerAs(asB).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .connectMode(ConnectMode.LISTEN_ONLY).build());
      if (ourSource != null) {
        ours.localAddress(ourSource);
      }
      BgpSession sa = ours.build();
      BgpSession sb = BgpSession.builder().transport(tb).peer(a).peerPort(port).localAddress(b)
          .connectTimeout(Duration.ofSeconds(2))
          .config(FsmConfig.builder().localAs(asB).peerAs(asA).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"))
              .backoff(Duration.ofMillis(200), Duration.ofSeconds(1)).build())
          .build();
      sa.start();
      sb.start();
      Poll.until(LIMIT, "both Established",
          () -> sa.state() == BgpState.Established && sb.state() == BgpState.Established,
          () -> sa.state() + " / " + sb.state());
      return List.of(read(sa, option), read(sb, option));
    }
  }

  private static int read(BgpSession s, ChannelOption<Integer> option) throws Exception {
    CompletableFuture<Integer> out = new CompletableFuture<>();
    s.execute(() -> out.complete(s.primarySocketOption(option)));
    return out.get();
  }
}
