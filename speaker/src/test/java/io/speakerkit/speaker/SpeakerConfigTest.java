package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.bfd.BfdProfile;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpeakerConfigTest {

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void peer_withoutName_namedAfterAddress_literalOnly() throws Exception {
    PeerConfig peer = PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress("2001:db8::1").build();
    assertEquals("2001:db8:0:0:0:0:0:1", peer.name());
    assertEquals(ip("2001:db8::1"), peer.peerAddress());
    assertEquals("address: router.example (expected: an IPv4 or IPv6 literal)",
        assertThrows(IllegalArgumentException.class, () -> PeerConfig.builder().peerAddress("router.example"))
            .getMessage());
  }

  @Test
  void speakerBuilder_configAndParts_rejected_partsValidatedAsOneConfig() {
    SpeakerConfig config = SpeakerConfig.builder().build();
    assertEquals("config: set together with pool/peer/advertisement/bfdProfile (expected: one or the other)",
        assertThrows(IllegalStateException.class,
            () -> Speaker.builder().config(config).pool("p", "10.0.0.0/24").build()).getMessage());
    assertEquals("config: unset (expected: config(...) or pool/peer/advertisement)",
        assertThrows(IllegalStateException.class, () -> Speaker.builder().build()).getMessage());
    // The parts are validated as one SpeakerConfig.
    assertEquals("BGPPeer 192.0.2.1: spec.bfdProfile: \"fast\": no BFDProfile of that name",
        assertThrows(IllegalArgumentException.class, () -> Speaker.builder().pool("p", "10.0.0.0/24")
            .peer(PeerConfig.builder().myAsn(1).peerAsn(2).peerAddress("192.0.2.1").bfdProfile("fast").build())
            .build()).getMessage());
  }

  /** MetalLB webhook: "invalid aggregation length ... more specific than the aggregation length". */
  @Test
  void aggregationLength_shorterThanPoolPrefix_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build())
        .advertisement(AdvertisementConfig.builder("a").aggregationLength(16).build())
        .build());
    assertEquals("BGPAdvertisement a: spec.aggregationLength: 16 is shorter than the /24 prefixes of IPAddressPool p"
        + " (10.0.0.0-10.0.0.255)", e.getMessage());
  }

  /**
   * MetalLB (bgpAdvertisementFromCR): serviceSelectors and an aggregation length are mutually exclusive; the aggregate
   * would carry the services the selectors leave out.
   */
  /** MetalLB's BGPAdvertisement CRD: aggregationLength at least 1 (0 would announce 0.0.0.0/0); V6 may be 0. */
  @Test
  void aggregationLength_zero_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AdvertisementConfig.builder("a").aggregationLength(0).build());
    assertEquals("aggregationLength: 0 (expected: 1-32)", e.getMessage());
    assertEquals(0, AdvertisementConfig.builder("a").aggregationLengthV6(0).build().aggregationLengthV6());
  }

  @Test
  void serviceSelectorsWithAggregation_rejected() {
    io.speakerkit.allocator.LabelSelector web =
        io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("app", "web"));
    IllegalArgumentException v4 = assertThrows(IllegalArgumentException.class,
        () -> AdvertisementConfig.builder("agg").aggregationLength(24).serviceSelectors(List.of(web)).build());
    assertEquals("serviceSelectors: cannot be set with aggregationLength 24 / aggregationLengthV6 128 (expected: "
        + "32 / 128; use a second BGPAdvertisement)", v4.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> AdvertisementConfig.builder("agg").aggregationLengthV6(64).serviceSelectors(List.of(web)).build());
    AdvertisementConfig.builder("selected").serviceSelectors(List.of(web)).build(); // host routes: fine
  }

  /**
   * A start-end range (10.0.0.10-10.0.0.20: /31, /30, /30, /32) is refused, as by MetalLB, only when the aggregation
   * length is shorter than its broadest CIDR.
   */
  @Test
  void aggregationLength_rangePool_refusedOnlyBelowTheBroadestCidr() {
    SpeakerConfig.builder().pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .advertisement(AdvertisementConfig.builder("a").aggregationLength(30).build()).build();
    SpeakerConfig.builder().pool(IpAddressPool.builder().name("p").addresses("192.168.1.1-192.168.1.254").build())
        .advertisement(AdvertisementConfig.builder("a").aggregationLength(26).build()).build(); // its /26s
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .advertisement(AdvertisementConfig.builder("a").aggregationLength(29).build())
        .build());
    assertEquals("BGPAdvertisement a: spec.aggregationLength: 29 is shorter than the /30 prefixes of IPAddressPool p"
        + " (10.0.0.10-10.0.0.20)", e.getMessage());
  }

  /** MetalLB: advertisements for one pool and peer with different localPref are refused. */
  @Test
  void localPref_conflictingForSamePoolAndPeer_rejected() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build())
        .peer(PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1")).build())
        .advertisement(AdvertisementConfig.builder("a").localPref(100).build())
        .advertisement(AdvertisementConfig.builder("b").ipAddressPools("p").localPref(200).build())
        .build());
    assertEquals("BGPAdvertisement a and b: spec.localPref: 100 and 200 for pool p (expected: the same localPref"
        + " when both announce a pool to a peer)", e.getMessage());
  }

  /** MetalLB counts an unset localPref as 0, and lets differing ones pass for disjoint peers or aggregations. */
  @Test
  void localPref_unsetAgainstSet_rejected_disjointPeersOrAggregation_accepted() throws Exception {
    PeerConfig r1 = PeerConfig.builder().name("r1").myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1")).build();
    PeerConfig r2 = PeerConfig.builder().name("r2").myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.2")).build();
    IpAddressPool p = IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build();
    assertEquals("BGPAdvertisement a and b: spec.localPref: 100 and unset for pool p (expected: the same localPref"
        + " when both announce a pool to a peer)", assertThrows(IllegalArgumentException.class,
            () -> SpeakerConfig.builder().pool(p).peer(r1).advertisement(AdvertisementConfig.builder("a").localPref(100)
                .build()).advertisement(AdvertisementConfig.builder("b").build()).build()).getMessage());
    SpeakerConfig.builder().pool(p).peer(r1).peer(r2)
        .advertisement(AdvertisementConfig.builder("a").peers("r1").localPref(100).build())
        .advertisement(AdvertisementConfig.builder("b").peers("r2").localPref(200).build()).build();
    SpeakerConfig.builder().pool(p).peer(r1)
        .advertisement(AdvertisementConfig.builder("a").localPref(100).build())
        .advertisement(AdvertisementConfig.builder("b").aggregationLength(24).localPref(200).build()).build();
  }

  /**
   * MetalLB (validateBGPAdvPerPool) checks no localPref pair where either advertisement has serviceSelectors: which
   * services it announces is not known from the configuration. The "gold services get a higher localPref" pattern.
   */
  @Test
  void localPref_differentWithServiceSelectors_accepted() throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build())
        .peer(PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1")).build())
        .advertisement(AdvertisementConfig.builder("default").ipAddressPools("p").localPref(100).build())
        .advertisement(AdvertisementConfig.builder("gold").ipAddressPools("p").localPref(200)
            .serviceSelectors(List.of(io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("tier", "gold"))))
            .build())
        .build();
    assertEquals(List.of("default", "gold"), config.advertisements().stream().map(AdvertisementConfig::name).toList());
  }

  @Test
  void references_unknownBfdProfile_rejected_unknownPoolOrPeerOfAnAdvertisement_accepted() throws Exception {
    // MetalLB config.go setBGPAdvertisementsToPools skips pool names that do not exist, and peer names are only
    // matched when announcing: a pool or peer may be deleted while an advertisement still names it
    SpeakerConfig.builder().advertisement(AdvertisementConfig.builder("a").ipAddressPools("deleted").peers("gone")
        .build()).build();
    PeerConfig withBfd = PeerConfig.builder().name("r").myAsn(1).peerAsn(2).peerAddress(ip("192.0.2.1"))
        .bfdProfile("fast").build();
    assertEquals("BGPPeer r: spec.bfdProfile: \"fast\": no BFDProfile of that name",
        assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder().peer(withBfd).build())
            .getMessage());
    SpeakerConfig.builder().peer(withBfd).bfdProfile("fast", BfdProfile.DEFAULT).build();
  }

  @Test
  void peer_timersDefaultAndValidateAsMetalLb() throws Exception {
    PeerConfig.Builder b = PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1"));
    PeerConfig defaults = b.build();
    assertEquals(Duration.ofSeconds(180), defaults.holdTime()); // FRR's, as MetalLB >= v0.14.9 leaves it to FRR
    assertEquals(Duration.ofSeconds(60), defaults.keepaliveTime());
    PeerConfig keepaliveOnly = PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1"))
        .keepaliveTime(Duration.ofSeconds(60)).build();
    assertEquals(Duration.ofSeconds(180), keepaliveOnly.holdTime()); // MetalLB: hold = 3 x keepalive
    assertEquals(Duration.ofSeconds(60), keepaliveOnly.keepaliveTime());
    assertEquals(Duration.ofSeconds(360), PeerConfig.builder().myAsn(64512).peerAsn(64512)
        .peerAddress(ip("192.0.2.1")).keepaliveTime(Duration.ofSeconds(120)).build().holdTime());
    assertThrows(IllegalArgumentException.class, () -> PeerConfig.builder().myAsn(64512).peerAsn(64512)
        .peerAddress(ip("192.0.2.1")).keepaliveTime(Duration.ofSeconds(30000)).build());
    assertEquals("holdTime: 2s (expected: 0 or 3-65535 seconds)",
        assertThrows(IllegalArgumentException.class, () -> b.holdTime(Duration.ofSeconds(2))).getMessage());
    // MetalLB (config.go parseTimers) cuts to whole seconds before checking, and FRR takes whole seconds
    assertThrows(IllegalArgumentException.class, () -> b.holdTime(Duration.ofMillis(2900)));
    PeerConfig fractional = PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1"))
        .holdTime(Duration.ofMillis(90_500)).keepaliveTime(Duration.ofMillis(30_500)).build();
    assertEquals(Duration.ofSeconds(90), fractional.holdTime());
    assertEquals(Duration.ofSeconds(30), fractional.keepaliveTime());
    assertEquals("keepaliveTime: 40s (expected: at most holdTime 30s)", assertThrows(IllegalArgumentException.class,
        () -> b.holdTime(Duration.ofSeconds(30)).keepaliveTime(Duration.ofSeconds(40)).build()).getMessage());
    assertEquals("ebgpMultiHop: true on an iBGP peer (expected: eBGP only)", assertThrows(
        IllegalArgumentException.class,
        () -> b.keepaliveTime(Duration.ofSeconds(10)).ebgpMultiHop(true).build()).getMessage());
  }

  /**
   * MetalLB (config.go parseTimers) derives the hold time from keepaliveTime as given and checks it before cutting
   * both to whole seconds for FRR: 1.5 s gives hold 4.5 s (FRR: timers 1 4), 0.5 s gives 1.5 s, which is refused.
   */
  @Test
  void peer_keepaliveOnly_holdTimeDerivedBeforeCutting() throws Exception {
    PeerConfig p = PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1"))
        .keepaliveTime(Duration.ofMillis(1500)).build();
    assertEquals(Duration.ofSeconds(4), p.holdTime());
    assertEquals(Duration.ofSeconds(1), p.keepaliveTime());
    assertEquals("keepaliveTime: 0.5s without holdTime gives a hold time of 1.5s (expected: a hold time of 0 or at "
        + "least 3 seconds)", assertThrows(IllegalArgumentException.class, () -> PeerConfig.builder().myAsn(64512)
            .peerAsn(64512).peerAddress(ip("192.0.2.1")).keepaliveTime(Duration.ofMillis(500)).build()).getMessage());
    // compared as given: 3.7 s is more than 3.5 s, though both are 3 s once cut
    assertEquals("keepaliveTime: 3.7s (expected: at most holdTime 3.5s)", assertThrows(IllegalArgumentException.class,
        () -> PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1"))
            .holdTime(Duration.ofMillis(3500)).keepaliveTime(Duration.ofMillis(3700)).build()).getMessage());
  }

  @Test
  void cidrs_rangeDecomposition() {
    assertEquals(java.util.List.of(31, 30, 30, 32),
        Cidrs.prefixLengths(io.speakerkit.allocator.IpRange.parse("10.0.0.10-10.0.0.20")));
    assertEquals(java.util.List.of(0), Cidrs.prefixLengths(io.speakerkit.allocator.IpRange.parse("0.0.0.0/0")));
    assertEquals(java.util.List.of(64), Cidrs.prefixLengths(io.speakerkit.allocator.IpRange.parse("2001:db8::/64")));
  }
  /** An IPv6 session's BGP identifier without routerID: as zebra's router-id, loopback first, then the highest. */
  @Test
  void hostRouterId_loopbackInterfaceFirst_thenHighest_never127OrLinkLocal() throws Exception {
    java.util.function.Function<String, java.net.Inet4Address> v4 = a -> {
      try {
        return (java.net.Inet4Address) InetAddress.getByName(a);
      } catch (java.net.UnknownHostException e) {
        throw new AssertionError(e);
      }
    };
    assertEquals(Optional.of(v4.apply("10.0.0.9")), Speaker.routerIdAmong(List.of(
        Map.entry(false, v4.apply("192.168.1.10")), Map.entry(true, v4.apply("10.0.0.9")),
        Map.entry(true, v4.apply("127.0.0.1")))));
    assertEquals(Optional.of(v4.apply("192.168.1.10")), Speaker.routerIdAmong(List.of(
        Map.entry(false, v4.apply("10.1.2.3")), Map.entry(false, v4.apply("192.168.1.10")),
        Map.entry(false, v4.apply("169.254.0.1")), Map.entry(true, v4.apply("127.0.0.1")))));
    assertEquals(Optional.empty(), Speaker.routerIdAmong(List.of(Map.entry(true, v4.apply("127.0.0.1")))));
  }

  private static PeerConfig ibgp(String name, String address) throws Exception {
    return PeerConfig.builder().name(name).myAsn(64512).peerAsn(64512).peerAddress(ip(address)).build();
  }

  private static IpAddressPool pool(String name, String... ranges) {
    return IpAddressPool.builder().name(name).addresses(ranges).build();
  }

  /** Two of one kind with one name are refused, as Kubernetes and MetalLB's webhook refuse them. */
  @Test
  void duplicateNames_rejected() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder().pool(pool("p", "10.0.0.0/24"))
        .pool(pool("p", "10.0.1.0/24")).build());
    assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder().peer(ibgp("r", "192.0.2.1"))
        .peer(ibgp("r", "192.0.2.2")).build());
    assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder()
        .advertisement(AdvertisementConfig.builder("a").build())
        .advertisement(AdvertisementConfig.builder("a").communities("65000:1").build()).build());
  }

  /** MetalLB (poolsFor): "CIDR ... overlaps with already defined CIDR". */
  @Test
  void overlappingPools_rejected() {
    assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder().pool(pool("a", "10.0.0.0/24"))
        .pool(pool("b", "10.0.0.128/25")).build());
  }

  /** One neighbor per address: two peers of one address on every node are refused; on selected nodes they may be. */
  @Test
  void samePeerAddress_refusedUnlessNodeSelected() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder().peer(ibgp("r1", "192.0.2.1"))
        .peer(ibgp("r2", "192.0.2.1")).build());
    io.speakerkit.allocator.LabelSelector west =
        io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("zone", "west"));
    io.speakerkit.allocator.LabelSelector east =
        io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("zone", "east"));
    SpeakerConfig.builder()
        .peer(PeerConfig.builder().name("r1").myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1"))
            .nodeSelectors(List.of(west)).build())
        .peer(PeerConfig.builder().name("r2").myAsn(64512).peerAsn(64512).peerAddress(ip("192.0.2.1"))
            .nodeSelectors(List.of(east)).build())
        .build();
  }

  /**
   * MetalLB (BGPAdvertisementsHaveCompatibleLocalPref): advertisements conflict unless both name peers and share none,
   * or their nodes are disjoint; one naming no peer or no node shares them all.
   */
  @Test
  void localPref_peersAndNodesDecideWhetherTwoAdvertisementsMeet() throws Exception {
    io.speakerkit.allocator.LabelSelector west =
        io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("zone", "west"));
    io.speakerkit.allocator.LabelSelector east =
        io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("zone", "east"));
    java.util.function.BiFunction<AdvertisementConfig.Builder, AdvertisementConfig.Builder, SpeakerConfig> config =
        (a, b) -> {
          try {
            return SpeakerConfig.builder().pool(pool("p", "10.0.0.0/24")).peer(ibgp("r1", "192.0.2.1"))
                .peer(ibgp("r2", "192.0.2.2")).advertisement(a.localPref(100).build())
                .advertisement(b.localPref(200).build()).build();
          } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
          }
        };
    // every peer against one: they meet at r2
    assertThrows(IllegalArgumentException.class,
        () -> config.apply(AdvertisementConfig.builder("a"), AdvertisementConfig.builder("b").peers("r2")));
    // overlapping peer lists
    assertThrows(IllegalArgumentException.class, () -> config.apply(AdvertisementConfig.builder("a").peers("r1", "r2"),
        AdvertisementConfig.builder("b").peers("r2")));
    // one on west nodes, the other on every node: they meet on west nodes
    assertThrows(IllegalArgumentException.class, () -> config.apply(
        AdvertisementConfig.builder("a").nodeSelectors(List.of(west)), AdvertisementConfig.builder("b")));
    // west against east: disjoint nodes
    config.apply(AdvertisementConfig.builder("a").nodeSelectors(List.of(west)),
        AdvertisementConfig.builder("b").nodeSelectors(List.of(east)));
  }

  /**
   * MetalLB (isAggrLengthDifferent): for a dual-stack pool both aggregation lengths must differ; for a single-family
   * pool only that family's length counts.
   */
  @Test
  void localPref_aggregationDifference_countsPerFamilyOfThePool() {
    AdvertisementConfig a = AdvertisementConfig.builder("a").localPref(100).build();
    AdvertisementConfig v4Only = AdvertisementConfig.builder("b").aggregationLength(24).localPref(200).build();
    assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder()
        .pool(pool("dual", "10.0.0.0/24", "2001:db8::/64")).advertisement(a).advertisement(v4Only).build());
    assertThrows(IllegalArgumentException.class, () -> SpeakerConfig.builder()
        .pool(pool("v6", "2001:db8::/64")).advertisement(a).advertisement(v4Only).build());
    SpeakerConfig.builder().pool(pool("dual", "10.0.0.0/24", "2001:db8::/64")).advertisement(a)
        .advertisement(AdvertisementConfig.builder("b").aggregationLength(24).aggregationLengthV6(64).localPref(200)
            .build()).build();
  }

  /** The aggregation length is checked against the pools an advertisement covers, not against every pool. */
  @Test
  void aggregationLength_checkedOnlyAgainstCoveredPools() {
    SpeakerConfig.builder().pool(pool("a", "10.0.0.0/24")).pool(pool("b", "10.1.0.0/28"))
        .advertisement(AdvertisementConfig.builder("agg").ipAddressPools("a").aggregationLength(24).build()).build();
  }

  /** MetalLB ipAddressPoolSelectors: an advertisement selecting pools by label covers those pools only. */
  @Test
  void ipAddressPoolSelectors_coverTheLabelledPoolsOnly() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(pool("gold", "10.0.0.0/24"), Map.of("tier", "gold"))
        .pool(pool("plain", "10.0.1.0/24"))
        .advertisement(AdvertisementConfig.builder("a").ipAddressPoolSelectors(
            List.of(io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("tier", "gold")))).build())
        .build();
    assertEquals(List.of("gold"), config.poolsOf(config.advertisements().get(0)).stream()
        .map(IpAddressPool::name).toList());
  }

  /** MetalLB: aggregationLength at most 32, aggregationLengthV6 at most 128; localPref is 32 bits (RFC 4271 §4.3). */
  @Test
  void advertisement_rangesAtTheirBounds() {
    AdvertisementConfig.builder("a").aggregationLength(32).aggregationLengthV6(128).localPref(4294967295L).build();
    assertThrows(IllegalArgumentException.class, () -> AdvertisementConfig.builder("a").aggregationLength(33).build());
    assertThrows(IllegalArgumentException.class,
        () -> AdvertisementConfig.builder("a").aggregationLengthV6(129).build());
    assertThrows(IllegalArgumentException.class, () -> AdvertisementConfig.builder("a").localPref(4294967296L).build());
  }
}
