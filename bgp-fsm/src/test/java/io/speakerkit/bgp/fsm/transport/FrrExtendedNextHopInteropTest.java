package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.time.Duration;
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
      try (ExtendedNextHopSession ours = ExtendedNextHopSession.establish("fd00:253:14::1", "fd00:253:14::2",
          65301, 65302, OURS, () -> frr.log("bgpd"))) {
        Poll.until(LIMIT, "our IPv4 route in FRR, valid", () -> frr.json("show bgp ipv4 unicast " + OURS + " json")
            .contains("\"valid\":true"), () -> frr.json("show bgp ipv4 unicast " + OURS + " json"));
        String route = frr.json("show bgp ipv4 unicast " + OURS + " json");
        assertTrue(route.contains("\"ip\":\"fd00:253:14::1\"") && route.contains("\"afi\":\"ipv6\""), route);
        ours.awaitIpv6NextHop(FRRS.toString(), "fd00:253:14::2");
        ours.session().withdraw(OURS);
        Poll.until(LIMIT, "withdrawn in FRR", () -> !frr.json("show bgp ipv4 unicast json").contains(OURS.toString()),
            () -> frr.json("show bgp ipv4 unicast json"));
      }
    }
  }
}
