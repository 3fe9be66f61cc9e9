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
}
