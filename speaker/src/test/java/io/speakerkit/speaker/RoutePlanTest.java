package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.LabelSelector;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutePlanTest {

  private static final NodeIdentity NODE = new NodeIdentity("node-a", Map.of("zone", "east"));

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static PeerConfig.Builder peer(String name, String address, long myAsn, long peerAsn) {
    return PeerConfig.builder().name(name).peerAddress(ip(address)).myAsn(myAsn).peerAsn(peerAsn);
  }

  private static IpAddressPool pool(String name, String... ranges) {
    return IpAddressPool.builder().name(name).addresses(ranges).build();
  }

  /** The MetalLB lab of examples/src/test/resources/fixtures: iBGP, /32, NO_ADVERTISE, localPref 100. */
  @Test
  void lab_announcesSlash32WithNoAdvertiseAndLocalPref() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("onp-bgp-pool", "10.0.0.10-10.0.0.20"))
        .peer(peer("onp-bgp-peer", "192.168.126.3", 64512, 64512).holdTime(Duration.ofSeconds(5)).build())
        .advertisement(AdvertisementConfig.builder("onp-bgp-advertisement").ipAddressPools("onp-bgp-pool")
            .peers("onp-bgp-peer").communities("65535:65282").aggregationLength(32).localPref(100).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);

    List<RoutePlan.Change> changes = plan.add(ip("10.0.0.10"), "onp-bgp-pool");

    PlannedRoute route = new PlannedRoute(IpPrefix.parse("10.0.0.10/32"), List.of(Community.NO_ADVERTISE),
        List.of(), Optional.of(100L));
    assertEquals(List.of(new RoutePlan.Change("onp-bgp-peer", route.prefix(), Optional.of(route))), changes);
    assertEquals(List.of(new RoutePlan.Change("onp-bgp-peer", route.prefix(), Optional.empty())),
        plan.remove(ip("10.0.0.10")));
    assertTrue(plan.routes("onp-bgp-peer").isEmpty());
  }

  /** MetalLB docs, "Announcing the service IPs with aggregation": one /24 while any address in it is in use. */
  @Test
  void aggregation24_announcedWithFirstWithdrawnWithLast() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).build())
        .advertisement(AdvertisementConfig.builder("agg").aggregationLength(24).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    IpPrefix agg = IpPrefix.parse("198.51.100.0/24");

    assertEquals(1, plan.add(ip("198.51.100.10"), "p").size());
    assertEquals(List.of(), plan.add(ip("198.51.100.11"), "p"), "same aggregate, same attributes: nothing to send");
    assertEquals(List.of(), plan.remove(ip("198.51.100.10")));
    assertEquals(List.of(new RoutePlan.Change("r", agg, Optional.empty())), plan.remove(ip("198.51.100.11")));
  }

  /** Addresses some peer's routes carry, also inside an aggregate. */
  @Test
  void announcedAddresses_carriedByAPeer_notWhenNoAdvertisementSelects() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .pool(pool("unadvertised", "203.0.113.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).build())
        .advertisement(AdvertisementConfig.builder("agg").ipAddressPools("p").aggregationLength(24).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.10"), "p");
    plan.add(ip("198.51.100.11"), "p");
    plan.add(ip("203.0.113.5"), "unadvertised");
    assertEquals(java.util.Set.of(ip("198.51.100.10"), ip("198.51.100.11")), plan.announcedAddresses());
    plan.remove(ip("198.51.100.10"));
    assertEquals(java.util.Set.of(ip("198.51.100.11")), plan.announcedAddresses());
  }

  /**
   * metallb_speaker_announced is MetalLB's desired state: an address an advertisement announces from this node,
   * whether or not a peer carries it (no peer configured, or only peers the advertisement does not name).
   */
  @Test
  void desiredAddresses_advertisedFromThisNode_whateverThePeers() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .pool(pool("elsewhere", "203.0.113.0/24"))
        .pool(pool("unadvertised", "192.0.2.0/24"))
        .advertisement(AdvertisementConfig.builder("a").ipAddressPools("p").peers("not-configured").build())
        .advertisement(AdvertisementConfig.builder("b").ipAddressPools("elsewhere")
            .nodeSelectors(List.of(LabelSelector.matchLabels(Map.of("zone", "west")))).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.10"), "p");
    plan.add(ip("203.0.113.5"), "elsewhere");
    plan.add(ip("192.0.2.5"), "unadvertised");
    assertEquals(java.util.Set.of(), plan.announcedAddresses(), "no peer carries anything");
    assertEquals(java.util.Set.of(ip("198.51.100.10")), plan.desiredAddresses());
  }

  /** MetalLB skips an advertisement's names of pools and peers that do not exist: they select nothing. */
  @Test
  void advertisementNamingAbsentPoolOrPeer_selectsNothingByThoseNames() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("kept", "198.51.100.0/24"))
        .pool(pool("other", "203.0.113.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).build())
        .advertisement(AdvertisementConfig.builder("pools").ipAddressPools("kept", "deleted").build())
        .advertisement(AdvertisementConfig.builder("peers").ipAddressPools("other").peers("gone").build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.10"), "kept");
    plan.add(ip("203.0.113.5"), "other");
    assertEquals(java.util.Set.of(ip("198.51.100.10")), plan.announcedAddresses());
  }

  /**
   * MetalLB's BGPAdvertisement serviceSelectors (metallb/metallb#2917): an advertisement announces only the addresses
   * of services it selects; a shared address takes the advertisements of every service on it, and loses them with the
   * last; a service given new labels moves between advertisements without a withdrawal in between.
   */
  @Test
  void serviceSelectors_selectTheServicesAnAdvertisementAnnounces() {
    LabelSelector web = LabelSelector.matchLabels(Map.of("tier", "web"));
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).build())
        .advertisement(AdvertisementConfig.builder("web").serviceSelectors(List.of(web)).communities("65000:80").build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    assertEquals(List.of(), plan.add(ip("198.51.100.1"), "p", "ns/db", Map.of("tier", "db")));
    assertEquals(java.util.Set.of(), plan.announcedAddresses());
    IpPrefix slash32 = IpPrefix.parse("198.51.100.1/32");
    List<RoutePlan.Change> shared = plan.add(ip("198.51.100.1"), "p", "ns/web", Map.of("tier", "web"));
    assertEquals(1, shared.size());
    assertEquals(slash32, shared.get(0).prefix());
    assertEquals(List.of(Community.parse("65000:80")), shared.get(0).route().orElseThrow().communities());
    assertEquals(List.of(new RoutePlan.Change("r", slash32, Optional.empty())),
        plan.remove(ip("198.51.100.1"), "ns/web"));
    List<RoutePlan.Change> relabelled = plan.relabel(ip("198.51.100.1"), "ns/db", Map.of("tier", "web"));
    assertEquals(1, relabelled.size());
    assertTrue(relabelled.get(0).route().isPresent());
    assertEquals(List.of(), plan.relabel(ip("198.51.100.1"), "ns/db", Map.of("tier", "web")));
    assertEquals(List.of(new RoutePlan.Change("r", slash32, Optional.empty())),
        plan.relabel(ip("198.51.100.1"), "ns/db", Map.of()));
  }

  /**
   * Advertisements that may disagree on localPref (one with serviceSelectors): a service it selects gets its
   * localPref, whether higher or lower and whatever the order; other services the plain advertisement's.
   */
  @Test
  void localPref_advertisementSelectingTheService_wins() {
    for (long selected : new long[] {200, 50}) {
      for (boolean selectorFirst : new boolean[] {true, false}) {
        AdvertisementConfig plain = AdvertisementConfig.builder("default").localPref(100).build();
        AdvertisementConfig bySelector = AdvertisementConfig.builder("tier").localPref(selected)
            .serviceSelectors(List.of(LabelSelector.matchLabels(Map.of("tier", "gold")))).build();
        SpeakerConfig config = SpeakerConfig.builder()
            .pool(pool("p", "198.51.100.0/24"))
            .peer(peer("r", "192.0.2.1", 64512, 64512).build())
            .advertisement(selectorFirst ? bySelector : plain)
            .advertisement(selectorFirst ? plain : bySelector)
            .build();
        RoutePlan plan = new RoutePlan(config, NODE);
        PlannedRoute gold = plan.add(ip("198.51.100.1"), "p", "ns/gold", Map.of("tier", "gold")).get(0).route()
            .orElseThrow();
        PlannedRoute other = plan.add(ip("198.51.100.2"), "p", "ns/other", Map.of()).get(0).route().orElseThrow();
        assertEquals(Optional.of(selected), gold.localPref(), () -> "selector first: " + selectorFirst);
        assertEquals(Optional.of(100L), other.localPref());
      }
    }
  }

  /** MetalLB docs: localPref is applied to iBGP sessions only. */
  @Test
  void localPref_onlyToIbgpPeers() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("ibgp", "192.0.2.1", 64512, 64512).build())
        .peer(peer("ebgp", "192.0.2.2", 64512, 65000).build())
        .advertisement(AdvertisementConfig.builder("a").localPref(200).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.7"), "p");
    assertEquals(Optional.of(200L), plan.routes("ibgp").get(0).localPref());
    assertEquals(Optional.empty(), plan.routes("ebgp").get(0).localPref());
  }

  /** MetalLB: two advertisements matching one prefix and peer merge their communities. */
  @Test
  void twoAdvertisements_communitiesMerged() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64512).build())
        .advertisement(AdvertisementConfig.builder("a").communities("65000:1", "no-export").localPref(50).build())
        .advertisement(AdvertisementConfig.builder("b").communities("65000:1", "large:64512:1:2").localPref(50).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.7"), "p");
    PlannedRoute route = plan.routes("r").get(0);
    assertEquals(List.of(Community.of(65000, 1), Community.NO_EXPORT), route.communities());
    assertEquals(List.of(new LargeCommunity(64512, 1, 2)), route.largeCommunities());
    assertEquals(Optional.of(50L), route.localPref());
  }

  /** MetalLB announces nothing from a node labelled exclude-from-external-load-balancers, unless told to ignore it. */
  @Test
  void nodeExcludedFromLoadBalancers_announcesNothing() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r1", "192.0.2.1", 64512, 64512).build())
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    NodeIdentity excluded = new NodeIdentity("cp-1", Map.of(NodeIdentity.EXCLUDE_FROM_LOAD_BALANCERS, ""));
    assertEquals(List.of(), new RoutePlan(config, excluded).add(ip("198.51.100.7"), "p"));
    assertEquals(List.of("r1"), new RoutePlan(config, excluded.ignoringExclusion()).add(ip("198.51.100.7"), "p")
        .stream().map(RoutePlan.Change::peer).toList());
  }

  /** MetalLB BGPAdvertisement.spec.peers limits the peers; nodeSelectors limit the nodes. */
  @Test
  void peersAndNodeSelectors_limitWhereRoutesGo() {
    LabelSelector west = LabelSelector.matchLabels(Map.of("zone", "west"));
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r1", "192.0.2.1", 64512, 64512).build())
        .peer(peer("r2", "192.0.2.2", 64512, 64512).build())
        .peer(peer("west-only", "192.0.2.3", 64512, 64512).nodeSelectors(List.of(west)).build())
        .advertisement(AdvertisementConfig.builder("to-r2").peers("r2").build())
        .advertisement(AdvertisementConfig.builder("west").nodeSelectors(List.of(west)).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    List<RoutePlan.Change> changes = plan.add(ip("198.51.100.7"), "p");
    assertEquals(List.of("r2"), changes.stream().map(RoutePlan.Change::peer).toList());
  }

  /** MetalLB: IPv4 routes go to IPv4 peers; dualStackAddressFamily carries both families on one session. */
  @Test
  void family_gatedByPeerAddressUnlessDualStack() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24", "2001:db8::/64"))
        .peer(peer("v4", "192.0.2.1", 64512, 64512).build())
        .peer(peer("v6", "2001:db8:ffff::1", 64512, 64512).build())
        .peer(peer("dual", "192.0.2.9", 64512, 64512).dualStackAddressFamily(true).build())
        .advertisement(AdvertisementConfig.builder("a").build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    assertEquals(List.of("v4", "dual"), plan.add(ip("198.51.100.7"), "p").stream().map(RoutePlan.Change::peer).toList());
    assertEquals(List.of("v6", "dual"), plan.add(ip("2001:db8::7"), "p").stream().map(RoutePlan.Change::peer).toList());
    assertEquals(IpPrefix.parse("2001:db8::7/128"), plan.routes("v6").get(0).prefix());
  }

  @Test
  void sharedAddress_routesChangeOnlyWithFirstAndLastService() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64512).build())
        .advertisement(AdvertisementConfig.builder("a").build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    assertEquals(1, plan.add(ip("198.51.100.7"), "p").size());
    assertEquals(0, plan.add(ip("198.51.100.7"), "p").size());
    assertEquals(0, plan.remove(ip("198.51.100.7")).size());
    assertEquals(1, plan.remove(ip("198.51.100.7")).size());
  }

  /** Live reconfiguration: a changed community re-announces; an untouched peer sees no change at all. */
  @Test
  void reconfigure_changedCommunity_onlyThatPeerReannounced() {
    SpeakerConfig.Builder base = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r1", "192.0.2.1", 64512, 64512).build())
        .peer(peer("r2", "192.0.2.2", 64512, 64512).build())
        .advertisement(AdvertisementConfig.builder("to-r2").peers("r2").communities("65000:2").build());
    SpeakerConfig before = base.advertisement(AdvertisementConfig.builder("to-r1").peers("r1")
        .communities("65000:1").build()).build();
    SpeakerConfig after = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r1", "192.0.2.1", 64512, 64512).build())
        .peer(peer("r2", "192.0.2.2", 64512, 64512).build())
        .advertisement(AdvertisementConfig.builder("to-r2").peers("r2").communities("65000:2").build())
        .advertisement(AdvertisementConfig.builder("to-r1").peers("r1").communities("65000:99").build())
        .build();
    RoutePlan plan = new RoutePlan(before, NODE);
    plan.add(ip("198.51.100.7"), "p");
    RoutePlan.Reconfiguration r = plan.reconfigure(after, NODE);
    assertEquals(1, r.changes().size());
    assertEquals("r1", r.changes().get(0).peer());
    assertEquals(List.of(Community.of(65000, 99)), r.changes().get(0).route().orElseThrow().communities());
  }

  /** A pool split in two: a kept address follows the pool that holds it now, and that pool's advertisements. */
  @Test
  void reconfigure_addressMovedToAnotherPool_plannedUnderTheNewPool() {
    SpeakerConfig before = SpeakerConfig.builder()
        .pool(pool("a", "198.51.100.0/24"))
        .peer(peer("r1", "192.0.2.1", 64512, 64512).build())
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    SpeakerConfig after = SpeakerConfig.builder()
        .pool(pool("a", "198.51.100.0/25"))
        .pool(pool("b", "198.51.100.128/25"))
        .peer(peer("r1", "192.0.2.1", 64512, 64512).build())
        .advertisement(AdvertisementConfig.builder("only-b").ipAddressPools("b").communities("65000:2").build())
        .build();
    RoutePlan plan = new RoutePlan(before, NODE);
    plan.add(ip("198.51.100.200"), "a");
    RoutePlan.Reconfiguration r = plan.reconfigure(after, NODE);
    assertEquals(List.of(Community.of(65000, 2)), r.changes().get(0).route().orElseThrow().communities());
    assertEquals(1, r.plan().routes("r1").size());
    r.plan().add(ip("198.51.100.200"), "b"); // a second service sharing it is planned under pool b
  }

  @Test
  void addFromOtherPool_sameAddress_rejected() {
    SpeakerConfig config = SpeakerConfig.builder().pool(pool("p", "198.51.100.0/24")).build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.7"), "p");
    assertThrows(IllegalArgumentException.class, () -> plan.add(ip("198.51.100.7"), "q"));
  }

  /**
   * MetalLB BGPPeer.spec.nodeSelectors: a peer whose selectors do not match this node does not peer from it, so an
   * advertisement for all peers sends it nothing (the node is zone=east).
   */
  @Test
  void peerNodeSelectors_peerNotOnThisNode_getsNoRoutes() {
    LabelSelector west = LabelSelector.matchLabels(Map.of("zone", "west"));
    PeerConfig westOnly = peer("west-only", "192.0.2.3", 64512, 64512).nodeSelectors(List.of(west)).build();
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r1", "192.0.2.1", 64512, 64512).build())
        .peer(westOnly)
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    assertEquals(false, plan.peerActive(westOnly));
    List<RoutePlan.Change> changes = plan.add(ip("198.51.100.7"), "p");
    assertEquals(List.of("r1"), changes.stream().map(RoutePlan.Change::peer).toList());
  }

  /**
   * aggregationLength masks the address: 198.51.100.200 (bit 24 set) under /24 is 198.51.100.0/24, and
   * 2001:db8:0:1:8000::1 (bit 64 set) under aggregationLengthV6 64 is 2001:db8:0:1::/64.
   */
  @Test
  void aggregationLength_hostBitJustPastTheLength_cleared() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24", "2001:db8:0:1::/64"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).dualStackAddressFamily(true).build())
        .advertisement(AdvertisementConfig.builder("agg").aggregationLength(24).aggregationLengthV6(64).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    assertEquals(IpPrefix.parse("198.51.100.0/24"), plan.add(ip("198.51.100.200"), "p").get(0).prefix());
    assertEquals(IpPrefix.parse("2001:db8:0:1::/64"), plan.add(ip("2001:db8:0:1:8000::1"), "p").get(0).prefix());
  }

  /**
   * Several advertisements that select the service and disagree on localPref: the highest wins, whatever the order
   * (RoutePlan's rule for advertisements with serviceSelectors).
   */
  @Test
  void localPref_severalSelectingAdvertisements_highestWins() {
    for (boolean highFirst : new boolean[] {true, false}) {
      LabelSelector gold = LabelSelector.matchLabels(Map.of("tier", "gold"));
      AdvertisementConfig high = AdvertisementConfig.builder("high").localPref(300).serviceSelectors(List.of(gold))
          .build();
      AdvertisementConfig low = AdvertisementConfig.builder("low").localPref(150).serviceSelectors(List.of(gold))
          .build();
      SpeakerConfig config = SpeakerConfig.builder()
          .pool(pool("p", "198.51.100.0/24"))
          .peer(peer("r", "192.0.2.1", 64512, 64512).build())
          .advertisement(highFirst ? high : low)
          .advertisement(highFirst ? low : high)
          .build();
      RoutePlan plan = new RoutePlan(config, NODE);
      PlannedRoute route = plan.add(ip("198.51.100.1"), "p", "ns/gold", Map.of("tier", "gold")).get(0).route()
          .orElseThrow();
      assertEquals(Optional.of(300L), route.localPref(), () -> "high first: " + highFirst);
    }
  }

  /**
   * A reconfiguration after which no advertisement covers an announced address (here the advertisement is limited to
   * another pool) withdraws its route: the router must not keep a stale route.
   */
  @Test
  void reconfigure_advertisementNoLongerCovers_routeWithdrawn() {
    SpeakerConfig before = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .pool(pool("q", "203.0.113.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).build())
        .advertisement(AdvertisementConfig.builder("a").build())
        .build();
    SpeakerConfig after = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .pool(pool("q", "203.0.113.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).build())
        .advertisement(AdvertisementConfig.builder("a").ipAddressPools("q").build())
        .build();
    RoutePlan plan = new RoutePlan(before, NODE);
    assertEquals(1, plan.add(ip("198.51.100.7"), "p").size());
    RoutePlan.Reconfiguration r = plan.reconfigure(after, NODE);
    assertEquals(List.of(new RoutePlan.Change("r", IpPrefix.parse("198.51.100.7/32"), Optional.empty())), r.changes());
    assertTrue(r.plan().routes("r").isEmpty());
  }

  /**
   * The last service leaving an address takes it out of the desired state (metallb_speaker_announced) too, and frees
   * it for another pool after a reconfiguration.
   */
  @Test
  void remove_lastService_addressNoLongerDesired() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .pool(pool("q", "203.0.113.0/24"))
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.7"), "p", "ns/a", Map.of());
    plan.remove(ip("198.51.100.7"), "ns/a");
    assertEquals(java.util.Set.of(), plan.desiredAddresses());
    plan.add(ip("198.51.100.7"), "q", "ns/b", Map.of()); // not "in use from pool p"
  }

  /** Communities are compared as unsigned 32-bit values (RFC 1997: AS:value), as FRR orders them: 100:1 first. */
  @Test
  void communities_sortedAsUnsignedValues() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).build())
        .advertisement(AdvertisementConfig.builder("a").communities("no-export", "65000:1", "100:1").build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.7"), "p");
    assertEquals(List.of(Community.of(100, 1), Community.of(65000, 1), Community.NO_EXPORT),
        plan.routes("r").get(0).communities());
  }

  /** RFC 8092: two large communities differing only in the second local data part are two communities. */
  @Test
  void largeCommunities_differingOnlyInLocalData2_bothKept() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).build())
        .advertisement(AdvertisementConfig.builder("a").communities("large:64512:1:2").build())
        .advertisement(AdvertisementConfig.builder("b").communities("large:64512:1:3").build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.7"), "p");
    assertEquals(List.of(new LargeCommunity(64512, 1, 2), new LargeCommunity(64512, 1, 3)),
        plan.routes("r").get(0).largeCommunities());
  }

  /** MetalLB's desired state: nothing from a node excluded from load balancers; only services an advertisement selects. */
  @Test
  void desiredAddresses_excludedNodeOrUnselectedService_notDesired() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .advertisement(AdvertisementConfig.builder("web")
            .serviceSelectors(List.of(LabelSelector.matchLabels(Map.of("tier", "web")))).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.1"), "p", "ns/db", Map.of("tier", "db"));
    plan.add(ip("198.51.100.2"), "p", "ns/web", Map.of("tier", "web"));
    assertEquals(java.util.Set.of(ip("198.51.100.2")), plan.desiredAddresses());
    RoutePlan excluded = new RoutePlan(config,
        new NodeIdentity("cp-1", Map.of(NodeIdentity.EXCLUDE_FROM_LOAD_BALANCERS, "")));
    excluded.add(ip("198.51.100.2"), "p", "ns/web", Map.of("tier", "web"));
    assertEquals(java.util.Set.of(), excluded.desiredAddresses());
  }

  /**
   * A peer that had no routes before a reconfiguration (the advertisement named another peer) and has some after it
   * is told them: its session is not restarted, so these changes are all it gets.
   */
  @Test
  void reconfigure_peerNewlyNamedByAnAdvertisement_announced() {
    PeerConfig r1 = peer("r1", "192.0.2.1", 64512, 64513).build();
    PeerConfig r2 = peer("r2", "192.0.2.2", 64512, 64513).build();
    SpeakerConfig before = SpeakerConfig.builder().pool(pool("p", "198.51.100.0/24")).peer(r1).peer(r2)
        .advertisement(AdvertisementConfig.builder("a").peers("r1").build()).build();
    SpeakerConfig after = SpeakerConfig.builder().pool(pool("p", "198.51.100.0/24")).peer(r1).peer(r2)
        .advertisement(AdvertisementConfig.builder("a").build()).build();
    RoutePlan plan = new RoutePlan(before, NODE);
    plan.add(ip("198.51.100.7"), "p");
    RoutePlan.Reconfiguration r = plan.reconfigure(after, NODE);
    assertEquals(List.of("r2"), r.changes().stream().map(RoutePlan.Change::peer).toList());
    assertTrue(r.changes().get(0).route().isPresent());
  }

  /** Every service sharing an address survives a reconfiguration: the route stays until the last one leaves. */
  @Test
  void reconfigure_sharedAddress_everyServiceKept() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(peer("r", "192.0.2.1", 64512, 64513).build())
        .advertisement(AdvertisementConfig.builder("a").build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.7"), "p", "ns/a", Map.of());
    plan.add(ip("198.51.100.7"), "p", "ns/b", Map.of());
    RoutePlan next = plan.reconfigure(config, NODE).plan();
    assertEquals(List.of(), next.remove(ip("198.51.100.7"), "ns/a"), "ns/b still uses it");
    assertEquals(1, next.remove(ip("198.51.100.7"), "ns/b").size());
  }

  /** MetalLB dynamicASN internal is iBGP: it gets localPref; dynamicASN external does not. */
  @Test
  void localPref_dynamicAsnInternalOnly() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(PeerConfig.builder().name("int").peerAddress(ip("192.0.2.1")).myAsn(64512)
            .dynamicAsn(DynamicAsn.INTERNAL).build())
        .peer(PeerConfig.builder().name("ext").peerAddress(ip("192.0.2.2")).myAsn(64512)
            .dynamicAsn(DynamicAsn.EXTERNAL).build())
        .advertisement(AdvertisementConfig.builder("a").localPref(200).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.7"), "p");
    assertEquals(Optional.of(200L), plan.routes("int").get(0).localPref());
    assertEquals(Optional.empty(), plan.routes("ext").get(0).localPref());
  }

  /**
   * A dynamicASN ANY peer is iBGP or eBGP as its OPEN says. The session drops LOCAL_PREF toward eBGP and puts 100 on
   * an iBGP route that has none (RFC 4271 §5.1.5), so the plan must carry the configured localPref to such a peer:
   * without it an iBGP ANY session got LOCAL_PREF 100 instead of the advertisement's 200.
   */
  @Test
  void localPref_dynamicAsnAny_carriedForTheSessionToKeepOrDrop() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("p", "198.51.100.0/24"))
        .peer(PeerConfig.builder().name("any").peerAddress(ip("192.0.2.1")).myAsn(64512).dynamicAsn(DynamicAsn.ANY)
            .build())
        .advertisement(AdvertisementConfig.builder("a").localPref(200).build())
        .build();
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(ip("198.51.100.7"), "p");
    assertEquals(Optional.of(200L), plan.routes("any").get(0).localPref());
  }
}
