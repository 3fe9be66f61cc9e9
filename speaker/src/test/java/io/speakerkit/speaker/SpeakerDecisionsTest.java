package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.testing.Poll;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The speaker's user-visible decisions that other tests leave open: what its OPEN and UPDATEs carry, which setting
 * changes reset a session, what withheld services, released pools and refused peers do to routes, status, metrics and
 * events. Loopback only: the scripted router on 127.0.5.54, the speaker on 127.0.5.56 (and 127.0.5.55), TCP ports
 * 14390-14399 (nobody listens on 14395-14399), BFD single-hop on UDP 14400 (the router's source ports 14410-14419).
 */
class SpeakerDecisionsTest {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static ScriptedRouter router() throws java.io.IOException {
    return new ScriptedRouter(ip("127.0.5.54"), 14390);
  }

  /** iBGP toward the scripted router (AS 64512). */
  private static PeerConfig.Builder routerPeer() {
    return PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(ip("127.0.5.54")).peerPort(14390)
        .sourceAddress(ip("127.0.5.56"));
  }

  /** A started speaker whose one peer, "s" on port 14399, nobody answers. */
  private static Speaker startedWithSilentPeer() {
    Speaker speaker = Speaker.builder().config(config(silentPeer("s", 14399).build())).allowLocalPeers(true).build();
    try {
      speaker.start();
    } catch (RuntimeException e) {
      speaker.close();
      throw e;
    }
    return speaker;
  }

  /** A peer nobody answers (127.0.5.54 on {@code port}, 14395-14399). */
  private static PeerConfig.Builder silentPeer(String name, int port) {
    return PeerConfig.builder().name(name).myAsn(64512).peerAsn(64512).peerAddress(ip("127.0.5.54")).peerPort(port)
        .sourceAddress(ip("127.0.5.56"));
  }

  private static IpAddressPool pool(String addresses) {
    return IpAddressPool.builder().name("p").addresses(addresses).build();
  }

  private static SpeakerConfig config(PeerConfig... peers) {
    SpeakerConfig.Builder b = SpeakerConfig.builder().pool(pool("10.0.0.10-10.0.0.20"))
        .advertisement(AdvertisementConfig.builder("all").build());
    for (PeerConfig p : peers) {
      b.peer(p);
    }
    return b.build();
  }

  private static List<SpeakerEvent> drain(EventHub.Subscription<SpeakerEvent> events) {
    List<SpeakerEvent> out = new ArrayList<>();
    for (Object o : events.drain()) {
      if (o instanceof SpeakerEvent e) {
        out.add(e);
      }
    }
    return out;
  }

  /** The value of capability {@code code} in an OPEN (header included), or null. */
  private static byte[] capability(byte[] open, int code) {
    int end = 29 + (open[28] & 0xff);
    for (int i = 29; i < end; ) {
      int type = open[i] & 0xff;
      int length = open[i + 1] & 0xff;
      if (type == 2) {
        for (int c = i + 2; c < i + 2 + length; ) {
          int capCode = open[c] & 0xff;
          int capLength = open[c + 1] & 0xff;
          if (capCode == code) {
            return Arrays.copyOfRange(open, c + 2, c + 2 + capLength);
          }
          c += 2 + capLength;
        }
      }
      i += 2 + length;
    }
    return null;
  }

  /** Every multiprotocol capability (RFC 4760 §8) of an OPEN, as "afi/safi". */
  private static List<String> families(byte[] open) {
    List<String> out = new ArrayList<>();
    int end = 29 + (open[28] & 0xff);
    for (int i = 29; i < end; i += 2 + (open[i + 1] & 0xff)) {
      for (int c = i + 2; c < i + 2 + (open[i + 1] & 0xff); c += 2 + (open[c + 1] & 0xff)) {
        if (open[i] == 2 && open[c] == 1) {
          out.add(((open[c + 2] & 0xff) << 8 | open[c + 3] & 0xff) + "/" + (open[c + 5] & 0xff));
        }
      }
    }
    return out;
  }

  /** The path attributes of an UPDATE (header included), by type code. */
  private static Map<Integer, byte[]> attributes(byte[] update) {
    int withdrawn = (update[19] & 0xff) << 8 | update[20] & 0xff;
    int at = 21 + withdrawn;
    int total = (update[at] & 0xff) << 8 | update[at + 1] & 0xff;
    Map<Integer, byte[]> out = new java.util.TreeMap<>();
    for (int i = at + 2; i < at + 2 + total; ) {
      int flags = update[i] & 0xff;
      int type = update[i + 1] & 0xff;
      boolean extended = (flags & 0x10) != 0;
      int length = extended ? (update[i + 2] & 0xff) << 8 | update[i + 3] & 0xff : update[i + 2] & 0xff;
      int value = i + (extended ? 4 : 3);
      out.put(type, Arrays.copyOfRange(update, value, value + length));
      i = value + length;
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------- what goes on the wire

  /**
   * RFC 4724 §3/§4.1 and FRR's startup behaviour: a speaker that has just started says so in its graceful restart
   * capability (Restart State bit), advertises FRR's default Restart Time of 120 s, and sets the Forwarding State bit
   * of every family it carries (its routes keep forwarding through its restart: the service addresses stay).
   */
  @Test
  void gracefulRestartPeer_justStarted_openHasRestartStateTime120AndForwardingState() throws Exception {
    try (ScriptedRouter router = router();
        Speaker speaker = Speaker.builder().config(config(routerPeer().enableGracefulRestart(true).build()))
            .allowLocalPeers(true).build()) {
      speaker.start();
      router.establish();
      byte[] gr = capability(router.open, 64);
      assertTrue(gr != null && gr.length == 6, "one family (IPv4 unicast): " + Arrays.toString(gr));
      assertEquals(0x80, gr[0] & 0x80, "Restart State bit");
      assertEquals(120, (gr[0] & 0x0f) << 8 | gr[1] & 0xff, "Restart Time");
      assertEquals(List.of(0, 1, 1), List.of((int) gr[2], (int) gr[3], (int) gr[4]), "AFI 1 SAFI 1");
      assertEquals(0x80, gr[5] & 0x80, "Forwarding State bit");
    }
  }

  /** dualStackAddressFamily on an IPv4 session: the OPEN offers IPv6 unicast too (RFC 4760 §8), as MetalLB's FRR. */
  @Test
  void dualStackPeer_openOffersBothFamilies() throws Exception {
    try (ScriptedRouter router = router();
        Speaker speaker = Speaker.builder().config(config(routerPeer().dualStackAddressFamily(true).build()))
            .allowLocalPeers(true).build()) {
      speaker.start();
      router.establish();
      assertEquals(List.of("1/1", "2/1"), families(router.open).stream().sorted().toList());
    }
  }

  /**
   * A service route as MetalLB's FRR originates it: ORIGIN IGP, MULTI_EXIT_DISC 0 (a {@code network} statement), and
   * toward an iBGP peer the LOCAL_PREF of the advertisement.
   */
  @Test
  void serviceRoute_originIgpMed0AndAdvertisementLocalPref() throws Exception {
    SpeakerConfig config = SpeakerConfig.builder().pool(pool("10.0.0.10-10.0.0.20")).peer(routerPeer().build())
        .advertisement(AdvertisementConfig.builder("all").localPref(250).build()).build();
    try (ScriptedRouter router = router();
        Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).build()) {
      speaker.start();
      router.establish();
      speaker.announce(ServiceRequest.builder("ns/web").build());
      Map<Integer, byte[]> attributes;
      do {
        attributes = attributes(router.update());
      } while (attributes.isEmpty()); // an End-of-RIB (RFC 4724 §2) may come first
      assertTrue(Arrays.equals(new byte[] {0}, attributes.get(1)), "ORIGIN IGP: " + attributes.keySet());
      assertTrue(Arrays.equals(new byte[] {0, 0, 0, 0}, attributes.get(4)), "MED 0: " + attributes.keySet());
      assertTrue(Arrays.equals(new byte[] {0, 0, 0, (byte) 250}, attributes.get(5)),
          "LOCAL_PREF 250: " + attributes.keySet());
    }
  }

  // --------------------------------------------------------------------------- apply(): which changes reset a session

  /** Establishes {@code before}'s session, applies {@code after}, returns the NOTIFICATION's {code, subcode}. */
  private static List<Integer> ceaseAfterApply(PeerConfig before, PeerConfig after) throws Exception {
    try (ScriptedRouter router = router();
        Speaker speaker = Speaker.builder().config(config(before)).allowLocalPeers(true).build()) {
      speaker.start();
      router.establish();
      speaker.apply(config(after));
      return Arrays.stream(router.notification()).boxed().toList();
    }
  }

  /** A new myASN: the OPEN's AS changes, so the session is reset with Cease / Other Configuration Change (6/6). */
  @Test
  void myAsnChanged_sessionReset_ceaseOtherConfigurationChange() throws Exception {
    assertEquals(List.of(6, 6), ceaseAfterApply(routerPeer().build(), routerPeer().myAsn(64513).build()));
  }

  /** Another port for the same peer address: the old session ends with Cease / Other Configuration Change. */
  @Test
  void peerPortChanged_sessionReset_ceaseOtherConfigurationChange() throws Exception {
    assertEquals(List.of(6, 6), ceaseAfterApply(routerPeer().build(), routerPeer().peerPort(14391).build()));
  }

  /** eBGP multihop turned on changes the session's TTL: reset with Cease / Other Configuration Change. */
  @Test
  void ebgpMultiHopChanged_sessionReset_ceaseOtherConfigurationChange() throws Exception {
    assertEquals(List.of(6, 6), ceaseAfterApply(routerPeer().myAsn(64513).build(),
        routerPeer().myAsn(64513).ebgpMultiHop(true).build()));
  }

  /** Graceful restart turned on is a capability of the OPEN: reset with Cease / Other Configuration Change. */
  @Test
  void gracefulRestartChanged_sessionReset_ceaseOtherConfigurationChange() throws Exception {
    assertEquals(List.of(6, 6), ceaseAfterApply(routerPeer().build(),
        routerPeer().enableGracefulRestart(true).build()));
  }

  /** dualStackAddressFamily turned on adds a family to the OPEN: reset with Cease / Other Configuration Change. */
  @Test
  void dualStackChanged_sessionReset_ceaseOtherConfigurationChange() throws Exception {
    assertEquals(List.of(6, 6), ceaseAfterApply(routerPeer().build(),
        routerPeer().dualStackAddressFamily(true).build()));
  }

  /** Another sourceAddress: the TCP connection must come from it, so the session is reset (6/6). */
  @Test
  void sourceAddressChanged_sessionReset_ceaseOtherConfigurationChange() throws Exception {
    assertEquals(List.of(6, 6), ceaseAfterApply(routerPeer().build(),
        routerPeer().sourceAddress(ip("127.0.5.55")).build()));
  }

  /**
   * A new holdTime (and keepaliveTime) is applied as FRR applies {@code neighbor X timers}: the live session is left
   * alone (no NOTIFICATION), and the next OPEN proposes the new hold time (RFC 4271 §4.2).
   */
  @Test
  void holdTimeChanged_sessionKept_nextOpenProposesIt() throws Exception {
    try (ScriptedRouter router = router();
        Speaker speaker = Speaker.builder().config(config(routerPeer().build())).allowLocalPeers(true).build()) {
      speaker.start();
      router.establish();
      assertEquals(180, (router.open[22] & 0xff) << 8 | router.open[23] & 0xff, "the default hold time first");
      speaker.apply(config(routerPeer().holdTime(Duration.ofSeconds(30)).keepaliveTime(Duration.ofSeconds(10))
          .build()));
      assertEquals(0, router.notificationWithin(500), "the live session kept");
      router.socket.close(); // the router drops the session: the speaker dials again (backoff from 1 s)
      router.establish();
      assertEquals(30, (router.open[22] & 0xff) << 8 | router.open[23] & 0xff, "the new hold time proposed");
    }
  }

  /**
   * An apply that resets a peer (new router ID) and changes its routes (a community): the reset peer is given its
   * whole Adj-RIB-Out once, from the new plan, not once more for each change.
   */
  @Test
  void peerResetAndRoutesChanged_eachRouteSentOnce() throws Exception {
    PeerConfig before = silentPeer("s", 14395).build();
    PeerConfig after = silentPeer("s", 14395).routerId((Inet4Address) ip("10.8.8.8")).build();
    SpeakerConfig first = config(before);
    SpeakerConfig second = SpeakerConfig.builder().pool(pool("10.0.0.10-10.0.0.20")).peer(after)
        .advertisement(AdvertisementConfig.builder("all").communities("64512:7").build()).build();
    try (Speaker speaker = Speaker.builder().config(first).allowLocalPeers(true).build()) {
      speaker.start();
      speaker.announce(ServiceRequest.builder("ns/web").build());
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1000);
      drain(events);
      speaker.apply(second);
      speaker.status();
      List<SpeakerEvent> sent = drain(events).stream().filter(e -> e instanceof SpeakerEvent.RouteSent).toList();
      assertEquals(1, sent.size(), sent::toString);
    }
  }

  // ------------------------------------------------------------------------------------------------- refused peers

  /** A refused peer removed from the configuration is gone from status(): nothing is refused any more. */
  @Test
  void refusedPeerRemoved_goneFromStatus() {
    PeerConfig bad = silentPeer("bad", 14396).sourceAddress(ip("203.0.113.9")).build(); // not this host's
    try (Speaker speaker = Speaker.builder().config(config(bad)).allowLocalPeers(true).build()) {
      speaker.start();
      assertEquals("Refused", speaker.status().get(0).state());
      speaker.apply(config());
      assertEquals(List.of(), speaker.status());
      assertEquals(List.of(), speaker.metrics());
    }
  }

  /**
   * Two BGPPeers of one address selecting this node (MetalLB refuses the second: FRR has one neighbor per address):
   * the second is refused, in status(), in a subscriber's snapshot, and in metrics only once (one series per
   * address and port: the running peer's).
   */
  @Test
  void secondPeerOfOneAddress_refused_reportedInStatusSnapshotAndMetrics() {
    List<io.speakerkit.allocator.LabelSelector> here =
        List.of(io.speakerkit.allocator.LabelSelector.matchLabels(Map.of("zone", "a")));
    PeerConfig first = silentPeer("a", 14397).nodeSelectors(here).build();
    PeerConfig second = silentPeer("b", 14397).nodeSelectors(here).build();
    try (Speaker speaker = Speaker.builder().config(config(first, second)).allowLocalPeers(true)
        .node(new NodeIdentity("n", Map.of("zone", "a"))).build()) {
      speaker.start();
      List<PeerStatus> status = speaker.status();
      assertEquals(List.of("a", "b"), status.stream().map(PeerStatus::peer).toList(), status::toString);
      assertEquals("Refused", status.get(1).state(), status::toString);
      assertTrue(status.get(1).explanation().contains("already the address of BGPPeer a"), status::toString);
      assertEquals(1, speaker.metrics().size(), speaker.metrics()::toString);
      List<SpeakerEvent> snapshot = speaker.subscribe(100).snapshot();
      assertTrue(snapshot.stream().anyMatch(e -> e instanceof SpeakerEvent.PeerRefused r && r.peer().equals("b")),
          snapshot::toString);
    }
  }

  /** A refused peer is down in metrics, with zero counters (alerts on metallb_bgp_session_up == 0 fire for it). */
  @Test
  void refusedPeer_listedDownInMetrics() {
    PeerConfig bad = silentPeer("bad", 14396).sourceAddress(ip("203.0.113.9")).build();
    try (Speaker speaker = Speaker.builder().config(config(bad)).allowLocalPeers(true).build()) {
      speaker.start();
      List<PeerMetrics> metrics = speaker.metrics();
      assertEquals(1, metrics.size(), metrics::toString);
      assertFalse(metrics.get(0).sessionUp(), metrics::toString);
    }
  }

  // ------------------------------------------------------------------------------------------- status and metrics

  /**
   * A refused connection (nobody listens) leaves the peer in Active, as MetalLB's FRR shows it; it is not up, and
   * sends no route (FRR's prefixes sent, which MetalLB exports: none while down).
   */
  @Test
  void connectRefused_peerActive_noRoutesCountedAsSent() {
    try (Speaker speaker = Speaker.builder().config(config(silentPeer("s", 14398).build())).allowLocalPeers(true)
        .build()) {
      speaker.start();
      speaker.announce(ServiceRequest.builder("ns/web").build());
      Poll.until(LIMIT, "the refused connect shown as Active",
          () -> speaker.status().get(0).state().equals("Active"), () -> speaker.status().toString());
      PeerMetrics m = speaker.metrics().get(0);
      assertFalse(m.sessionUp(), m::toString);
      assertEquals(0, m.prefixesAnnounced(), m::toString);
    }
  }

  /**
   * A session that was Established and went down: no uptime and no negotiated capabilities shown any more, and no
   * route counted as sent.
   */
  @Test
  void sessionDown_noUptimeNorNegotiatedShown() throws Exception {
    try (ScriptedRouter router = router();
        Speaker speaker = Speaker.builder().config(config(routerPeer().build())).allowLocalPeers(true).build()) {
      speaker.start();
      speaker.announce(ServiceRequest.builder("ns/web").build());
      router.establish();
      Poll.until(LIMIT, "Established", () -> speaker.status().get(0).state().equals("Established"),
          () -> speaker.status().toString());
      assertTrue(speaker.status().get(0).uptime().isPresent());
      assertEquals(1, speaker.metrics().get(0).prefixesAnnounced());
      router.socket.close(); // the router goes away
      Poll.until(LIMIT, "the session down", () -> !speaker.status().get(0).state().equals("Established"),
          () -> speaker.status().toString());
      PeerStatus s = speaker.status().get(0);
      assertEquals(Optional.empty(), s.uptime(), s::toString);
      assertEquals("", s.negotiated(), s::toString);
      // FRR's prefixes sent, which MetalLB exports: none while the session is down
      PeerMetrics m = speaker.metrics().get(0);
      assertFalse(m.sessionUp(), m::toString);
      assertEquals(0, m.prefixesAnnounced(), m::toString);
    }
  }

  // ------------------------------------------------------------------------------- services: withheld and released

  /** A withheld service given new labels stays withheld: no route goes out until it is announceable again. */
  @Test
  void withheldService_relabelled_staysWithdrawn() {
    try (Speaker speaker = startedWithSilentPeer()) {
      speaker.announce(ServiceRequest.builder("ns/web").build());
      assertEquals(1, speaker.status().get(0).routesSent());
      speaker.setAnnounceable("ns/web", false);
      assertEquals(0, speaker.status().get(0).routesSent());
      assertEquals(Map.of(), speaker.announced());
      speaker.announce(ServiceRequest.builder("ns/web").serviceLabels(Map.of("app", "web")).build());
      assertEquals(0, speaker.status().get(0).routesSent(), "still withheld");
      assertEquals(Map.of(), speaker.announced());
      speaker.setAnnounceable("ns/web", true);
      assertEquals(1, speaker.status().get(0).routesSent());
      assertEquals(Map.of("ns/web", List.of(ip("10.0.0.10"))), speaker.announced());
    }
  }

  /**
   * Two services sharing one address (MetalLB's allow-shared-ip), one of them withheld: the address is still
   * announced for the other, but announced() (MetalLB's metallb_speaker_announced) does not list the withheld one.
   */
  @Test
  void sharedAddress_oneServiceWithheld_onlyTheOtherListedAsAnnounced() {
    try (Speaker speaker = startedWithSilentPeer()) {
      speaker.announce(ServiceRequest.builder("ns/a").sharingKey("k")
          .ports(io.speakerkit.allocator.ServicePort.tcp(80)).build());
      speaker.announce(ServiceRequest.builder("ns/b").sharingKey("k").addresses(ip("10.0.0.10"))
          .ports(io.speakerkit.allocator.ServicePort.tcp(443)).build());
      assertEquals(Map.of("ns/a", List.of(ip("10.0.0.10")), "ns/b", List.of(ip("10.0.0.10"))), speaker.announced());
      speaker.setAnnounceable("ns/a", false);
      assertEquals(1, speaker.status().get(0).routesSent(), "ns/b still needs the route");
      assertEquals(Map.of("ns/b", List.of(ip("10.0.0.10"))), speaker.announced());
    }
  }

  /** release() forgets that a service was withheld: requested again, it is announced (setAnnounceable's contract). */
  @Test
  void releasedWithheldService_requestedAgain_announced() {
    try (Speaker speaker = startedWithSilentPeer()) {
      speaker.announce(ServiceRequest.builder("ns/web").build());
      speaker.setAnnounceable("ns/web", false);
      speaker.release("ns/web");
      assertTrue(speaker.announceable("ns/web"));
      speaker.announce(ServiceRequest.builder("ns/web").build());
      assertEquals(1, speaker.status().get(0).routesSent());
    }
  }

  /**
   * A service whose request changes so that its address no longer fits, and cannot be met anew, loses it (as MetalLB
   * clears it): a Released event, and its route withdrawn.
   */
  @Test
  void changedRequestRefused_addressReleased_routeWithdrawn() {
    try (Speaker speaker = startedWithSilentPeer()) {
      speaker.announce(ServiceRequest.builder("ns/web").build());
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1000);
      drain(events);
      AllocationResult r = speaker.announce(ServiceRequest.builder("ns/web").addresses(ip("192.0.2.1")).build());
      assertInstanceOf(AllocationResult.Refused.class, r);
      assertEquals(0, speaker.status().get(0).routesSent(), speaker.status()::toString);
      List<SpeakerEvent> seen = drain(events);
      assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.Released), seen::toString);
      assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.RouteWithdrawn), seen::toString);
    }
  }

  /** A service given another address: an Allocated event with the new one, the old route withdrawn. */
  @Test
  void changedRequest_newAddress_allocatedEventAndRouteMoved() {
    try (Speaker speaker = startedWithSilentPeer()) {
      speaker.announce(ServiceRequest.builder("ns/web").build());
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1000);
      drain(events);
      speaker.announce(ServiceRequest.builder("ns/web").addresses(ip("10.0.0.15")).build());
      List<SpeakerEvent> seen = drain(events);
      assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.Allocated a
          && a.addresses().equals(List.of(ip("10.0.0.15")))), seen::toString);
      assertEquals(Map.of("ns/web", List.of(ip("10.0.0.15"))), speaker.announced());
    }
  }

  /** A pool shrunk by apply(): the allocation left outside is released (an event) and its route withdrawn. */
  @Test
  void poolShrunk_allocationOutsideReleased_routeWithdrawn() {
    try (Speaker speaker = startedWithSilentPeer()) {
      speaker.announce(ServiceRequest.builder("ns/web").build()); // 10.0.0.10
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1000);
      drain(events);
      speaker.apply(SpeakerConfig.builder().pool(pool("10.0.0.11-10.0.0.20")).peer(silentPeer("s", 14399).build())
          .advertisement(AdvertisementConfig.builder("all").build()).build());
      List<SpeakerEvent> seen = drain(events);
      assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.Released r && r.service().equals("ns/web")),
          seen::toString);
      assertEquals(0, speaker.status().get(0).routesSent(), speaker.status()::toString);
      assertEquals(Map.of(), speaker.announced());
    }
  }

  /**
   * A restart with a pool that no longer holds a stored allocation: the allocation is released, and a subscriber that
   * subscribed before start() is told (a Released event), as of any other release; its address is not announced.
   */
  @Test
  void restart_storedAllocationOutsideThePools_reportedReleased(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path journal = dir.resolve("alloc");
    try (Speaker first = Speaker.builder().config(config(silentPeer("s", 14399).build())).allowLocalPeers(true)
        .storeFactory(() -> io.speakerkit.allocator.FileAllocationStore.open(journal)).build()) {
      first.start();
      first.announce(ServiceRequest.builder("ns/web").build()); // 10.0.0.10
    }
    SpeakerConfig narrower = SpeakerConfig.builder().pool(pool("10.0.0.11-10.0.0.20"))
        .peer(silentPeer("s", 14399).build()).advertisement(AdvertisementConfig.builder("all").build()).build();
    try (Speaker speaker = Speaker.builder().config(narrower).allowLocalPeers(true)
        .storeFactory(() -> io.speakerkit.allocator.FileAllocationStore.open(journal)).build()) {
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1000);
      speaker.start();
      List<SpeakerEvent> seen = drain(events);
      assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.Released r && r.service().equals("ns/web")
          && r.addresses().equals(List.of(ip("10.0.0.10")))), seen::toString);
      assertEquals(0, speaker.status().get(0).routesSent(), speaker.status()::toString);
    }
  }

  /**
   * Built with ignoreExcludeLb (MetalLB's --ignore-exclude-lb), the node gaining the
   * exclude-from-external-load-balancers label through apply(config, node) still announces its services.
   */
  @Test
  void ignoreExcludeLb_nodeLabelledLater_stillAnnounces() {
    SpeakerConfig config = config(silentPeer("s", 14399).build());
    try (Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).ignoreExcludeLb(true)
        .node(new NodeIdentity("n", Map.of())).build()) {
      speaker.start();
      speaker.announce(ServiceRequest.builder("ns/web").build());
      speaker.apply(config, new NodeIdentity("n", Map.of(NodeIdentity.EXCLUDE_FROM_LOAD_BALANCERS, "")));
      assertEquals(1, speaker.status().get(0).routesSent(), speaker.status()::toString);
      assertEquals(Map.of("ns/web", List.of(ip("10.0.0.10"))), speaker.announced());
    }
  }

  // ------------------------------------------------------------------------------------- graceful restart and BFD

  /**
   * RFC 4724 §4.1: with graceful restart negotiated, stop() ends the session without a NOTIFICATION (the router keeps
   * our routes, stale, for the restart time, as a restarting MetalLB speaker's routes are kept).
   */
  @Test
  void stop_gracefulRestartNegotiated_noNotification() throws Exception {
    try (ScriptedRouter router = router()) {
      Speaker speaker = Speaker.builder().config(config(routerPeer().enableGracefulRestart(true).build()))
          .allowLocalPeers(true).build();
      speaker.start();
      // the router's graceful restart capability: restart time 120 s, IPv4 unicast with forwarding state
      router.establish(new byte[] {64, 6, 0, 120, 0, 1, 1, (byte) 0x80});
      Poll.until(LIMIT, "Established", () -> speaker.status().get(0).state().equals("Established"),
          () -> speaker.status().toString());
      speaker.stop("restarting");
      assertEquals(-1, router.notificationWithin(5_000), "the connection closed without a NOTIFICATION");
    }
  }

  private static final io.speakerkit.bfd.BfdProfile FAST = io.speakerkit.bfd.BfdProfile.builder()
      .receiveIntervalMillis(100).transmitIntervalMillis(100).detectMultiplier(10).build();

  /** The router's BFD engine and its session toward the speaker. */
  private static io.speakerkit.bfd.transport.BfdEngine routerBfd() {
    return io.speakerkit.bfd.transport.BfdEngine.builder().singleHopPort(14400).sourcePortRange(14410, 14419).build();
  }

  private static io.speakerkit.bfd.BfdSession routerBfdSession(io.speakerkit.bfd.transport.BfdEngine engine) {
    return engine.createSession(io.speakerkit.bfd.BfdSessionConfig.builder().localAddress(ip("127.0.5.54"))
        .remoteAddress(ip("127.0.5.56")).profile(FAST).build());
  }

  private static SpeakerConfig withBfd(PeerConfig peer) {
    return SpeakerConfig.builder().pool(pool("10.0.0.10-10.0.0.20")).peer(peer).bfdProfile("fast", FAST).build();
  }

  /**
   * RFC 5882 §3.2: the router taking its BFD session AdminDown (a router being reconfigured) is not a path failure:
   * the speaker's BFD goes Down but BGP stays Established, no NOTIFICATION.
   */
  @Test
  void routerBfdAdminDown_bgpStaysUp() throws Exception {
    try (ScriptedRouter router = router();
        io.speakerkit.bfd.transport.BfdEngine engine = routerBfd();
        Speaker speaker = Speaker.builder().config(withBfd(routerPeer().bfdProfile("fast").build()))
            .allowLocalPeers(true).bfdSingleHopPort(14400).build()) {
      io.speakerkit.bfd.BfdSession routerSession = routerBfdSession(engine);
      speaker.start();
      router.establish();
      Poll.until(LIMIT, "BGP Established and BFD Up", () -> speaker.status().get(0).state().equals("Established")
          && speaker.status().get(0).bfdState().orElse("").equals("Up"), () -> speaker.status().toString());
      assertEquals("", speaker.status().get(0).explanation(), "Established with BFD Up: nothing to explain");
      routerSession.adminDown();
      Poll.until(LIMIT, "the speaker's BFD Down", () -> speaker.status().get(0).bfdState().orElse("").equals("Down"),
          () -> speaker.status().toString());
      assertEquals(0, router.notificationWithin(1_500), "no NOTIFICATION: BGP stays up");
      assertEquals("Established", speaker.status().get(0).state());
    }
  }

  /**
   * RFC 5882 §3.2 / RFC 5880 §6.8.16: a BFD profile removed by apply() takes the BFD session AdminDown before it
   * goes, so the router sees "Neighbor Signaled Session Down", not a detection timeout, and keeps BGP up.
   */
  @Test
  void bfdProfileRemoved_routerSeesAdminDown_notTimeout() throws Exception {
    try (ScriptedRouter router = router();
        io.speakerkit.bfd.transport.BfdEngine engine = routerBfd();
        Speaker speaker = Speaker.builder().config(withBfd(routerPeer().bfdProfile("fast").build()))
            .allowLocalPeers(true).bfdSingleHopPort(14400).build()) {
      io.speakerkit.bfd.BfdSession routerSession = routerBfdSession(engine);
      speaker.start();
      router.establish();
      Poll.until(LIMIT, "BFD Up on the router", () -> routerSession.state() == io.speakerkit.bfd.SessionState.Up,
          () -> speaker.status().toString());
      speaker.apply(withBfd(routerPeer().build()));
      Poll.until(LIMIT, "the router's BFD Down", () -> routerSession.state() == io.speakerkit.bfd.SessionState.Down,
          () -> routerSession.state().toString());
      assertEquals(io.speakerkit.bfd.Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, routerSession.localDiagnostic());
      assertEquals(0, router.notificationWithin(500), "BGP untouched");
    }
  }
}
