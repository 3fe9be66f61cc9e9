package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.testing.Commands;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar speakerkit.jar speaker --metrics ...} with the BFD lab manifest against FRR (bgpd, bfdd) in a
 * namespace, scraped every second by a real Prometheus server (Debian's {@code prometheus}) on loopback. Prometheus
 * must take the exposition without error (target health up), and its queries must give what FRR reports itself:
 * the session and BFD up, the one /32 announced, the UPDATEs and OPENs FRR counts as received from us.
 */
class MetricsPrometheusInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final String METRICS = "127.253.0.57:7472";
  private static final String PROMETHEUS = "127.253.0.57:9090";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void speakerMetrics_scrapedByPrometheus_agreeWithFrr() throws Exception {
    Commands.require("vtysh", "prometheus", "ip");
    String host = "10.250.20.1";
    String router = "10.250.20.2";
    try (Netns ns = Netns.create("skspkmet", host + "/30", router + "/30")) {
      FrrRouter frr = FrrRouter.start(ns, """
          frr defaults traditional
          hostname skspkmet
          !
          router bgp 64512
           bgp router-id %2$s
           neighbor %1$s remote-as 64512
           neighbor %1$s timers connect 1
           neighbor %1$s bfd profile fast
          !
          """.formatted(host, router), """
          bfd
           profile fast
            receive-interval 100
            transmit-interval 100
           !
          !
          """);
      String manifest = Files.readString(Path.of("src/test/resources/fixtures/metallb-bgp-lab-bfd.yaml"))
          .replace("peerAddress: 192.168.126.2", "peerAddress: " + router);
      File config = new File(ns.dir(), "lab.yaml");
      Files.writeString(config.toPath(), manifest);
      File prometheusConfig = new File(ns.dir(), "prometheus.yml");
      Files.writeString(prometheusConfig.toPath(), """
          global: {scrape_interval: 1s, scrape_timeout: 1s}
          scrape_configs:
            - job_name: speakerkit
              static_configs: [{targets: ["%s"]}]
          """.formatted(METRICS));
      File prometheusLog = new File(ns.dir(), "prometheus.log");
      Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + prometheusConfig,
          "--storage.tsdb.path=" + new File(ns.dir(), "tsdb"), "--web.listen-address=" + PROMETHEUS)
          .redirectErrorStream(true).redirectOutput(prometheusLog).start();
      try (JarProcess speaker = JarProcess.start("speaker", "--config", config.getPath(), "--node-name", "node-a",
          "--metrics", METRICS)) {
        Poll.until(LIMIT, "route on FRR and FRR's BFD peer up",
            () -> frr.json("show bgp ipv4 unicast 10.0.0.10/32 json").contains("\"paths\"")
                && "up".equals(FrrRouter.field(frr.json("show bfd peers json"), "status")),
            () -> frr.json("show bgp neighbors json") + "\n" + speaker.stderr());

        // Prometheus reads the exposition (a format error would show as health "down" with the parser's message)
        Poll.until(LIMIT, "Prometheus scraped the speaker", () -> {
          String targets = get("/api/v1/targets");
          return targets.contains("\"health\":\"up\"");
        }, () -> get("/api/v1/targets") + "\n" + log(prometheusLog));
        String targets = get("/api/v1/targets");
        assertTrue(targets.contains("\"lastError\":\"\""), targets);

        String bgpPeer = "peer=\"" + router + ":179\",vrf=\"default\"";
        Poll.until(LIMIT, "session, BFD and the announced /32 in Prometheus",
            () -> value("metallb_bgp_session_up{" + bgpPeer + "}").equals("1")
                && value("metallb_bfd_session_up{peer=\"" + router + "\"}").equals("1")
                && value("metallb_bgp_announced_prefixes_total{" + bgpPeer + "}").equals("1")
                && value("metallb_allocator_addresses_in_use_total{pool=\"onp-bgp-pool\"}").equals("1"),
            () -> get("/api/v1/query?query=" + URLEncoder.encode("{__name__=~\"metallb_.*\"}",
                StandardCharsets.UTF_8)));
        assertEquals("11", value("metallb_allocator_addresses_total{pool=\"onp-bgp-pool\"}"));
        assertEquals("1", value("metallb_k8s_client_config_loaded_bool"));
        assertEquals("1", value("metallb_speaker_announced{service=\"onp-metallb/echoserver\",protocol=\"bgp\","
            + "node=\"node-a\",ip=\"10.0.0.10\"}"));
        assertEquals("0", value("metallb_k8s_client_config_stale_bool"));
        assertTrue(Long.parseLong(value("metallb_bfd_control_packet_output{peer=\"" + router + "\"}")) > 0);
        assertEquals("1", value("metallb_bfd_session_up_events{peer=\"" + router + "\"}"));

        // What FRR counts as received from us is what we count as sent, once a scrape has caught up
        Poll.until(LIMIT, "UPDATEs and OPENs sent as FRR received them", () -> {
          String stats = frr.json("show bgp neighbor " + host + " json");
          return value("metallb_bgp_updates_total{" + bgpPeer + "}").equals(FrrRouter.field(stats, "updatesRecv"))
              && value("metallb_bgp_opens_sent{" + bgpPeer + "}").equals(FrrRouter.field(stats, "opensRecv"))
              && value("metallb_bgp_updates_total_received{" + bgpPeer + "}")
                  .equals(FrrRouter.field(stats, "updatesSent"));
        }, () -> frr.json("show bgp neighbor " + host + " json") + "\n"
            + get("/api/v1/query?query=" + URLEncoder.encode("{__name__=~\"metallb_bgp_.*\"}",
                StandardCharsets.UTF_8)));
        speaker.process().destroy();
        speaker.await(LIMIT);
      } finally {
        prometheus.destroy();
        if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
        }
      }
    }
  }

  /** The single sample of an instant query, as Prometheus prints it ("" when there is none, or several). */
  @SuppressWarnings("unchecked")
  private String value(String query) {
    Map<String, Object> response = JarProcess.json(get("/api/v1/query?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8)));
    if (!(response.get("data") instanceof Map<?, ?> data) || !(data.get("result") instanceof List<?> list)) {
      return ""; // Prometheus not up yet
    }
    List<Map<String, Object>> result = (List<Map<String, Object>>) list;
    return result.size() == 1 ? String.valueOf(((List<Object>) result.get(0).get("value")).get(1)) : "";
  }

  private String get(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + PROMETHEUS + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.body().strip();
    } catch (IOException e) {
      return "{\"error\":\"not listening yet\"}";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String log(File f) {
    try {
      return Files.readString(f.toPath());
    } catch (IOException e) {
      return e.toString();
    }
  }
}
