package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.PoolUsage;
import io.speakerkit.bfd.BfdCounters;
import io.speakerkit.bgp.fsm.transport.BgpSessionCounters;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetalLbMetricsTest {

  private static BfdCounters bfd(long in, long out, long up, long down) {
    return new BfdCounters(in, out, up, down, 0, 0, 0, 0, 0, 0, new long[7], 0, 0, 0);
  }

  /** MetalLB's names, types and labels; BGP peers labelled address:port (IPv6 in short form), BFD peers by address. */
  @Test
  void render_metalLbNamesTypesAndLabels() throws Exception {
    List<PeerMetrics> peers = List.of(
        new PeerMetrics("tor-a", InetAddress.getByName("192.168.126.2"), 179, true,
            new BgpSessionCounters(1, 1, 3, 2, 0, 0, 10, 11, 1, 0), 2, 0, Optional.of(bfd(120, 130, 1, 0)), true),
        new PeerMetrics("tor-b", InetAddress.getByName("fd00:0:0:0:0:0:0:2"), 1790, false,
            new BgpSessionCounters(2, 0, 0, 0, 1, 1, 0, 0, 0, 0), 0, 0, Optional.empty(), false));
    List<PoolUsage> pools = List.of(
        new PoolUsage("default", IpFamily.IPV4, BigInteger.valueOf(256), 2),
        new PoolUsage("default", IpFamily.IPV6, BigInteger.ONE.shiftLeft(64), 1),
        new PoolUsage("say \"hi\"", IpFamily.IPV4, BigInteger.valueOf(4), 0));
    Map<String, List<InetAddress>> announced = Map.of("web/front",
        List.of(InetAddress.getByName("10.0.0.10"), InetAddress.getByName("fd00:0:0:0:0:0:0:a")));
    String text = MetalLbMetrics.of(peers, announced, "node-a", pools).text();

    String expected = """
        # HELP metallb_bgp_session_up BGP session state (1 Established, 0 otherwise)
        # TYPE metallb_bgp_session_up gauge
        metallb_bgp_session_up{peer="192.168.126.2:179",vrf="default"} 1
        metallb_bgp_session_up{peer="fd00::2:1790",vrf="default"} 0
        # HELP metallb_bgp_announced_prefixes_total Prefixes this speaker advertises to the peer
        # TYPE metallb_bgp_announced_prefixes_total gauge
        metallb_bgp_announced_prefixes_total{peer="192.168.126.2:179",vrf="default"} 2
        metallb_bgp_announced_prefixes_total{peer="fd00::2:1790",vrf="default"} 0
        """;
    assertTrue(text.startsWith(expected), text);
    assertTrue(text.contains("""
        # TYPE metallb_bgp_updates_total counter
        metallb_bgp_updates_total{peer="192.168.126.2:179",vrf="default"} 3
        """), text);
    assertTrue(text.contains("metallb_bgp_updates_total_received{peer=\"192.168.126.2:179\",vrf=\"default\"} 2\n"));
    assertTrue(text.contains("metallb_bgp_keepalives_received{peer=\"192.168.126.2:179\",vrf=\"default\"} 11\n"));
    assertTrue(text.contains("metallb_bgp_route_refresh_sent{peer=\"192.168.126.2:179\",vrf=\"default\"} 1\n"));
    assertTrue(text.contains("metallb_bgp_notifications_sent{peer=\"fd00::2:1790\",vrf=\"default\"} 1\n"));
    assertTrue(text.contains("metallb_bgp_total_sent{peer=\"192.168.126.2:179\",vrf=\"default\"} 15\n"), text);
    assertTrue(text.contains("metallb_bgp_total_received{peer=\"192.168.126.2:179\",vrf=\"default\"} 14\n"), text);
    assertTrue(text.contains("metallb_bgp_total_received{peer=\"fd00::2:1790\",vrf=\"default\"} 1\n"), text);
    assertTrue(text.contains("""
        # TYPE metallb_bfd_session_up gauge
        metallb_bfd_session_up{peer="192.168.126.2",vrf="default"} 1
        """), text);
    assertTrue(text.contains("metallb_bfd_control_packet_input{peer=\"192.168.126.2\",vrf=\"default\"} 120\n"));
    assertTrue(text.contains("metallb_bfd_control_packet_output{peer=\"192.168.126.2\",vrf=\"default\"} 130\n"));
    assertTrue(text.contains("metallb_bfd_session_up_events{peer=\"192.168.126.2\",vrf=\"default\"} 1\n"));
    assertTrue(text.contains("metallb_bfd_echo_packet_input{peer=\"192.168.126.2\",vrf=\"default\"} 0\n"));
    assertTrue(!text.contains("metallb_bfd_session_up{peer=\"fd00::2\""), "no BFD for tor-b: " + text);
    assertTrue(text.contains("""
        # TYPE metallb_speaker_announced gauge
        metallb_speaker_announced{service="web/front",protocol="bgp",node="node-a",ip="10.0.0.10"} 1
        metallb_speaker_announced{service="web/front",protocol="bgp",node="node-a",ip="fd00::a"} 1
        """), text);
    assertTrue(text.endsWith("""
        # HELP metallb_allocator_addresses_in_use_total Addresses of the pool allocated to services
        # TYPE metallb_allocator_addresses_in_use_total gauge
        metallb_allocator_addresses_in_use_total{pool="default"} 3
        metallb_allocator_addresses_in_use_total{pool="say \\"hi\\""} 0
        # HELP metallb_allocator_addresses_total Addresses the pool can allocate
        # TYPE metallb_allocator_addresses_total gauge
        metallb_allocator_addresses_total{pool="default"} 9.223372036854776E18
        metallb_allocator_addresses_total{pool="say \\"hi\\""} 4
        """), text);
    // every family once: HELP and TYPE lines are not repeated per peer
    assertEquals(1, text.split("# TYPE metallb_bgp_session_up ", -1).length - 1);
  }

  /** The caller's own families follow the speaker's; one name cannot be both a gauge and a counter. */
  @Test
  void ownFamilies_appended_typeKept() {
    MetalLbMetrics m = MetalLbMetrics.of(List.of(), Map.of(), "n", List.of())
        .gauge("app_up", "Up", Map.of(), 1).gauge("app_up", "Up", Map.of("x", "y"), 0);
    assertEquals("# HELP app_up Up\n# TYPE app_up gauge\napp_up 1\napp_up{x=\"y\"} 0\n", m.text());
    assertThrows(IllegalArgumentException.class, () -> m.counter("app_up", "Up", Map.of(), 1));
  }

  @Test
  void escape_backslashQuoteNewline() {
    assertEquals("a\\\\b\\\"c\\nd", MetalLbMetrics.escape("a\\b\"c\nd"));
  }

  /**
   * MetalLB's BFD series are keyed by peer address only (FRR has one BFD peer per address): two PeerMetrics of one
   * address (a running BGPPeer on port 179 and a refused second BGPPeer of that address on port 1790, both with a
   * bfdProfile, as Speaker.metrics() lists them) must not give two samples with the same labels.
   */
  @Test
  void bfdFamilies_onePerPeerAddress_evenWithTwoPortsOfOneAddress() throws Exception {
    InetAddress a = InetAddress.getByName("192.168.126.2");
    List<PeerMetrics> peers = List.of(
        new PeerMetrics("p1", a, 179, true, new BgpSessionCounters(1, 1, 3, 2, 0, 0, 10, 11, 0, 0), 2, 0,
            Optional.of(bfd(120, 130, 1, 0)), true),
        new PeerMetrics("p2", a, 1790, false, new BgpSessionCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0,
            Optional.of(bfd(0, 0, 0, 0)), false));
    String text = MetalLbMetrics.of(peers, Map.of(), "node-a", List.of()).text();
    assertEquals(1, text.split("metallb_bfd_session_up\\{peer=\"192.168.126.2\",vrf=\"default\"\\}", -1).length - 1,
        text);
  }

  /** MetalLB's poolCount: a range of 2^62 addresses or more counts as math.MaxInt64 (internal/allocator). */
  @Test
  void addressesTotal_enormousIpv6Range_isMaxInt64AsMetalLb() {
    String text = MetalLbMetrics.of(List.of(), Map.of(), "n",
        List.of(new PoolUsage("v6", IpFamily.IPV6, BigInteger.ONE.shiftLeft(64), 0))).text();
    String line = text.lines().filter(l -> l.startsWith("metallb_allocator_addresses_total{")).findFirst().orElseThrow();
    assertEquals((double) Long.MAX_VALUE, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), line);
  }

  /** Text format 0.0.4: HELP text escapes backslash and line feed, else a caller's help string breaks the page. */
  @Test
  void helpText_escapesBackslashAndNewline() {
    String text = MetalLbMetrics.of(List.of(), Map.of(), "n", List.of())
        .gauge("app_up", "first line\nsecond \\ line", Map.of(), 1).text();
    assertEquals("# HELP app_up first line\\nsecond \\\\ line\n# TYPE app_up gauge\napp_up 1\n", text);
  }

  /**
   * MetalLB's speaker sets metallb_speaker_announced for every address of a service whose pool has a BGPAdvertisement
   * for this node (ShouldAnnounce checks the advertisement's nodes, the node and the endpoints, not the peers): the
   * desired state, also on a node that has no BGP peer (yet).
   */
  @Test
  void speakerAnnounced_desiredStateWithoutAnyPeer() throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(io.speakerkit.allocator.IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    try (Speaker speaker = Speaker.builder().config(config).build()) {
      speaker.start();
      speaker.announce(io.speakerkit.allocator.ServiceRequest.builder("default/web").build());
      String text = MetalLbMetrics.of(speaker, "node-a").text();
      assertTrue(text.contains(
          "metallb_speaker_announced{service=\"default/web\",protocol=\"bgp\",node=\"node-a\",ip=\"10.0.0.10\"} 1\n"),
          text);
    }
  }

  /** BFD series are BFD's own: session state and down events are not BGP's, nor up events. */
  @Test
  void bfdSeries_ownStateAndDownEvents() throws Exception {
    List<PeerMetrics> peers = List.of(new PeerMetrics("r", InetAddress.getByName("192.168.126.2"), 179, true,
        new BgpSessionCounters(1, 1, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0, Optional.of(bfd(5, 6, 3, 2)), false));
    String text = MetalLbMetrics.of(peers, Map.of(), "n", List.of()).text();
    assertTrue(text.contains("metallb_bfd_session_up{peer=\"192.168.126.2\",vrf=\"default\"} 0\n"), text);
    assertTrue(text.contains("metallb_bfd_session_down_events{peer=\"192.168.126.2\",vrf=\"default\"} 2\n"), text);
    assertTrue(text.contains("metallb_bfd_session_up_events{peer=\"192.168.126.2\",vrf=\"default\"} 3\n"), text);
  }

  /** metallb_bgp_total_sent counts every type sent, NOTIFICATIONs too. */
  @Test
  void totalSent_countsNotifications() throws Exception {
    List<PeerMetrics> peers = List.of(new PeerMetrics("r", InetAddress.getByName("192.168.126.2"), 179, false,
        new BgpSessionCounters(1, 0, 0, 0, 4, 0, 0, 0, 0, 0), 0, 0, Optional.empty(), false));
    String text = MetalLbMetrics.of(peers, Map.of(), "n", List.of()).text();
    assertTrue(text.contains("metallb_bgp_total_sent{peer=\"192.168.126.2:179\",vrf=\"default\"} 5\n"), text);
  }

  /**
   * MetalLB's poolCount: a CIDR of 2^62 addresses (an IPv6 /66) already counts as math.MaxInt64, and a pool holding
   * one counts as math.MaxInt64 whatever else it holds (an IPv4 /8 beside it adds nothing).
   */
  @Test
  void addressesTotal_atTwoTo62_andWithOtherFamily_isMaxInt64() {
    for (List<PoolUsage> pools : List.of(
        List.of(new PoolUsage("v6", IpFamily.IPV6, BigInteger.ONE.shiftLeft(62), 0)),
        List.of(new PoolUsage("v6", IpFamily.IPV4, BigInteger.ONE.shiftLeft(24), 0),
            new PoolUsage("v6", IpFamily.IPV6, BigInteger.ONE.shiftLeft(64), 0)))) {
      String text = MetalLbMetrics.of(List.of(), Map.of(), "n", pools).text();
      String line = text.lines().filter(l -> l.startsWith("metallb_allocator_addresses_total{")).findFirst()
          .orElseThrow();
      assertEquals((double) Long.MAX_VALUE, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), line);
    }
  }
}
