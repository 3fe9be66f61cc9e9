package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

  /** No command: the usage on stderr and status 2 (a usage error), nothing on stdout, as git and kubectl do. */
  @Test
  void noCommand_usageOnStderrExit2() {
    assertEquals(2, run());
    assertEquals("", out.toString(StandardCharsets.UTF_8));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: java -jar speakerkit.jar <command>"));
  }

  /** AS 0 is reserved (RFC 7607: not to be used in OPEN); 4294967295 is the last 4-octet AS number, accepted. */
  @Test
  void collectorAsn_zeroRefused_maxAccepted() {
    assertEquals(2, run("collector", "--listen", "127.0.11.10:15107", "--asn", "0", "--peer", "127.0.11.11"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: --asn 0 (expected: an AS number"),
        err::toString);
    err.reset();
    // accepted: the next problem named is the router id's
    assertEquals(2, run("collector", "--listen", "127.0.11.10:15107", "--asn", "4294967295", "--peer",
        "127.0.11.11@4294967295", "--router-id", "1.2.3"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: --router-id 1.2.3"), err::toString);
  }

  /** A port over 65535: the option's own message, not the JDK's "port out of range". */
  @Test
  void metricsPortOutOfRange_namesOption() {
    assertEquals(2, run("speaker", "--config", "x.yaml", "--metrics", "127.0.0.1:65536"));
    assertEquals("--metrics 127.0.0.1:65536 (expected: ADDR:PORT, e.g. 127.0.0.1:7472)\n",
        err.toString(StandardCharsets.UTF_8));
  }

  /**
   * An IPv6 address without brackets is ambiguous ("fd00::1:7472" could be fd00::1 port 7472 or fd00::1:7472 with no
   * port): refused, as Go's net.SplitHostPort refuses it ("too many colons") where MetalLB reads the same flag.
   */
  @Test
  void unbracketedIpv6Address_exit2() {
    assertEquals(2, run("speaker", "--config", "x.yaml", "--metrics", "fd00::1:7472"));
    assertEquals("--metrics fd00::1:7472 (expected: ADDR:PORT, e.g. 127.0.0.1:7472, an IPv6 address in brackets: "
        + "[2001:db8::1]:7472)\n", err.toString(StandardCharsets.UTF_8));
  }

  /** Options missing their value, or a label without '=': status 2 and what was expected, no exception. */
  @Test
  void speakerOptionWithoutValue_exit2() {
    assertEquals(2, run("speaker", "--config", "x.yaml", "--node-label", "rack"));
    assertEquals("--node-label needs KEY=VALUE\n", err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertEquals(2, run("speaker", "--config", "x.yaml", "--lb-class"));
    assertEquals("--lb-class needs a class name\n", err.toString(StandardCharsets.UTF_8));
  }

  /** A label with an empty key ("=v") is no label a nodeSelector could match (Kubernetes label keys are non-empty). */
  @Test
  void nodeLabelWithEmptyKey_exit2() {
    assertEquals(2, run("speaker", "--config", "x.yaml", "--node-label", "=rack-1"));
    assertEquals("--node-label needs KEY=VALUE\n", err.toString(StandardCharsets.UTF_8));
  }

  /** The speaker without --config says so (it must not start with no configuration at all). */
  @Test
  void speakerWithoutConfig_exit2() {
    int rc = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
        () -> run("speaker", "--node-name", "n"));
    assertEquals(2, rc);
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("speaker: at least one --config FILE is required"),
        err::toString);
  }

  /** The collector without --peer: it would accept nobody. */
  @Test
  void collectorWithoutPeer_exit2() {
    int rc = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
        () -> run("collector", "--listen", "127.0.11.10:15108", "--asn", "64512"));
    assertEquals(2, rc);
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(
        "collector: --listen, --asn and at least one --peer are required"), err::toString);
  }

  /** The demo takes no options: a usage error (2), not a failure of the demo (1). */
  @Test
  void demoWithOption_exit2() {
    assertEquals(2, run("demo", "--fast"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("demo takes no options: --fast"), err::toString);
  }
}
