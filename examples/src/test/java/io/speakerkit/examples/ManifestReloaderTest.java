package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
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
}
