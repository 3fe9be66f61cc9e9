package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A speaker started before the node's network: its peer is refused while the sourceAddress is not on this host,
 * checked again every few seconds, and started once the address is up, without a reconfiguration; the route
 * planned meanwhile reaches FRR.
 */
class RefusedPeerRetryInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  @Test
  void sourceAddressComesUpLater_peerStartedWithoutReconfiguration() throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("pool").addresses("10.0.9.10-10.0.9.20").build())
        .peer(PeerConfig.builder().name("frr").myAsn(64513).peerAsn(64512)
            .peerAddress(InetAddress.getByName("10.250.14.2"))
            .sourceAddress(InetAddress.getByName("10.250.14.1")).build())
        .advertisement(AdvertisementConfig.builder("adv").ipAddressPools("pool").peers("frr").build())
        .build();
    try (Speaker speaker = Speaker.builder().config(config).build()) {
      speaker.start();
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1_000);
      PeerStatus refused = speaker.status().get(0);
      assertEquals("Refused", refused.state(), refused::toString);
      assertTrue(refused.explanation().contains("sourceAddress 10.250.14.1 is not an address of this host"),
          refused::toString);
      // listed as down, not left out: alerts on metallb_bgp_session_up == 0 must see it
      PeerMetrics down = speaker.metrics().get(0);
      assertEquals("frr", down.peer());
      assertEquals(InetAddress.getByName("10.250.14.2"), down.peerAddress());
      assertFalse(down.sessionUp());
      assertEquals(0, down.bgp().opensSent());
      assertTrue(down.bfd().isEmpty(), "no BFD profile");
      speaker.announce(ServiceRequest.builder("ns/web").build());

      try (Netns ns = Netns.create("skspkrr", "10.250.14.1/30", "10.250.14.2/30")) {
        FrrRouter frr = FrrRouter.start(ns, """
            frr defaults traditional
            hostname skspkrr
            !
            router bgp 64512
             bgp router-id 10.250.14.2
             neighbor 10.250.14.1 remote-as 64513
             neighbor 10.250.14.1 timers connect 1
             address-family ipv4 unicast
              neighbor 10.250.14.1 route-map all in
             exit-address-family
            !
            route-map all permit 10
            !
            """, null);
        FrrLabInteropTest.awaitEstablished(frr, speaker, ns.hostAddress());
        FrrLabInteropTest.awaitRoute(frr, "10.0.9.10/32");
        assertEquals(1, speaker.metrics().size(), "once started, the peer is listed once");
        assertTrue(speaker.metrics().get(0).sessionUp());
        List<SpeakerEvent> seen = new java.util.ArrayList<>();
        FrrLabInteropTest.drain(events, seen);
        assertEquals(0, seen.stream().filter(e -> e instanceof SpeakerEvent.PeerRefused).count(),
            "the refusal was reported once, at start, not at every check: " + seen);
        assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.RouteSent r && r.peer().equals("frr")
            && r.route().prefix().toString().equals("10.0.9.10/32")), "route-sent when the peer started: " + seen);
      }
    }
  }
}
