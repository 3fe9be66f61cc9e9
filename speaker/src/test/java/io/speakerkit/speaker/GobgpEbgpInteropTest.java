package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * eBGP from AS 64512 to GoBGP in AS 65000, checked in GoBGP's RIB JSON: AS path [64512], no LOCAL_PREF (RFC 4271
 * §5.1.5: not sent to external peers), the advertisement's communities and large community, our next hop; release
 * withdraws.
 */
class GobgpEbgpInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  @Test
  void ebgp_routeWithAsPathCommunitiesLargeCommunity_noLocalPref() throws Exception {
    Commands.require("gobgpd", "gobgp");
    try (Netns ns = Netns.create("skspkgo", "10.250.5.1/30", "10.250.5.2/30")) {
      File dir = ns.dir();
      Files.writeString(new File(dir, "gobgpd.toml").toPath(), """
          [global.config]
            as = 65000
            router-id = "10.250.5.2"
            port = 179
          [[neighbors]]
            [neighbors.config]
              neighbor-address = "10.250.5.1"
              peer-as = 64512
            [neighbors.timers.config]
              hold-time = 9
              keepalive-interval = 3
              connect-retry = 1
            [[neighbors.afi-safis]]
              [neighbors.afi-safis.config]
                afi-safi-name = "ipv4-unicast"
          """);
      ns.start(new File(dir, "gobgpd.log"), "gobgpd", "-f", dir + "/gobgpd.toml", "-p", "--pprof-disable",
          "--api-hosts=127.0.0.1:50051");
      Poll.until(LIMIT, "gobgpd API", () -> ns.inside("gobgp", "neighbor").exitCode() == 0,
          () -> ns.inside("gobgp", "neighbor").toString());
      SpeakerConfig config = SpeakerConfig.builder()
          .pool(IpAddressPool.builder().name("pool").addresses("10.0.7.10-10.0.7.20").build())
          .peer(PeerConfig.builder().name("gobgp").myAsn(64512).peerAsn(65000)
              .peerAddress(InetAddress.getByName(ns.nsAddress())).holdTime(Duration.ofSeconds(9)).build())
          .advertisement(AdvertisementConfig.builder("adv").ipAddressPools("pool").peers("gobgp")
              .communities("64512:100", "65535:65281", "large:64512:1:2").localPref(300).build())
          .build();
      try (Speaker speaker = Speaker.builder().config(config).build()) {
        speaker.start();
        Poll.until(LIMIT, "Established on GoBGP",
            () -> neighbor(ns).contains("\"session_state\":6"), () -> neighbor(ns) + "\n" + speaker.status());
        speaker.announce(ServiceRequest.builder("ns/web").build());
        Poll.until(LIMIT, "route in GoBGP", () -> rib(ns).contains("10.0.7.10/32"), () -> rib(ns));
        String rib = rib(ns);
        assertTrue(rib.contains("\"as_paths\":[{\"segment_type\":2,\"num\":1,\"asns\":[64512]}]"), rib);
        assertTrue(rib.contains("{\"type\":3,\"nexthop\":\"10.250.5.1\"}"), rib);
        assertFalse(rib.contains("\"type\":5,"), "no LOCAL_PREF to an external peer: " + rib);
        long community = 64512L << 16 | 100;
        assertTrue(rib.contains("\"communities\":[" + community + ",4294967041]")
            || rib.contains("\"communities\":[4294967041," + community + "]"), rib);
        assertTrue(rib.contains("{\"ASN\":64512,\"LocalData1\":1,\"LocalData2\":2}"), rib);
        speaker.release("ns/web");
        Poll.until(LIMIT, "withdrawn in GoBGP", () -> !rib(ns).contains("10.0.7.10/32"), () -> rib(ns));
      }
    }
  }

  private static String neighbor(Netns ns) {
    return ns.inside("gobgp", "neighbor", "-j").stdout().replaceAll("\\s+", "");
  }

  private static String rib(Netns ns) {
    return ns.inside("gobgp", "global", "rib", "-j", "-a", "ipv4").stdout().replaceAll("\\s+", "");
  }
}
