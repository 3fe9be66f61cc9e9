package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.testing.GobgpRouter;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar speakerkit.jar collector} with FRR (a {@code network} statement and an outbound route-map setting
 * communities) and GoBGP ({@code gobgp global rib add} with communities) as eBGP peers dialling in: the JSON lines
 * carry route-received with the right prefix, nextHop, asPath and communities, and the withdrawal.
 */
class CollectorInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final int PORT = 10179; // not 179: other tests on this host may listen there

  @Test
  void routesFromFrrAndGobgp_asJsonLinesAndMrt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path mrt = dir.resolve("updates.mrt");
    java.nio.file.Path rib = dir.resolve("rib.mrt");
    try (Netns frrNs = Netns.create("skspkcf", "10.250.10.1/30", "10.250.10.2/30");
        Netns goNs = Netns.create("skspkcg", "10.250.11.1/30", "10.250.11.2/30")) {
      FrrRouter frr = FrrRouter.start(frrNs, """
          frr defaults traditional
          hostname skspkcf
          !
          router bgp 65010
           bgp router-id 10.250.10.2
           no bgp ebgp-requires-policy
           no bgp network import-check
           neighbor 10.250.10.1 remote-as 64512
           neighbor 10.250.10.1 port %d
           neighbor 10.250.10.1 timers connect 1
           address-family ipv4 unicast
            network 198.51.100.0/24
            neighbor 10.250.10.1 route-map OUT out
           exit-address-family
          !
          route-map OUT permit 10
           set community 65010:1 no-export
           set large-community 65010:2:3
          !
          """.formatted(PORT), null);
      GobgpRouter.start(goNs, """
          [global.config]
            as = 65020
            router-id = "10.250.11.2"
            port = -1
          [[neighbors]]
            [neighbors.config]
              neighbor-address = "10.250.11.1"
              peer-as = 64512
            [neighbors.transport.config]
              remote-port = %d
            [neighbors.timers.config]
              connect-retry = 1
            [[neighbors.afi-safis]]
              [neighbors.afi-safis.config]
                afi-safi-name = "ipv4-unicast"
          """.formatted(PORT));
      goNs.inside("gobgp", "global", "rib", "add", "203.0.113.0/24", "community", "65020:7",
          "large-community", "65020:8:9", "-a", "ipv4").check();

      try (JarProcess collector = JarProcess.start("collector", "--listen", "0.0.0.0:" + PORT, "--asn", "64512",
          "--peer", "10.250.10.2@65010", "--peer", "10.250.11.2", "--router-id", "10.250.10.1",
          "--mrt", mrt.toString(), "--mrt-rib", rib.toString(), "--mrt-rib-interval", "1s")) {
        Poll.until(LIMIT, "both routes in the collector's output",
            () -> received(collector, "198.51.100.0/24").isPresent() && received(collector, "203.0.113.0/24")
                .isPresent(),
            () -> collector.stdout() + "\n" + collector.stderr() + "\n" + frr.json("show bgp neighbors json") + "\n"
                + goNs.inside("gobgp", "neighbor").stdout());
        Map<String, Object> fromFrr = received(collector, "198.51.100.0/24").orElseThrow();
        assertEquals("10.250.10.2", fromFrr.get("peer"), fromFrr::toString);
        assertEquals("10.250.10.2", fromFrr.get("nextHop"), fromFrr::toString);
        assertEquals("65010", fromFrr.get("asPath"), fromFrr::toString);
        assertEquals(List.of("65010:1", "NO_EXPORT"), normalise(fromFrr.get("communities")), fromFrr::toString);
        assertEquals(List.of("65010:2:3"), fromFrr.get("largeCommunities"), fromFrr::toString);
        Map<String, Object> fromGo = received(collector, "203.0.113.0/24").orElseThrow();
        assertEquals("10.250.11.2", fromGo.get("peer"), fromGo::toString);
        assertEquals("10.250.11.2", fromGo.get("nextHop"), fromGo::toString);
        assertEquals("65020", fromGo.get("asPath"), fromGo::toString);
        assertEquals(List.of("65020:7"), fromGo.get("communities"), fromGo::toString);
        assertEquals(List.of("65020:8:9"), fromGo.get("largeCommunities"), fromGo::toString);

        // The RIB snapshot (TABLE_DUMP_V2), rewritten every second: both routes, with their attributes.
        Poll.until(LIMIT, "both routes in the RIB dump", () -> bgpdump(rib).size() == 2,
            () -> String.join("\n", bgpdump(rib).stream().map(f -> String.join("|", f)).toList()));
        List<String[]> snapshot = bgpdump(rib);
        String dumped = String.join("\n", snapshot.stream().map(f -> String.join("|", f)).toList());
        System.out.println("bgpdump -m of the collector's RIB dump:\n" + dumped);
        assertEquals(List.of("TABLE_DUMP2", "B", "10.250.10.2", "65010", "198.51.100.0/24", "65010", "IGP",
            "10.250.10.2"), List.of(snapshot.get(0)[0], snapshot.get(0)[2], snapshot.get(0)[3], snapshot.get(0)[4],
            snapshot.get(0)[5], snapshot.get(0)[6], snapshot.get(0)[7], snapshot.get(0)[8]), dumped);
        assertTrue(snapshot.get(0)[11].contains("65010:1"), dumped);
        assertEquals(List.of("10.250.11.2", "65020", "203.0.113.0/24", "65020", "10.250.11.2"),
            List.of(snapshot.get(1)[3], snapshot.get(1)[4], snapshot.get(1)[5], snapshot.get(1)[6],
                snapshot.get(1)[8]), dumped);

        goNs.inside("gobgp", "global", "rib", "del", "203.0.113.0/24", "-a", "ipv4").check();
        Poll.until(LIMIT, "the withdrawal in the collector's output",
            () -> collector.lines().stream().map(JarProcess::json).anyMatch(e ->
                "route-received-withdrawn".equals(e.get("kind")) && "203.0.113.0/24".equals(e.get("prefix"))),
            collector::stdout);
        Poll.until(LIMIT, "the withdrawn route gone from the next RIB dump", () -> bgpdump(rib).size() == 1
            && bgpdump(rib).get(0)[5].equals("198.51.100.0/24"),
            () -> String.join("\n", bgpdump(rib).stream().map(f -> String.join("|", f)).toList()));

        // The MRT file as bgpdump (libbgpdump, what RIS and RouteViews files are read with) reads it.
        Poll.until(LIMIT, "the withdrawal in the MRT file", () -> bgpdump(mrt).stream().anyMatch(f ->
            f[2].equals("W") && f[3].equals("10.250.11.2") && f[5].equals("203.0.113.0/24")),
            () -> String.join("\n", bgpdump(mrt).stream().map(f -> String.join("|", f)).toList()));
        List<String[]> records = bgpdump(mrt);
        String all = String.join("\n", records.stream().map(f -> String.join("|", f)).toList());
        System.out.println("bgpdump -m of the collector's MRT file:\n" + all);
        String[] frrRoute = records.stream().filter(f -> f[2].equals("A") && f[5].equals("198.51.100.0/24"))
            .findFirst().orElseThrow(() -> new AssertionError(all));
        assertEquals(List.of("10.250.10.2", "65010", "65010", "IGP", "10.250.10.2"),
            List.of(frrRoute[3], frrRoute[4], frrRoute[6], frrRoute[7], frrRoute[8]), all);
        assertTrue(frrRoute[11].contains("65010:1"), all);
        String[] goRoute = records.stream().filter(f -> f[2].equals("A") && f[5].equals("203.0.113.0/24"))
            .findFirst().orElseThrow(() -> new AssertionError(all));
        assertEquals(List.of("10.250.11.2", "65020", "65020"), List.of(goRoute[3], goRoute[4], goRoute[6]), all);
        for (String peer : List.of("10.250.10.2", "10.250.11.2")) {
          assertTrue(records.stream().anyMatch(f -> f[2].equals("STATE") && f[3].equals(peer) && f[5].equals("5")
              && f[6].equals("6")), () -> peer + " OpenConfirm (5) -> Established (6) in\n" + all);
        }
      }
    }
  }

  /** {@code bgpdump -m}: one line per route or state change, fields split at '|'. */
  private static List<String[]> bgpdump(java.nio.file.Path mrt) {
    if (!java.nio.file.Files.exists(mrt)) {
      return List.of();
    }
    return io.speakerkit.testing.Commands.run("bgpdump", "-q", "-m", mrt.toString()).check().stdout().lines()
        .filter(l -> !l.isBlank()).map(l -> l.split("\\|", -1)).toList();
  }

  private static Optional<Map<String, Object>> received(JarProcess collector, String prefix) {
    return collector.lines().stream().map(JarProcess::json)
        .filter(e -> "route-received".equals(e.get("kind")) && prefix.equals(e.get("prefix"))).findFirst();
  }

  /** Well-known communities may print by name or number; names here. */
  private static Object normalise(Object communities) {
    if (!(communities instanceof List<?> list)) {
      return communities;
    }
    return list.stream().map(String::valueOf).map(c -> c.equals("65535:65281") || c.equalsIgnoreCase("no-export")
        ? "NO_EXPORT" : c).toList();
  }
}
