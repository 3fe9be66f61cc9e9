package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.testing.BirdRouter;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The speaker against BIRD 2 as the router, checked in BIRD's own output ({@code birdc show route all}, {@code show
 * bfd sessions}, {@code show protocols all}): the MetalLB BGP lab over iBGP with BFD (the route's ORIGIN, MED,
 * LOCAL_PREF, community and next hop; BIRD's BFD session Up; the node's packets dropped on arrival taking BIRD's BGP
 * down through BFD before the hold time, and ours after it); and an IPv6 service over an eBGP IPv6 session, whose next hop carries our global and
 * link-local addresses.
 */
class BirdLabInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final Duration HOLD = Duration.ofSeconds(5);
  private static final String SERVICE = "onp-metallb/echoserver";

  @Test
  void bfdLab_routeInBird_bfdUp_nodeCutOff_birdDownThroughBfdBeforeHoldTime_releaseWithdraws() throws Exception {
    try (Netns ns = Netns.create("skspkbird", "10.250.22.1/30", "10.250.22.2/30")) {
      BirdRouter bird = BirdRouter.start(ns, """
          router id 10.250.22.2;
          log stderr all;
          protocol device {}
          protocol bfd {
            interface "*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
          }
          protocol bgp metallb {
            local 10.250.22.2 as 64512;
            neighbor 10.250.22.1 as 64512;
            hold time 5;
            connect retry time 1;
            error wait time 1, 5;
            direct;
            bfd on;
            ipv4 { import all; export none; };
          }
          """);
      SpeakerConfig config = SpeakerConfig.builder()
          .pool(IpAddressPool.builder().name("onp-bgp-pool").addresses("10.0.22.10-10.0.22.20").build())
          .peer(PeerConfig.builder().name("bird").myAsn(64512).peerAsn(64512)
              .peerAddress(InetAddress.getByName(ns.nsAddress())).holdTime(HOLD).bfdProfile("fast").build())
          .bfdProfile("fast", BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100)
              .detectMultiplier(3).build())
          .advertisement(AdvertisementConfig.builder("onp-bgp-advertisement").ipAddressPools("onp-bgp-pool")
              .peers("bird").communities("65535:65282").localPref(100).build())
          .build();
      try (Speaker speaker = Speaker.builder().config(config).build()) {
        speaker.start();
        awaitEstablished(bird, speaker);
        Poll.until(LIMIT, "BIRD's BFD session Up and ours Up",
            () -> "Up".equals(bfdState(bird, ns.hostAddress()))
                && speaker.status().get(0).bfdState().equals(Optional.of("Up")),
            () -> bird.show("bfd sessions") + "\n" + speaker.status());

        speaker.announce(ServiceRequest.builder(SERVICE).build());
        String route = awaitRoute(bird, "10.0.22.10/32");
        assertTrue(route.contains("BGP.origin: IGP"), route);
        assertTrue(route.contains("BGP.next_hop: 10.250.22.1"), route);
        assertTrue(route.contains("BGP.med: 0"), route);
        assertTrue(route.contains("BGP.local_pref: 100"), route);
        assertTrue(route.contains("BGP.community: (65535,65282)"), route);

        // Everything the node sends is dropped on arrival (a policy rule in BIRD's namespace, ahead of the local
        // table; a blackhole route for BIRD's replies would not do, as BIRD's BFD sends past the routing table). The
        // link stays up, so BIRD's direct session sees no "Link down"; BIRD's BFD misses our packets and must take
        // BGP down, well before the 5 s hold time, and ours follows.
        EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(10_000);
        ns.inside("ip", "rule", "add", "pref", "32765", "table", "local").check();
        ns.inside("ip", "rule", "del", "pref", "0").check();
        long cut = System.nanoTime();
        ns.inside("ip", "rule", "add", "pref", "100", "from", ns.hostAddress(), "blackhole").check();
        Poll.until(HOLD, "BIRD's session leaving Established", () -> !birdEstablished(bird),
            () -> bird.show("protocols all metallb"));
        long birdDown = System.nanoTime() - cut;
        String protocol = bird.show("protocols all metallb");
        List<SpeakerEvent> seen = new ArrayList<>();
        assertTrue(protocol.contains("BFD session down"), () -> protocol + bird.log() + drained(events, seen));
        Poll.until(HOLD, "our session leaving Established", () -> drained(events, seen).contains("from=Established"),
            () -> drained(events, seen));
        long oursDown = System.nanoTime() - cut;
        // Whichever reaches us first ends ours: BIRD's BFD Down (we send Cease / BFD Down) or BIRD's NOTIFICATION
        // (BIRD 2.0 sends Cease / Unspecific on its BFD going down).
        assertTrue(drained(events, seen).contains("to=Down, diagnostic=Neighbor Signaled Session Down"),
            () -> drained(events, seen));
        System.out.printf("node cut off: BIRD's session down after %d ms, ours after %d ms (hold time %d s)%n",
            birdDown / 1_000_000, oursDown / 1_000_000, HOLD.toSeconds());

        ns.inside("ip", "rule", "del", "pref", "100").check();
        awaitEstablished(bird, speaker);
        awaitRoute(bird, "10.0.22.10/32");
        speaker.release(SERVICE);
        Poll.until(LIMIT, "10.0.22.10/32 gone from BIRD", () -> !bird.show("route").contains("10.0.22.10/32"),
            () -> bird.show("route all"));
      }
    }
  }

  @Test
  void ipv6Service_overEbgpIpv6Session_nextHopGlobalAndLinkLocal() throws Exception {
    try (Netns ns = Netns.create("skspkbird6", "10.250.23.1/30", "10.250.23.2/30")) {
      ns.addAddresses("fd00:250:23::1/64", "fd00:250:23::2/64");
      BirdRouter bird = BirdRouter.start(ns, """
          router id 10.250.23.2;
          protocol device {}
          protocol bgp metallb {
            local fd00:250:23::2 as 64500;
            neighbor fd00:250:23::1 as 64512;
            hold time 9;
            connect retry time 1;
            ipv6 { import all; export none; };
          }
          """);
      SpeakerConfig config = SpeakerConfig.builder()
          .pool(IpAddressPool.builder().name("v6").addresses("2001:db8:23::/64").build())
          .peer(PeerConfig.builder().name("bird").myAsn(64512).peerAsn(64500)
              .peerAddress(InetAddress.getByName("fd00:250:23::2"))
              .routerId((Inet4Address) InetAddress.getByName("10.250.23.1")).holdTime(Duration.ofSeconds(9)).build())
          .advertisement(AdvertisementConfig.builder("v6").ipAddressPools("v6").peers("bird")
              .communities("64512:23").build())
          .build();
      try (Speaker speaker = Speaker.builder().config(config).build()) {
        speaker.start();
        awaitEstablished(bird, speaker);
        AllocationResult r = speaker.announce(ServiceRequest.builder("ns/v6").ipFamily(IpFamily.IPV6).build());
        InetAddress address = ((AllocationResult.Allocated) r).allocation().addresses().get(0);
        String prefix = IpPrefix.host(address).toString();
        String route = awaitRoute(bird, prefix);
        assertTrue(route.contains("BGP.as_path: 64512"), route);
        assertTrue(route.contains("BGP.community: (64512,23)"), route);
        // RFC 2545 §3: global and link-local next hop toward a peer on our link, as FRR sends them
        Matcher nextHop = Pattern.compile("BGP\\.next_hop: fd00:250:23::1 (fe80:\\S+)").matcher(route);
        assertTrue(nextHop.find(), route);
        String linkLocal = Commands.run("ip", "-6", "-o", "addr", "show", "dev", ns.hostInterface(), "scope", "link")
            .stdout();
        assertTrue(linkLocal.contains(nextHop.group(1) + "/64"), nextHop.group(1) + " not on our link: " + linkLocal);
        speaker.release("ns/v6");
        Poll.until(LIMIT, prefix + " gone from BIRD", () -> !bird.show("route").contains(prefix),
            () -> bird.show("route all"));
      }
    }
  }

  /** Adds the events delivered since the last call to {@code seen}; returns them all, one per line. */
  private static String drained(EventHub.Subscription<SpeakerEvent> events, List<SpeakerEvent> seen) {
    FrrLabInteropTest.drain(events, seen);
    StringBuilder sb = new StringBuilder();
    seen.forEach(e -> sb.append('\n').append(e));
    return sb.toString();
  }

  private static boolean birdEstablished(BirdRouter bird) {
    return bird.show("protocols all metallb").contains("BGP state:          Established");
  }

  private static void awaitEstablished(BirdRouter bird, Speaker speaker) {
    Poll.until(LIMIT, "Established on BIRD and here",
        () -> birdEstablished(bird) && speaker.status().get(0).state().equals("Established"),
        () -> bird.show("protocols all metallb") + "\n" + speaker.status());
  }

  private static String awaitRoute(BirdRouter bird, String prefix) {
    Poll.until(LIMIT, prefix + " in BIRD", () -> bird.show("route all " + prefix).contains("BGP.origin"),
        () -> bird.show("route all"));
    return bird.show("route all " + prefix);
  }

  /** The State column of BIRD's BFD session with {@code neighbor}, or null. */
  private static String bfdState(BirdRouter bird, String neighbor) {
    Matcher m = Pattern.compile(Pattern.quote(neighbor) + "\\s+\\S+\\s+(\\S+)").matcher(bird.show("bfd sessions"));
    return m.find() ? m.group(1) : null;
  }
}
