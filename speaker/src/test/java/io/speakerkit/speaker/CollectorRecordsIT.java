package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.transport.BgpSession;
import io.speakerkit.bgp.fsm.transport.BgpTransport;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a route collector (a passive speaker with an MRT dump) reports about its peers, in its events and in the MRT
 * file as bgpdump reads it. Our own BgpSession plays the peer on loopback: 127.0.11.5-8, ports 15104-15105.
 */
class CollectorRecordsIT {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  /**
   * RFC 6793 §4.2.3: a 2-octet AS speaker's path is AS_PATH and AS4_PATH together; the route-received event shows the
   * path rebuilt from both, as FRR's "show bgp", GoBGP and our MRT RIB dump do (it showed AS_TRANS).
   */
  @Test
  void routeReceived_twoOctetAsPeer_asPathRebuiltFromAs4Path() throws Exception {
    InetAddress collectorAddress = InetAddress.getByName("127.0.11.5");
    InetAddress peerAddress = InetAddress.getByName("127.0.11.6");
    try (Speaker collector = Speaker.builder()
            .peer(PeerConfig.builder().name("old").myAsn(64512).peerAsn(65001).peerAddress(peerAddress)
                .sourceAddress(collectorAddress).build())
            .listen(new InetSocketAddress(collectorAddress, 15104)).passive(true).allowLocalPeers(true).start();
        BgpTransport transport = BgpTransport.builder().build()) {
      EventHub.Subscription<SpeakerEvent> events = collector.subscribe(1024);
      BgpSession old = BgpSession.builder().transport(transport).peer(collectorAddress).peerPort(15104)
          .localAddress(peerAddress).config(FsmConfig.builder().localAs(65001).peerAs(64512).fourOctetAs(false)
              .bgpIdentifier(BgpIdentifier.parse("10.0.0.1")).build())
          .build();
      old.announce(IpPrefix.parse("10.0.12.0/24"), PathAttributes.builder().asPath(4_200_000_000L)
          .nextHop(peerAddress).build()); // the session prepends 65001 and sends AS_TRANS with an AS4_PATH
      old.start();
      try {
        List<SpeakerEvent> seen = new ArrayList<>();
        Poll.until(LIMIT, "the route received", () -> {
          FrrLabInteropTest.drain(events, seen);
          return seen.stream().anyMatch(e -> e instanceof SpeakerEvent.RouteReceived);
        }, seen::toString);
        SpeakerEvent.RouteReceived received = seen.stream().filter(e -> e instanceof SpeakerEvent.RouteReceived)
            .map(e -> (SpeakerEvent.RouteReceived) e).findFirst().orElseThrow();
        assertEquals(Optional.of(AsPath.sequence(65001, 4_200_000_000L)), received.attributes().get(AsPath.class),
            received::toString);
      } finally {
        old.close();
      }
    }
  }

  /**
   * RFC 6396 §4.4.1: a state change record carries the peer's AS. For a peer accepted with any AS (the collector's
   * {@code --peer ADDR}) the record of its session's end still names the AS it gave in its OPEN, as FRR's bgp_dump
   * writes peer->as (it was 0 once the session had gone).
   */
  @Test
  void stateChange_anyAsPeer_recordOfTheSessionsEndNamesItsAs(@TempDir Path dir) throws Exception {
    Commands.require("bgpdump");
    InetAddress collectorAddress = InetAddress.getByName("127.0.11.7");
    InetAddress peerAddress = InetAddress.getByName("127.0.11.8");
    Path updates = dir.resolve("updates.mrt");
    try (Speaker collector = Speaker.builder()
            .peer(PeerConfig.builder().name("any").myAsn(64512).dynamicAsn(DynamicAsn.ANY)
                .peerAddress(peerAddress).sourceAddress(collectorAddress).build())
            .listen(new InetSocketAddress(collectorAddress, 15105)).passive(true).allowLocalPeers(true)
            .mrtDump(updates).start();
        BgpTransport transport = BgpTransport.builder().build()) {
      BgpSession router = BgpSession.builder().transport(transport).peer(collectorAddress).peerPort(15105)
          .localAddress(peerAddress).config(FsmConfig.builder().localAs(65001).peerAs(64512)
              .bgpIdentifier(BgpIdentifier.parse("10.0.0.1")).build())
          .build();
      router.start();
      Poll.until(LIMIT, "Established", () -> collector.status().get(0).state().equals("Established"),
          () -> collector.status().toString());
      router.close();
      // bgpdump -m: BGP4MP|time|STATE|peer address|peer AS|old state|new state; Established is 6, Idle 1
      Poll.until(LIMIT, "the record of the session's end", () -> stateRecords(updates).stream()
          .anyMatch(f -> f[5].equals("6") && f[6].equals("1")), () -> Commands.run("bgpdump", "-q", "-m",
          updates.toString()).stdout());
      List<String[]> fromEstablished = stateRecords(updates).stream().filter(f -> f[5].equals("6")).toList();
      assertTrue(!fromEstablished.isEmpty());
      for (String[] f : fromEstablished) {
        assertEquals("65001", f[4], String.join("|", f));
      }
    }
  }

  private static List<String[]> stateRecords(Path mrt) {
    return Commands.run("bgpdump", "-q", "-m", mrt.toString()).stdout().lines()
        .map(l -> l.split("\\|", -1)).filter(f -> f.length >= 7 && f[2].equals("STATE")).toList();
  }
}
