package io.speakerkit.bgp.wire.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.golden.GoldenCaptures.Direction;
import io.speakerkit.bgp.wire.golden.GoldenCaptures.Session;
import io.speakerkit.testing.Commands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code src/test/golden/capture.sh} (FRR, GoBGP, BIRD, ExaBGP in namespaces; root) into a scratch directory
 * and puts the fresh captures through the same round trip as the committed ones: the script keeps working, and
 * the codec agrees with the daemons installed today, not only with the ones of capture day.
 */
class CaptureScriptInteropTest {

  @TempDir
  Path out;

  @Test
  void freshCapture_roundTripsLikeTheCommittedOnes() {
    Commands.require("/usr/lib/frr/bgpd", "/usr/lib/frr/zebra", "vtysh", "gobgpd", "gobgp", "bird", "birdc",
        "exabgp", "dumpcap", "jq");
    // Surefire and failsafe run in the module's base directory.
    Path script = Path.of(System.getProperty("user.dir"), "src/test/golden/capture.sh");
    assertTrue(script.toFile().canExecute(), "not executable: " + script);

    Commands.run(Duration.ofMinutes(3), script.toString(), out.toString()).check();

    List<Session> sessions = GoldenCaptures.allSessions(out);
    int messages = 0;
    for (Session s : sessions) {
      for (boolean fromClient : new boolean[] {true, false}) {
        Direction d = fromClient ? s.fromClient() : s.fromServer();
        if (!d.messages().isEmpty()) {
          assertEquals(0, d.trailing(), d.describe());
          GoldenRoundTripTest.roundTrip(d, fromClient ? s.fromServer() : s.fromClient());
          messages += d.messages().size();
        }
      }
    }
    assertTrue(messages > 100, "messages captured: " + messages);
  }
}
