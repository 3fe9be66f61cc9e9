package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.speaker.Speaker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the programs say and do when the command line or the files they are given go wrong. */
class CommandLineErrorsTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static final String LAB = """
      apiVersion: metallb.io/v1beta1
      kind: IPAddressPool
      metadata: {name: pool, namespace: metallb-system}
      spec: {addresses: [10.0.0.10-10.0.0.20]}
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
      """;

  /**
   * `kubectl get ... -o yaml > lab.yaml` (or any truncate-then-write editor) leaves the file empty for a moment; the
   * watcher must not apply "no pools, no peers, no services": that withdraws everything (Cease to every router).
   */
  @Test
  void configTruncatedWhileRewritten_runningConfigurationStays(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    Files.writeString(lab, LAB);
    ManifestReloader r = new ManifestReloader(List.of(lab), null, "node-a", Map.of(),
        new PrintStream(PrintStream.nullOutputStream()));
    ManifestReloader.Loaded loaded = r.load();
    try (Speaker speaker = Speaker.builder().config(loaded.config()).node(loaded.node()).start()) {
      r.serve(speaker, loaded);
      assertEquals(1, speaker.announced().size());
      Files.writeString(lab, ""); // truncated, the new content not yet written
      r.reload();
      assertEquals(1, speaker.announced().size(), "an emptied --config file released every service");
    }
  }

  /** A --mrt file in a directory that does not exist: the message should say why, as for --capture. */
  @Test
  void collectorMrtInMissingDirectory_messageSaysWhy(@TempDir Path dir) {
    int rc = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
        () -> run("collector", "--listen", "127.0.0.30:15190", "--asn", "64512", "--peer", "127.0.0.31",
            "--mrt", dir.resolve("no/such/dir/x.mrt").toString()));
    assertEquals(1, rc);
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("no such file or directory"), e);
  }

  /** `speakerkit.jar help speaker`, as git help / kubectl help: the command's options. */
  @Test
  void helpSpeaker_printsSpeakerOptions() {
    assertEquals(0, run("help", "speaker"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("--config FILE"), out::toString);
  }

  /** The collector has no manifests: a repeated --peer should be named as such, not as a BGPPeer's metadata.name. */
  @Test
  void collectorDuplicatePeer_namesTheOption() {
    assertEquals(2, run("collector", "--listen", "127.0.0.30:15191", "--asn", "64512", "--peer", "127.0.0.31",
        "--peer", "127.0.0.31"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.startsWith("collector: --peer 127.0.0.31: that address is given twice"), e);
  }

  /** A --config file that is not there: said so, not only "cannot read". */
  @Test
  void speakerConfigMissing_messageSaysWhy(@TempDir Path dir) {
    assertEquals(2, run("speaker", "--config", dir.resolve("lab.yaml").toString()));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("lab.yaml: no such file or directory"), e);
  }
}
