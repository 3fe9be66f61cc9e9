package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Start/stop cycles against FRR (bgpd + bfdd) in one JVM: every stop reaches FRR as Cease / Administrative Shutdown
 * with our message (FRR's {@code show bgp neighbors json}) and withdraws the route; after three cycles no thread,
 * file descriptor or Netty buffer is left behind (leaks fail the test through test-support).
 */
class FrrStartStopInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  @Test
  void threeCycles_frrSeesAdministrativeShutdownWithMessage_noLeakedThreadsOrDescriptors() throws Exception {
    try (Netns ns = Netns.create("skspkss", "10.250.6.1/30", "10.250.6.2/30")) {
      FrrRouter frr = FrrRouter.start(ns, """
          frr defaults traditional
          hostname skspkss
          !
          router bgp 64512
           bgp router-id 10.250.6.2
           neighbor 10.250.6.1 remote-as 64512
           neighbor 10.250.6.1 timers 1 5
           neighbor 10.250.6.1 timers connect 1
           neighbor 10.250.6.1 bfd profile fast
          !
          """, """
          bfd
           profile fast
            receive-interval 100
            transmit-interval 100
           !
          !
          """);
      SpeakerConfig config = SpeakerConfig.builder()
          .pool(IpAddressPool.builder().name("pool").addresses("10.0.8.10-10.0.8.20").build())
          .peer(PeerConfig.builder().name("frr").myAsn(64512).peerAsn(64512)
              .peerAddress(InetAddress.getByName(ns.nsAddress())).holdTime(Duration.ofSeconds(5))
              .bfdProfile("fast").build())
          .bfdProfile("fast", BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100).build())
          .advertisement(AdvertisementConfig.builder("adv").ipAddressPools("pool").peers("frr").build())
          .build();

      // Warm-up cycle: class loading, Netty's global threads and pools are created once per JVM, not leaked.
      Speaker speaker = Speaker.builder().config(config).build();
      cycle(frr, speaker, ns.hostAddress(), "warm-up");
      Map<String, Long> threadsBefore = threadNames();
      int fdsBefore = openFds();

      for (int i = 1; i <= 3; i++) {
        cycle(frr, speaker, ns.hostAddress(), "maintenance window " + i);
      }
      speaker.close();

      Poll.until(Duration.ofSeconds(10), "threads of the stopped speaker gone",
          () -> !grew(threadsBefore, threadNames()),
          () -> "before: " + threadsBefore + "\nafter: " + threadNames());
      // Tolerance: the JIT, GC and the test's own vtysh pipes may hold a few descriptors for a moment.
      Poll.until(Duration.ofSeconds(10), "file descriptors back to baseline (" + fdsBefore + ")",
          () -> openFds() <= fdsBefore + 4, () -> "now " + openFds() + ": " + fdList());
    }
  }

  /**
   * RFC 4724 with MetalLB's {@code enableGracefulRestart}: stopping the speaker (a pod restart) closes the session
   * without a NOTIFICATION, so FRR keeps the route, stale; the restarted speaker's End-of-RIB clears the mark.
   */
  @Test
  void gracefulRestartPeer_stopLeavesRouteStaleOnFrr_restartRefreshesIt() throws Exception {
    try (Netns ns = Netns.create("skspkgr", "10.250.13.1/30", "10.250.13.2/30")) {
      withGracefulRestartLab(ns, false, (frr, speaker) -> {
        String neighbor = ns.hostAddress();
        speaker.stop("pod restart");
        String stopped = frr.json("show bgp neighbor " + neighbor + " json");
        Poll.until(LIMIT, "FRR keeps the route, stale, with no NOTIFICATION from us",
            () -> frr.json("show bgp ipv4 unicast 10.0.8.10/32 json").contains("\"stale\":true")
                && !"Established".equals(FrrRouter.field(frr.json("show bgp neighbor " + neighbor + " json"),
                    "bgpState")),
            () -> frr.json("show bgp ipv4 unicast 10.0.8.10/32 json") + "\n" + stopped);
        String n = frr.json("show bgp neighbor " + neighbor + " json");
        assertTrue(!"BGPNotificationreceived".equals(FrrRouter.field(n, "lastResetDueTo")), n);

        speaker.start();
        speaker.announce(ServiceRequest.builder("ns/web").build());
        Poll.until(LIMIT, "the restarted speaker's End-of-RIB cleared the stale mark",
            () -> {
              String r = frr.json("show bgp ipv4 unicast 10.0.8.10/32 json");
              return r.contains("\"paths\"") && !r.contains("\"stale\":true");
            },
            () -> frr.json("show bgp ipv4 unicast 10.0.8.10/32 json"));
      });
    }
  }

  /**
   * The same with BFD (MetalLB's BFD and graceful restart together): our BFD session ends after the BGP session, so
   * FRR's BFD going down finds BGP already in graceful restart and the route stays, stale.
   */
  @Test
  void gracefulRestartPeerWithBfd_stopLeavesRouteStale_bfdDownAfterwardsChangesNothing() throws Exception {
    try (Netns ns = Netns.create("skspkgb", "10.250.15.1/30", "10.250.15.2/30")) {
      withGracefulRestartLab(ns, true, (frr, speaker) -> {
        EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1_000);
        speaker.stop("pod restart");
        Poll.until(LIMIT, "FRR's BFD peer down", () -> "down".equals(FrrRouter.field(frr.json("show bfd peers json"),
            "status")), () -> frr.json("show bfd peers json"));
        String route = frr.json("show bgp ipv4 unicast 10.0.8.10/32 json");
        assertTrue(route.contains("\"stale\":true"), route);

        // Subscribers hear of both ends: BGP leaves Established, then the removed BFD session reports AdminDown.
        List<SpeakerEvent> seen = new ArrayList<>();
        FrrLabInteropTest.drain(events, seen);
        List<String> ends = seen.stream()
            .filter(e -> e instanceof SpeakerEvent.BfdStateChanged
                || e instanceof SpeakerEvent.BgpStateChanged s && s.from().equals("Established"))
            .map(e -> e instanceof SpeakerEvent.BfdStateChanged b
                ? "bfd " + b.from() + "->" + b.to() + " " + b.diagnostic()
                : "bgp " + ((SpeakerEvent.BgpStateChanged) e).from() + "->" + ((SpeakerEvent.BgpStateChanged) e).to())
            .toList();
        assertEquals(List.of("bgp Established->Idle", "bfd Up->AdminDown Administratively Down(7)"), ends,
            seen::toString);
      });
    }
  }

  private interface LabBody {
    void run(FrrRouter frr, Speaker speaker) throws Exception;
  }

  /**
   * FRR (AS 64512, graceful restart helper, BFD if asked) and a speaker (AS 64513, enableGracefulRestart) announcing
   * 10.0.8.10/32 to it; {@code body} runs once the route is on FRR (and BFD Up).
   */
  private static void withGracefulRestartLab(Netns ns, boolean bfd, LabBody body) throws Exception {
    String us = ns.hostAddress();
    FrrRouter frr = FrrRouter.start(ns, """
        frr defaults traditional
        hostname %s
        !
        router bgp 64512
         bgp router-id %s
         bgp graceful-restart
         neighbor %s remote-as 64513
         neighbor %s timers connect 1
        %s
         address-family ipv4 unicast
          neighbor %s route-map all in
         exit-address-family
        !
        route-map all permit 10
        !
        """.formatted(ns.name(), ns.nsAddress(), us, us, bfd ? " neighbor " + us + " bfd profile fast" : "", us),
        bfd ? """
            bfd
             profile fast
              receive-interval 100
              transmit-interval 100
             !
            !
            """ : null);
    PeerConfig.Builder peer = PeerConfig.builder().name("frr").myAsn(64513).peerAsn(64512)
        .peerAddress(InetAddress.getByName(ns.nsAddress())).enableGracefulRestart(true);
    SpeakerConfig.Builder config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("pool").addresses("10.0.8.10-10.0.8.20").build())
        .advertisement(AdvertisementConfig.builder("adv").ipAddressPools("pool").peers("frr").build());
    if (bfd) {
      peer.bfdProfile("fast");
      config.bfdProfile("fast", BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100).build());
    }
    try (Speaker speaker = Speaker.builder().config(config.peer(peer.build()).build()).build()) {
      speaker.start();
      Poll.until(LIMIT, "BGP Established" + (bfd ? " and BFD Up" : ""),
          () -> FrrLabInteropTest.frrEstablished(frr, us)
              && (!bfd || speaker.status().get(0).bfdState().orElse("").equals("Up")),
          () -> "" + speaker.status());
      speaker.announce(ServiceRequest.builder("ns/web").build());
      FrrLabInteropTest.awaitRoute(frr, "10.0.8.10/32");
      body.run(frr, speaker);
    }
  }

  private static void cycle(FrrRouter frr, Speaker speaker, String neighbor, String message) {
    speaker.start();
    Poll.until(LIMIT, "Established (" + message + ")",
        () -> FrrLabInteropTest.frrEstablished(frr, neighbor)
            && speaker.status().get(0).state().equals("Established")
            && speaker.status().get(0).bfdState().orElse("").equals("Up"),
        () -> frr.json("show bgp neighbors json") + "\n" + speaker.status());
    speaker.announce(ServiceRequest.builder("ns/web").build());
    FrrLabInteropTest.awaitRoute(frr, "10.0.8.10/32");
    speaker.stop(message);
    Poll.until(LIMIT, "FRR saw Cease / Administrative Shutdown with \"" + message + "\"", () -> {
      String n = frr.json("show bgp neighbor " + neighbor + " json");
      return !"Established".equals(FrrRouter.field(n, "bgpState"))
          && "BGPNotificationreceived".equals(FrrRouter.field(n, "lastResetDueTo"))
          && "Cease\\/AdministrativeShutdown".equals(FrrRouter.field(n, "lastNotificationReason"))
          && message.replaceAll("\\s+", "").equals(FrrRouter.field(n, "lastShutdownDescription"));
    }, () -> frr.json("show bgp neighbor " + neighbor + " json"));
    String n = frr.json("show bgp neighbor " + neighbor + " json");
    System.out.println("FRR after stop: lastResetDueTo=" + FrrRouter.field(n, "lastResetDueTo")
        + " lastNotificationReason=" + FrrRouter.field(n, "lastNotificationReason")
        + " lastShutdownDescription=" + FrrRouter.field(n, "lastShutdownDescription"));
    Poll.until(LIMIT, "route withdrawn (" + message + ")",
        () -> !frr.json("show bgp ipv4 unicast json").contains("10.0.8.10/32"),
        () -> frr.json("show bgp ipv4 unicast json"));
  }

  /** Live threads by name with digits folded, so a second "epoll-x-2" counts as another "epoll-x-#". */
  private static Map<String, Long> threadNames() {
    return new TreeMap<>(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(t -> t.getName().replaceAll("[0-9]+", "#"))
        // Threads of the test harness and the JDK that come and go on their own (vtysh output readers).
        .filter(n -> !(n.startsWith("process reaper") || n.startsWith("ForkJoinPool") || n.startsWith("Attach")))
        .collect(Collectors.groupingBy(n -> n, Collectors.counting())));
  }

  private static boolean grew(Map<String, Long> before, Map<String, Long> after) {
    return after.entrySet().stream().anyMatch(e -> e.getValue() > before.getOrDefault(e.getKey(), 0L));
  }

  private static int openFds() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }

  private static String fdList() {
    StringBuilder sb = new StringBuilder();
    File[] fds = new File("/proc/self/fd").listFiles();
    if (fds != null) {
      for (File f : fds) {
        try {
          sb.append(f.getName()).append("->").append(java.nio.file.Files.readSymbolicLink(f.toPath())).append(' ');
        } catch (java.io.IOException e) {
          sb.append(f.getName()).append("->? ");
        }
      }
    }
    return sb.toString();
  }
}
