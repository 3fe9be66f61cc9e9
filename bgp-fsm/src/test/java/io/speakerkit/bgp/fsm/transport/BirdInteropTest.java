package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.BirdRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Against BIRD 2 in a namespace: our route with communities in BIRD's table, BIRD's route here, withdrawal; and IPv4
 * routes with IPv6 next hops (RFC 8950) on an IPv6-only link.
 */
class BirdInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  @Test
  void ebgp_routesBothWays() throws Exception {
    try (Netns ns = Netns.create("skfsmbird", "10.253.8.1/30", "10.253.8.2/30")) {
      BirdRouter bird = BirdRouter.start(ns, """
          router id 10.253.8.2;
          protocol device {}
          protocol static s4 {
            ipv4;
            route 203.0.113.128/25 blackhole;
          }
          protocol bgp speakerkit {
            local 10.253.8.2 as 4200000008;
            neighbor 10.253.8.1 as 4200000001;
            hold time 9;
            connect retry time 2;
            ipv4 { import all; export where source = RTS_STATIC; };
          }
          """);
      Set<String> received = ConcurrentHashMap.newKeySet();
      try (BgpTransport t = BgpTransport.builder().build()) {
        BgpSession s = BgpSession.builder().transport(t).peer(InetAddress.getByName("10.253.8.2"))
            .localAddress(InetAddress.getByName("10.253.8.1"))
            .config(FsmConfig.builder().localAs(4_200_000_001L).peerAs(4_200_000_008L)
                .bgpIdentifier(BgpIdentifier.parse("10.253.8.1"))
                .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
            .routeListener((session, update) -> update.announced().forEach(p -> received.add(p.toString())))
            .build();
        s.announce(IpPrefix.parse("198.51.100.51/32"), PathAttributes.builder()
            .communities(new Community(65001 << 16 | 100))
            .largeCommunities(new LargeCommunity(4_200_000_001L, 1, 2)).build());
        s.start();
        Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established,
            () -> s.lastChange() + bird.show("protocols all speakerkit"));
        Poll.until(LIMIT, "our route in BIRD",
            () -> route(bird).contains("198.51.100.51/32"), () -> route(bird));
        String r = route(bird);
        assertTrue(r.contains("BGP.as_path: 4200000001"), r);
        assertTrue(r.contains("BGP.next_hop: 10.253.8.1"), r);
        assertTrue(r.contains("BGP.community: (65001,100)"), r);
        assertTrue(r.contains("BGP.large_community: (4200000001, 1, 2)"), r);
        Poll.until(LIMIT, "BIRD's route here", () -> received.contains("203.0.113.128/25"), received::toString);
        s.withdraw(IpPrefix.parse("198.51.100.51/32"));
        Poll.until(LIMIT, "withdrawn from BIRD", () -> !route(bird).contains("198.51.100.51/32"), () -> route(bird));
        s.stop("bye");
        Poll.until(LIMIT, "BIRD sees the shutdown",
            () -> bird.show("protocols all speakerkit").contains("bye"),
            () -> bird.show("protocols all speakerkit"));
      }
    }
  }

  /**
   * IPv4 routes over an IPv6-only link with extended next hop on both sides (RFC 8950; BIRD's {@code extended next
   * hop on}): our route in BIRD's IPv4 table with our IPv6 address as next hop, BIRD's here with its own.
   */
  @Test
  void ipv4OverIpv6_extendedNextHop() throws Exception {
    try (Netns ns = Netns.create("skfsmbenh", "fd00:253:15::1/64", "fd00:253:15::2/64")) {
      BirdRouter bird = BirdRouter.start(ns, """
          router id 10.253.15.2;
          protocol device {}
          protocol static s4 {
            ipv4;
            route 203.0.113.0/24 blackhole;
          }
          protocol bgp speakerkit {
            local fd00:253:15::2 as 65402;
            neighbor fd00:253:15::1 as 65401;
            hold time 9;
            connect retry time 2;
            ipv4 { import all; export where source = RTS_STATIC; extended next hop on; };
          }
          """);
      try (ExtendedNextHopSession ours = ExtendedNextHopSession.establish("fd00:253:15::1", "fd00:253:15::2",
          65401, 65402, IpPrefix.parse("198.51.100.60/32"),
          () -> bird.show("protocols all speakerkit"))) {
        String show = "route all 198.51.100.60/32";
        Poll.until(LIMIT, "our route in BIRD", () -> bird.show(show).contains("BGP.next_hop: fd00:253:15::1"),
            () -> bird.show(show));
        ours.awaitIpv6NextHop("203.0.113.0/24", "fd00:253:15::2");
      }
    }
  }

  private static String route(BirdRouter bird) {
    return bird.show("route all 198.51.100.51/32");
  }
}
