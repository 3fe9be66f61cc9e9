package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A BGPPeer's {@code password} (TCP MD5, RFC 2385) against FRR's {@code neighbor X password}, through the speaker's
 * configuration: the right key comes up and carries the route; a wrong one applied to the live peer resets it and
 * never gets past TCP (FRR's kernel drops the segments); the right one applied again brings the route back.
 */
class FrrPasswordInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final String NODE = "10.250.24.1";
  private static final String ROUTER = "10.250.24.2";

  private static final String BGPD_CONF = """
      frr defaults traditional
      hostname skmd5
      !
      router bgp 64500
       bgp router-id %1$s
       no bgp ebgp-requires-policy
       neighbor %2$s remote-as 64512
       neighbor %2$s password metallb-s3cret
       neighbor %2$s timers 1 5
       neighbor %2$s timers connect 1
      !
      """.formatted(ROUTER, NODE);

  @Test
  void rightPasswordUp_wrongPasswordAppliedNeverUp_rightAgainRouteBack() throws Exception {
    try (Netns ns = Netns.create("skspkmd5", NODE + "/30", ROUTER + "/30")) {
      FrrRouter frr = FrrRouter.start(ns, BGPD_CONF, null);
      try (Speaker speaker = Speaker.builder().config(config("metallb-s3cret")).build()) {
        speaker.start();
        speaker.announce(ServiceRequest.builder("ns/md5").build());
        awaitRouteOnFrr(frr, speaker);

        speaker.apply(config("not-the-key"));
        Poll.until(LIMIT, "FRR's session down", () -> !"Established".equals(frr.bgpState(NODE)),
            () -> frr.json("show bgp neighbors json"));
        // a few connect attempts each way (connect time 1 s on both sides): none may get anywhere
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Poll.until(Duration.ofSeconds(10), "5 s of attempts", () -> System.nanoTime() > until, () -> "");
        assertNotEquals("Established", frr.bgpState(NODE));
        assertNotEquals("Established", speaker.status().get(0).state());
        assertNotEquals("OpenConfirm", speaker.status().get(0).state());

        speaker.apply(config("metallb-s3cret"));
        awaitRouteOnFrr(frr, speaker);
      }
    }
  }

  private static SpeakerConfig config(String password) throws Exception {
    return SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("md5").addresses("10.0.24.10-10.0.24.20").build())
        .peer(PeerConfig.builder().name("tor").myAsn(64512).peerAsn(64500)
            .peerAddress(InetAddress.getByName(ROUTER)).password(password).connectTime(Duration.ofSeconds(1))
            .holdTime(Duration.ofSeconds(5)).build())
        .advertisement(AdvertisementConfig.builder("md5").ipAddressPools("md5").peers("tor").build())
        .build();
  }

  private static void awaitRouteOnFrr(FrrRouter frr, Speaker speaker) {
    Poll.until(LIMIT, "Established with the route on FRR",
        () -> "Established".equals(frr.bgpState(NODE))
            && frr.json("show bgp ipv4 unicast 10.0.24.10/32 json").contains("\"paths\""),
        () -> frr.json("show bgp neighbors json") + "\n" + speaker.status());
  }
}
