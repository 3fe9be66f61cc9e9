package io.speakerkit.examples;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Communities;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LocalPref;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.speaker.AdvertisementConfig;
import io.speakerkit.speaker.EventHub;
import io.speakerkit.speaker.PeerConfig;
import io.speakerkit.speaker.Speaker;
import io.speakerkit.speaker.SpeakerConfig;
import io.speakerkit.speaker.SpeakerEvent;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code speakerkit.jar demo}: the MetalLB BGP lab of {@code shared/fixtures} on loopback, with a router built from
 * this library (a listen-only speaker with BFD), so it needs no root and no router. Everything printed is an event
 * as it happened; the BFD figure is measured from the moment the failure is injected.
 */
final class Demo {

  static final String USAGE = """
      usage: java -jar speakerkit.jar demo

      Runs the MetalLB BGP lab in one process on loopback: a speaker (127.0.0.1, AS 64512, pool
      10.0.0.10-10.0.0.20, community 65535:65282, local preference 100, BFD 100 ms x 3) and a router built
      from this library (127.0.0.2). Shows the BGP states as they occur, BFD coming Up, the service getting
      its address, the route arriving at the router, then a failure injected on the speaker side and how
      long BFD took to notice it. No root needed; takes a few seconds.
      """;

  private static final Duration STEP_LIMIT = Duration.ofSeconds(15);

  private final PrintStream out;
  private final long start = System.nanoTime();

  Demo(PrintStream out) {
    this.out = out;
  }

  int run() throws Exception {
    InetAddress speakerAddress = InetAddress.getByName("127.0.0.1");
    InetAddress routerAddress = InetAddress.getByName("127.0.0.2");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, routerAddress)) {
      port = probe.getLocalPort();
    }
    BfdProfile fast = BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100)
        .detectMultiplier(3).build();
    SpeakerConfig lab = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("onp-bgp-pool").addresses("10.0.0.10-10.0.0.20").build())
        .bfdProfile("fast-failover", fast)
        .peer(PeerConfig.builder().name("onp-bgp-peer").myAsn(64512).peerAsn(64512).peerAddress(routerAddress)
            .peerPort(port).sourceAddress(speakerAddress).holdTime(Duration.ofSeconds(5))
            .bfdProfile("fast-failover").build())
        .advertisement(AdvertisementConfig.builder("onp-bgp-advertisement").ipAddressPools("onp-bgp-pool")
            .peers("onp-bgp-peer").communities("65535:65282").aggregationLength(32).aggregationLengthV6(128)
            .localPref(100).build())
        .build();
    SpeakerConfig routerSide = SpeakerConfig.builder()
        .bfdProfile("fast-failover", fast)
        .peer(PeerConfig.builder().name("node").myAsn(64512).peerAsn(64512).peerAddress(speakerAddress)
            .sourceAddress(routerAddress).holdTime(Duration.ofSeconds(5)).bfdProfile("fast-failover").build())
        .build();

    say("speakerkit demo: the MetalLB BGP lab on loopback");
    say("  speaker 127.0.0.1 AS 64512, pool 10.0.0.10-10.0.0.20, community 65535:65282, local-pref 100");
    say("  router  127.0.0.2 port " + port + " AS 64512 (built from speakerkit: passive, with BFD 100 ms x 3)");

    try (Speaker speaker = Speaker.builder().config(lab).allowLocalPeers(true).build();
        Speaker router = Speaker.builder().config(routerSide).listen(new InetSocketAddress(routerAddress, port))
            .passive(true).allowLocalPeers(true).build()) {
      Printer speakerLog = new Printer("speaker", speaker.subscribe(10_000));
      speaker.start();
      speakerLog.start();
      say("speaker started; the router is not listening yet, so the first connection attempt fails");
      if (!speakerLog.await(e -> e instanceof SpeakerEvent.BgpStateChanged s && s.to().equals("Active"))) {
        return fail("the speaker never reached Active", speaker);
      }
      router.start();
      Printer routerLog = new Printer("router", router.subscribe(10_000));
      routerLog.start();
      say("router started, listening on 127.0.0.2:" + port);
      if (!speakerLog.await(e -> e instanceof SpeakerEvent.BgpStateChanged s && s.to().equals("Established"))) {
        return fail("the session never reached Established", speaker);
      }
      if (!routerLog.await(e -> e instanceof SpeakerEvent.BfdStateChanged s && s.to().equals("Up"))) {
        return fail("BFD never came Up", speaker);
      }

      AllocationResult result = speaker.announce(ServiceRequest.builder("onp-metallb/echoserver").build());
      if (!(result instanceof AllocationResult.Allocated)) {
        return fail("allocation refused: " + result, speaker);
      }
      if (!routerLog.await(e -> e instanceof SpeakerEvent.RouteReceived)) {
        return fail("the route never reached the router", speaker);
      }

      say("injecting a failure: the speaker stops sending BFD packets, as a cut link would look to the router");
      long injected = System.nanoTime();
      routerLog.markInjection(injected);
      speaker.suspendBfd("onp-bgp-peer");
      if (!routerLog.await(e -> e instanceof SpeakerEvent.BfdStateChanged s && s.to().equals("Down"))) {
        return fail("the router's BFD never noticed", speaker);
      }
      long noticedMillis = TimeUnit.NANOSECONDS.toMillis(routerLog.downSeen.get() - injected);
      say(String.format("BFD noticed the failure %d ms after it was injected (detection time 3 x 100 ms = 300 ms);"
          + " the hold timer alone would have taken up to 5 s", noticedMillis));
      if (!routerLog.await(e -> e instanceof SpeakerEvent.BgpStateChanged s && s.from().equals("Established"))) {
        return fail("BGP did not go down with BFD", speaker);
      }
      speakerLog.await(e -> e instanceof SpeakerEvent.BgpStateChanged s && s.from().equals("Established"));
      // The story ends here; what closing both sides reports (their BFD sessions removed, AdminDown) is not part of it.
      speakerLog.finish();
      routerLog.finish();
      say("demo finished: the router dropped the route at once instead of waiting for the hold timer");
      return 0;
    }
  }

  private int fail(String what, Speaker speaker) {
    say("demo FAILED: " + what);
    speaker.status().forEach(s -> say("  " + s.peer() + ": " + s.state() + " " + s.explanation()));
    return 1;
  }

  private synchronized void say(String line) {
    out.printf("[%6.3f] %s%n", (System.nanoTime() - start) / 1e9, line);
    out.flush();
  }

  /** Prints one side's events as they arrive and lets the demo wait for a given one. */
  private final class Printer extends Thread {
    private final String side;
    private final EventHub.Subscription<SpeakerEvent> events;
    private final java.util.concurrent.LinkedBlockingQueue<SpeakerEvent> seen =
        new java.util.concurrent.LinkedBlockingQueue<>();
    final AtomicLong downSeen = new AtomicLong();
    private volatile long injectedAt;

    Printer(String side, EventHub.Subscription<SpeakerEvent> events) {
      super("demo-" + side);
      setDaemon(true);
      this.side = side;
      this.events = events;
    }

    void markInjection(long nanos) {
      injectedAt = nanos;
    }

    /** Stops printing: events after this are not shown. */
    void finish() throws InterruptedException {
      interrupt();
      join(TimeUnit.SECONDS.toMillis(2));
    }

    @Override
    public void run() {
      try {
        while (!isInterrupted()) {
          Object next = events.poll(1, TimeUnit.SECONDS);
          long now = System.nanoTime();
          if (next instanceof SpeakerEvent e) {
            if (injectedAt != 0 && e instanceof SpeakerEvent.BfdStateChanged b && b.to().equals("Down")) {
              downSeen.compareAndSet(0, now);
            }
            String line = describe(e);
            if (line != null) {
              say(String.format("%-7s %s", side, line));
            }
            seen.add(e);
          }
        }
      } catch (InterruptedException e) {
        // done
      }
    }

    /** Waits until an event matching {@code what} arrives (events already seen count); false after the limit. */
    boolean await(Predicate<SpeakerEvent> what) throws InterruptedException {
      long deadline = System.nanoTime() + STEP_LIMIT.toNanos();
      while (System.nanoTime() < deadline) {
        SpeakerEvent e = seen.poll(50, TimeUnit.MILLISECONDS);
        if (e != null && what.test(e)) {
          return true;
        }
      }
      return false;
    }
  }

  private static String describe(SpeakerEvent e) {
    if (e instanceof SpeakerEvent.BgpStateChanged s) {
      return "BGP " + s.from() + " -> " + s.to() + "   (" + s.reason() + ")";
    }
    if (e instanceof SpeakerEvent.BfdStateChanged s) {
      return "BFD " + s.from() + " -> " + s.to() + "   (diagnostic: " + s.diagnostic() + ")";
    }
    if (e instanceof SpeakerEvent.NotificationEvent n) {
      return "NOTIFICATION " + (n.sent() ? "sent: " : "received: ") + n.notification();
    }
    if (e instanceof SpeakerEvent.Allocated a) {
      return "service " + a.service() + " got " + a.addresses().stream().map(InetAddress::getHostAddress)
          .collect(Collectors.joining(", ")) + " from pool " + a.pool();
    }
    if (e instanceof SpeakerEvent.RouteSent r) {
      return "announces " + r.route().prefix() + " to " + r.peer();
    }
    if (e instanceof SpeakerEvent.RouteReceived r) {
      return "receives " + r.prefix() + describeAttributes(r.attributes());
    }
    if (e instanceof SpeakerEvent.RouteUnreachable r) {
      return "withdrawn " + r.prefix();
    }
    if (e instanceof SpeakerEvent.PeerRefused r) {
      return "peer " + r.peer() + " refused: " + r.reason();
    }
    return null;
  }

  private static String describeAttributes(PathAttributes a) {
    StringBuilder sb = new StringBuilder();
    if (a.hasIpv4NextHop()) {
      sb.append("  next-hop ").append(IpPrefix.formatIpv4(a.ipv4NextHop()));
    }
    a.get(Communities.class).ifPresent(c -> sb.append("  communities ").append(c.communities().stream()
        .map(Demo::community).collect(Collectors.joining(" "))));
    a.get(LocalPref.class).ifPresent(l -> sb.append("  local-pref ").append(l.value()));
    return sb.toString();
  }

  private static String community(Community c) {
    return c.wellKnownName() == null ? c.toString() : c.wellKnownName() + " (" + c + ")";
  }
}
