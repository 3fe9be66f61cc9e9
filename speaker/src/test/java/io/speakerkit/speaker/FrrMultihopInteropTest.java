package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A BGPPeer with {@code ebgpMultiHop: true} and a BFD profile, peering with a router's loopback address one routed hop
 * away, as MetalLB users peer with a top-of-rack switch's loopback: FRR (ebgp-multihop, update-source lo) brings the
 * session up and runs the BFD session as multihop (RFC 5883), both sides Up; cut, FRR takes BGP down through BFD
 * (Cease / BFD Down) well before the hold time; back, the route returns.
 */
class FrrMultihopInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final Duration HOLD = Duration.ofSeconds(9);
  private static final String NODE = "10.250.25.1";
  private static final String ROUTER_LINK = "10.250.25.2";
  private static final String ROUTER_LOOPBACK = "10.250.25.100";

  private static final String BGPD_CONF = """
      frr defaults traditional
      hostname skmhop
      !
      router bgp 64500
       bgp router-id %1$s
       no bgp ebgp-requires-policy
       neighbor %2$s remote-as 64512
       neighbor %2$s ebgp-multihop 3
       neighbor %2$s update-source %1$s
       neighbor %2$s timers 3 9
       neighbor %2$s timers connect 1
       neighbor %2$s bfd profile fast
      !
      """;

  private static final String BFDD_CONF = """
      bfd
       profile fast
        receive-interval 100
        transmit-interval 100
        detect-multiplier 3
       !
      !
      """;

  @Test
  void ebgpMultihopToLoopback_bfdMultihopUpOnBothSides_cutTakesBgpDownThroughBfd() throws Exception {
    try (Netns ns = Netns.create("skspkmhop", NODE + "/30", ROUTER_LINK + "/30")) {
      ns.inside("ip", "addr", "add", ROUTER_LOOPBACK + "/32", "dev", "lo").check();
      // the node reaches the router's loopback through the router's link address (removed with the link)
      Commands.run("ip", "route", "add", ROUTER_LOOPBACK + "/32", "via", ROUTER_LINK).check();
      FrrRouter frr = FrrRouter.start(ns, BGPD_CONF.formatted(ROUTER_LOOPBACK, NODE), BFDD_CONF);
      SpeakerConfig config = SpeakerConfig.builder()
          .pool(IpAddressPool.builder().name("mhop").addresses("10.0.25.10-10.0.25.20").build())
          .peer(PeerConfig.builder().name("tor").myAsn(64512).peerAsn(64500)
              .peerAddress(InetAddress.getByName(ROUTER_LOOPBACK)).ebgpMultiHop(true).holdTime(HOLD)
              .bfdProfile("fast").build())
          .bfdProfile("fast", BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100)
              .detectMultiplier(3).build())
          .advertisement(AdvertisementConfig.builder("mhop").ipAddressPools("mhop").peers("tor").build())
          .build();
      try (Speaker speaker = Speaker.builder().config(config).build()) {
        speaker.start();
        Poll.until(LIMIT, "Established on FRR and here", () -> "Established".equals(frr.bgpState(NODE))
            && speaker.status().get(0).state().equals("Established"),
            () -> frr.json("show bgp neighbors json") + "\n" + speaker.status());
        Poll.until(LIMIT, "FRR's multihop BFD peer Up and ours Up",
            () -> "up".equals(FrrRouter.field(frr.json("show bfd peers json"), "status"))
                && speaker.status().get(0).bfdState().equals(Optional.of("Up")),
            () -> frr.json("show bfd peers json") + "\n" + speaker.status());
        String bfd = frr.json("show bfd peers json");
        assertEquals("true", FrrRouter.field(bfd, "multihop"), bfd);
        assertEquals(NODE, FrrRouter.field(bfd, "peer"), bfd);
        speaker.announce(ServiceRequest.builder("ns/tor").build());
        Poll.until(LIMIT, "10.0.25.10/32 on FRR",
            () -> frr.json("show bgp ipv4 unicast 10.0.25.10/32 json").contains("\"paths\""),
            () -> frr.json("show bgp ipv4 unicast json"));

        long cut = System.nanoTime();
        ns.setHostLink(false);
        Poll.until(HOLD, "FRR's session leaving Established", () -> !"Established".equals(frr.bgpState(NODE)),
            () -> frr.json("show bgp neighbors json"));
        long down = System.nanoTime() - cut;
        String neighbor = frr.json("show bgp neighbor " + NODE + " json");
        assertEquals("Cease\\/BFDDown", FrrRouter.field(neighbor, "lastNotificationReason"), neighbor);
        assertTrue(down < HOLD.toNanos(), "down after " + down / 1_000_000 + " ms");
        System.out.printf("multihop link cut: FRR's session down after %d ms (hold %d s)%n", down / 1_000_000,
            HOLD.toSeconds());

        ns.setHostLink(true);
        Commands.run("ip", "route", "replace", ROUTER_LOOPBACK + "/32", "via", ROUTER_LINK).check();
        Poll.until(LIMIT, "the route back on FRR",
            () -> frr.json("show bgp ipv4 unicast 10.0.25.10/32 json").contains("\"paths\""),
            () -> frr.json("show bgp neighbors json") + "\n" + speaker.status());
      }
    }
  }
}
