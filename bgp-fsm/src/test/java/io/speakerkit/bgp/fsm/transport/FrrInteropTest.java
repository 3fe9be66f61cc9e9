package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpAction;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.EventType;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Against FRR bgpd in a namespace: eBGP with a 4-octet AS, iBGP with local preference, IPv6, communities and large
 * communities checked in FRR's own JSON; withdrawal; shutdown communication; our hold timer expiring while bgpd is
 * frozen with SIGSTOP; FRR restarting and getting our routes back. FRR also dials us, so collisions happen too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrrInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final long OUR_AS = 4_200_000_001L;

  private Netns ns;
  private File dir;
  private Process bgpd;
  private BgpTransport transport;
  private BgpSession ebgp;
  private BgpSession ibgp;
  private BgpSession ebgp6;
  private final List<BgpAction.StateChanged> ebgpChanges = new CopyOnWriteArrayList<>();
  private AdjRibIn ibgpRib;
  /** BoRR and EoRR from FRR on the iBGP session, in order. */
  private final List<String> ibgpRefreshMarkers = new CopyOnWriteArrayList<>();

  @BeforeAll
  void setUp() throws Exception {
    Commands.require("/usr/lib/frr/bgpd", "vtysh");
    ns = Netns.create("skfsmfrr", "10.253.1.1/30", "10.253.1.2/30");
    ns.addAddresses("10.253.1.5/30", "10.253.1.6/30");
    ns.addAddresses("fd00:253::1/64", "fd00:253::2/64");
    dir = ns.dir();
    Files.writeString(new File(dir, "bgpd.conf").toPath(), """
        frr defaults traditional
        hostname skfsmfrr
        log file %s/bgpd.log
        !
        router bgp 65002
         bgp router-id 10.253.1.2
         no bgp ebgp-requires-policy
         no bgp network import-check
         neighbor 10.253.1.1 remote-as 4200000001
         neighbor 10.253.1.1 timers 3 9
         neighbor 10.253.1.1 timers connect 2
         neighbor 10.253.1.5 remote-as 65002
         neighbor 10.253.1.5 timers 3 9
         neighbor 10.253.1.5 timers connect 2
         neighbor fd00:253::1 remote-as 4200000001
         neighbor fd00:253::1 timers 3 9
         neighbor fd00:253::1 timers connect 2
         address-family ipv4 unicast
          network 203.0.113.0/24
          no neighbor fd00:253::1 activate
         exit-address-family
         address-family ipv6 unicast
          neighbor fd00:253::1 activate
         exit-address-family
        !
        """.formatted(dir.getAbsolutePath()));
    startBgpd();
    transport = BgpTransport.builder()
        .listen(new InetSocketAddress(InetAddress.getByName("10.253.1.1"), 179))
        .listen(new InetSocketAddress(InetAddress.getByName("10.253.1.5"), 179))
        .listen(new InetSocketAddress(InetAddress.getByName("fd00:253::1"), 179))
        .build().start();
    ebgp = BgpSession.builder().transport(transport).peer(InetAddress.getByName("10.253.1.2"))
        .localAddress(InetAddress.getByName("10.253.1.1"))
        .config(FsmConfig.builder().localAs(OUR_AS).peerAs(65002).bgpIdentifier(BgpIdentifier.parse("10.253.1.1"))
            .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
        .build();
    ebgp.addListener(ebgpChanges::add);
    ibgpRib = new AdjRibIn(); // its timers on the session's loop
    ibgp = BgpSession.builder().transport(transport).peer(InetAddress.getByName("10.253.1.6"))
        .localAddress(InetAddress.getByName("10.253.1.5"))
        .routeListener(new RouteListener() {
          @Override
          public void onUpdate(BgpSession session, io.speakerkit.bgp.wire.UpdateMessage update) {
            ibgpRib.onUpdate(session, update);
          }

          @Override
          public void onSessionDown(BgpSession session, Set<AddressFamily> staleFamilies, Duration restartTime) {
            ibgpRib.onSessionDown(session, staleFamilies, restartTime);
          }

          @Override
          public void onRefreshBegin(BgpSession session, AddressFamily family) {
            ibgpRefreshMarkers.add("BoRR " + family + ", stale " + ibgpRib.staleCount());
            ibgpRib.onRefreshBegin(session, family);
          }

          @Override
          public void onRefreshEnd(BgpSession session, AddressFamily family) {
            ibgpRefreshMarkers.add("EoRR " + family + ", stale " + ibgpRib.staleCount());
            ibgpRib.onRefreshEnd(session, family);
          }
        })
        .config(FsmConfig.builder().localAs(65002).peerAs(65002).bgpIdentifier(BgpIdentifier.parse("10.253.1.5"))
            // FRR sends End-of-RIB only to a graceful-restart peer, and answers a refresh only after its End-of-RIB
            .gracefulRestart(new io.speakerkit.bgp.fsm.GracefulRestart(false, 120,
                java.util.Map.of(AddressFamily.IPV4_UNICAST, false)))
            .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
        .build();
    ebgp6 = BgpSession.builder().transport(transport).peer(InetAddress.getByName("fd00:253::2"))
        .localAddress(InetAddress.getByName("fd00:253::1"))
        .config(FsmConfig.builder().localAs(OUR_AS).peerAs(65002).bgpIdentifier(BgpIdentifier.parse("10.253.1.1"))
            .families(Set.of(AddressFamily.IPV6_UNICAST))
            .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
        .build();
    ebgp.start();
    ibgp.start();
    ebgp6.start();
  }

  private void startBgpd() {
    bgpd = ns.start(new File(dir, "bgpd.out"), "/usr/lib/frr/bgpd", "-f", dir + "/bgpd.conf", "-i",
        dir + "/bgpd.pid", "--vty_socket", dir.getAbsolutePath(), "-Z", "-n", "-S", "-p", "179");
    Poll.until(LIMIT, "bgpd answers vtysh", () -> vtysh("show version").exitCode() == 0,
        () -> vtysh("show version").toString());
  }

  @AfterAll
  void tearDown() {
    if (transport != null) {
      transport.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  private Commands.Result vtysh(String command) {
    return Commands.run(Duration.ofSeconds(10), "vtysh", "--vty_socket", dir.getAbsolutePath(), "-d", "bgpd", "-c",
        command);
  }

  private String json(String command) {
    return vtysh(command).stdout().replaceAll("\\s+", "");
  }

  private void awaitEstablished(BgpSession s) {
    Poll.until(LIMIT, s.peerAddress() + " Established", () -> s.state() == BgpState.Established,
        () -> s.lastChange().map(Object::toString).orElse("no change") + "\n" + json("show bgp summary json"));
  }

  private static PathAttributes attrs() {
    return PathAttributes.builder()
        .communities(new Community(65001 << 16 | 100), Community.NO_EXPORT)
        .largeCommunities(new LargeCommunity(65001, 1, 2))
        .build();
  }

  @Test
  @Order(1)
  void ebgpFourOctetAs_routeWithCommunitiesAndNextHopOnFrr() {
    awaitEstablished(ebgp);
    assertTrue(ebgp.negotiated().orElseThrow().fourOctetAs());
    ebgp.announce(IpPrefix.parse("198.51.100.1/32"), attrs());
    Poll.until(LIMIT, "route on FRR", () -> json("show bgp ipv4 unicast 198.51.100.1/32 json").contains("\"paths\""),
        () -> json("show bgp ipv4 unicast json"));
    String route = json("show bgp ipv4 unicast 198.51.100.1/32 json");
    assertTrue(route.contains("\"string\":\"4200000001\""), route);
    assertTrue(route.contains("\"ip\":\"10.253.1.1\""), route);
    assertTrue(route.contains("65001:100"), route);
    assertTrue(route.contains("noExport"), route);
    assertTrue(route.contains("\"largeCommunity\":{\"string\":\"65001:1:2\""), route);
  }

  @Test
  @Order(2)
  void ibgp_localPreferenceOnFrr() {
    awaitEstablished(ibgp);
    ibgp.announce(IpPrefix.parse("198.51.100.2/32"), PathAttributes.builder().localPref(200).build());
    Poll.until(LIMIT, "iBGP route on FRR",
        () -> json("show bgp ipv4 unicast 198.51.100.2/32 json").contains("\"locPrf\":200"),
        () -> json("show bgp ipv4 unicast 198.51.100.2/32 json"));
    String route = json("show bgp ipv4 unicast 198.51.100.2/32 json");
    assertTrue(route.contains("\"ip\":\"10.253.1.5\""), route);
  }

  @Test
  @Order(3)
  void ipv6_routeWithOurNextHopOnFrr() {
    awaitEstablished(ebgp6);
    ebgp6.announce(IpPrefix.parse("2001:db8:253::/64"), attrs());
    Poll.until(LIMIT, "IPv6 route on FRR",
        () -> json("show bgp ipv6 unicast 2001:db8:253::/64 json").contains("\"paths\""),
        () -> json("show bgp ipv6 unicast json"));
    String route = json("show bgp ipv6 unicast 2001:db8:253::/64 json");
    assertTrue(route.contains("fd00:253::1"), route);
    assertTrue(route.contains("65001:1:2"), route);
  }

  @Test
  @Order(4)
  void withdraw_routeGoneFromFrr() {
    ebgp.announce(IpPrefix.parse("198.51.100.3/32"), attrs());
    Poll.until(LIMIT, "route 3 on FRR",
        () -> json("show bgp ipv4 unicast 198.51.100.3/32 json").contains("\"paths\""), () -> "");
    ebgp.withdraw(IpPrefix.parse("198.51.100.3/32"));
    Poll.until(LIMIT, "route 3 withdrawn",
        () -> !json("show bgp ipv4 unicast 198.51.100.3/32 json").contains("\"paths\""),
        () -> json("show bgp ipv4 unicast json"));
    assertTrue(json("show bgp ipv4 unicast 198.51.100.1/32 json").contains("\"paths\""));
  }

  @Test
  @Order(5)
  void peerFrozen_ourHoldTimerExpires_thenRecovers() throws Exception {
    awaitEstablished(ebgp);
    long pid = Long.parseLong(Files.readString(new File(dir, "bgpd.pid").toPath()).trim());
    ebgpChanges.clear();
    Commands.run("kill", "-STOP", Long.toString(pid)).check();
    try {
      Poll.until(Duration.ofSeconds(20), "hold timer expiry",
          () -> ebgpChanges.stream().anyMatch(c -> c.cause().event() == EventType.HoldTimer_Expires),
          ebgpChanges::toString);
    } finally {
      Commands.run("kill", "-CONT", Long.toString(pid)).check();
    }
    BgpAction.StateChanged expiry = ebgpChanges.stream()
        .filter(c -> c.cause().event() == EventType.HoldTimer_Expires).findFirst().orElseThrow();
    assertEquals(BgpState.Established, expiry.from());
    assertEquals("HoldTimer_Expires (Event 10), sent Hold Timer Expired / Unspecific", expiry.cause().toString());
    awaitEstablished(ebgp);
    Poll.until(LIMIT, "route back after hold expiry",
        () -> json("show bgp ipv4 unicast 198.51.100.1/32 json").contains("\"paths\""), () -> "");
  }

  @Test
  @Order(6)
  void routerRestart_routesBack() throws Exception {
    long pid = Long.parseLong(Files.readString(new File(dir, "bgpd.pid").toPath()).trim());
    Commands.run("kill", "-KILL", Long.toString(pid)).check();
    bgpd.waitFor();
    Poll.until(LIMIT, "our session notices", () -> ebgp.state() != BgpState.Established, () -> "");
    startBgpd();
    awaitEstablished(ebgp);
    awaitEstablished(ibgp);
    Poll.until(LIMIT, "routes back on restarted FRR",
        () -> json("show bgp ipv4 unicast 198.51.100.1/32 json").contains("\"paths\"")
            && json("show bgp ipv4 unicast 198.51.100.2/32 json").contains("\"locPrf\":200"),
        () -> json("show bgp ipv4 unicast json"));
  }

  @Test
  @Order(7)
  void stop_frrSeesShutdownCommunication_routesWithdrawn() {
    awaitEstablished(ebgp);
    ebgp.stop("speakerkit-maintenance");
    Poll.until(LIMIT, "FRR sees the shutdown",
        () -> json("show bgp neighbors 10.253.1.1 json").contains("\"lastShutdownDescription\":\"speakerkit-maintenance\""),
        () -> json("show bgp neighbors 10.253.1.1 json"));
    Poll.until(LIMIT, "route gone", () -> !json("show bgp ipv4 unicast 198.51.100.1/32 json").contains("\"paths\""),
        () -> "");
    assertEquals(BgpState.Idle, ebgp.state());
    assertTrue(json("show bgp neighbors 10.253.1.1 json")
        .contains("\"lastNotificationReason\":\"Cease\\/AdministrativeShutdown\""));
  }

  /**
   * RFC 2918 / RFC 7313 against FRR: our ROUTE-REFRESH makes FRR re-send its route between BoRR and EoRR (counted in
   * FRR's own routeRefreshRecv); the Adj-RIB-In marks the route stale at the BoRR, has it fresh again by the EoRR, and
   * keeps it.
   */
  @Test
  @Order(8)
  void routeRefresh_frrResendsBetweenBorrAndEorr_adjRibInKeepsItsRoute() {
    awaitEstablished(ibgp);
    IpPrefix frrRoute = IpPrefix.parse("203.0.113.0/24");
    Poll.until(LIMIT, "FRR's route in our Adj-RIB-In", () -> ibgpRib.get(frrRoute).isPresent(), ibgpRib::toString);
    assertTrue(ibgp.negotiated().orElseThrow().enhancedRouteRefresh());
    ibgpRefreshMarkers.clear();
    ibgp.requestRouteRefresh(AddressFamily.IPV4_UNICAST);
    Poll.until(LIMIT, "BoRR and EoRR from FRR", () -> ibgpRefreshMarkers.size() == 2,
        () -> ibgpRefreshMarkers + " " + ibgp.counters() + "\n" + json("show bgp neighbors 10.253.1.5 json"));
    assertEquals(List.of("BoRR IPv4/unicast, stale 0", "EoRR IPv4/unicast, stale 0"), ibgpRefreshMarkers);
    assertTrue(ibgpRib.get(frrRoute).isPresent());
    assertEquals(0, ibgpRib.staleCount());
    String neighbor = json("show bgp neighbors 10.253.1.5 json");
    assertTrue(neighbor.matches(".*\"routeRefreshRecv\":[1-9].*"), neighbor);
    awaitEstablished(ebgp6);
    IllegalStateException notNegotiated = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> ebgp6.requestRouteRefresh(AddressFamily.IPV4_UNICAST));
    assertTrue(notNegotiated.getMessage().contains("IPv4/unicast not negotiated"), notNegotiated.getMessage());
  }

  /**
   * DSCP CS6 (network control, 48) on our BGP packets, IPv4 and IPv6, as FRR marks its own: keepalives in both
   * directions, read by tshark in FRR's namespace.
   */
  @Test
  @Order(9)
  void dscp_networkControlOnOurPacketsAsOnFrrs() {
    awaitEstablished(ibgp);
    awaitEstablished(ebgp6);
    assertEquals(Map.of("10.253.1.5", Set.of("48"), "10.253.1.6", Set.of("48")),
        dscpBySource("10.253.1.5", "ip.src", "ip.dsfield.dscp"));
    assertEquals(Map.of("fd00:253::1", Set.of("48"), "fd00:253::2", Set.of("48")),
        dscpBySource("fd00:253::1", "ipv6.src", "ipv6.tclass.dscp"));
  }

  /**
   * The DSCP values of four packets of the session by source address: keepalives come every 3 s and each is
   * acknowledged, so both sides appear.
   */
  private Map<String, Set<String>> dscpBySource(String ourAddress, String sourceField, String dscpField) {
    String out = ns.inside("tshark", "-i", ns.nsInterface(), "-c", "4", "-a", "duration:15", "-f",
        "tcp port 179 and host " + ourAddress, "-T", "fields", "-e",
        sourceField, "-e", dscpField).check().stdout();
    Map<String, Set<String>> bySource = new java.util.TreeMap<>();
    out.lines().map(String::trim).filter(l -> !l.isEmpty()).forEach(l -> {
      String[] f = l.split("\\s+");
      bySource.computeIfAbsent(f[0], k -> new java.util.TreeSet<>()).add(f[1]);
    });
    return bySource;
  }
}
