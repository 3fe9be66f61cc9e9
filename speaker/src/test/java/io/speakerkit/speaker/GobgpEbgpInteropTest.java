package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.testing.GobgpRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * eBGP from AS 64512 to GoBGP in AS 65000, checked in GoBGP's RIB JSON: AS path [64512], no LOCAL_PREF (RFC 4271
 * §5.1.5: not sent to external peers), the advertisement's communities and large community, our next hop; release
 * withdraws. The same over an IPv6 session from an IPv6 /64 pool (MP_REACH_NLRI, RFC 4760 / RFC 2545).
 */
class GobgpEbgpInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  @Test
  void ebgp_routeWithAsPathCommunitiesLargeCommunity_noLocalPref() throws Exception {
    try (Netns ns = Netns.create("skspkgo", "10.250.5.1/30", "10.250.5.2/30")) {
      startGobgp(ns, "10.250.5.2", "10.250.5.1", "ipv4-unicast");
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

  @Test
  void ebgpIpv6_poolOf64_routeWithOurIpv6NextHop() throws Exception {
    try (Netns ns = Netns.create("skspkgo6", "10.250.6.1/30", "10.250.6.2/30")) {
      ns.addAddresses("fd00:256::1/64", "fd00:256::2/64");
      startGobgp(ns, "10.250.6.2", "fd00:256::1", "ipv6-unicast");
      SpeakerConfig config = SpeakerConfig.builder()
          .pool(IpAddressPool.builder().name("v6").addresses("2001:db8:256::/64").build())
          .peer(PeerConfig.builder().name("gobgp").myAsn(64512).peerAsn(65000)
              .peerAddress(InetAddress.getByName("fd00:256::2"))
              .routerId((Inet4Address) InetAddress.getByName("10.250.6.1")).holdTime(Duration.ofSeconds(9)).build())
          .advertisement(AdvertisementConfig.builder("adv").ipAddressPools("v6").peers("gobgp")
              .communities("64512:600").build())
          .build();
      try (Speaker speaker = Speaker.builder().config(config).build()) {
        speaker.start();
        Poll.until(LIMIT, "Established on GoBGP",
            () -> neighbor(ns).contains("\"session_state\":6"), () -> neighbor(ns) + "\n" + speaker.status());
        AllocationResult r = speaker.announce(ServiceRequest.builder("ns/v6").ipFamily(IpFamily.IPV6).build());
        InetAddress address = ((AllocationResult.Allocated) r).allocation().addresses().get(0);
        String prefix = IpPrefix.host(address).toString(); // RFC 5952 text, as GoBGP prints it
        Poll.until(LIMIT, prefix + " in GoBGP", () -> rib6(ns).contains("\"" + prefix + "\""), () -> rib6(ns));
        String rib = rib6(ns);
        assertTrue(rib.contains("\"as_paths\":[{\"segment_type\":2,\"num\":1,\"asns\":[64512]}]"), rib);
        assertTrue(rib.contains("\"nexthop\":\"fd00:256::1\""), rib);
        assertTrue(rib.contains("\"communities\":[" + (64512L << 16 | 600) + "]"), rib);
        speaker.release("ns/v6");
        Poll.until(LIMIT, "withdrawn in GoBGP", () -> !rib6(ns).contains("\"" + prefix + "\""), () -> rib6(ns));
      }
    }
  }

  /** gobgpd in AS 65000 inside {@code ns}, one neighbour in AS 64512 for one family; returns once its API answers. */
  private static void startGobgp(Netns ns, String routerId, String neighbor, String family) throws Exception {
    GobgpRouter.start(ns, """
        [global.config]
          as = 65000
          router-id = "%s"
          port = 179
        [[neighbors]]
          [neighbors.config]
            neighbor-address = "%s"
            peer-as = 64512
          [neighbors.timers.config]
            hold-time = 9
            keepalive-interval = 3
            connect-retry = 1
          [[neighbors.afi-safis]]
            [neighbors.afi-safis.config]
              afi-safi-name = "%s"
        """.formatted(routerId, neighbor, family));
  }

  private static String rib6(Netns ns) {
    return ns.inside("gobgp", "global", "rib", "-j", "-a", "ipv6").stdout().replaceAll("\\s+", "");
  }

  private static String neighbor(Netns ns) {
    return ns.inside("gobgp", "neighbor", "-j").stdout().replaceAll("\\s+", "");
  }

  private static String rib(Netns ns) {
    return ns.inside("gobgp", "global", "rib", "-j", "-a", "ipv4").stdout().replaceAll("\\s+", "");
  }
}
