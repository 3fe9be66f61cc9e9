package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
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
      String sock = startBird(ns, """
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
            () -> s.lastChange() + Commands.run("birdc", "-s", sock, "show protocols all speakerkit").stdout());
        Poll.until(LIMIT, "our route in BIRD",
            () -> route(sock).contains("198.51.100.51/32"), () -> route(sock));
        String r = route(sock);
        assertTrue(r.contains("BGP.as_path: 4200000001"), r);
        assertTrue(r.contains("BGP.next_hop: 10.253.8.1"), r);
        assertTrue(r.contains("BGP.community: (65001,100)"), r);
        assertTrue(r.contains("BGP.large_community: (4200000001, 1, 2)"), r);
        Poll.until(LIMIT, "BIRD's route here", () -> received.contains("203.0.113.128/25"), received::toString);
        s.withdraw(IpPrefix.parse("198.51.100.51/32"));
        Poll.until(LIMIT, "withdrawn from BIRD", () -> !route(sock).contains("198.51.100.51/32"), () -> route(sock));
        s.stop("bye");
        Poll.until(LIMIT, "BIRD sees the shutdown",
            () -> Commands.run("birdc", "-s", sock, "show protocols all speakerkit").stdout().contains("bye"),
            () -> Commands.run("birdc", "-s", sock, "show protocols all speakerkit").stdout());
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
      String sock = startBird(ns, """
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
          () -> Commands.run("birdc", "-s", sock, "show protocols all speakerkit").stdout())) {
        String show = "show route all 198.51.100.60/32";
        Poll.until(LIMIT, "our route in BIRD", () -> Commands.run("birdc", "-s", sock, show).stdout()
            .contains("BGP.next_hop: fd00:253:15::1"), () -> Commands.run("birdc", "-s", sock, show).stdout());
        ours.awaitIpv6NextHop("203.0.113.0/24", "fd00:253:15::2");
      }
    }
  }

  /** Starts BIRD in {@code ns} with {@code config}; returns its control socket once it answers. */
  private static String startBird(Netns ns, String config) throws java.io.IOException {
    Commands.require("bird", "birdc");
    File dir = ns.dir();
    String sock = dir + "/bird.ctl";
    Files.writeString(new File(dir, "bird.conf").toPath(), config);
    ns.start(new File(dir, "bird.log"), "bird", "-f", "-c", dir + "/bird.conf", "-s", sock, "-P", dir + "/bird.pid");
    Poll.until(LIMIT, "bird control socket", () -> Commands.run("birdc", "-s", sock, "show status").exitCode() == 0,
        () -> Commands.run("birdc", "-s", sock, "show status").toString());
    return sock;
  }

  private static String route(String sock) {
    return Commands.run("birdc", "-s", sock, "show route all 198.51.100.51/32").stdout();
  }
}
