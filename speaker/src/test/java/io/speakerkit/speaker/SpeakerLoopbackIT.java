package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServicePort;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Communities;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LocalPref;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The MetalLB BGP lab on loopback, with a router built from this library (a listen-only speaker with BFD): needs no
 * root and no daemon. Real sockets and real time, so it runs with the interop tests.
 */
class SpeakerLoopbackIT {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  /**
   * Two BGPPeers of one address whose nodeSelectors both select this node: the first runs, the second is refused
   * with a message (MetalLB refuses it too) instead of start() failing halfway with the first peer running.
   */
  @Test
  void twoPeersOfOneAddressOnThisNode_secondRefused() throws Exception {
    io.speakerkit.allocator.LabelSelector east =
        io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("zone", "east"));
    SpeakerConfig config = SpeakerConfig.builder()
        .peer(PeerConfig.builder().name("first").myAsn(64512).peerAsn(64512)
            .peerAddress(InetAddress.getByName("127.0.0.2")).peerPort(11194)
            .sourceAddress(InetAddress.getByName("127.0.0.1")).nodeSelectors(List.of(east)).build())
        .peer(PeerConfig.builder().name("second").myAsn(64512).peerAsn(64513)
            .peerAddress(InetAddress.getByName("127.0.0.2")).peerPort(11194)
            .sourceAddress(InetAddress.getByName("127.0.0.1")).nodeSelectors(List.of(east)).build())
        .build();
    try (Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true)
        .node(new NodeIdentity("node-a", Map.of("zone", "east"))).build()) {
      speaker.start();
      List<PeerStatus> status = speaker.status();
      assertEquals(List.of("first", "second"), status.stream().map(PeerStatus::peer).toList());
      assertTrue(!status.get(0).state().equals("Refused"), status::toString);
      assertEquals("Refused", status.get(1).state());
      assertTrue(status.get(1).explanation().contains("already the address of BGPPeer first"), status::toString);
    }
  }

  @Test
  void lab_routeArrivesWithAttributes_bfdFailureTakesBgpDown_recoveryResends_releaseWithdraws(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    io.speakerkit.testing.Commands.require("tshark");
    java.nio.file.Path pcap = dir.resolve("speaker.pcap");
    InetAddress speakerAddress = InetAddress.getByName("127.0.0.1");
    InetAddress routerAddress = InetAddress.getByName("127.0.0.2");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, routerAddress)) {
      port = probe.getLocalPort();
    }
    BfdProfile fast = BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100)
        .detectMultiplier(5).build(); // 0.5 s: a loaded CI machine's pause must not flap it
    SpeakerConfig routerConfig = SpeakerConfig.builder()
        .peer(PeerConfig.builder().name("node").myAsn(64512).peerAsn(64512).peerAddress(speakerAddress)
            .sourceAddress(routerAddress).holdTime(Duration.ofSeconds(5)).bfdProfile("fast").build())
        .bfdProfile("fast", fast)
        .build();
    SpeakerConfig labConfig = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("onp-bgp-pool").addresses("10.0.0.10-10.0.0.20").build())
        .peer(PeerConfig.builder().name("onp-bgp-peer").myAsn(64512).peerAsn(64512).peerAddress(routerAddress)
            .peerPort(port).sourceAddress(speakerAddress).holdTime(Duration.ofSeconds(5)).bfdProfile("fast").build())
        .bfdProfile("fast", fast)
        .advertisement(AdvertisementConfig.builder("onp-bgp-advertisement").ipAddressPools("onp-bgp-pool")
            .peers("onp-bgp-peer").communities("65535:65282").aggregationLength(32).localPref(100).build())
        .build();

    try (Speaker router = Speaker.builder().config(routerConfig).listen(new InetSocketAddress(routerAddress, port))
            .passive(true).allowLocalPeers(true).build();
        Speaker speaker = Speaker.builder().config(labConfig).allowLocalPeers(true).capture(pcap).build()) {
      router.start();
      EventHub.Subscription<SpeakerEvent> routerEvents = router.subscribe(10_000);
      speaker.start();
      List<SpeakerEvent> seen = new ArrayList<>();

      Poll.until(LIMIT, "BGP Established and BFD Up on both sides",
          () -> router.status().get(0).state().equals("Established")
              && router.status().get(0).bfdState().orElse("").equals("Up")
              && speaker.status().get(0).bfdState().orElse("").equals("Up"),
          () -> router.status() + "\n" + speaker.status());

      AllocationResult result = speaker.announce(ServiceRequest.builder("onp-metallb/echoserver").build());
      assertEquals(InetAddress.getByName("10.0.0.10"),
          ((AllocationResult.Allocated) result).allocation().addresses().get(0));

      SpeakerEvent.RouteReceived received = awaitEvent(routerEvents, seen, SpeakerEvent.RouteReceived.class);
      assertEquals(IpPrefix.parse("10.0.0.10/32"), received.prefix());
      assertEquals(List.of(Community.NO_ADVERTISE),
          received.attributes().get(Communities.class).orElseThrow().communities());
      assertEquals(100L, received.attributes().get(LocalPref.class).orElseThrow().value());

      PeerMetrics m = speaker.metrics().get(0);
      assertTrue(m.sessionUp() && m.bfdSessionUp(), m::toString);
      assertEquals(1, m.prefixesAnnounced());
      assertEquals(1, m.bgp().opensSent());
      assertTrue(m.bgp().updatesSent() >= 2, m::toString); // the route and End-of-RIB
      assertTrue(m.bfd().orElseThrow().controlPacketsOut() > 0 && m.bfd().orElseThrow().upTransitions() == 1,
          m::toString);
      assertEquals(1, router.metrics().get(0).prefixesReceived());

      // A dead BFD path: the router notices within its detection time and takes BGP down (Cease / BFD Down).
      speaker.suspendBfd("onp-bgp-peer");
      SpeakerEvent.BfdStateChanged down = awaitEvent(routerEvents, seen, SpeakerEvent.BfdStateChanged.class);
      assertEquals("Down", down.to());
      assertEquals("Control Detection Time Expired(1)", down.diagnostic());
      SpeakerEvent.NotificationEvent cease = awaitEvent(routerEvents, seen, SpeakerEvent.NotificationEvent.class);
      assertTrue(cease.sent() && cease.notification().contains("BFD Down"), cease::toString);

      speaker.resumeBfd("onp-bgp-peer");
      Poll.until(LIMIT, "the session back with the route re-sent",
          () -> router.status().get(0).state().equals("Established") && router.status().get(0).routesReceived() == 1,
          () -> router.status() + "\n" + speaker.status());

      speaker.release("onp-metallb/echoserver");
      Poll.until(LIMIT, "the route withdrawn", () -> router.status().get(0).routesReceived() == 0,
          () -> router.status().toString());
    }
    // The capture: every BGP message type we exchanged and BFD, dissected by tshark, nothing malformed.
    String decodeAs = "tcp.port==" + port + ",bgp"; // our lab port is not 179
    String types = io.speakerkit.testing.Commands.run("tshark", "-r", pcap.toString(), "-d", decodeAs, "-Y", "bgp",
        "-T", "fields", "-e", "bgp.type").check().stdout();
    for (String type : List.of("1", "2", "3", "4")) {
      assertTrue(java.util.Arrays.stream(types.split("[\\s,]+")).anyMatch(type::equals),
          () -> "BGP type " + type + " in the capture: " + types);
    }
    String bfd = io.speakerkit.testing.Commands.run("tshark", "-r", pcap.toString(), "-Y", "bfd", "-T", "fields",
        "-e", "bfd.sta").check().stdout();
    // the three-way handshake (RFC 5880 §6.2) both ways: Down, Init, Up; how many Up packets follow depends on timing
    assertTrue(bfd.lines().map(String::trim).toList().containsAll(List.of("0x01", "0x02", "0x03")),
        () -> "BFD states in the capture: " + bfd);
    String problems = io.speakerkit.testing.Commands.run("tshark", "-r", pcap.toString(), "-d", decodeAs, "-Y",
        "_ws.malformed || _ws.expert.severity >= \"error\" || tcp.analysis.flags", "-T", "fields", "-e", "frame.number")
        .check().stdout();
    assertEquals("", problems.trim(), "malformed or expert-flagged packets in the capture");
  }

  /**
   * A router that never answers: the service is MetalLB's desired state (announced(), metallb_speaker_announced)
   * while FRR's count of prefixes sent, which MetalLB exports as announced_prefixes_total, stays 0.
   */
  @Test
  void peerNeverUp_serviceAnnouncedAsDesired_noPrefixesCountedSent() throws Exception {
    IbgpLab lab = IbgpLab.on(InetAddress.getByName("127.0.0.17"), "10.0.17.0/24", false); // router not started
    try (Speaker speaker = lab.node().build()) {
      speaker.start();
      speaker.announce(ServiceRequest.builder("default/web").build());
      Poll.until(LIMIT, "the route planned", () -> speaker.status().get(0).routesSent() == 1,
          () -> speaker.status().toString());
      PeerMetrics m = speaker.metrics().get(0);
      assertFalse(m.sessionUp(), m::toString);
      assertEquals(0, m.prefixesAnnounced(), m::toString);
      assertEquals(java.util.Map.of("default/web", List.of(InetAddress.getByName("10.0.17.0"))), speaker.announced());
    }
  }

  /** The README's five-line embedding, aimed at a loopback router instead of 192.168.126.3. */
  @Test
  void builderShortcuts_readmeEmbedding_announcesToUnnamedPeer() throws Exception {
    InetAddress routerAddress = InetAddress.getByName("127.0.0.5");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, routerAddress)) {
      port = probe.getLocalPort();
    }
    try (Speaker router = Speaker.builder()
            .peer(PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress("127.0.0.1")
                .sourceAddress(routerAddress).build())
            .listen(new InetSocketAddress(routerAddress, port)).passive(true).allowLocalPeers(true).start();
        Speaker speaker = Speaker.builder().pool("public", "10.0.0.10-10.0.0.20")
            .peer(PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress("127.0.0.5").peerPort(port)
                .sourceAddress(InetAddress.getByName("127.0.0.1")).build())
            .advertisement(AdvertisementConfig.builder("default").communities("no-advertise").build())
            .allowLocalPeers(true).start()) {
      assertEquals("127.0.0.5", speaker.status().get(0).peer());
      AllocationResult result = speaker.announce(ServiceRequest.builder("default/web").build());
      assertEquals(InetAddress.getByName("10.0.0.10"),
          ((AllocationResult.Allocated) result).allocation().addresses().get(0));
      Poll.until(LIMIT, "the route at the router", () -> router.status().get(0).routesReceived() == 1,
          () -> router.status() + "\n" + speaker.status());
    }
  }

  /**
   * MetalLB's BGPAdvertisement serviceSelectors: a service the advertisement does not select is allocated, not
   * announced; announced again with labels it selects (the same address), its route reaches the router, and goes
   * when the service is labelled out again.
   */
  @Test
  void advertisementServiceSelectors_followTheServiceLabels() throws Exception {
    InetAddress routerAddress = InetAddress.getByName("127.0.0.18");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, routerAddress)) {
      port = probe.getLocalPort();
    }
    io.speakerkit.allocator.LabelSelector web =
        io.speakerkit.allocator.LabelSelector.matchLabels(java.util.Map.of("tier", "web"));
    try (Speaker router = Speaker.builder()
            .peer(PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress("127.0.0.1")
                .sourceAddress(routerAddress).build())
            .listen(new InetSocketAddress(routerAddress, port)).passive(true).allowLocalPeers(true).start();
        Speaker speaker = Speaker.builder().pool("public", "10.0.18.10-10.0.18.20")
            .peer(PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress("127.0.0.18").peerPort(port)
                .sourceAddress(InetAddress.getByName("127.0.0.1")).build())
            .advertisement(AdvertisementConfig.builder("web").serviceSelectors(List.of(web)).build())
            .allowLocalPeers(true).start()) {
      Poll.until(LIMIT, "Established", () -> router.status().get(0).state().equals("Established"),
          () -> router.status().toString());
      speaker.announce(ServiceRequest.builder("default/db").serviceLabels(java.util.Map.of("tier", "db")).build());
      assertEquals(java.util.Map.of(), speaker.announced());
      speaker.announce(ServiceRequest.builder("default/db").serviceLabels(java.util.Map.of("tier", "web")).build());
      Poll.until(LIMIT, "the route at the router", () -> router.status().get(0).routesReceived() == 1,
          () -> router.status() + "\n" + speaker.status());
      speaker.announce(ServiceRequest.builder("default/db").build());
      Poll.until(LIMIT, "the route withdrawn", () -> router.status().get(0).routesReceived() == 0,
          () -> router.status() + "\n" + speaker.status());
    }
  }

  /**
   * A BFD profile removed from a peer and given back before its AdminDown session has closed (a reverted edit): the
   * old session goes at once, the new one runs; also when a session setting changes with it (the peer restarts).
   */
  @Test
  void bfdProfileRemovedThenGivenBack_newSessionRuns() throws Exception {
    BfdProfile p = BfdProfile.builder().build();
    PeerConfig.Builder peer = PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512)
        .peerAddress(InetAddress.getByName("127.0.0.20")).peerPort(11941)
        .sourceAddress(InetAddress.getByName("127.0.0.19"));
    SpeakerConfig with = SpeakerConfig.builder().peer(peer.bfdProfile("p").build()).bfdProfile("p", p).build();
    SpeakerConfig without = SpeakerConfig.builder().peer(peer.bfdProfile(null).build()).bfdProfile("p", p).build();
    SpeakerConfig withNewHold = SpeakerConfig.builder()
        .peer(peer.holdTime(Duration.ofSeconds(30)).bfdProfile("p").build()).bfdProfile("p", p).build();
    try (Speaker s = Speaker.builder().config(with).allowLocalPeers(true).bfdSingleHopPort(13941).build()) {
      s.start();
      assertEquals(java.util.Optional.of("Down"), s.status().get(0).bfdState());
      s.apply(without);
      assertEquals(java.util.Optional.empty(), s.status().get(0).bfdState());
      s.apply(with);
      assertEquals(java.util.Optional.of("Down"), s.status().get(0).bfdState(), s.status()::toString);
      s.apply(without);
      s.apply(withNewHold);
      assertEquals(java.util.Optional.of("Down"), s.status().get(0).bfdState(), s.status()::toString);
      Poll.until(LIMIT, "the restarted session out of Idle", () -> !s.status().get(0).state().equals("Idle"),
          () -> s.status().toString());
    }
  }

  /** One neighbor per router address, as FRR has it: a second BGPPeer of that address on another port is refused. */
  @Test
  void twoPeersOfOneAddressOnTwoPorts_secondRefused_speakerRuns() throws Exception {
    PeerConfig.Builder peer = PeerConfig.builder().myAsn(64512).peerAsn(64512)
        .peerAddress(InetAddress.getByName("127.0.0.20")).sourceAddress(InetAddress.getByName("127.0.0.19"));
    SpeakerConfig config = SpeakerConfig.builder()
        .peer(peer.name("a").peerPort(11942).nodeSelectors(List.of(io.speakerkit.allocator.LabelSelector.matchLabels(
            Map.of()))).build())
        .peer(peer.name("b").peerPort(11943).build())
        .build();
    try (Speaker s = Speaker.builder().config(config).allowLocalPeers(true).start()) {
      assertEquals(2, s.status().size(), s.status()::toString);
      assertTrue(s.status().stream().anyMatch(st -> st.explanation().contains("already the address of BGPPeer")),
          s.status()::toString);
    }
  }

  /**
   * Two peers trading addresses in one reload: both old sessions end before the new ones start, so neither new
   * session finds its address still taken (it was refused until the next retry, up to 5 s later).
   */
  @Test
  void apply_peersTradeAddresses_bothStartAtOnce() throws Exception {
    InetAddress x = InetAddress.getByName("127.0.0.21");
    InetAddress y = InetAddress.getByName("127.0.0.22");
    java.util.function.BiFunction<InetAddress, InetAddress, SpeakerConfig> config = (a, b) -> SpeakerConfig.builder()
        .peer(PeerConfig.builder().name("a").myAsn(64512).peerAsn(64512).peerAddress(a).peerPort(11944).build())
        .peer(PeerConfig.builder().name("b").myAsn(64512).peerAsn(64512).peerAddress(b).peerPort(11944).build())
        .build();
    try (Speaker s = Speaker.builder().config(config.apply(x, y)).allowLocalPeers(true).start()) {
      EventHub.Subscription<SpeakerEvent> events = s.subscribe(1_000);
      s.apply(config.apply(y, x)); // nothing listens: the sessions only try to connect
      assertTrue(s.status().stream().noneMatch(st -> st.state().equals("Refused")), s.status()::toString);
      List<SpeakerEvent> seen = new java.util.ArrayList<>();
      FrrLabInteropTest.drain(events, seen);
      assertTrue(seen.stream().noneMatch(ev -> ev instanceof SpeakerEvent.PeerRefused), seen::toString);
      Map<String, InetAddress> addresses = new java.util.HashMap<>();
      s.metrics().forEach(m -> addresses.put(m.peer(), m.peerAddress()));
      assertEquals(Map.of("a", y, "b", x), addresses);
    }
  }

  /** RFC 4271 §4.2: hold time 0 on both sides, no keepalives; the session comes up and routes flow. */
  @Test
  void holdTimeZero_sessionUpWithoutKeepalives() throws Exception {
    InetAddress routerAddress = InetAddress.getByName("127.0.0.7");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, routerAddress)) {
      port = probe.getLocalPort();
    }
    try (Speaker router = Speaker.builder()
            .peer(PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress("127.0.0.1")
                .sourceAddress(routerAddress).holdTime(Duration.ZERO).build())
            .listen(new InetSocketAddress(routerAddress, port)).passive(true).allowLocalPeers(true).start();
        Speaker speaker = Speaker.builder().pool("public", "10.0.0.10-10.0.0.20")
            .peer(PeerConfig.builder().myAsn(64512).peerAsn(64512).peerAddress("127.0.0.7").peerPort(port)
                .sourceAddress(InetAddress.getByName("127.0.0.1")).holdTime(Duration.ZERO).build())
            .advertisement(AdvertisementConfig.builder("default").build())
            .allowLocalPeers(true).start()) {
      speaker.announce(ServiceRequest.builder("default/web").build());
      Poll.until(LIMIT, "the route at the router", () -> router.status().get(0).routesReceived() == 1,
          () -> router.status() + "\n" + speaker.status());
    }
  }

  @Test
  void apply_changedCommunitiesBfdProfileAndHoldTime_noReset_changedRouterId_resetsWithOtherConfigurationChange()
      throws Exception {
    InetAddress speakerAddress = InetAddress.getByName("127.0.0.1");
    InetAddress routerAddress = InetAddress.getByName("127.0.0.3");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, routerAddress)) {
      port = probe.getLocalPort();
    }
    BfdProfile slow = BfdProfile.builder().receiveIntervalMillis(300).transmitIntervalMillis(300).build();
    BfdProfile fast = BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100)
        .detectMultiplier(5).build(); // 0.5 s: a loaded CI machine's pause must not flap it
    SpeakerConfig routerConfig = SpeakerConfig.builder()
        .peer(PeerConfig.builder().name("node").myAsn(64512).peerAsn(64512).peerAddress(speakerAddress)
            .sourceAddress(routerAddress).bfdProfile("p").build())
        .bfdProfile("p", slow)
        .build();
    PeerConfig.Builder peer = PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(routerAddress)
        .peerPort(port).sourceAddress(speakerAddress).bfdProfile("p");
    IpAddressPool pool = IpAddressPool.builder().name("p").addresses("10.0.1.0/24").build();
    SpeakerConfig before = SpeakerConfig.builder().pool(pool).peer(peer.build()).bfdProfile("p", slow)
        .advertisement(AdvertisementConfig.builder("a").communities("65000:1").localPref(100).build()).build();
    SpeakerConfig communitiesAndBfd = SpeakerConfig.builder().pool(pool).peer(peer.build()).bfdProfile("p", fast)
        .advertisement(AdvertisementConfig.builder("a").communities("65000:2").localPref(200).build()).build();
    SpeakerConfig holdTime = SpeakerConfig.builder().pool(pool).peer(peer.holdTime(Duration.ofSeconds(30)).build())
        .bfdProfile("p", fast)
        .advertisement(AdvertisementConfig.builder("a").communities("65000:2").localPref(200).build()).build();
    SpeakerConfig routerId = SpeakerConfig.builder().pool(pool)
        .peer(peer.routerId((java.net.Inet4Address) InetAddress.getByName("10.9.9.9")).build())
        .bfdProfile("p", fast)
        .advertisement(AdvertisementConfig.builder("a").communities("65000:2").localPref(200).build()).build();

    try (Speaker router = Speaker.builder().config(routerConfig).listen(new InetSocketAddress(routerAddress, port))
            .passive(true).allowLocalPeers(true).build();
        Speaker speaker = Speaker.builder().config(before).allowLocalPeers(true).build()) {
      router.start();
      speaker.start();
      Poll.until(LIMIT, "Established with BFD Up on both sides",
          () -> router.status().get(0).state().equals("Established")
              && router.status().get(0).bfdState().orElse("").equals("Up")
              && speaker.status().get(0).bfdState().orElse("").equals("Up"),
          () -> router.status() + "\n" + speaker.status());
      speaker.announce(ServiceRequest.builder("default/web").build());
      EventHub.Subscription<SpeakerEvent> routerEvents = router.subscribe(10_000);
      List<SpeakerEvent> seen = new ArrayList<>();
      Poll.until(LIMIT, "route at the router", () -> router.status().get(0).routesReceived() == 1,
          () -> router.status().toString());
      routerEvents.drain(); // the original announcement

      speaker.apply(communitiesAndBfd);
      SpeakerEvent.RouteReceived updated = awaitEvent(routerEvents, seen, SpeakerEvent.RouteReceived.class);
      assertEquals(List.of(Community.of(65000, 2)),
          updated.attributes().get(Communities.class).orElseThrow().communities());
      assertEquals(200L, updated.attributes().get(LocalPref.class).orElseThrow().value());
      assertTrue(seen.stream().noneMatch(e -> e instanceof SpeakerEvent.BgpStateChanged
          || e instanceof SpeakerEvent.BfdStateChanged), () -> "no flap expected: " + seen);
      assertEquals("Up", speaker.status().get(0).bfdState().orElseThrow());

      // as FRR applies `neighbor X timers`: for the next OPEN, the live session kept (hold 180 s negotiated still)
      speaker.apply(holdTime);
      long quietUntil = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < quietUntil) {
        Object next = routerEvents.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (next instanceof SpeakerEvent e) {
          seen.add(e);
        }
      }
      assertTrue(seen.stream().noneMatch(e -> e instanceof SpeakerEvent.NotificationEvent
          || e instanceof SpeakerEvent.BgpStateChanged), () -> "no reset expected for new timers: " + seen);
      assertTrue(speaker.status().get(0).negotiated().contains("hold 180s"), speaker.status()::toString);

      speaker.apply(routerId); // a session setting: reset, and the next OPEN proposes the new hold time
      SpeakerEvent.NotificationEvent reset = awaitEvent(routerEvents, seen, SpeakerEvent.NotificationEvent.class);
      assertTrue(!reset.sent() && reset.notification().contains("Other Configuration Change"), reset::toString);
      Poll.until(LIMIT, "re-established with the route", () -> router.status().get(0).state().equals("Established")
          && router.status().get(0).routesReceived() == 1, () -> router.status() + "\n" + speaker.status());
      Poll.until(LIMIT, "hold time 30 s negotiated", () -> speaker.status().get(0).negotiated().contains("hold 30s"),
          () -> speaker.status().toString());
    }
  }

  @Test
  void stopStart_fileStore_restoresAllocationAndReannounces(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    IbgpLab lab = IbgpLab.on(InetAddress.getByName("127.0.0.4"), "10.0.2.0/24", false);
    java.nio.file.Path journal = dir.resolve("allocations.journal");
    try (Speaker router = lab.router();
        Speaker speaker = lab.node().storeFactory(() -> io.speakerkit.allocator.FileAllocationStore.open(journal))
            .build()) {
      router.start();
      speaker.start();
      speaker.announce(ServiceRequest.builder("default/a").build());
      speaker.announce(ServiceRequest.builder("default/b").build());
      Poll.until(LIMIT, "two routes", () -> router.status().get(0).routesReceived() == 2,
          () -> router.status().toString());
      for (int cycle = 0; cycle < 2; cycle++) {
        EventHub.Subscription<SpeakerEvent> routerEvents = router.subscribe(1024);
        speaker.stop("restart " + cycle);
        Poll.until(LIMIT, "routes gone after Cease", () -> router.status().get(0).routesReceived() == 0,
            () -> router.status().toString());
        // the router's event stream says so, route by route, as it would for withdrawals
        List<SpeakerEvent> seen = new ArrayList<>();
        java.util.Set<IpPrefix> unreachable = new java.util.HashSet<>();
        while (unreachable.size() < 2) {
          unreachable.add(awaitEvent(routerEvents, seen, SpeakerEvent.RouteUnreachable.class).prefix());
        }
        assertEquals(java.util.Set.of(IpPrefix.parse("10.0.2.0/32"), IpPrefix.parse("10.0.2.1/32")), unreachable);
        routerEvents.close();
        speaker.start();
        Poll.until(LIMIT, "both routes back from the journal", () -> router.status().get(0).routesReceived() == 2,
            () -> router.status() + "\n" + speaker.status());
        assertEquals(InetAddress.getByName("10.0.2.0"), // lowest free; avoidBuggyIPs is off
            speaker.allocation("default/a").orElseThrow().addresses().get(0));
      }
    }
  }

  /**
   * The router side as a graceful restart helper (RFC 4724 §4.2): the node's speaker stops for a restart, so the
   * router keeps both routes, stale; a new speaker in its place (in-memory allocations: it knows one service only)
   * announces that one and sends End-of-RIB, which takes the other stale route away, reported unreachable.
   */
  @Test
  void gracefulRestartHelper_staleRouteNotAnnouncedAgain_goesWithEndOfRib() throws Exception {
    IbgpLab lab = IbgpLab.on(InetAddress.getByName("127.0.0.8"), "10.0.3.0/24", true);
    try (Speaker router = lab.router();
        Speaker speaker = lab.node().build();
        Speaker restarted = lab.node().build()) {
      router.start();
      speaker.start();
      speaker.announce(ServiceRequest.builder("default/a").build());
      speaker.announce(ServiceRequest.builder("default/b").build());
      Poll.until(LIMIT, "two routes", () -> router.status().get(0).routesReceived() == 2,
          () -> router.status().toString());
      EventHub.Subscription<SpeakerEvent> routerEvents = router.subscribe(1024);
      speaker.stop("restart");
      Poll.until(LIMIT, "router session down", () -> !router.status().get(0).state().equals("Established"),
          () -> router.status().toString());
      assertEquals(2, router.status().get(0).routesReceived(), "kept, stale: " + router.status());
      restarted.start();
      restarted.announce(ServiceRequest.builder("default/b").build()); // 10.0.3.0 this time: the lowest free
      Poll.until(LIMIT, "only the announced route left", () -> router.status().get(0).routesReceived() == 1,
          () -> router.status() + "\n" + restarted.status());
      // 10.0.3.0 too, if the End-of-RIB went out before the announcement; 10.0.3.1 in any case
      List<SpeakerEvent> seen = new ArrayList<>();
      while (!awaitEvent(routerEvents, seen, SpeakerEvent.RouteUnreachable.class).prefix()
          .equals(IpPrefix.parse("10.0.3.1/32"))) {
        continue;
      }
      // the restarted node's End-of-RIB, which took the stale route away, reported as such (RFC 4724 §2)
      if (seen.stream().noneMatch(e -> e instanceof SpeakerEvent.EndOfRibReceived)) {
        awaitEvent(routerEvents, seen, SpeakerEvent.EndOfRibReceived.class);
      }
      SpeakerEvent.EndOfRibReceived eor = seen.stream().filter(e -> e instanceof SpeakerEvent.EndOfRibReceived)
          .map(SpeakerEvent.EndOfRibReceived.class::cast).findFirst().orElseThrow();
      assertEquals(io.speakerkit.bgp.wire.AddressFamily.IPV4_UNICAST, eor.family());
      routerEvents.close();
    }
  }

  /** A peer removed from the configuration takes its received routes with it, reported as withdrawn. */
  @Test
  void peerDeconfigured_itsReceivedRoutesReportedWithdrawn() throws Exception {
    routerReportsNodeRouteWithdrawn(IbgpLab.on(InetAddress.getByName("127.0.0.9"), "10.0.4.0/24", false),
        router -> router.apply(SpeakerConfig.builder().build()));
  }

  /**
   * Stopping reports what the speaker had received as withdrawn, also routes its graceful restart would have kept
   * stale (the router here stops for a restart, so nothing else would ever report them gone).
   */
  @Test
  void stop_receivedRoutesReportedWithdrawn_alsoThoseKeptForRestart() throws Exception {
    routerReportsNodeRouteWithdrawn(IbgpLab.on(InetAddress.getByName("127.0.0.10"), "10.0.5.0/24", true),
        router -> router.stop("maintenance"));
  }

  /**
   * The node announces one service (the first address of the lab's pool); once the router holds it,
   * {@code action} is done to the router, which must then report that route withdrawn.
   */
  private static void routerReportsNodeRouteWithdrawn(IbgpLab lab, java.util.function.Consumer<Speaker> action)
      throws Exception {
    try (Speaker router = lab.router();
        Speaker speaker = lab.node().build()) {
      router.start();
      speaker.start();
      InetAddress address = speaker.announce(ServiceRequest.builder("default/a").build()) instanceof
          AllocationResult.Allocated a ? a.allocation().addresses().get(0) : null;
      Poll.until(LIMIT, "the route at the router", () -> router.status().get(0).routesReceived() == 1,
          () -> router.status().toString());
      EventHub.Subscription<SpeakerEvent> routerEvents = router.subscribe(1024);
      action.accept(router);
      List<SpeakerEvent> seen = new ArrayList<>();
      SpeakerEvent.RouteUnreachable gone = awaitEvent(routerEvents, seen, SpeakerEvent.RouteUnreachable.class);
      assertEquals("node", gone.peer());
      assertEquals(IpPrefix.parse(address.getHostAddress() + "/32"), gone.prefix());
      // in the order they happened: the session ends, then its routes go
      assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.BgpStateChanged s
          && s.from().equals("Established")), seen::toString);
      routerEvents.close();
    }
  }

  /**
   * MetalLB announces a service only while it has ready endpoints (on this node with externalTrafficPolicy Local):
   * a service set not announceable is allocated but not announced, and announced once it is; an address two
   * services share is announced while either of them is.
   */
  @Test
  void setAnnounceable_withholdsAndAnnounces_sharedAddressWhileAnyHolderIs() throws Exception {
    IbgpLab lab = IbgpLab.on(InetAddress.getByName("127.0.0.11"), "10.0.6.0/24", false);
    try (Speaker router = lab.router();
        Speaker speaker = lab.node().build()) {
      router.start();
      EventHub.Subscription<SpeakerEvent> routerEvents = router.subscribe(1024);
      Set<IpPrefix> atRouter = new HashSet<>();
      speaker.setAnnounceable("default/b", false); // before start: kept
      speaker.start();
      speaker.announce(ServiceRequest.builder("default/a").build()); // 10.0.6.0
      speaker.announce(ServiceRequest.builder("default/b").build()); // 10.0.6.1, withheld
      IpPrefix a = IpPrefix.parse("10.0.6.0/32");
      IpPrefix b = IpPrefix.parse("10.0.6.1/32");
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(a));
      assertFalse(speaker.announceable("default/b"));
      speaker.setAnnounceable("default/b", true);
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(a, b));
      speaker.setAnnounceable("default/a", false);
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(b));

      // c and d share 10.0.6.2 (same sharing key, different ports)
      speaker.announce(ServiceRequest.builder("default/c").sharingKey("k").ports(ServicePort.tcp(80)).build());
      speaker.announce(ServiceRequest.builder("default/d").sharingKey("k").ports(ServicePort.tcp(443)).build());
      IpPrefix shared = IpPrefix.parse("10.0.6.2/32");
      assertEquals(speaker.allocation("default/c").orElseThrow().addresses(),
          speaker.allocation("default/d").orElseThrow().addresses());
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(b, shared));
      speaker.setAnnounceable("default/c", false);
      speaker.setAnnounceable("default/b", false);
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(shared)); // d still holds it
      // metallb_speaker_announced: the services this node announces, not c, whose address d keeps announced
      InetAddress sharedAddress = InetAddress.getByName("10.0.6.2");
      assertEquals(java.util.Map.of("default/d", List.of(sharedAddress)), speaker.announced());
      speaker.setAnnounceable("default/d", false);
      awaitRoutes(speaker, routerEvents, atRouter, Set.of());
      speaker.setAnnounceable("default/c", true);
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(shared));

      // releasing a withheld service withdraws nothing more and forgets the setting
      speaker.release("default/a");
      assertTrue(speaker.announceable("default/a"));
      speaker.announce(ServiceRequest.builder("default/a").build());
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(shared, a));
      routerEvents.close();
    }
  }

  /**
   * As MetalLB's controller: a service whose changed request its address no longer fits, and that cannot be met
   * (the address it now asks for is another service's), loses its address; the route is withdrawn, and a later
   * request that can be met announces again.
   */
  @Test
  void announce_changedRequestRefused_oldAddressReleasedAndWithdrawn() throws Exception {
    IbgpLab lab = IbgpLab.on(InetAddress.getByName("127.0.0.14"), "10.0.11.0/24", false);
    try (Speaker router = lab.router();
        Speaker speaker = lab.node().build()) {
      router.start();
      EventHub.Subscription<SpeakerEvent> routerEvents = router.subscribe(1024);
      Set<IpPrefix> atRouter = new HashSet<>();
      speaker.start();
      speaker.announce(ServiceRequest.builder("default/a").build()); // 10.0.11.0
      speaker.announce(ServiceRequest.builder("default/b").addresses(InetAddress.getByName("10.0.11.9")).build());
      IpPrefix a = IpPrefix.parse("10.0.11.0/32");
      IpPrefix b = IpPrefix.parse("10.0.11.9/32");
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(a, b));

      // the node's own Established event can trail the routes (it reaches subscribers through the node's worker)
      Poll.until(LIMIT, "the node's session reported Established",
          () -> speaker.status().get(0).state().equals("Established"), speaker.status()::toString);
      EventHub.Subscription<SpeakerEvent> nodeEvents = speaker.subscribe(1024);
      AllocationResult refused = speaker.announce(ServiceRequest.builder("default/a")
          .addresses(InetAddress.getByName("10.0.11.9")).build());
      assertEquals(List.of(InetAddress.getByName("10.0.11.0")),
          ((AllocationResult.Refused) refused).released().orElseThrow().addresses());
      assertEquals(java.util.Optional.empty(), speaker.allocation("default/a"));
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(b));
      List<SpeakerEvent> seen = new ArrayList<>();
      FrrLabInteropTest.drain(nodeEvents, seen);
      // (the router's End-of-RIB may reach the node only now: not part of what the refusal causes)
      assertEquals(List.of("allocation-refused", "release", "route-withdrawn"),
          seen.stream().map(SpeakerEvent::kind).filter(k -> !k.equals("end-of-rib")).toList(), seen::toString);

      speaker.announce(ServiceRequest.builder("default/a").addresses(InetAddress.getByName("10.0.11.7")).build());
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(b, IpPrefix.parse("10.0.11.7/32")));
      routerEvents.close();
    }
  }

  /**
   * A start that fails (the listen address is taken) leaves nothing running, and once the address is free a second
   * start() starts the speaker: before, it returned at once, leaving a speaker that had never started.
   */
  @Test
  void start_listenAddressTaken_failsCleanly_startsOnceFree() throws Exception {
    InetAddress address = InetAddress.getByName("127.0.0.15");
    ServerSocket taken = new ServerSocket(0, 1, address);
    int port = taken.getLocalPort();
    try (Speaker speaker = Speaker.builder().peer(PeerConfig.builder().myAsn(64512).peerAsn(64512)
            .peerAddress("127.0.0.1").sourceAddress(address).build())
        .listen(new InetSocketAddress(address, port)).passive(true).allowLocalPeers(true).build()) {
      RuntimeException failed = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, speaker::start);
      IllegalStateException notStarted = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          speaker::status, "nothing left running after " + failed);
      assertTrue(notStarted.getMessage().contains("not started"), notStarted::toString);
      taken.close();
      speaker.start();
      assertEquals(List.of("127.0.0.1"), speaker.status().stream().map(PeerStatus::peer).toList());
      try (java.net.Socket dialled = new java.net.Socket(address, port)) {
        assertTrue(dialled.isConnected(), "the speaker listens now");
      }
    } finally {
      taken.close();
    }
  }

  /**
   * The MRT RIB snapshot of a route from a 2-octet AS speaker (RFC 6793): the records carry 4-octet AS numbers
   * (RFC 6396 §4.3.4), so the path is the one AS_PATH (with AS_TRANS) and AS4_PATH give together, as bgpdump reads it.
   */
  @Test
  void mrtRib_twoOctetAsPeer_pathRebuiltFromAs4Path(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    io.speakerkit.testing.Commands.require("bgpdump");
    InetAddress collectorAddress = InetAddress.getByName("127.0.0.16");
    InetAddress peerAddress = InetAddress.getByName("127.0.0.1");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, collectorAddress)) {
      port = probe.getLocalPort();
    }
    java.nio.file.Path rib = dir.resolve("rib.mrt");
    try (Speaker collector = Speaker.builder()
            .peer(PeerConfig.builder().name("old").myAsn(64512).peerAsn(65001).peerAddress(peerAddress)
                .sourceAddress(collectorAddress).build())
            .listen(new InetSocketAddress(collectorAddress, port)).passive(true).allowLocalPeers(true)
            .mrtRibDump(rib, Duration.ofHours(2)).start();
        io.speakerkit.bgp.fsm.transport.BgpTransport transport =
            io.speakerkit.bgp.fsm.transport.BgpTransport.builder().build()) {
      io.speakerkit.bgp.fsm.transport.BgpSession old = io.speakerkit.bgp.fsm.transport.BgpSession.builder()
          .transport(transport).peer(collectorAddress).peerPort(port).localAddress(peerAddress)
          .config(io.speakerkit.bgp.fsm.FsmConfig.builder().localAs(65001).peerAs(64512).fourOctetAs(false)
              .bgpIdentifier(io.speakerkit.bgp.fsm.BgpIdentifier.parse("10.0.0.1")).build())
          .build();
      old.announce(IpPrefix.parse("10.0.12.0/24"), io.speakerkit.bgp.wire.attribute.PathAttributes.builder()
          .asPath(4_200_000_000L).nextHop(peerAddress).build()); // the session prepends 65001
      old.start();
      try {
        Poll.until(LIMIT, "the route at the collector", () -> collector.status().get(0).routesReceived() == 1,
            () -> collector.status().toString());
        collector.writeMrtRib(rib);
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
            java.nio.file.Files.getPosixFilePermissions(rib)), "readable by other users' tools");
        String dumped = io.speakerkit.testing.Commands.run("bgpdump", "-q", "-m", rib.toString()).check().stdout();
        String[] f = dumped.trim().split("\\|", -1);
        assertEquals(List.of("TABLE_DUMP2", "B", "127.0.0.1", "65001", "10.0.12.0/24", "65001 4200000000"),
            List.of(f[0], f[2], f[3], f[4], f[5], f[6]), dumped);
      } finally {
        old.close();
      }
    }
  }

  /**
   * The node's labels change while running, as MetalLB's speaker follows its Node object: an advertisement whose
   * nodeSelectors come to match starts announcing, and the exclude-from-external-load-balancers label withdraws
   * everything; the session itself stays up (its peer has no nodeSelectors).
   */
  @Test
  void apply_nodeLabelsChange_advertisementFollows_exclusionWithdraws() throws Exception {
    IbgpLab lab = IbgpLab.on(InetAddress.getByName("127.0.0.12"), "10.0.8.0/24", false);
    SpeakerConfig eastOnly = SpeakerConfig.builder()
        .pool(lab.nodeConfig().pools().get(0))
        .peer(lab.nodeConfig().peers().get(0))
        .advertisement(AdvertisementConfig.builder("a")
            .nodeSelectors(List.of(io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("zone", "east"))))
            .build())
        .build();
    try (Speaker router = lab.router();
        Speaker speaker = lab.node().config(eastOnly).node(new NodeIdentity("node-a", Map.of())).build()) {
      router.start();
      EventHub.Subscription<SpeakerEvent> routerEvents = router.subscribe(1024);
      Set<IpPrefix> atRouter = new HashSet<>();
      speaker.start();
      speaker.announce(ServiceRequest.builder("default/a").build());
      Poll.until(LIMIT, "Established", () -> speaker.status().get(0).state().equals("Established"),
          () -> speaker.status().toString());
      awaitRoutes(speaker, routerEvents, atRouter, Set.of());
      speaker.apply(eastOnly, new NodeIdentity("node-a", Map.of("zone", "east")));
      awaitRoutes(speaker, routerEvents, atRouter, Set.of(IpPrefix.parse("10.0.8.0/32")));
      speaker.apply(eastOnly, new NodeIdentity("node-a",
          Map.of("zone", "east", NodeIdentity.EXCLUDE_FROM_LOAD_BALANCERS, "")));
      awaitRoutes(speaker, routerEvents, atRouter, Set.of());
      assertEquals("Established", speaker.status().get(0).state(), speaker.status().toString());
      routerEvents.close();
    }
  }

  /**
   * Checks that {@code speaker} plans exactly as many routes as {@code expected} holds, then applies the router's
   * route events to {@code routes} until they equal {@code expected}.
   */
  /**
   * A BFD profile taken off a peer by apply(): our BFD session goes AdminDown (RFC 5880 §6.8.16) and subscribers hear
   * it; the router sees AdminDown and, as RFC 5882 §3.2 says, keeps BGP up: a route announced afterwards arrives on
   * the same session.
   */
  @Test
  void apply_bfdProfileRemoved_adminDownReported_bgpStaysUp() throws Exception {
    BfdProfile fast = BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100)
        .detectMultiplier(5).build(); // 0.5 s: a loaded CI machine's pause must not flap it
    IbgpLab lab = IbgpLab.on(InetAddress.getByName("127.0.0.13"), "10.0.9.0/24", false, fast);
    try (Speaker router = lab.router(); Speaker node = lab.node().build()) {
      router.start();
      node.start();
      Poll.until(LIMIT, "BGP Established and BFD Up on both sides",
          () -> router.status().get(0).state().equals("Established")
              && node.status().get(0).state().equals("Established")
              && router.status().get(0).bfdState().orElse("").equals("Up")
              && node.status().get(0).bfdState().orElse("").equals("Up"),
          () -> router.status() + "\n" + node.status());
      EventHub.Subscription<SpeakerEvent> routerEvents = router.subscribe(1_000);
      EventHub.Subscription<SpeakerEvent> nodeEvents = node.subscribe(1_000);

      SpeakerConfig.Builder withoutBfd = SpeakerConfig.builder()
          .pool(lab.nodeConfig().pools().get(0))
          .advertisement(lab.nodeConfig().advertisements().get(0));
      PeerConfig r = lab.nodeConfig().peers().get(0);
      node.apply(withoutBfd.peer(PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512)
          .peerAddress(r.peerAddress()).peerPort(r.peerPort()).sourceAddress(r.sourceAddress().orElseThrow())
          .build()).build());
      assertEquals(java.util.Optional.empty(), node.status().get(0).bfdState(), node.status()::toString);
      List<SpeakerEvent> atRouter = new ArrayList<>();
      Poll.until(LIMIT, "the router's BFD session Down", () -> {
        FrrLabInteropTest.drain(routerEvents, atRouter);
        return !bfdChanges(atRouter).isEmpty();
      }, atRouter::toString);
      // A teardown for BFD is requested along with that event: the route must still come on the same session.
      node.announce(ServiceRequest.builder("ns/after").build());
      Poll.until(LIMIT, "the route announced afterwards at the router", () -> {
        FrrLabInteropTest.drain(routerEvents, atRouter);
        return atRouter.stream().anyMatch(e -> e instanceof SpeakerEvent.RouteReceived);
      }, atRouter::toString);
      List<SpeakerEvent> atNode = new ArrayList<>();
      FrrLabInteropTest.drain(nodeEvents, atNode);
      assertEquals(List.of("Up->AdminDown Administratively Down(7)"), bfdChanges(atNode), atNode::toString);
      assertEquals(List.of("Up->Down Neighbor Signaled Session Down(3)"), bfdChanges(atRouter),
          atRouter::toString);
      assertTrue(atNode.stream().noneMatch(e -> e instanceof SpeakerEvent.BgpStateChanged), atNode::toString);
      assertTrue(atRouter.stream().noneMatch(e -> e instanceof SpeakerEvent.BgpStateChanged), atRouter::toString);
    }
  }

  private static List<String> bfdChanges(List<SpeakerEvent> events) {
    return events.stream().filter(e -> e instanceof SpeakerEvent.BfdStateChanged)
        .map(e -> (SpeakerEvent.BfdStateChanged) e).map(b -> b.from() + "->" + b.to() + " " + b.diagnostic())
        .toList();
  }

  private static void awaitRoutes(Speaker speaker, EventHub.Subscription<SpeakerEvent> events, Set<IpPrefix> routes,
      Set<IpPrefix> expected) throws InterruptedException {
    assertEquals(expected.size(), speaker.status().get(0).routesSent(), speaker.status().toString());
    long deadline = System.nanoTime() + LIMIT.toNanos();
    List<SpeakerEvent> seen = new ArrayList<>();
    while (!routes.equals(expected)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("router holds " + routes + ", expected " + expected + "; saw " + seen);
      }
      Object next = events.poll(100, TimeUnit.MILLISECONDS);
      if (next instanceof SpeakerEvent.RouteReceived r) {
        routes.add(r.prefix());
      } else if (next instanceof SpeakerEvent.RouteUnreachable r) {
        routes.remove(r.prefix());
      }
      if (next instanceof SpeakerEvent e) {
        seen.add(e);
      }
    }
  }

  /**
   * An iBGP pair on loopback: a passive router (peer "node", 127.0.0.1) at {@code routerAddress} on a free port, and
   * the node's configuration (peer "r", pool "p" of {@code pool}, advertisement "a"), with graceful restart on both
   * or neither.
   */
  private record IbgpLab(InetAddress routerAddress, int port, SpeakerConfig routerConfig, SpeakerConfig nodeConfig) {
    /** The router: listens on its address and port, never dials. */
    Speaker router() {
      return Speaker.builder().config(routerConfig).listen(new InetSocketAddress(routerAddress, port)).passive(true)
          .allowLocalPeers(true).build();
    }

    /** A builder for the node's speaker (a test may add to it). */
    Speaker.Builder node() {
      return Speaker.builder().config(nodeConfig).allowLocalPeers(true);
    }

    static IbgpLab on(InetAddress routerAddress, String pool, boolean gracefulRestart) throws java.io.IOException {
      return on(routerAddress, pool, gracefulRestart, null);
    }

    /** The same, with BFD profile "bfd" on both sides when {@code bfd} is not null. */
    static IbgpLab on(InetAddress routerAddress, String pool, boolean gracefulRestart, BfdProfile bfd)
        throws java.io.IOException {
      InetAddress speakerAddress = InetAddress.getByName("127.0.0.1");
      int port;
      try (ServerSocket probe = new ServerSocket(0, 1, routerAddress)) {
        port = probe.getLocalPort();
      }
      PeerConfig.Builder node = PeerConfig.builder().name("node").myAsn(64512).peerAsn(64512)
          .peerAddress(speakerAddress).sourceAddress(routerAddress).enableGracefulRestart(gracefulRestart);
      PeerConfig.Builder r = PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(routerAddress)
          .peerPort(port).sourceAddress(speakerAddress).enableGracefulRestart(gracefulRestart);
      SpeakerConfig.Builder routerConfig = SpeakerConfig.builder();
      SpeakerConfig.Builder nodeConfig = SpeakerConfig.builder()
          .pool(IpAddressPool.builder().name("p").addresses(pool).build())
          .advertisement(AdvertisementConfig.builder("a").build());
      if (bfd != null) {
        node.bfdProfile("bfd");
        r.bfdProfile("bfd");
        routerConfig.bfdProfile("bfd", bfd);
        nodeConfig.bfdProfile("bfd", bfd);
      }
      return new IbgpLab(routerAddress, port, routerConfig.peer(node.build()).build(),
          nodeConfig.peer(r.build()).build());
    }
  }

  private static <T extends SpeakerEvent> T awaitEvent(EventHub.Subscription<SpeakerEvent> events,
      List<SpeakerEvent> seen, Class<T> type) throws InterruptedException {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      Object next = events.poll(100, TimeUnit.MILLISECONDS);
      if (next instanceof SpeakerEvent e) {
        seen.add(e);
        if (type.isInstance(e) && !(e instanceof SpeakerEvent.BfdStateChanged b && !b.to().equals("Down"))) {
          return type.cast(e);
        }
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " within " + LIMIT + "; saw " + seen);
  }
}
