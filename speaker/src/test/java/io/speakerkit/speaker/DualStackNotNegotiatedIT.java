package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamilyPolicy;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * dualStackAddressFamily toward a router that negotiates IPv4 unicast only: the IPv6 route is never sent (RFC 4760
 * §7), so MetalLB's metallb_bgp_announced_prefixes_total (FRR's prefixes sent, summed over the negotiated families)
 * must not count it.
 */
class DualStackNotNegotiatedIT {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  @Test
  void ipv6RouteNotNegotiated_notCountedAsAnnounced() throws Exception {
    InetAddress speakerAddress = InetAddress.getByName("127.0.5.47");
    InetAddress routerAddress = InetAddress.getByName("127.0.5.48");
    int port = 14352;
    SpeakerConfig routerConfig = SpeakerConfig.builder()
        .peer(PeerConfig.builder().name("node").myAsn(64512).peerAsn(64512).peerAddress(speakerAddress)
            .sourceAddress(routerAddress).build()) // IPv4 unicast only
        .build();
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("ds").addresses("10.0.14.0/24", "2001:db8:14::/64").build())
        .peer(PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(routerAddress)
            .peerPort(port).sourceAddress(speakerAddress).dualStackAddressFamily(true).build())
        .advertisement(AdvertisementConfig.builder("adv").ipAddressPools("ds").build())
        .build();
    try (Speaker router = Speaker.builder().config(routerConfig).listen(new InetSocketAddress(routerAddress, port))
            .passive(true).allowLocalPeers(true).build();
        Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).build()) {
      router.start();
      speaker.start();
      Poll.until(LIMIT, "Established", () -> speaker.status().get(0).state().equals("Established"),
          () -> speaker.status().toString());
      assertTrue(speaker.status().get(0).negotiated().contains("IPv4/unicast")
          && !speaker.status().get(0).negotiated().contains("IPv6"), speaker.status().toString());
      AllocationResult r = speaker.announce(ServiceRequest.builder("ns/ds")
          .ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).build());
      assertTrue(r instanceof AllocationResult.Allocated, r.toString());
      Poll.until(LIMIT, "IPv4 route at the router", () -> router.status().get(0).routesReceived() == 1,
          () -> router.status().toString());
      // what went out: the IPv4 route alone
      assertEquals(1, speaker.metrics().get(0).prefixesAnnounced(), speaker.metrics().toString());
    }
  }
}
