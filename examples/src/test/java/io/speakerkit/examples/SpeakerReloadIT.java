package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.testing.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MetalLB-YAML speaker applies edits to its --config file while running, as MetalLB reconciles its objects: a
 * Service added is allocated, one removed is released, and a manifest that no longer reads leaves the running
 * configuration (the process keeps running). No router: the allocation events tell.
 */
class SpeakerReloadIT {

  private static final Duration LIMIT = Duration.ofSeconds(30);

  private static final String POOL = """
      apiVersion: metallb.io/v1beta1
      kind: IPAddressPool
      metadata: {name: pool, namespace: metallb-system}
      spec: {addresses: [10.0.7.0/24]}
      """;

  private static String service(String name) {
    return """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        """.formatted(name);
  }

  /**
   * The Node object's labels, as MetalLB's speaker follows its node: a peer with nodeSelectors starts when a change
   * to the Node makes them select this node (its session is attempted: a bgp-state event), and ends when they no
   * longer do.
   */
  @Test
  void nodeLabelsEdited_peerWithNodeSelectorsFollows(@TempDir Path dir) throws Exception {
    String peer = """
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: east-router, namespace: metallb-system}
        spec:
          myASN: 64512
          peerASN: 64513
          peerAddress: 127.0.0.77
          peerPort: 11977
          nodeSelectors: [{matchLabels: {zone: east}}]
        """;
    String node = "---\napiVersion: v1\nkind: Node\nmetadata: {name: node-a, labels: {zone: %s}}\n";
    Path config = dir.resolve("lab.yaml");
    Files.writeString(config, POOL + service("a") + peer + node.formatted("west"));
    try (JarProcess speaker = JarProcess.start("speaker", "--config", config.toString(), "--node-name", "node-a",
        "--allow-local-peers")) {
      awaitEvent(speaker, "allocation", "default/a"); // running, as a west node
      java.time.Instant east = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      Files.writeString(config, POOL + service("a") + peer + node.formatted("east"));
      Poll.until(LIMIT, "the east peer's session attempted", () -> !events(speaker, "bgp-state").isEmpty(),
          () -> speaker.stdout() + "\n" + speaker.stderr());
      // nothing was attempted while the node was west
      java.time.Instant first = java.time.Instant.parse((String) events(speaker, "bgp-state").get(0).get("time"));
      assertTrue(!first.isBefore(east), first + " before the Node became east at " + east);
      Files.writeString(config, POOL + service("a") + peer + node.formatted("north"));
      Poll.until(LIMIT, "the peer ended (Idle, de-configured)", () -> events(speaker, "bgp-state").stream()
          .anyMatch(e -> "Idle".equals(e.get("to")) && String.valueOf(e.get("reason")).contains("ManualStop")),
          () -> speaker.stdout() + "\n" + speaker.stderr());
    }
  }

  @Test
  void editedManifests_appliedWhileRunning_invalidOnesIgnored(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("lab.yaml");
    Files.writeString(config, POOL + service("a"));
    try (JarProcess speaker = JarProcess.start("speaker", "--config", config.toString(), "--node-name", "node-a",
        "--metrics", METRICS)) {
      awaitEvent(speaker, "allocation", "default/a");
      Poll.until(LIMIT, "metrics served", () -> metrics().contains("metallb_k8s_client_config_loaded_bool 1\n"),
          SpeakerReloadIT::metrics);
      assertTrue(metrics().contains("metallb_k8s_client_config_stale_bool 0\n"), SpeakerReloadIT::metrics);

      Files.writeString(config, POOL + service("b") + service("c-longer-name"));
      awaitEvent(speaker, "release", "default/a");
      awaitEvent(speaker, "allocation", "default/b");
      awaitEvent(speaker, "allocation", "default/c-longer-name");
      Poll.until(LIMIT, "reload reported", () -> speaker.stderr().contains("configuration reloaded: pools: 1"),
          speaker::stderr);

      Files.writeString(config, POOL + service("b") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: x}\n"
          + "spec: {type: LoadBalancer, ports: [{port: 99999}]}\n");
      Poll.until(LIMIT, "invalid manifest reported",
          () -> speaker.stderr().contains("invalid manifest, the running configuration stays"), speaker::stderr);
      assertTrue(speaker.process().isAlive(), speaker::stderr);
      assertTrue(events(speaker, "release").stream().noneMatch(e -> "default/b".equals(e.get("service"))),
          speaker::stdout);
      // MetalLB's alert on a configuration that failed to load: stale until the files load again
      String stale = metrics();
      assertTrue(stale.contains("metallb_k8s_client_config_stale_bool 1\n")
          && stale.contains("metallb_k8s_client_update_errors_total 1\n")
          && stale.contains("metallb_k8s_client_updates_total 2\n"), stale);
      Files.writeString(config, POOL + service("b"));
      Poll.until(LIMIT, "stale no more", () -> metrics().contains("metallb_k8s_client_config_stale_bool 0\n"),
          SpeakerReloadIT::metrics);
      assertTrue(metrics().contains("metallb_k8s_client_updates_total 3\n"), SpeakerReloadIT::metrics);

      speaker.process().destroy();
      int exit = speaker.await(LIMIT);
      assertTrue(exit == 0 || exit == 143, "exit " + exit + "\n" + speaker.stderr());
      assertEquals(1, events(speaker, "allocation").stream()
          .filter(e -> "default/b".equals(e.get("service"))).count(), speaker::stdout);
    }
  }

  /** --config DIR, as kubectl apply -f DIR: a manifest file added to the directory is read, a removed one forgotten. */
  @Test
  void configDirectory_fileAddedAndRemoved_applied(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("10-pool.yaml"), POOL);
    Files.writeString(dir.resolve("20-a.yaml"), service("a"));
    Files.writeString(dir.resolve("notes.txt"), "not a manifest");
    try (JarProcess speaker = JarProcess.start("speaker", "--config", dir.toString(), "--node-name", "node-a")) {
      awaitEvent(speaker, "allocation", "default/a");
      Files.writeString(dir.resolve("30-b.yml"), service("b"));
      awaitEvent(speaker, "allocation", "default/b");
      Files.delete(dir.resolve("20-a.yaml"));
      awaitEvent(speaker, "release", "default/a");
      assertTrue(speaker.process().isAlive(), speaker::stderr);
    }
  }

  private static final String METRICS = "127.253.0.58:7472";

  /** The speaker's /metrics page, or the error that kept it from answering. */
  private static String metrics() {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      return http.send(HttpRequest.newBuilder(URI.create("http://" + METRICS + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (java.io.IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void awaitEvent(JarProcess speaker, String kind, String service) {
    Poll.until(LIMIT, kind + " " + service, () -> events(speaker, kind).stream()
        .anyMatch(e -> service.equals(e.get("service"))), () -> speaker.stdout() + "\n" + speaker.stderr());
  }

  private static List<Map<String, Object>> events(JarProcess speaker, String kind) {
    return List.copyOf(speaker.lines()).stream().map(JarProcess::json).filter(e -> kind.equals(e.get("kind")))
        .toList();
  }
}
