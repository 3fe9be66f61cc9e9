package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpAction;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpRole;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.fsm.Notification;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * bgp-fsm/README.md "Using it", as written but for the addresses (127.253.0.100 / .101, port 11239 instead of 192.0.2.x:179)
 * and a second session standing in for the router. Real sockets on loopback.
 */
class ReadmeSnippetIT {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  record Seen(List<IpPrefix> announced, List<IpPrefix> withdrawn, String nextHop, long firstAs, boolean localPref) {}

  @Test
  void readmeSnippet_compilesAndDoesWhatItsCommentsSay() throws Exception {
    InetAddress ours = InetAddress.getByName("127.253.0.100");
    InetAddress router = InetAddress.getByName("127.253.0.101");
    int port = 11239;
    List<String> log = new CopyOnWriteArrayList<>();
    List<BgpAction.StateChanged> routerChanges = new CopyOnWriteArrayList<>();
    List<Seen> atRouter = new CopyOnWriteArrayList<>();

    // ---- the README, addresses adapted ----
    BgpTransport transport = BgpTransport.builder()
        .listen(new InetSocketAddress(ours, port))
        .build().start();

    FsmConfig config = FsmConfig.builder()
        .localAs(64512).peerAs(64513)
        .bgpIdentifier(BgpIdentifier.parse("192.0.2.10"))
        .holdTime(Duration.ofSeconds(90))
        .connectRetryTime(Duration.ofSeconds(30))
        .families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
        .connectMode(ConnectMode.ACTIVE)
        .gracefulRestart(new GracefulRestart(false, 120, Map.of(AddressFamily.IPV4_UNICAST, true)))
        .role(BgpRole.CUSTOMER, false)
        .extendedNextHop(true)
        .build();

    BgpSession session = BgpSession.builder()
        .transport(transport)
        .peer(router).peerPort(port)
        .localAddress(ours)
        .connectTimeout(Duration.ofSeconds(5))
        .md5Password("secret")
        .gtsm(1)
        .maxPrefixes(10_000)
        .maxPrefixesRestart(Duration.ofMinutes(5))
        .allowOwnAs(0)
        .routeListener((s, update) -> { })
        .config(config)
        .build();
    session.addListener(change -> log.add(change.from() + " -> " + change.to() + ": " + change.cause()));

    // ---- the router ----
    try (BgpTransport rt = BgpTransport.builder().listen(new InetSocketAddress(router, port)).build().start()) {
      BgpSession r = BgpSession.builder().transport(rt).peer(ours).peerPort(port).localAddress(router)
          .md5Password("secret").gtsm(1)
          .config(FsmConfig.builder().localAs(64513).peerAs(64512).bgpIdentifier(BgpIdentifier.parse("192.0.2.1"))
              .families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
              .role(BgpRole.PROVIDER, false).extendedNextHop(true).connectMode(ConnectMode.PASSIVE).build())
          .routeListener((s, u) -> record(atRouter, u))
          .build();
      r.addListener(routerChanges::add);
      r.start();

      PathAttributes attributes = PathAttributes.builder().localPref(200).build();
      session.start();
      Poll.until(LIMIT, "Established", () -> session.state() == BgpState.Established
          && r.state() == BgpState.Established, log::toString);
      session.announce(IpPrefix.parse("198.51.100.7/32"), attributes);
      Poll.until(LIMIT, "route at the router",
          () -> atRouter.stream().anyMatch(x -> x.announced().contains(IpPrefix.parse("198.51.100.7/32"))),
          atRouter::toString);
      Seen route = atRouter.stream().filter(x -> x.announced().contains(IpPrefix.parse("198.51.100.7/32")))
          .findFirst().orElseThrow();
      assertEquals("127.253.0.100", route.nextHop(), "next hop defaults to our address");
      assertEquals(64512, route.firstAs(), "eBGP prepends our AS");
      assertFalse(route.localPref(), "eBGP drops LOCAL_PREF");

      session.withdraw(IpPrefix.parse("198.51.100.7/32"));
      Poll.until(LIMIT, "withdrawn at the router",
          () -> atRouter.stream().anyMatch(x -> x.withdrawn().contains(IpPrefix.parse("198.51.100.7/32"))),
          atRouter::toString);

      session.teardown(Notification.BFD_DOWN);
      Poll.until(LIMIT, "router receives Cease / BFD Down",
          () -> routerChanges.stream().anyMatch(c -> c.cause().toString().contains("BFD Down")),
          routerChanges::toString);
      session.retryNow();
      Poll.until(LIMIT, "back up after retryNow", () -> session.state() == BgpState.Established
          && r.state() == BgpState.Established, log::toString);

      session.stop("maintenance");
      Poll.until(LIMIT, "router receives Administrative Shutdown \"maintenance\"",
          () -> routerChanges.stream().anyMatch(c -> c.cause().toString().contains("Administrative Shutdown")
              && c.cause().toString().contains("maintenance")),
          routerChanges::toString);
      Poll.until(LIMIT, "no restart after stop", () -> session.state() == BgpState.Idle, log::toString);
      assertTrue(log.stream().anyMatch(l -> l.startsWith("OpenConfirm -> Established: ")), log::toString);
      r.close();
      session.close();
    } finally {
      transport.close();
    }
  }

  private static void record(List<Seen> atRouter, UpdateMessage u) {
    String nh = u.attributes().hasNextHop() ? ipv4(u.attributes().nextHopIpv4()) : "";
    long firstAs = -1;
    if (u.attributes().hasAsPath() && !u.attributes().effectiveAsPath().segments().isEmpty()) {
      firstAs = u.attributes().effectiveAsPath().segments().get(0).asns().get(0);
    }
    atRouter.add(new Seen(u.announced(), u.withdrawnAll(), nh, firstAs, u.attributes().hasLocalPref()));
  }

  private static String ipv4(int v) {
    return ((v >>> 24) & 255) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
  }
}
