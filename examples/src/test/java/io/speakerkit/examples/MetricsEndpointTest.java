package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.PoolUsage;
import io.speakerkit.bfd.BfdCounters;
import io.speakerkit.bgp.fsm.transport.BgpSessionCounters;
import io.speakerkit.speaker.PeerMetrics;
import io.speakerkit.speaker.Speaker;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

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
    String text = MetricsEndpoint.render(peers, announced, "node-a", pools,
        new MetricsEndpoint.ConfigStatus(true, true, 3, 1));

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
    assertTrue(text.contains("""
        # HELP metallb_allocator_addresses_in_use_total Addresses of the pool allocated to services
        # TYPE metallb_allocator_addresses_in_use_total gauge
        metallb_allocator_addresses_in_use_total{pool="default"} 3
        metallb_allocator_addresses_in_use_total{pool="say \\"hi\\""} 0
        # HELP metallb_allocator_addresses_total Addresses the pool can allocate
        # TYPE metallb_allocator_addresses_total gauge
        metallb_allocator_addresses_total{pool="default"} 1.8446744073709552E19
        metallb_allocator_addresses_total{pool="say \\"hi\\""} 4
        """), text);
    assertTrue(text.endsWith("""
        # HELP metallb_k8s_client_config_loaded_bool 1 once a configuration was loaded
        # TYPE metallb_k8s_client_config_loaded_bool gauge
        metallb_k8s_client_config_loaded_bool 1
        # HELP metallb_k8s_client_config_stale_bool 1 while the newest configuration failed and an older one runs
        # TYPE metallb_k8s_client_config_stale_bool gauge
        metallb_k8s_client_config_stale_bool 1
        # HELP metallb_k8s_client_updates_total Configurations loaded and applied
        # TYPE metallb_k8s_client_updates_total counter
        metallb_k8s_client_updates_total 3
        # HELP metallb_k8s_client_update_errors_total Configurations that failed to load or apply
        # TYPE metallb_k8s_client_update_errors_total counter
        metallb_k8s_client_update_errors_total 1
        """), text);
    // every family once: HELP and TYPE lines are not repeated per peer
    assertEquals(1, text.split("# TYPE metallb_bgp_session_up ", -1).length - 1);
  }

  @Test
  void escape_backslashQuoteNewline() {
    assertEquals("a\\\\b\\\"c\\nd", MetricsEndpoint.escape("a\\b\"c\nd"));
  }

  /** Before the speaker runs the endpoint answers 503; other paths 404. */
  @Test
  void serve_notStarted503_otherPath404() throws Exception {
    Speaker speaker = Speaker.builder().pool("default", "10.0.0.0/30").build();
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), speaker, "node-a",
        () -> new MetricsEndpoint.ConfigStatus(false, false, 0, 0))) {
      HttpClient client = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + endpoint.address().getPort();
      HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, metrics.statusCode(), metrics.body());
      assertTrue(metrics.body().contains("not started"), metrics.body());
      HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, other.statusCode());
    }
  }
}
