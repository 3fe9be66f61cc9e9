package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Live reconfiguration ({@link Speaker#apply}) against FRR with two sessions (from two of our addresses): changed
 * communities and local preference plus a new pool reach FRR as UPDATEs, and a changed connectTime changes nothing
 * on the wire, while FRR's session uptime keeps growing (same {@code bgpTimerUpEstablishedEpoch}, no dropped
 * connection); a changed hold time resets only that session (FRR sees Cease / Other Configuration Change), the
 * other keeps its uptime; the speaker still follows the state of a session it reconfigured.
 */
class FrrReconfigureInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final String A = "10.250.7.1";
  private static final String B = "10.250.7.5";

  private static SpeakerConfig config(String community, long localPref, boolean extraPool, Duration holdA)
      throws Exception {
    PeerConfig.Builder a = PeerConfig.builder().name("a").myAsn(64512).peerAsn(64512)
        .peerAddress(InetAddress.getByName("10.250.7.2")).sourceAddress(InetAddress.getByName(A)).holdTime(holdA);
    if (extraPool) {
      a.connectTime(Duration.ofSeconds(10)); // applied in place, as FRR applies `timers connect`
    }
    SpeakerConfig.Builder b = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("pool").addresses("10.0.9.10-10.0.9.20").build())
        .peer(a.build())
        .peer(PeerConfig.builder().name("b").myAsn(64512).peerAsn(64512)
            .peerAddress(InetAddress.getByName("10.250.7.6")).sourceAddress(InetAddress.getByName(B))
            .holdTime(Duration.ofSeconds(9)).build())
        .advertisement(AdvertisementConfig.builder("adv").ipAddressPools("pool").communities(community)
            .localPref(localPref).build());
    if (extraPool) {
      b.pool(IpAddressPool.builder().name("extra").addresses("10.0.10.10-10.0.10.20").build())
          .advertisement(AdvertisementConfig.builder("adv-extra").ipAddressPools("extra").build());
    }
    return b.build();
  }

  private static String neighbor(FrrRouter frr, String address) {
    return frr.json("show bgp neighbor " + address + " json");
  }

  private static long epoch(FrrRouter frr, String address) {
    return Long.parseLong(FrrRouter.field(neighbor(frr, address), "bgpTimerUpEstablishedEpoch"));
  }

  private static long uptimeMillis(FrrRouter frr, String address) {
    return Long.parseLong(FrrRouter.field(neighbor(frr, address), "bgpTimerUpMsec"));
  }

  /** "established/dropped" connection counts of FRR's neighbor: a reset changes both. */
  private static String connections(FrrRouter frr, String address) {
    String n = neighbor(frr, address);
    return FrrRouter.field(n, "connectionsEstablished") + "/" + FrrRouter.field(n, "connectionsDropped");
  }

  private static PeerStatus status(Speaker speaker, String peer) {
    return speaker.status().stream().filter(s -> s.peer().equals(peer)).findFirst().orElseThrow();
  }

  @Test
  void advertisementPoolAndHoldTimeChanges_noFlap_newHoldTimeInTheNextOpen() throws Exception {
    try (Netns ns = Netns.create("skspkrc", A + "/30", "10.250.7.2/30")) {
      ns.addAddresses(B + "/30", "10.250.7.6/30");
      FrrRouter frr = FrrRouter.start(ns, """
          frr defaults traditional
          hostname skspkrc
          !
          router bgp 64512
           bgp router-id 10.250.7.2
           bgp log-neighbor-changes
           neighbor %1$s remote-as 64512
           neighbor %1$s timers 3 9
           neighbor %1$s timers connect 1
           neighbor %2$s remote-as 64512
           neighbor %2$s timers 3 9
           neighbor %2$s timers connect 1
          !
          """.formatted(A, B), null);
      try (Speaker speaker = Speaker.builder().config(config("65000:1", 100, false, Duration.ofSeconds(9)))
          .build()) {
        speaker.start();
        Poll.until(LIMIT, "both sessions Established on FRR and here",
            () -> FrrLabInteropTest.frrEstablished(frr, A) && FrrLabInteropTest.frrEstablished(frr, B)
                && speaker.status().stream().allMatch(s -> s.state().equals("Established")),
            () -> frr.json("show bgp summary json") + "\n" + speaker.status());
        speaker.announce(ServiceRequest.builder("ns/web").build());
        Poll.until(LIMIT, "route with 65000:1 / 100 on FRR",
            () -> route(frr).contains("\"list\":[\"65000:1\"]") && route(frr).contains("\"locPrf\":100"),
            () -> route(frr));
        long epochA = epoch(frr, A);
        long epochB = epoch(frr, B);
        long uptimeA = uptimeMillis(frr, A);
        String sessionsA = connections(frr, A);
        String sessionsB = connections(frr, B);

        // Communities, local preference, a new pool and a's connectTime: UPDATEs only.
        speaker.apply(config("65000:2", 200, true, Duration.ofSeconds(9)));
        speaker.announce(ServiceRequest.builder("ns/extra").pool("extra").build());
        Poll.until(LIMIT, "route with 65000:2 / 200 and the new pool's route on FRR",
            () -> route(frr).contains("\"list\":[\"65000:2\"]") && route(frr).contains("\"locPrf\":200")
                && frr.json("show bgp ipv4 unicast 10.0.10.10/32 json").contains("\"paths\""),
            () -> route(frr) + "\n" + frr.json("show bgp ipv4 unicast json"));
        // FRR derives the epoch from the uptime in whole seconds: it may move by one without a reset.
        assertTrue(Math.abs(epochA - epoch(frr, A)) <= 1, "no reset on FRR: " + neighbor(frr, A));
        assertTrue(Math.abs(epochB - epoch(frr, B)) <= 1, "no reset on FRR: " + neighbor(frr, B));
        assertEquals(sessionsA, connections(frr, A), "no reset on FRR: " + neighbor(frr, A));
        assertEquals(sessionsB, connections(frr, B), "no reset on FRR: " + neighbor(frr, B));
        // FRR's uptime has whole seconds: wait for it to move on, then check the session is still the same one.
        Poll.until(LIMIT, "FRR's uptime of a growing past " + uptimeA + " ms", () -> uptimeMillis(frr, A) > uptimeA,
            () -> neighbor(frr, A));
        assertEquals(sessionsA, connections(frr, A), "no reset on FRR: " + neighbor(frr, A));

        // The speaker still follows a session it reconfigured: FRR shuts b down, our status must see it.
        frr.vtysh("bgpd", "configure terminal", "router bgp 64512", "neighbor " + B + " shutdown").check();
        Poll.until(LIMIT, "our status of b leaving Established",
            () -> !status(speaker, "b").state().equals("Established"), () -> speaker.status().toString());
        frr.vtysh("bgpd", "configure terminal", "router bgp 64512", "no neighbor " + B + " shutdown").check();
        Poll.until(LIMIT, "b Established again", () -> FrrLabInteropTest.frrEstablished(frr, B)
            && status(speaker, "b").state().equals("Established"), () -> speaker.status().toString());
        String sessionsB2 = connections(frr, B);
        String sessionsA2 = connections(frr, A);

        // Hold time of a: applied as FRR applies `neighbor X timers`, for the next OPEN; the session is kept.
        speaker.apply(config("65000:2", 200, true, Duration.ofSeconds(6)));
        long uptimeA2 = uptimeMillis(frr, A);
        Poll.until(LIMIT, "FRR's uptime of a growing past " + uptimeA2 + " ms", () -> uptimeMillis(frr, A) > uptimeA2,
            () -> neighbor(frr, A));
        assertEquals(sessionsA2, connections(frr, A), "no reset on FRR: " + neighbor(frr, A));
        assertTrue(neighbor(frr, A).contains("\"bgpTimerHoldTimeMsecs\":9000"), neighbor(frr, A));
        // the next session of a (FRR shuts it and lets it come back) negotiates the new hold time; b untouched
        frr.vtysh("bgpd", "configure terminal", "router bgp 64512", "neighbor " + A + " shutdown").check();
        Poll.until(LIMIT, "our status of a leaving Established",
            () -> !status(speaker, "a").state().equals("Established"), () -> speaker.status().toString());
        frr.vtysh("bgpd", "configure terminal", "router bgp 64512", "no neighbor " + A + " shutdown").check();
        Poll.until(LIMIT, "a Established again with hold time 6 s",
            () -> FrrLabInteropTest.frrEstablished(frr, A)
                && neighbor(frr, A).contains("\"bgpTimerHoldTimeMsecs\":6000"),
            () -> neighbor(frr, A));
        assertEquals(sessionsB2, connections(frr, B), "b untouched: " + neighbor(frr, B));
        Poll.until(LIMIT, "a's routes back",
            () -> route(frr).contains("\"locPrf\":200") && route(frr).split("\"peerId\"").length - 1 == 2,
            () -> route(frr));
      }
    }
  }

  private static String route(FrrRouter frr) {
    return frr.json("show bgp ipv4 unicast 10.0.9.10/32 json");
  }
}
