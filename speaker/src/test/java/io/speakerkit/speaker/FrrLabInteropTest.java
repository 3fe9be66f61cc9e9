package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The MetalLB BGP lab (pool 10.0.0.10-10.0.0.20, iBGP AS 64512, hold 5 s, NO_ADVERTISE, local-pref 100) against
 * FRR (zebra, bgpd, bfdd) in a namespace, checked in FRR's own JSON: the route and its attributes, FRR's BFD peer,
 * a cut link detected by BFD well before the hold time, release withdrawing the route; and the lab without BFD
 * having no BFD session on either side.
 */
class FrrLabInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final Duration HOLD = Duration.ofSeconds(5);
  private static final String SERVICE = "onp-metallb/echoserver";

  private static String bgpdConf(String host, String ns, boolean bfd) {
    return """
        frr defaults traditional
        hostname skspk
        !
        router bgp 64512
         bgp router-id %2$s
         no bgp ebgp-requires-policy
         neighbor %1$s remote-as 64512
         neighbor %1$s timers 1 5
         neighbor %1$s timers connect 1
        %3$s!
        """.formatted(host, ns, bfd ? " neighbor " + host + " bfd profile fast\n" : "");
  }

  private static final String BFDD_CONF = """
      bfd
       profile fast
        receive-interval 100
        transmit-interval 100
        detect-multiplier 3
       !
      !
      """;

  private static SpeakerConfig labConfig(String routerAddress, boolean bfd) throws Exception {
    PeerConfig.Builder peer = PeerConfig.builder().name("onp-bgp-peer").myAsn(64512).peerAsn(64512)
        .peerAddress(InetAddress.getByName(routerAddress)).holdTime(HOLD);
    SpeakerConfig.Builder b = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("onp-bgp-pool").addresses("10.0.0.10-10.0.0.20").build())
        .advertisement(AdvertisementConfig.builder("onp-bgp-advertisement").ipAddressPools("onp-bgp-pool")
            .peers("onp-bgp-peer").communities("65535:65282").aggregationLength(32).localPref(100).build());
    if (bfd) {
      peer.bfdProfile("fast");
      b.bfdProfile("fast", BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100)
          .detectMultiplier(3).build());
    }
    return b.peer(peer.build()).build();
  }

  @Test
  void bfdLab_routeOnFrr_bfdUp_linkCutDetectedBeforeHoldTime_releaseWithdraws() throws Exception {
    try (Netns ns = Netns.create("skspkbfd", "10.250.1.1/30", "10.250.1.2/30")) {
      FrrRouter frr = FrrRouter.start(ns, bgpdConf(ns.hostAddress(), ns.nsAddress(), true), BFDD_CONF);
      try (Speaker speaker = Speaker.builder().config(labConfig(ns.nsAddress(), true)).build()) {
        speaker.start();
        EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(10_000);
        awaitEstablished(frr, speaker, ns.hostAddress());
        Poll.until(LIMIT, "FRR's BFD peer Up and ours Up",
            () -> "up".equals(FrrRouter.field(frr.json("show bfd peers json"), "status"))
                && speaker.status().get(0).bfdState().equals(Optional.of("Up")),
            () -> frr.json("show bfd peers json") + "\n" + speaker.status());
        String bfdPeer = frr.json("show bfd peers json");
        assertEquals(ns.hostAddress(), FrrRouter.field(bfdPeer, "peer"), bfdPeer);

        AllocationResult result = speaker.announce(ServiceRequest.builder(SERVICE).build());
        assertEquals(InetAddress.getByName("10.0.0.10"),
            ((AllocationResult.Allocated) result).allocation().addresses().get(0));
        String route = awaitRoute(frr, "10.0.0.10/32");
        assertTrue(route.contains("\"community\":{\"string\":\"no-advertise\",\"list\":[\"noAdvertise\"]}"), route);
        assertTrue(route.contains("\"locPrf\":100"), route);
        // the path's MED 0 (not its next hop's IGP metric), as from MetalLB's FRR: a network statement's MED
        assertTrue(route.contains("\"origin\":\"IGP\",\"metric\":0"), route);
        assertTrue(route.contains("\"ip\":\"" + ns.hostAddress() + "\""), route);

        // Cut the cable: BFD (300 ms) must take BGP down on both sides well before the 5 s hold time.
        drain(events, new ArrayList<>());
        long cut = System.nanoTime();
        ns.setHostLink(false);
        Poll.until(HOLD, "FRR's session leaving Established", () -> !frrEstablished(frr, ns.hostAddress()),
            () -> frr.json("show bgp neighbors json"));
        long frrDown = System.nanoTime() - cut;
        String afterCut = frr.json("show bgp neighbor " + ns.hostAddress() + " json");
        // FRR 8.4 takes BGP down on its BFD session going Down with Cease / BFD Down (RFC 9384 subcode 10).
        assertEquals("Cease\\/BFDDown", FrrRouter.field(afterCut, "lastNotificationReason"), afterCut);
        List<SpeakerEvent> seen = new ArrayList<>();
        Poll.until(HOLD, "our session leaving Established", () -> {
          drain(events, seen);
          return seen.stream().anyMatch(e -> e instanceof SpeakerEvent.BgpStateChanged s
              && s.from().equals("Established"));
        }, seen::toString);
        long oursDown = System.nanoTime() - cut;
        assertTrue(frrDown < HOLD.toNanos() && oursDown < HOLD.toNanos(),
            "FRR down after " + frrDown / 1_000_000 + " ms, ours after " + oursDown / 1_000_000 + " ms");
        int bfdDown = indexOf(seen, e -> e instanceof SpeakerEvent.BfdStateChanged b && b.to().equals("Down"));
        int bgpDown = indexOf(seen, e -> e instanceof SpeakerEvent.BgpStateChanged s
            && s.from().equals("Established"));
        assertTrue(bfdDown >= 0 && bfdDown < bgpDown, "BFD Down before BGP leaves Established: " + seen);
        SpeakerEvent.BgpStateChanged ours = (SpeakerEvent.BgpStateChanged) seen.get(bgpDown);
        assertTrue(ours.reason().contains("BFD Down"), ours::toString);
        System.out.printf("link cut: FRR's session down after %d ms, ours after %d ms%n", frrDown / 1_000_000,
            oursDown / 1_000_000);

        // Cable back: BFD and BGP come back with the route; release withdraws it.
        ns.setHostLink(true);
        awaitEstablished(frr, speaker, ns.hostAddress());
        awaitRoute(frr, "10.0.0.10/32");
        speaker.release(SERVICE);
        Poll.until(LIMIT, "10.0.0.10/32 gone from FRR",
            () -> !frr.json("show bgp ipv4 unicast json").contains("10.0.0.10/32"),
            () -> frr.json("show bgp ipv4 unicast json"));
      }
    }
  }

  @Test
  void labWithoutBfd_noBfdSessionOnEitherSide() throws Exception {
    try (Netns ns = Netns.create("skspknob", "10.250.2.1/30", "10.250.2.2/30")) {
      FrrRouter frr = FrrRouter.start(ns, bgpdConf(ns.hostAddress(), ns.nsAddress(), false), BFDD_CONF);
      try (Speaker speaker = Speaker.builder().config(labConfig(ns.nsAddress(), false)).build()) {
        speaker.start();
        awaitEstablished(frr, speaker, ns.hostAddress());
        speaker.announce(ServiceRequest.builder(SERVICE).build());
        String route = awaitRoute(frr, "10.0.0.10/32");
        assertTrue(route.contains("noAdvertise"), route);
        assertEquals("[]", frr.json("show bfd peers json"));
        assertEquals(Optional.empty(), speaker.status().get(0).bfdState(), speaker.status()::toString);
        String neighbor = frr.json("show bgp neighbors json");
        assertTrue(!neighbor.contains("\"peerBfdInfo\""), neighbor);
      }
    }
  }

  static boolean frrEstablished(FrrRouter frr, String neighbor) {
    String json = frr.json("show bgp neighbor " + neighbor + " json");
    return "Established".equals(FrrRouter.field(json, "bgpState"));
  }

  static void awaitEstablished(FrrRouter frr, Speaker speaker, String neighbor) {
    Poll.until(LIMIT, "Established on FRR and here",
        () -> frrEstablished(frr, neighbor) && speaker.status().get(0).state().equals("Established"),
        () -> frr.json("show bgp neighbors json") + "\n" + speaker.status());
  }

  static String awaitRoute(FrrRouter frr, String prefix) {
    String family = prefix.contains(":") ? "ipv6" : "ipv4";
    Poll.until(LIMIT, prefix + " on FRR",
        () -> frr.json("show bgp " + family + " unicast " + prefix + " json").contains("\"paths\""),
        () -> frr.json("show bgp " + family + " unicast json"));
    return frr.json("show bgp " + family + " unicast " + prefix + " json");
  }

  static void drain(EventHub.Subscription<SpeakerEvent> events, List<SpeakerEvent> into) {
    try {
      Object next;
      while ((next = events.poll(0, TimeUnit.MILLISECONDS)) != null) {
        if (next instanceof SpeakerEvent e) {
          into.add(e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int indexOf(List<SpeakerEvent> events, java.util.function.Predicate<SpeakerEvent> p) {
    for (int i = 0; i < events.size(); i++) {
      if (p.test(events.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
