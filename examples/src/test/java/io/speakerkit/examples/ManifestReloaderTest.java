package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.speaker.Speaker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestReloaderTest {

  /**
   * An edit of the same size within one file-timestamp tick (filesystems with coarse timestamps) is still a change:
   * the content is part of the stamp.
   */
  @Test
  void sameSizeEditWithinOneTimestampTick_changed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("svc.yaml");
    String service = """
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        """;
    Files.writeString(f, service.formatted("aaa"));
    ManifestReloader r = new ManifestReloader(List.of(f), null, "node-a", Map.of(),
        new PrintStream(PrintStream.nullOutputStream()));
    r.load();
    java.nio.file.attribute.FileTime tick = Files.getLastModifiedTime(f);
    Files.writeString(f, service.formatted("bbb"));
    Files.setLastModifiedTime(f, tick);
    assertTrue(r.changed(), "the edit to service bbb went unseen");
  }

  /** A manifest deleted from a --config directory is a change once; read again, the directory is settled. */
  @Test
  void fileRemovedFromDirectory_changedOnce(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("pool.yaml"), """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system}
        spec: {addresses: [10.0.7.0/24]}
        """);
    Files.writeString(dir.resolve("svc.yaml"), """
        apiVersion: v1
        kind: Service
        metadata: {name: a, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        """);
    ManifestReloader r = new ManifestReloader(List.of(dir), null, "node-a", Map.of(),
        new PrintStream(PrintStream.nullOutputStream()));
    r.load();
    assertFalse(r.changed());
    Files.delete(dir.resolve("svc.yaml"));
    assertTrue(r.changed());
    r.load(); // what reload() does first
    assertFalse(r.changed(), "still changed after reading again: the watcher would reload every second");
  }

  private static final String CONFIG = """
      apiVersion: metallb.io/v1beta1
      kind: IPAddressPool
      metadata: {name: pool, namespace: metallb-system}
      spec: {addresses: [10.0.0.10-10.0.0.20]}
      ---
      apiVersion: metallb.io/v1beta2
      kind: BGPPeer
      metadata: {name: router, namespace: metallb-system}
      spec: {myASN: 64512, peerASN: 64512, peerAddress: 127.0.1.1, peerPort: 14001}
      ---
      apiVersion: metallb.io/v1beta1
      kind: BGPAdvertisement
      metadata: {name: adv, namespace: metallb-system}
      spec: {ipAddressPools: [pool]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: default}
      spec: {type: LoadBalancer, clusterIP: 10.96.0.1, ports: [{port: 80}]}
      ---
      apiVersion: v1
      kind: Node
      metadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}
      """;

  private static Map<String, List<InetAddress>> announcedFrom(Path dir, String nodeStatus, PrintStream err)
      throws Exception {
    Files.writeString(dir.resolve("all.yaml"), CONFIG + nodeStatus);
    ManifestReloader r = new ManifestReloader(List.of(dir), null, "node-a", Map.of(), err);
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).allowLocalPeers(true)
        .start()) {
      r.serve(speaker, loaded);
      return speaker.announced();
    }
  }

  /**
   * {@code kubectl get ... -o yaml > lab.yaml} (or any truncate-then-write editor) leaves the file empty for a moment;
   * applying that would release every service and end every session: the running configuration stays.
   */
  @Test
  void configEmptiedWhileRewritten_runningConfigurationStays(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    Files.writeString(lab, CONFIG);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ManifestReloader r = new ManifestReloader(List.of(lab), null, "node-a", Map.of(), new PrintStream(err, true));
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).allowLocalPeers(true)
        .start()) {
      r.serve(speaker, loaded);
      assertEquals(1, speaker.announced().size());
      Files.writeString(lab, ""); // truncated, the new content not yet written
      r.reload();
      assertEquals(1, speaker.announced().size(), "an emptied --config file released every service");
      assertEquals(1, speaker.status().size(), "an emptied --config file removed the peer");
      assertTrue(err.toString().contains("empty (being rewritten?)"), err.toString());
    }
  }

  /**
   * MetalLB's speaker announces nothing from a node whose NetworkUnavailable condition is True (bgp_controller.go
   * ShouldAnnounce, nodes.IsNetworkUnavailable); the address is still allocated.
   */
  @Test
  void nodeNetworkUnavailable_announcesNothing(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(Map.of(), announcedFrom(dir, """
        status:
          conditions:
          - {type: NetworkUnavailable, status: "True", reason: NoRouteCreated}
          - {type: Ready, status: "True"}
        """, new PrintStream(err, true)));
    assertTrue(err.toString().contains("warning: node node-a: its NetworkUnavailable condition is True"), err.toString());
    assertEquals(Map.of("default/web", List.of(InetAddress.getByName("10.0.0.10"))), announcedFrom(dir, """
        status:
          conditions:
          - {type: NetworkUnavailable, status: "False", reason: RouteCreated}
        """, new PrintStream(PrintStream.nullOutputStream())));
  }

  private static String service(String name, String clusterIp, String heldAddress) {
    return """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: default}
        spec: {type: LoadBalancer, clusterIP: %s, ports: [{port: 80}]}
        status:
          loadBalancer:
            ingress: [{ip: %s}]
        """.formatted(name, clusterIp, heldAddress);
  }

  /**
   * A cluster's dump: each service keeps the address MetalLB gave it (status.loadBalancer.ingress; its controller's
   * convergeBalancer keeps what the configuration allows), whatever the order of the manifests; one the pools no
   * longer cover is allocated afresh, and never takes an address another service holds.
   */
  @Test
  void clusterDump_servicesKeepTheAddressesTheyHold(@TempDir Path dir) throws Exception {
    String config = CONFIG.substring(0, CONFIG.indexOf("---\napiVersion: v1\nkind: Service"));
    Files.writeString(dir.resolve("all.yaml"), config + service("bb", "10.96.0.2", "10.0.0.10")
        + service("outside", "10.96.0.3", "192.0.2.77") + service("aaa", "10.96.0.1", "10.0.0.11")
        + service("two", "10.96.0.4", "10.0.0.13}, {ip: 10.0.0.14"));
    ManifestReloader r = new ManifestReloader(List.of(dir), null, "node-a", Map.of(),
        new PrintStream(PrintStream.nullOutputStream()));
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).allowLocalPeers(true)
        .start()) {
      r.serve(speaker, loaded);
      assertEquals(Map.of("default/bb", List.of(InetAddress.getByName("10.0.0.10")),
          "default/aaa", List.of(InetAddress.getByName("10.0.0.11")),
          "default/outside", List.of(InetAddress.getByName("10.0.0.12")),
          // two IPv4 addresses no request can ask for: allocated afresh, the load not failed
          "default/two", List.of(InetAddress.getByName("10.0.0.13"))), speaker.announced());
      r.reload(); // the same files again: nobody moves
      assertEquals(List.of(InetAddress.getByName("10.0.0.12")), speaker.announced().get("default/outside"));
    }
  }

  private static final String POOL_PEER_ADV = """
      apiVersion: metallb.io/v1beta1
      kind: IPAddressPool
      metadata: {name: pool, namespace: metallb-system}
      spec: {addresses: [10.0.0.10-10.0.0.20]}
      ---
      apiVersion: metallb.io/v1beta2
      kind: BGPPeer
      metadata: {name: router, namespace: metallb-system}
      spec:
        myASN: 64512
        peerASN: 64512
        peerAddress: 127.0.11.10
        nodeSelectors: [{matchLabels: {rack: r1}}]
      ---
      apiVersion: metallb.io/v1beta1
      kind: BGPAdvertisement
      metadata: {name: adv, namespace: metallb-system}
      spec: {ipAddressPools: [pool]}
      """;

  private static String plainService(String name) {
    return """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        """.formatted(name);
  }

  private static String node(String rack) {
    return """
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: node-a, labels: {rack: %s}}
        """.formatted(rack);
  }

  /** (The peer selects rack r1 only: with no such label, no session is made, nothing dialled.) */
  /** A Service deleted from the manifests is released on reload, as MetalLB's controller frees a deleted service's IP. */
  @Test
  void serviceRemoved_releasedOnReload(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    Files.writeString(lab, POOL_PEER_ADV + plainService("a") + plainService("b") + plainService("c"));
    ManifestReloader r = new ManifestReloader(List.of(lab), null, "node-a", Map.of(),
        new PrintStream(PrintStream.nullOutputStream()));
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).start()) {
      r.serve(speaker, loaded);
      assertEquals(java.util.Set.of("default/a", "default/b", "default/c"), speaker.announced().keySet());
      Files.writeString(lab, POOL_PEER_ADV + plainService("a") + plainService("c"));
      r.reload();
      assertEquals(java.util.Set.of("default/a", "default/c"), speaker.announced().keySet());
      assertTrue(speaker.allocation("default/b").isEmpty(), "b still holds its address");
      Files.writeString(lab, POOL_PEER_ADV + plainService("c"));
      r.reload(); // the second removal too: what was served is what the last reload applied
      assertEquals(java.util.Set.of("default/c"), speaker.announced().keySet());
    }
  }

  /**
   * What the metrics say (metallb_k8s_client_config_loaded_bool, _stale_bool, _updates_total, _update_errors_total):
   * a reload that fails leaves the configuration stale and counts an error; the next good one clears it.
   */
  @Test
  void status_staleAfterFailedReload_clearedByTheNextGoodOne(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    Files.writeString(lab, POOL_PEER_ADV + plainService("a"));
    ManifestReloader r = new ManifestReloader(List.of(lab), null, "node-a", Map.of(),
        new PrintStream(PrintStream.nullOutputStream()));
    assertEquals(new MetricsEndpoint.ConfigStatus(false, false, 0, 0), r.status());
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).start()) {
      r.serve(speaker, loaded);
      assertEquals(new MetricsEndpoint.ConfigStatus(true, false, 1, 0), r.status());
      Files.writeString(lab, POOL_PEER_ADV.replace("peerASN: 64512", "peerASN: -1") + plainService("a"));
      r.reload();
      assertEquals(new MetricsEndpoint.ConfigStatus(true, true, 1, 1), r.status());
      assertEquals(java.util.Set.of("default/a"), speaker.announced().keySet(), "the last good configuration stays");
      Files.writeString(lab, POOL_PEER_ADV + plainService("a") + plainService("b"));
      r.reload();
      assertEquals(new MetricsEndpoint.ConfigStatus(true, false, 2, 1), r.status());
    }
  }

  /** A reload never moves a service from the address it got, whatever its status says (an older cluster dump). */
  @Test
  void reload_allocatedServiceKeepsItsAddress_notTheHeldOne(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    Files.writeString(lab, POOL_PEER_ADV + plainService("web"));
    ManifestReloader r = new ManifestReloader(List.of(lab), null, "node-a", Map.of(),
        new PrintStream(PrintStream.nullOutputStream()));
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).start()) {
      r.serve(speaker, loaded);
      assertEquals(List.of(InetAddress.getByName("10.0.0.10")), speaker.announced().get("default/web"));
      Files.writeString(lab, POOL_PEER_ADV + plainService("web") + "status: {loadBalancer: {ingress: [{ip: 10.0.0.12}]}}\n");
      r.reload();
      assertEquals(List.of(InetAddress.getByName("10.0.0.10")), speaker.announced().get("default/web"));
    }
  }

  /** --node-label values go over the Node object's labels; both reach the node identity. */
  @Test
  void commandLineLabels_overNodeObjectLabels(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    Files.writeString(lab, POOL_PEER_ADV + node("r0"));
    ManifestReloader r = new ManifestReloader(List.of(lab), null, "node-a", Map.of("rack", "r1", "zone", "z"),
        new PrintStream(PrintStream.nullOutputStream()));
    assertEquals(Map.of("rack", "r1", "zone", "z"), r.load().node().labels());
  }

  /**
   * MetalLB's speaker follows its Node object: a label change that makes a BGPPeer's nodeSelectors select this node
   * starts that session on reload.
   */
  @Test
  void nodeLabelsChanged_peerSelectedOnReload(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    Files.writeString(lab, POOL_PEER_ADV + node("r0"));
    ManifestReloader r = new ManifestReloader(List.of(lab), null, "node-a", Map.of(),
        new PrintStream(PrintStream.nullOutputStream()));
    ManifestReloader.Loaded loaded = r.load();
    // passive, listening on 127.0.11.9:15106: the session is configured, never dialled
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).allowLocalPeers(true)
        .passive(true).listen(new java.net.InetSocketAddress(InetAddress.getByName("127.0.11.9"), 15106)).start()) {
      r.serve(speaker, loaded);
      assertEquals(0, speaker.status().size(), "rack r0: the peer does not select this node");
      Files.writeString(lab, POOL_PEER_ADV + node("r1"));
      r.reload();
      assertEquals(1, speaker.status().size(), "relabelled rack r1: the peer's session should start");
    }
  }

  /** Services but no EndpointSlice: said once, since MetalLB would announce a service only with ready endpoints. */
  @Test
  void noEndpointSlice_warned(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    Files.writeString(lab, POOL_PEER_ADV + plainService("a"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    new ManifestReloader(List.of(lab), null, "node-a", Map.of(), new PrintStream(err, true)).load();
    assertTrue(err.toString().contains("warning: no EndpointSlice in the manifests: every service is announced"),
        err.toString());
  }

  /**
   * An empty file that has always been empty (a placeholder in a --config directory; kubectl apply -f DIR takes it as
   * no objects, as the first load here does) is no file being rewritten: it must not block every later reload.
   */
  @Test
  void emptyPlaceholderInConfigDirectory_doesNotBlockReloads(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("lab.yaml"), POOL_PEER_ADV + plainService("a"));
    Files.writeString(dir.resolve("placeholder.yaml"), "");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ManifestReloader r = new ManifestReloader(List.of(dir), null, "node-a", Map.of(), new PrintStream(err, true));
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).start()) {
      r.serve(speaker, loaded);
      Files.writeString(dir.resolve("lab.yaml"), POOL_PEER_ADV + plainService("a") + plainService("b"));
      r.reload();
      assertEquals(java.util.Set.of("default/a", "default/b"), speaker.announced().keySet(), err.toString());
      assertFalse(r.status().stale(), err.toString());
    }
  }

  /** A file emptied since the last read is still taken for one being rewritten, in a directory too. */
  @Test
  void fileInConfigDirectoryEmptied_runningConfigurationStays(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("lab.yaml"), POOL_PEER_ADV);
    Files.writeString(dir.resolve("svc.yaml"), plainService("a"));
    ManifestReloader r = new ManifestReloader(List.of(dir), null, "node-a", Map.of(),
        new PrintStream(PrintStream.nullOutputStream()));
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).start()) {
      r.serve(speaker, loaded);
      Files.writeString(dir.resolve("svc.yaml"), "");
      r.reload();
      assertEquals(java.util.Set.of("default/a"), speaker.announced().keySet());
      assertTrue(r.status().stale());
      Files.writeString(dir.resolve("new.yaml"), ""); // created empty (touch, an editor): written next
      Files.writeString(dir.resolve("svc.yaml"), plainService("a"));
      r.reload();
      assertTrue(r.status().stale(), "a file that appeared empty may be written next");
      assertEquals(java.util.Set.of("default/a"), speaker.announced().keySet());
    }
  }
}
