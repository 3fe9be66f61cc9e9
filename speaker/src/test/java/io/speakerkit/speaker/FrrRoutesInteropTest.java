package io.speakerkit.speaker;

import static io.speakerkit.speaker.FrrLabInteropTest.awaitRoute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.IpFamilyPolicy;
import io.speakerkit.allocator.ServicePort;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the speaker announces, as FRR bgpd sees it in its own JSON: an IPv6 pool over an IPv6 session; both families
 * over one IPv4 session (dualStackAddressFamily) with a real IPv6 next hop, or an IPv4-mapped one when the interface
 * has no IPv6 address; aggregation to /24 with two services; two services sharing one address.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrrRoutesInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  private Netns ns;
  private FrrRouter frr;

  @BeforeAll
  void setUp() throws Exception {
    ns = Netns.create("skspkrt", "10.250.3.1/30", "10.250.3.2/30");
    ns.addAddresses("fd00:250::31/64", "fd00:250::32/64");
    frr = FrrRouter.start(ns, """
        frr defaults traditional
        hostname skspkrt
        !
        router bgp 64512
         bgp router-id 10.250.3.2
         no bgp ebgp-requires-policy
         neighbor 10.250.3.1 remote-as 64512
         neighbor 10.250.3.1 timers 3 9
         neighbor 10.250.3.1 timers connect 1
         neighbor fd00:250::31 remote-as 64512
         neighbor fd00:250::31 timers 3 9
         neighbor fd00:250::31 timers connect 1
         address-family ipv4 unicast
          no neighbor fd00:250::31 activate
         exit-address-family
         address-family ipv6 unicast
          neighbor 10.250.3.1 activate
          neighbor fd00:250::31 activate
         exit-address-family
        !
        """, null);
  }

  @AfterAll
  void tearDown() {
    if (ns != null) {
      ns.close();
    }
  }

  private static PeerConfig.Builder peer(String address) throws Exception {
    return PeerConfig.builder().name("router").myAsn(64512).peerAsn(64512)
        .peerAddress(InetAddress.getByName(address)).holdTime(Duration.ofSeconds(9));
  }

  private static SpeakerConfig config(PeerConfig peer, IpAddressPool pool, AdvertisementConfig.Builder adv) {
    return SpeakerConfig.builder().pool(pool).peer(peer)
        .advertisement(adv.ipAddressPools(pool.name()).peers(peer.name()).build()).build();
  }

  private void awaitEstablished(Speaker speaker, String neighbor) {
    Poll.until(LIMIT, "Established with " + neighbor,
        () -> FrrLabInteropTest.frrEstablished(frr, neighbor)
            && speaker.status().get(0).state().equals("Established"),
        () -> frr.json("show bgp neighbors json") + "\n" + speaker.status());
  }

  private void awaitGone(String family, String prefix) {
    Poll.until(LIMIT, prefix + " gone from FRR",
        () -> !frr.json("show bgp " + family + " unicast json").contains("\"" + prefix + "\""),
        () -> frr.json("show bgp " + family + " unicast json"));
  }

  /** Without routerID the IPv6 session is identified by an IPv4 address of the host, as zebra's router-id. */
  @Test
  void ipv6Session_poolOf128s_routeWithOurNextHop() throws Exception {
    IpAddressPool pool = IpAddressPool.builder().name("v6").addresses("2001:db8:250::10-2001:db8:250::20").build();
    PeerConfig p = peer("fd00:250::32").build();
    try (Speaker speaker = Speaker.builder().config(config(p, pool, AdvertisementConfig.builder("adv")
        .communities("65000:6"))).build()) {
      speaker.start();
      awaitEstablished(speaker, "fd00:250::31");
      String neighbor = frr.json("show bgp neighbor fd00:250::31 json");
      assertEquals(Speaker.hostRouterId().orElseThrow().getHostAddress(), FrrRouter.field(neighbor, "remoteRouterId"),
          neighbor);
      AllocationResult r = speaker.announce(ServiceRequest.builder("ns/v6").ipFamily(IpFamily.IPV6).build());
      assertEquals(InetAddress.getByName("2001:db8:250::10"),
          ((AllocationResult.Allocated) r).allocation().addresses().get(0));
      String prefix = "2001:db8:250::10/128";
      String route = awaitRoute(frr, prefix);
      assertTrue(route.contains("\"ip\":\"fd00:250::31\""), route);
      assertLinkLocalNextHop(route, "fd00:250::31", "fd00:250::32");
      assertTrue(route.contains("\"list\":[\"65000:6\"]"), route);
      speaker.release("ns/v6");
      awaitGone("ipv6", prefix);
    }
  }

  @Test
  void dualStackOverIpv4Session_bothFamilies_ipv6NextHopOfTheInterface() throws Exception {
    IpAddressPool pool = IpAddressPool.builder().name("ds").addresses("10.0.3.10-10.0.3.20", "2001:db8:251::10-2001:db8:251::20")
        .build();
    PeerConfig p = peer("10.250.3.2").dualStackAddressFamily(true).build();
    try (Speaker speaker = Speaker.builder().config(config(p, pool, AdvertisementConfig.builder("adv"))).build()) {
      speaker.start();
      awaitEstablished(speaker, "10.250.3.1");
      String neighbor = frr.json("show bgp neighbor 10.250.3.1 json");
      assertTrue(neighbor.contains("\"ipv6Unicast\""), neighbor);
      AllocationResult r = speaker.announce(ServiceRequest.builder("ns/ds")
          .ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).build());
      List<InetAddress> addresses = ((AllocationResult.Allocated) r).allocation().addresses();
      assertEquals(2, addresses.size(), addresses::toString);
      String v4 = addresses.stream().filter(x -> x instanceof Inet4Address).findFirst().orElseThrow()
          .getHostAddress() + "/32";
      String route4 = awaitRoute(frr, v4);
      assertTrue(route4.contains("\"ip\":\"10.250.3.1\""), route4);
      String route6 = awaitRoute(frr, "2001:db8:251::10/128");
      assertTrue(route6.contains("\"ip\":\"fd00:250::31\""), route6);
      assertLinkLocalNextHop(route6, "10.250.3.1", "10.250.3.2");
      assertTrue(route6.contains("\"accessible\":true"), route6);
      speaker.release("ns/ds");
      awaitGone("ipv4", v4);
      Poll.until(LIMIT, "IPv6 route withdrawn",
          () -> !frr.json("show bgp ipv6 unicast json").contains("2001:db8:251::"),
          () -> frr.json("show bgp ipv6 unicast json"));
    }
  }

  /**
   * dualStackAddressFamily toward an interface with no IPv6 address of ours: not refused; as FRR (10.x,
   * bpacket_reformat_for_peer) the IPv6 routes carry {@code ::ffff:<our IPv4>} (with our link-local beside it), and
   * the IPv4 routes are unaffected.
   */
  @Test
  void dualStackPeer_interfaceWithoutIpv6_ipv4MappedNextHop() throws Exception {
    try (Netns plain = Netns.create("skspkv4", "10.250.4.1/30", "10.250.4.2/30")) {
      FrrRouter v4only = FrrRouter.start(plain, """
            frr defaults traditional
            hostname skspkv4
            !
            router bgp 64512
             bgp router-id 10.250.4.2
             neighbor 10.250.4.1 remote-as 64512
             neighbor 10.250.4.1 timers 3 9
             neighbor 10.250.4.1 timers connect 1
             address-family ipv6 unicast
              neighbor 10.250.4.1 activate
             exit-address-family
            !
            """, null);
      IpAddressPool pool = IpAddressPool.builder().name("ds").addresses("10.0.4.10-10.0.4.20", "2001:db8:254::/64")
          .build();
      PeerConfig p = peer("10.250.4.2").dualStackAddressFamily(true).build();
      try (Speaker speaker = Speaker.builder().config(config(p, pool, AdvertisementConfig.builder("adv")))
          .build()) {
        speaker.start();
        Poll.until(LIMIT, "Established with 10.250.4.1",
            () -> FrrLabInteropTest.frrEstablished(v4only, "10.250.4.1")
                && speaker.status().get(0).state().equals("Established"),
            () -> v4only.json("show bgp neighbors json") + "\n" + speaker.status());
        speaker.announce(ServiceRequest.builder("ns/ds").ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).build());
        Poll.until(LIMIT, "both routes at FRR",
            () -> v4only.json("show bgp ipv4 unicast json").contains("\"10.0.4.10/32\"")
                && v4only.json("show bgp ipv6 unicast json").contains("\"2001:db8:254::/128\""),
            () -> v4only.json("show bgp ipv4 unicast json") + "\n" + v4only.json("show bgp ipv6 unicast json"));
        String route6 = v4only.json("show bgp ipv6 unicast 2001:db8:254::/128 json");
        // FRR 8.4 prints ::ffff:10.250.4.1 in hex; our link-local is the one it uses
        assertTrue(route6.contains("\"ip\":\"::ffff:afa:401\",\"afi\":\"ipv6\",\"scope\":\"global\""), route6);
        assertTrue(route6.contains("\"scope\":\"link-local\",\"accessible\":true,\"used\":true"), route6);
      }
    }
  }

  @Test
  void aggregationTo24_oneRouteWhileAnyServiceHoldsAnAddress() throws Exception {
    IpAddressPool pool = IpAddressPool.builder().name("agg").addresses("10.0.5.0/24").build();
    try (Speaker speaker = Speaker.builder().config(config(peer("10.250.3.2").build(), pool,
        AdvertisementConfig.builder("adv").aggregationLength(24))).build()) {
      speaker.start();
      awaitEstablished(speaker, "10.250.3.1");
      speaker.announce(ServiceRequest.builder("ns/a").build());
      speaker.announce(ServiceRequest.builder("ns/b").build());
      awaitRoute(frr, "10.0.5.0/24");
      String all = frr.json("show bgp ipv4 unicast json");
      assertEquals(1, all.split("\"10\\.0\\.5\\.[0-9]+/[0-9]+\":\\[").length - 1, all);
      speaker.release("ns/a");
      // Still held by ns/b: the speaker keeps the /24 (release is synchronous) and FRR still has it.
      assertEquals(1, speaker.status().get(0).routesSent(), speaker.status()::toString);
      assertTrue(frr.json("show bgp ipv4 unicast 10.0.5.0/24 json").contains("\"paths\""),
          frr.json("show bgp ipv4 unicast json"));
      speaker.release("ns/b");
      awaitGone("ipv4", "10.0.5.0/24");
    }
  }

  @Test
  void sharingKey_twoServicesOneAddress_oneRoute() throws Exception {
    IpAddressPool pool = IpAddressPool.builder().name("share").addresses("10.0.6.10-10.0.6.20").build();
    try (Speaker speaker = Speaker.builder().config(config(peer("10.250.3.2").build(), pool,
        AdvertisementConfig.builder("adv"))).build()) {
      speaker.start();
      awaitEstablished(speaker, "10.250.3.1");
      InetAddress a = ((AllocationResult.Allocated) speaker.announce(ServiceRequest.builder("ns/http")
          .sharingKey("web").ports(ServicePort.tcp(80)).build())).allocation().addresses().get(0);
      InetAddress b = ((AllocationResult.Allocated) speaker.announce(ServiceRequest.builder("ns/https")
          .sharingKey("web").ports(ServicePort.tcp(443)).build())).allocation().addresses().get(0);
      assertEquals(a, b);
      awaitRoute(frr, a.getHostAddress() + "/32");
      String all = frr.json("show bgp ipv4 unicast json");
      assertEquals(1, all.split("\"10\\.0\\.6\\.[0-9]+/[0-9]+\":\\[").length - 1, all);
      speaker.release("ns/http");
      // Still used by ns/https: nothing withdrawn here (release is synchronous), and FRR keeps the /32.
      assertEquals(1, speaker.status().get(0).routesSent(), speaker.status()::toString);
      assertTrue(frr.json("show bgp ipv4 unicast " + a.getHostAddress() + "/32 json").contains("\"paths\""));
      speaker.release("ns/https");
      awaitGone("ipv4", a.getHostAddress() + "/32");
    }
  }

  /**
   * As from MetalLB's FRR toward a peer on its network: the IPv6 route's next hop carries our interface's link-local
   * address beside the global one (32 octets), which FRR lists with scope link-local.
   */
  private static void assertLinkLocalNextHop(String route, String local, String peer) throws Exception {
    byte[] ll = Speaker.linkLocalToward(InetAddress.getByName(local), InetAddress.getByName(peer)).orElseThrow()
        .getAddress();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(ll);
    String text = io.speakerkit.bgp.wire.IpPrefix.formatIpv6(b.getLong(0), b.getLong(8));
    assertTrue(route.contains("\"ip\":\"" + text + "\",\"afi\":\"ipv6\",\"scope\":\"link-local\""), route);
  }
}
