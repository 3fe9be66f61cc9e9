package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.GobgpRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Against GoBGP in a namespace: eBGP with a 4-octet AS both ways, our route with communities and large communities
 * in GoBGP's RIB (its JSON), iBGP with LOCAL_PREF, IPv6 with our next hop, GoBGP's route in our listener,
 * withdrawal, Cease on stop, and a peer with no family in common refused.
 */
class GobgpInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  @Test
  void ebgp_routesBothWays_withdrawal_stop() throws Exception {
    try (Netns ns = Netns.create("skfsmgo", "10.253.2.1/30", "10.253.2.2/30")) {
      ns.addAddresses("10.253.2.5/30", "10.253.2.6/30");
      ns.addAddresses("fd00:253::11/64", "fd00:253::12/64");
      GobgpRouter.start(ns, """
          [global.config]
            as = 4200000002
            router-id = "10.253.2.2"
            port = 179
          [[neighbors]]
            [neighbors.config]
              neighbor-address = "10.253.2.1"
              peer-as = 4200000001
            [neighbors.timers.config]
              hold-time = 9
              keepalive-interval = 3
              connect-retry = 2
            [[neighbors.afi-safis]]
              [neighbors.afi-safis.config]
                afi-safi-name = "ipv4-unicast"
          [[neighbors]]
            [neighbors.config]
              neighbor-address = "10.253.2.5"
              peer-as = 4200000002
            [neighbors.transport.config]
              local-address = "10.253.2.6"
            [[neighbors.afi-safis]]
              [neighbors.afi-safis.config]
                afi-safi-name = "ipv4-unicast"
          [[neighbors]]
            [neighbors.config]
              neighbor-address = "fd00:253::11"
              peer-as = 4200000001
            [[neighbors.afi-safis]]
              [neighbors.afi-safis.config]
                afi-safi-name = "ipv6-unicast"
          """);
      Set<String> received = ConcurrentHashMap.newKeySet();
      try (BgpTransport t = BgpTransport.builder()
          .listen(new InetSocketAddress(InetAddress.getByName("10.253.2.1"), 179)).build().start()) {
        BgpSession s = BgpSession.builder().transport(t).peer(InetAddress.getByName("10.253.2.2"))
            .localAddress(InetAddress.getByName("10.253.2.1"))
            .config(FsmConfig.builder().localAs(4_200_000_001L).peerAs(4_200_000_002L)
                .bgpIdentifier(BgpIdentifier.parse("10.253.2.1"))
                .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
            .routeListener((session, update) -> {
              update.announced().forEach(p -> received.add(p.toString()));
              update.withdrawnAll().forEach(p -> received.remove(p.toString()));
            })
            .build();
        s.start();
        Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established,
            () -> s.lastChange() + "\n" + ns.inside("gobgp", "neighbor").stdout());
        s.announce(IpPrefix.parse("198.51.100.21/32"), PathAttributes.builder()
            .communities(new Community(65001 << 16 | 200))
            .largeCommunities(new LargeCommunity(4_200_000_001L, 7, 8)).build());
        Poll.until(LIMIT, "route in GoBGP",
            () -> rib(ns).contains("198.51.100.21/32"), () -> rib(ns));
        String rib = rib(ns);
        assertTrue(rib.contains("4200000001"), rib);
        assertTrue(rib.contains("\"nexthop\":\"10.253.2.1\""), rib);
        assertTrue(rib.contains("\"communities\":[" + Integer.toUnsignedLong(65001 << 16 | 200) + "]"), rib);
        assertTrue(rib.contains("{\"ASN\":4200000001,\"LocalData1\":7,\"LocalData2\":8}"), rib);
        ns.inside("gobgp", "global", "rib", "add", "203.0.113.0/24", "-a", "ipv4").check();
        Poll.until(LIMIT, "GoBGP route here", () -> received.contains("203.0.113.0/24"), received::toString);
        // iBGP: LOCAL_PREF arrives
        BgpSession ibgp = BgpSession.builder().transport(t).peer(InetAddress.getByName("10.253.2.6"))
            .localAddress(InetAddress.getByName("10.253.2.5"))
            .config(FsmConfig.builder().localAs(4_200_000_002L).peerAs(4_200_000_002L)
                .bgpIdentifier(BgpIdentifier.parse("10.253.2.5"))
                .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
            .build();
        ibgp.announce(IpPrefix.parse("198.51.100.22/32"), PathAttributes.builder().localPref(300).build());
        ibgp.start();
        Poll.until(LIMIT, "iBGP route in GoBGP", () -> rib(ns).contains("198.51.100.22/32"),
            () -> rib(ns) + ibgp.lastChange());
        String ib = rib(ns);
        assertTrue(ib.contains("{\"type\":5,\"value\":300}"), ib);
        // IPv6 with our IPv6 next hop
        BgpSession v6 = BgpSession.builder().transport(t).peer(InetAddress.getByName("fd00:253::12"))
            .localAddress(InetAddress.getByName("fd00:253::11"))
            .config(FsmConfig.builder().localAs(4_200_000_001L).peerAs(4_200_000_002L)
                .bgpIdentifier(BgpIdentifier.parse("10.253.2.1"))
                .families(java.util.Set.of(io.speakerkit.bgp.wire.AddressFamily.IPV6_UNICAST))
                .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
            .build();
        v6.announce(IpPrefix.parse("2001:db8:253:1::/64"), PathAttributes.builder().build());
        v6.start();
        Poll.until(LIMIT, "IPv6 route in GoBGP", () -> rib6(ns).contains("2001:db8:253:1::/64"),
            () -> rib6(ns) + v6.lastChange());
        assertTrue(rib6(ns).contains("fd00:253::11"), rib6(ns));
        s.withdraw(IpPrefix.parse("198.51.100.21/32"));
        Poll.until(LIMIT, "withdrawn in GoBGP", () -> !rib(ns).contains("198.51.100.21/32"), () -> rib(ns));
        s.stop("bye");
        ibgp.stop("bye");
        v6.stop("bye");
        Poll.until(LIMIT, "GoBGP neighbor down",
            () -> !ns.inside("gobgp", "neighbor").stdout().contains("Establ"),
            () -> ns.inside("gobgp", "neighbor").stdout());
      }
    }
  }

  /**
   * IPv4 routes over an IPv6-only link with GoBGP, which offers extended next hop encoding (RFC 8950) for IPv4
   * unicast on an IPv6 neighbor: our route in GoBGP's IPv4 RIB with our IPv6 next hop, GoBGP's here with its own.
   */
  @Test
  void ipv4OverIpv6_extendedNextHop() throws Exception {
    try (Netns ns = Netns.create("skfsmgoenh", "fd00:253:16::1/64", "fd00:253:16::2/64")) {
      GobgpRouter.start(ns, """
          [global.config]
            as = 65502
            router-id = "10.253.16.2"
            port = 179
          [[neighbors]]
            [neighbors.config]
              neighbor-address = "fd00:253:16::1"
              peer-as = 65501
            [neighbors.timers.config]
              connect-retry = 2
            [[neighbors.afi-safis]]
              [neighbors.afi-safis.config]
                afi-safi-name = "ipv4-unicast"
            [[neighbors.afi-safis]]
              [neighbors.afi-safis.config]
                afi-safi-name = "ipv6-unicast"
          """);
      try (ExtendedNextHopSession ours = ExtendedNextHopSession.establish("fd00:253:16::1", "fd00:253:16::2",
          65501, 65502, IpPrefix.parse("198.51.100.70/32"), () -> ns.inside("gobgp", "neighbor").stdout())) {
        Poll.until(LIMIT, "our IPv4 route in GoBGP", () -> rib(ns).contains("198.51.100.70/32"), () -> rib(ns));
        assertTrue(rib(ns).contains("\"nexthop\":\"fd00:253:16::1\""), rib(ns));
        ns.inside("gobgp", "global", "rib", "add", "203.0.113.0/24", "-a", "ipv4", "nexthop", "fd00:253:16::2")
            .check();
        ours.awaitIpv6NextHop("203.0.113.0/24", "fd00:253:16::2");
      }
    }
  }

  /**
   * GoBGP configured for IPv6 unicast only, we for IPv4 unicast only: GoBGP would bring up a session that can carry
   * nothing; we refuse it with OPEN Message Error / Unsupported Capability, as FRR does, and GoBGP counts it.
   */
  @Test
  void noFamilyInCommon_refusedWithUnsupportedCapability() throws Exception {
    try (Netns ns = Netns.create("skfsmgonof", "10.253.17.1/30", "10.253.17.2/30")) {
      GobgpRouter.start(ns, """
          [global.config]
            as = 65502
            router-id = "10.253.17.2"
            port = 179
          [[neighbors]]
            [neighbors.config]
              neighbor-address = "10.253.17.1"
              peer-as = 65501
            [neighbors.timers.config]
              connect-retry = 2
            [[neighbors.afi-safis]]
              [neighbors.afi-safis.config]
                afi-safi-name = "ipv6-unicast"
          """);
      try (BgpTransport t = BgpTransport.builder()
          .listen(new InetSocketAddress(InetAddress.getByName("10.253.17.1"), 179)).build().start()) {
        java.util.List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        BgpSession s = BgpSession.builder().transport(t).peer(InetAddress.getByName("10.253.17.2"))
            .localAddress(InetAddress.getByName("10.253.17.1"))
            .config(FsmConfig.builder().localAs(65501).peerAs(65502).bgpIdentifier(BgpIdentifier.parse("10.253.17.1"))
                .families(Set.of(io.speakerkit.bgp.wire.AddressFamily.IPV4_UNICAST))
                .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
            .build();
        s.addListener(change -> changes.add(change.from() + " -> " + change.to() + ": " + change.cause()));
        s.start();
        Poll.until(LIMIT, "our Unsupported Capability NOTIFICATION", () -> changes.stream()
            .anyMatch(c -> c.contains("sent OPEN Message Error / Unsupported Capability")), changes::toString);
        assertTrue(changes.stream().noneMatch(c -> c.contains("-> Established")), changes.toString());
        String neighbor = ns.inside("gobgp", "neighbor", "10.253.17.1", "-j").stdout().replaceAll("\\s+", "");
        assertTrue(neighbor.matches(".*\"received\":\\{[^}]*\"notification\":[1-9].*"), neighbor);
        s.stop("bye");
      }
    }
  }

  private static String rib6(Netns ns) {
    return ns.inside("gobgp", "global", "rib", "-j", "-a", "ipv6").stdout().replaceAll("\\s+", "");
  }

  private static String rib(Netns ns) {
    return ns.inside("gobgp", "global", "rib", "-j", "-a", "ipv4").stdout().replaceAll("\\s+", "");
  }
}
