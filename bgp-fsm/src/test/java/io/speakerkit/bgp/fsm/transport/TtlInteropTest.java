package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The TTL of our packets as tshark sees them in the namespace: eBGP multihop N sends with N, GTSM with 255. */
class TtlInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(30);

  private static String firstSynTtl(Netns ns, File log, BgpSession.Builder session) throws Exception {
    ns.start(log, "tshark", "-l", "-n", "-i", ns.nsInterface(), "-c", "1", "-f",
        "tcp dst port 179 and tcp[tcpflags] & tcp-syn != 0", "-T", "fields", "-e", "ip.ttl");
    Poll.until(LIMIT, "tshark capturing", () -> read(log).contains("Capturing"), () -> read(log));
    try (BgpTransport t = BgpTransport.builder().build()) {
      BgpSession s = session.transport(t).build();
      s.start();
      Poll.until(LIMIT, "a SYN captured", () -> read(log).lines().anyMatch(l -> l.matches("\\d+")),
          () -> read(log));
      return read(log).lines().filter(l -> l.matches("\\d+")).findFirst().orElseThrow();
    }
  }

  private static String read(File f) {
    try {
      return f.exists() ? Files.readString(f.toPath()) : "";
    } catch (Exception e) {
      return "";
    }
  }

  private static BgpSession.Builder session() throws Exception {
    return BgpSession.builder().peer(InetAddress.getByName("10.253.7.2"))
        .localAddress(InetAddress.getByName("10.253.7.1"))
        .config(FsmConfig.builder().localAs(65001).peerAs(65002).bgpIdentifier(BgpIdentifier.parse("10.253.7.1"))
            .backoff(Duration.ofMillis(200), Duration.ofSeconds(1)).build());
  }

  @Test
  void ebgpMultihopAndGtsm_ttlOnTheWire() throws Exception {
    Commands.require("tshark");
    try (Netns ns = Netns.create("skfsmttl", "10.253.7.1/30", "10.253.7.2/30")) {
      assertEquals("7", firstSynTtl(ns, new File(ns.dir(), "multihop.log"), session().ebgpMultihop(7)));
      assertEquals("255", firstSynTtl(ns, new File(ns.dir(), "gtsm.log"), session().gtsm(1)));
      assertEquals("1", firstSynTtl(ns, new File(ns.dir(), "ebgp1.log"), session().ebgpMultihop(1)));
    }
  }
}
