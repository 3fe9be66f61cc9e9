package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What an Established session does with the peer's UPDATEs before and after the route listener: the receive
 * settings of the builder (enforceFirstAs, allowOwnAs, maxPrefixes), a listener that throws, and pauseReading. A raw
 * peer on loopback 127.0.12.11-22, ports 16011-16016.
 */
class ReceivedUpdatesIT {

  private static final CodecContext CTX = CodecContext.FOUR_OCTET_AS;

  /**
   * RFC 4271 §6.3 leaves the first-AS check to configuration; with {@code enforceFirstAs(false)} (FRR's
   * {@code no neighbor X enforce-first-as}, for a route server that keeps its AS out of the path) a route whose
   * AS_PATH does not start with the peer's AS is kept.
   */
  @Test
  void enforceFirstAsOff_routeWithoutThePeersAsFirst_kept() throws Exception {
    AdjRibIn rib = new AdjRibIn();
    try (RawPeer p = new RawPeer("127.0.12.11", "127.0.12.12", 16011, c -> c,
        s -> s.routeListener(rib).enforceFirstAs(false))) {
      p.establish(RawPeer.config().build());
      ByteBuf out = Unpooled.buffer();
      UpdateEncoder.writeAnnouncement(out, attrs(p.b, 65010), IpPrefix.parse("198.51.100.0/24"), CTX);
      p.write(out);
      awaitUpdates(p, 1);
      assertEquals(List.of("198.51.100.0/24"), routes(p, rib));
      assertEquals(BgpState.Established, p.session.state());
    }
  }

  /**
   * RFC 4271 §9.1.2 for every family: an IPv6 route (MP_REACH_NLRI, RFC 4760) whose AS_PATH holds our AS is a loop and
   * treated as withdraw like an IPv4 one, the clean IPv6 route kept.
   */
  @Test
  void ownAsInIpv6RoutesPath_treatedAsWithdraw() throws Exception {
    Set<AddressFamily> both = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    AdjRibIn rib = new AdjRibIn();
    try (RawPeer p = new RawPeer("127.0.12.13", "127.0.12.14", 16012, c -> c.families(both),
        s -> s.routeListener(rib))) {
      p.establish(RawPeer.config().families(both).build());
      InetAddress nh = InetAddress.getByName("2001:db8::2");
      ByteBuf out = Unpooled.buffer();
      UpdateEncoder.writeAnnouncement(out, PathAttributes.builder().origin(Origin.IGP).asPath(RawPeer.PEER_AS, 65010)
          .nextHop(nh).build(), IpPrefix.parse("2001:db8:1::/48"), CTX);
      UpdateEncoder.writeAnnouncement(out, PathAttributes.builder().origin(Origin.IGP)
          .asPath(RawPeer.PEER_AS, RawPeer.OUR_AS, 65010).nextHop(nh).build(), IpPrefix.parse("2001:db8:2::/48"), CTX);
      p.write(out);
      awaitUpdates(p, 2);
      assertEquals(List.of("2001:db8:1::/48"), routes(p, rib));
    }
  }

  /**
   * A route listener that throws is logged and the session goes on (RouteListener's contract): the UPDATEs after the
   * failing one still come, and the session stays Established.
   */
  @Test
  void routeListenerThrows_sessionStaysUp_laterUpdatesStillDelivered() throws Exception {
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    RouteListener throwing = (session, u) -> {
      u.announced().forEach(x -> heard.add(x.toString()));
      throw new IllegalStateException("listener fault (expected by the test)");
    };
    try (RawPeer p = new RawPeer("127.0.12.15", "127.0.12.16", 16013, c -> c, s -> s.routeListener(throwing))) {
      p.establish(RawPeer.config().build());
      ByteBuf out = Unpooled.buffer();
      UpdateEncoder.writeAnnouncement(out, attrs(p.b, RawPeer.PEER_AS), IpPrefix.parse("198.51.100.0/24"), CTX);
      UpdateEncoder.writeAnnouncement(out, attrs(p.b, RawPeer.PEER_AS), IpPrefix.parse("198.51.101.0/24"), CTX);
      p.write(out);
      Poll.until(RawPeer.LIMIT, "both UPDATEs at the listener", () -> heard.size() == 2, heard::toString);
      assertEquals(List.of("198.51.100.0/24", "198.51.101.0/24"), heard);
      p.session.runPendingTasks();
      assertEquals(BgpState.Established, p.session.state(), () -> "" + p.session.lastChange());
      assertEquals(0, p.session.counters().notificationsSent());
    }
  }

  /**
   * The prefix limit counts the routes of the current session, as FRR resets its prefix count when a session goes
   * down: two routes in one session and two others in the next stay within maxPrefixes(2).
   */
  @Test
  void maxPrefixes_countStartsOverInTheNextSession() throws Exception {
    try (RawPeer p = new RawPeer("127.0.12.17", "127.0.12.18", 16014,
        c -> c.backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), s -> s.maxPrefixes(2))) {
      p.establish(RawPeer.config().build());
      ByteBuf out = Unpooled.buffer();
      UpdateEncoder.writeAllAnnouncements(out, attrs(p.b, RawPeer.PEER_AS),
          List.of(IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("198.51.101.0/24")), CTX);
      p.write(out);
      awaitUpdates(p, 1);
      p.socket.close(); // the peer goes away; our session restarts by itself
      Poll.until(RawPeer.LIMIT, "the session down", () -> p.session.state() != BgpState.Established, () -> "");
      p.accept();
      p.openAndKeepalive(RawPeer.config().build());
      Poll.until(RawPeer.LIMIT, "Established again", () -> p.session.state() == BgpState.Established,
          () -> "" + p.session.lastChange());
      out = Unpooled.buffer();
      UpdateEncoder.writeAllAnnouncements(out, attrs(p.b, RawPeer.PEER_AS),
          List.of(IpPrefix.parse("198.51.102.0/24"), IpPrefix.parse("198.51.103.0/24")), CTX);
      p.write(out);
      awaitUpdates(p, 2);
      p.session.runPendingTasks();
      assertEquals(BgpState.Established, p.session.state(), () -> "" + p.session.lastChange());
      assertEquals(0, p.session.counters().notificationsSent(), "Cease / Maximum Number of Prefixes Reached");
    }
  }

  /**
   * pauseReading holds the peer's messages back (TCP flow control, as FRR's input queue limit): an UPDATE written
   * while paused neither reaches the route listener nor is counted until resumeReading.
   */
  @Test
  void pauseReading_updateWaitsUntilResumed() throws Exception {
    AdjRibIn rib = new AdjRibIn();
    try (RawPeer p = new RawPeer("127.0.12.19", "127.0.12.20", 16015, c -> c, s -> s.routeListener(rib))) {
      p.establish(RawPeer.config().build());
      p.session.pauseReading();
      p.session.runPendingTasks();
      ByteBuf out = Unpooled.buffer();
      UpdateEncoder.writeAnnouncement(out, attrs(p.b, RawPeer.PEER_AS), IpPrefix.parse("198.51.100.0/24"), CTX);
      p.write(out);
      // the UPDATE stays in the socket while paused
      Poll.holds(Duration.ofSeconds(1), "no UPDATE read while paused",
          () -> p.session.counters().updatesReceived() == 0, () -> "" + p.session.counters());
      assertEquals(List.of(), routes(p, rib));
      p.session.resumeReading();
      awaitUpdates(p, 1);
      assertEquals(List.of("198.51.100.0/24"), routes(p, rib));
    }
  }

  /**
   * pauseReading also holds for a connection made while paused (BgpSession#pauseReading): the peer's OPEN is not read,
   * so the session waits in OpenSent, and goes on to Established once reading resumes.
   */
  @Test
  void pausedBeforeConnecting_peersOpenReadOnlyOnceResumed() throws Exception {
    try (RawPeer p = new RawPeer("127.0.12.21", "127.0.12.22", 16016, c -> c, s -> { })) {
      p.session.pauseReading();
      p.session.start();
      p.accept();
      assertEquals(1, p.nextIncludingKeepalives()[0], "our OPEN");
      Poll.until(RawPeer.LIMIT, "OpenSent", () -> p.session.state() == BgpState.OpenSent,
          () -> "" + p.session.lastChange());
      p.openAndKeepalive(RawPeer.config().build());
      Poll.holds(Duration.ofSeconds(1), "the peer's OPEN not read while paused",
          () -> p.session.state() == BgpState.OpenSent, () -> "" + p.session.lastChange());
      p.session.resumeReading();
      Poll.until(RawPeer.LIMIT, "Established once resumed", () -> p.session.state() == BgpState.Established,
          () -> "" + p.session.lastChange());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static PathAttributes attrs(InetAddress nextHop, long... asPath) {
    return PathAttributes.builder().origin(Origin.IGP).asPath(asPath).nextHop(nextHop).build();
  }

  private static void awaitUpdates(RawPeer p, long count) {
    Poll.until(RawPeer.LIMIT, count + " UPDATEs received",
        () -> p.session.counters().updatesReceived() >= count || p.session.state() == BgpState.Idle,
        () -> p.session.counters() + " " + p.session.lastChange());
  }

  /** The prefixes {@code rib} holds, sorted, read on the session's event loop. */
  private static List<String> routes(RawPeer p, AdjRibIn rib) throws Exception {
    CompletableFuture<List<String>> held = new CompletableFuture<>();
    p.session.execute(() -> held.complete(rib.routes().stream().map(r -> r.prefix().toString()).sorted().toList()));
    return held.get(5, TimeUnit.SECONDS);
  }
}
