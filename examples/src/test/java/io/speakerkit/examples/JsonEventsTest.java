package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.speaker.SpeakerEvent;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonEventsTest {

  /** A peer's End-of-RIB: the peer and the family, as the README's event table lists them. */
  @Test
  void endOfRib_peerAndFamily() {
    String line = JsonEvents.toJson(new SpeakerEvent.EndOfRibReceived(Instant.EPOCH, "10.0.0.1",
        io.speakerkit.bgp.wire.AddressFamily.IPV6_UNICAST));
    assertTrue(line.contains("\"kind\":\"end-of-rib\",\"peer\":\"10.0.0.1\",\"family\":\"IPv6/unicast\""), line);
  }

  /** Lines stay ASCII whatever the console's charset (System.out is ASCII under LANG=C): é as \u00e9. */
  @Test
  void nonAsciiName_escaped() {
    String line = JsonEvents.toJson(new SpeakerEvent.Released(Instant.EPOCH, "default/caf\u00e9", List.of()));
    assertTrue(line.contains("\"default/caf\\u00e9\""), line);
    assertTrue(line.chars().allMatch(c -> c < 0x80), line);
  }

  /**
   * An IPv6 route's next hop is MP_REACH_NLRI's, never a NEXT_HOP attribute in the same UPDATE (RFC 4760 §3: with no
   * IPv4 NLRI the receiver ignores NEXT_HOP; with IPv4 NLRI too, NEXT_HOP is theirs). toPathAttributes() keeps both.
   */
  @Test
  void routeReceived_ipv6PrefixWithNextHopAttribute_reportsMpReachNextHop() throws Exception {
    PathAttributes a = PathAttributes.builder().origin(Origin.IGP).asPath(65001)
        .nextHop(InetAddress.getByName("192.0.2.1"))
        .ipv6NextHop(InetAddress.getByName("2001:db8::1").getAddress()).build();
    String line = JsonEvents.toJson(new SpeakerEvent.RouteReceived(Instant.EPOCH, "2001:db8::1",
        IpPrefix.parse("2001:db8:100::/48"), a));
    assertTrue(line.contains("\"nextHop\":\"2001:db8::1\""), line);
  }

  /** A 32-octet next hop (RFC 2545 §3) reports both addresses; BIRD's link-local-only sessions send :: first. */
  @Test
  void routeReceived_globalAndLinkLocalNextHop_reportsBoth() throws Exception {
    PathAttributes a = PathAttributes.builder().origin(Origin.IGP).asPath(65001)
        .ipv6NextHop((java.net.Inet6Address) InetAddress.getByName("::"),
            (java.net.Inet6Address) InetAddress.getByName("fe80::1")).build();
    String line = JsonEvents.toJson(new SpeakerEvent.RouteReceived(Instant.EPOCH, "fe80::1",
        IpPrefix.parse("2001:db8:100::/48"), a));
    assertTrue(line.contains("\"nextHop\":\"::\",\"nextHopLinkLocal\":\"fe80::1\""), line);
  }

  /** IPv6 addresses in RFC 5952 form, as FRR and GoBGP print them and as our prefixes are: not 2001:db8:0:0:0:0:0:1. */
  @Test
  void ipv6Addresses_shortForm() throws Exception {
    String line = JsonEvents.toJson(new SpeakerEvent.Released(Instant.EPOCH, "default/web",
        List.of(InetAddress.getByName("2001:db8:0:0:0:0:0:a"), InetAddress.getByName("192.0.2.1"))));
    assertTrue(line.contains("[\"2001:db8::a\",\"192.0.2.1\"]"), line);
  }
}
