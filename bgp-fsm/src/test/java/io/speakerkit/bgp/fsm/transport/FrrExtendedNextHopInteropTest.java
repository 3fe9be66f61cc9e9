package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * IPv4 routes over an IPv6-only link with FRR, both sides advertising extended next hop encoding (RFC 8950, FRR's
 * {@code capability extended-nexthop}): our IPv4 route reaches FRR with our IPv6 address as next hop, FRR's
 * reaches us with its own, and neither side has an IPv4 address on the link.
 */
class FrrExtendedNextHopInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final IpPrefix OURS = IpPrefix.parse("198.51.100.50/32");
  private static final IpPrefix FRRS = IpPrefix.parse("203.0.113.0/24");

  @Test
  void ipv4RoutesWithIpv6NextHops_bothWays() throws Exception {
    try (Netns ns = Netns.create("skfsmenh", "fd00:253:14::1/64", "fd00:253:14::2/64")) {
      FrrRouter frr = FrrRouter.start(ns, """
          frr defaults traditional
          router bgp 65302
           bgp router-id 10.253.14.2
           no bgp ebgp-requires-policy
           no bgp network import-check
           neighbor fd00:253:14::1 remote-as 65301
           neighbor fd00:253:14::1 timers connect 2
           neighbor fd00:253:14::1 capability extended-nexthop
           address-family ipv4 unicast
            network 203.0.113.0/24
            neighbor fd00:253:14::1 activate
           exit-address-family
           address-family ipv6 unicast
            neighbor fd00:253:14::1 activate
           exit-address-family
          """, null);
      Map<IpPrefix, PathAttributes> received = new ConcurrentHashMap<>();
      try (BgpTransport t = BgpTransport.builder().build()) {
        BgpSession s = BgpSession.builder().transport(t).peer(InetAddress.getByName("fd00:253:14::2"))
            .localAddress(InetAddress.getByName("fd00:253:14::1"))
            .config(FsmConfig.builder().localAs(65301).peerAs(65302)
                .bgpIdentifier(BgpIdentifier.parse("10.253.14.1"))
                .families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
                .extendedNextHop(true)
                .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
            .routeListener((session, u) -> record(session, u, received))
            .build();
        s.announce(OURS, PathAttributes.builder().build()); // next hop: ours, the only address we have is IPv6
        s.start();
        Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established,
            () -> s.lastChange() + "\n" + frr.log("bgpd"));
        NegotiatedSession n = s.negotiated().orElseThrow();
        assertEquals(Set.of(AddressFamily.IPV4_UNICAST), n.extendedNextHop());

        Poll.until(LIMIT, "our IPv4 route in FRR, valid", () -> frr.json("show bgp ipv4 unicast " + OURS + " json")
            .contains("\"valid\":true"), () -> frr.json("show bgp ipv4 unicast " + OURS + " json"));
        String ours = frr.json("show bgp ipv4 unicast " + OURS + " json");
        assertTrue(ours.contains("\"ip\":\"fd00:253:14::1\"") && ours.contains("\"afi\":\"ipv6\""), ours);

        Poll.until(LIMIT, "FRR's IPv4 route here", () -> received.containsKey(FRRS), received::toString);
        PathAttributes theirs = received.get(FRRS);
        assertTrue(theirs.hasIpv6NextHop() && !theirs.hasIpv4NextHop(), theirs.toString());
        assertEquals(InetAddress.getByName("fd00:253:14::2"),
            InetAddress.getByAddress(java.util.Arrays.copyOf(theirs.ipv6NextHop(), 16)), theirs.toString());

        s.withdraw(OURS);
        Poll.until(LIMIT, "withdrawn in FRR", () -> !frr.json("show bgp ipv4 unicast json").contains(OURS.toString()),
            () -> frr.json("show bgp ipv4 unicast json"));
        s.stop("bye");
      }
    }
  }

  private static void record(BgpSession session, UpdateMessage u, Map<IpPrefix, PathAttributes> received) {
    Set<AddressFamily> families = session.negotiated().map(NegotiatedSession::families).orElseThrow();
    RouteKey.withdrawn(u, families).forEach(k -> received.remove(k.prefix()));
    if (!u.errorAction().withdrawsRoutes()) {
      PathAttributes a = u.attributes().toPathAttributes();
      RouteKey.announced(u, families).forEach(k -> received.put(k.prefix(), a));
    }
  }
}
