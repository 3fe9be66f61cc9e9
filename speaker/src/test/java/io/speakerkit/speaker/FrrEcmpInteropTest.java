package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What MetalLB's BGP mode is for: every node announces the service address and the router spreads traffic over
 * all of them (ECMP). Two speakers stand for two nodes (one host, two source addresses), each with eBGP to FRR
 * configured with {@code maximum-paths}; checked where the traffic is decided: the multipath route zebra installs in
 * the namespace's kernel table ({@code ip -j route}), next to bgpd's JSON. A node that stops announcing the service
 * (its endpoints not ready, MetalLB's {@code setAnnounceable(false)}) and a node that stops altogether each leave
 * the router with the other node's path only.
 */
class FrrEcmpInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final String SERVICE = "shop/frontend";
  private static final String NODE_A = "10.250.21.1";
  private static final String NODE_B = "10.250.21.3";
  private static final String ROUTER = "10.250.21.2";
  private static final String ROUTE = "10.0.21.10/32";

  private static final String BGPD_CONF = """
      frr defaults traditional
      hostname skecmp
      !
      router bgp 64500
       bgp router-id %1$s
       no bgp ebgp-requires-policy
       neighbor %2$s remote-as 64512
       neighbor %2$s timers 1 5
       neighbor %2$s timers connect 1
       neighbor %3$s remote-as 64512
       neighbor %3$s timers 1 5
       neighbor %3$s timers connect 1
       address-family ipv4 unicast
        maximum-paths 8
       exit-address-family
      !
      """.formatted(ROUTER, NODE_A, NODE_B);

  @Test
  void twoNodesAnnounceOneAddress_kernelRouteOverBoth_nodeLeavingLeavesTheOther() throws Exception {
    try (Netns ns = Netns.create("skspkecmp", NODE_A + "/29", ROUTER + "/29")) {
      ns.addAddresses(NODE_B + "/29", "10.250.21.4/29");
      FrrRouter frr = FrrRouter.start(ns, BGPD_CONF, null);
      try (Speaker a = node(NODE_A); Speaker b = node(NODE_B)) {
        a.start();
        b.start();
        Poll.until(LIMIT, "both nodes Established on FRR",
            () -> "Established".equals(frr.bgpState(NODE_A)) && "Established".equals(frr.bgpState(NODE_B)),
            () -> frr.json("show bgp summary json") + "\n" + a.status() + "\n" + b.status());

        // Both nodes hold the same pool and see the same service, so both allocate the same address.
        assertEquals(allocated(a.announce(ServiceRequest.builder(SERVICE).build())),
            allocated(b.announce(ServiceRequest.builder(SERVICE).build())));
        awaitKernelNextHops(ns, List.of(NODE_A, NODE_B));
        System.out.println("kernel route with both nodes: " + kernelRoute(ns));
        String bgp = frr.json("show bgp ipv4 unicast " + ROUTE + " json");
        assertEquals(2, count(bgp, "\"multipath\":true"), bgp);

        // Node B's endpoints go away: B withdraws, traffic goes to A only; back again: both.
        b.setAnnounceable(SERVICE, false);
        awaitKernelNextHops(ns, List.of(NODE_A));
        b.setAnnounceable(SERVICE, true);
        awaitKernelNextHops(ns, List.of(NODE_A, NODE_B));

        // Node A stops (Cease / Administrative Shutdown): its path goes with the session.
        a.stop("node drained");
        awaitKernelNextHops(ns, List.of(NODE_B));
        assertEquals("Established", frr.bgpState(NODE_B));

        b.release(SERVICE);
        Poll.until(LIMIT, ROUTE + " gone from the kernel", () -> kernelRoute(ns).equals("[]"),
            () -> kernelRoute(ns));
      }
    }
  }

  /** A node's speaker: eBGP AS 64512 to the router from {@code source}, the pool announced to it. */
  private static Speaker node(String source) throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("frontend").addresses("10.0.21.10-10.0.21.20").build())
        .peer(PeerConfig.builder().name("tor").myAsn(64512).peerAsn(64500)
            .peerAddress(InetAddress.getByName(ROUTER)).sourceAddress(InetAddress.getByName(source))
            .routerId((Inet4Address) InetAddress.getByName(source)).holdTime(Duration.ofSeconds(5)).build())
        .advertisement(AdvertisementConfig.builder("frontend").ipAddressPools("frontend").peers("tor").build())
        .build();
    return Speaker.builder().config(config).build();
  }

  private static InetAddress allocated(AllocationResult result) {
    return ((AllocationResult.Allocated) result).allocation().addresses().get(0);
  }

  /** Waits until the kernel's route to the service address goes via exactly {@code gateways}. */
  private static void awaitKernelNextHops(Netns ns, List<String> gateways) {
    List<String> expected = gateways.stream().sorted().toList();
    Poll.until(LIMIT, ROUTE + " in the kernel via " + expected, () -> gateways(kernelRoute(ns)).equals(expected),
        () -> kernelRoute(ns));
  }

  /** {@code ip -j route show} of the service address inside the namespace, white space removed. */
  private static String kernelRoute(Netns ns) {
    return ns.inside("ip", "-j", "route", "show", ROUTE).stdout().replaceAll("\\s+", "");
  }

  /** Every gateway in a route's JSON (one for a single path, one per entry of "nexthops" for ECMP), sorted. */
  private static List<String> gateways(String json) {
    Matcher m = Pattern.compile("\"gateway\":\"([^\"]+)\"").matcher(json);
    return m.results().map(r -> r.group(1)).sorted().collect(Collectors.toList());
  }

  private static int count(String text, String needle) {
    return (text.length() - text.replace(needle, "").length()) / needle.length();
  }
}
