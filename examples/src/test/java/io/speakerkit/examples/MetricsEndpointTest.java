package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.PoolUsage;
import io.speakerkit.speaker.MetalLbMetrics;
import io.speakerkit.speaker.Speaker;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsEndpointTest {

  /** MetalLB's metallb_k8s_client_* families, after the speaker's own. */
  @Test
  void render_configStatusAfterSpeakerFamilies() {
    String text = MetricsEndpoint.render(
        MetalLbMetrics.of(List.of(), Map.of(), "node-a", List.of(new PoolUsage("p", IpFamily.IPV4,
            BigInteger.valueOf(4), 1))), new MetricsEndpoint.ConfigStatus(true, true, 3, 1));
    assertTrue(text.startsWith("# HELP metallb_allocator_addresses_in_use_total"), text);
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

  /**
   * Two BGPPeers of one address that both select this node: the second is refused (README, Troubleshooting) and listed
   * as down, under the same labels as the running one: two samples of one series, which the text format forbids.
   */
  @Test
  void metrics_twoPeersSameAddressOnThisNode_noDuplicateSeries(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("peers.yaml");
    Files.writeString(f, """
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p1, namespace: metallb-system}
        spec:
          myASN: 64512
          peerASN: 64512
          peerAddress: 127.0.0.31
          peerPort: 13310
          nodeSelectors: [{matchLabels: {kubernetes.io/hostname: n}}]
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p2, namespace: metallb-system}
        spec:
          myASN: 64512
          peerASN: 64513
          peerAddress: 127.0.0.31
          peerPort: 13310
          nodeSelectors: [{matchLabels: {rack: r1}}]
        """);
    ManifestReloader r = new ManifestReloader(List.of(f), null, "n",
        Map.of("kubernetes.io/hostname", "n", "rack", "r1"), new PrintStream(PrintStream.nullOutputStream()));
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).allowLocalPeers(true)
        .build()) {
      speaker.start();
      String text = MetricsEndpoint.render(MetalLbMetrics.of(speaker, "n"), r.status());
      Map<String, Long> samples = text.lines().filter(l -> !l.startsWith("#"))
          .map(l -> l.substring(0, l.lastIndexOf(' ')))
          .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
      samples.forEach((series, n) -> assertEquals(1L, n, series + " appears " + n + " times:\n" + text));
    }
  }
}
