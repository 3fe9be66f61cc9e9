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
}
