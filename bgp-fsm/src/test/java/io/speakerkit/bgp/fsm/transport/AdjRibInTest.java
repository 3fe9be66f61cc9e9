package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.fsm.OpenNegotiation;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessageDecoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.ErrorAction;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.Aggregator;
import io.speakerkit.bgp.wire.attribute.MultiExitDisc;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.timers.ManualScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class AdjRibInTest {

  private final ManualScheduler time = new ManualScheduler();
  private final AdjRibIn rib = new AdjRibIn(time);

  private static final java.util.Set<AddressFamily> IPV4 = java.util.Set.of(AddressFamily.IPV4_UNICAST);

  private static final PathAttributes ATTRS =
      PathAttributes.builder().origin(Origin.IGP).asPath(65002).nextHop(0x0A000002).build();

  private void feed(Consumer<ByteBuf> writer) {
    feedIn(CodecContext.FOUR_OCTET_AS, writer);
  }

  private void feedIn(CodecContext ctx, Consumer<ByteBuf> writer) {
    feed(rib, ctx, writer);
  }

  /** Decodes what {@code writer} writes, UPDATE by UPDATE, into {@code rib} as a session would hand them over. */
  static void feed(AdjRibIn rib, CodecContext ctx, Consumer<ByteBuf> writer) {
    ByteBuf buf = Unpooled.buffer();
    try {
      writer.accept(buf);
      while (buf.isReadable()) {
        UpdateMessage u = BgpMessageDecoder.decodeUpdate(buf, ctx);
        buf.skipBytes(u.length());
        rib.onUpdate(null, u);
      }
    } finally {
      buf.release();
    }
  }

  private void announce(String... prefixes) {
    List<IpPrefix> list = java.util.Arrays.stream(prefixes).map(IpPrefix::parse).toList();
    feed(b -> UpdateEncoder.writeAllAnnouncements(b, ATTRS, list, CodecContext.FOUR_OCTET_AS));
  }

  /**
   * Built without a scheduler, the table runs its timers on its session's ({@link BgpSession#scheduler()}): the
   * thread it is updated on, whichever of the transport's event loops that is.
   */
  @Test
  void withoutScheduler_timersRunOnTheSessionsScheduler() throws Exception {
    try (BgpTransport transport = BgpTransport.builder().nio().build()) {
      BgpSession session = BgpSession.builder().transport(transport).peer(java.net.InetAddress.getLoopbackAddress())
          .config(io.speakerkit.bgp.fsm.FsmConfig.builder().localAs(65001).peerAs(65002)
              .bgpIdentifier(io.speakerkit.bgp.fsm.BgpIdentifier.parse("10.0.0.1")).build())
          .scheduler(time).build();
      AdjRibIn ownTimers = new AdjRibIn();
      feed(ownTimers, CodecContext.FOUR_OCTET_AS,
          b -> UpdateEncoder.writeAnnouncement(b, ATTRS, IpPrefix.parse("198.51.100.9/32"), CodecContext.FOUR_OCTET_AS));
      ownTimers.onSessionDown(session, IPV4, Duration.ofSeconds(120));
      assertEquals(1, ownTimers.size(), "kept stale for the restart time");
      time.advance(Duration.ofSeconds(121));
      assertEquals(0, ownTimers.size(), "the restart timer ran on the session's scheduler");
    }
  }

  /**
   * RFC 7313 §4 within RFC 4724: the restart's stale-path timer leaves the routes of a family in an enhanced route
   * refresh to that refresh (its EoRR, or its own timer), and removes only the others still stale.
   */
  @Test
  void gracefulRestartStalePathTimer_leavesAFamilyInRouteRefreshToThatRefresh() {
    announce("198.51.100.1/32");
    PathAttributes v6 = PathAttributes.builder().origin(Origin.IGP).asPath(65002).nextHop(ipv6("2001:db8::2")).build();
    IpPrefix v6Prefix = IpPrefix.parse("2001:db8:1::/48");
    feed(b -> UpdateEncoder.writeAnnouncement(b, v6, v6Prefix, CodecContext.FOUR_OCTET_AS));
    rib.onSessionDown(null, Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST), Duration.ofSeconds(120));
    rib.onSessionUp(null, negotiatedWithPeer(Optional.of(java.util.Map.of(
        AddressFamily.IPV4_UNICAST, true, AddressFamily.IPV6_UNICAST, true))));
    // the IPv6 route again and the IPv6 End-of-RIB; the IPv4 End-of-RIB never comes
    feed(b -> UpdateEncoder.writeAnnouncement(b, v6, v6Prefix, CodecContext.FOUR_OCTET_AS));
    feed(b -> UpdateEncoder.writeEndOfRib(b, AddressFamily.IPV6_UNICAST));
    time.advance(Duration.ofSeconds(300));
    rib.onRefreshBegin(null, AddressFamily.IPV6_UNICAST);
    time.advance(Duration.ofSeconds(60)); // the stale-path timer, 360 s after the session went down (and came back)
    assertEquals(1, rib.paths(v6Prefix).size(), "60 s into its refresh, no EoRR yet");
    assertEquals(0, rib.paths(IpPrefix.parse("198.51.100.1/32")).size(), "still stale from the restart");
    rib.onRefreshEnd(null, AddressFamily.IPV6_UNICAST);
    assertEquals(0, rib.paths(v6Prefix).size(), "not sent again in the refresh");
  }

  /** A clock that moves with the manual scheduler, from 2023-11-14T22:13:20Z. */
  static Clock clockOf(ManualScheduler time) {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochSecond(1_700_000_000L).plusNanos(time.nanoTime());
      }
    };
  }

  @Test
  void receivedMillis_lastAnnouncement_keptWhenStale() {
    AdjRibIn timed = new AdjRibIn(time, clockOf(time));
    IpPrefix p = IpPrefix.parse("198.51.100.1/32");
    List<IpPrefix> one = List.of(p);
    feed(timed, CodecContext.FOUR_OCTET_AS,
        b -> UpdateEncoder.writeAllAnnouncements(b, ATTRS, one, CodecContext.FOUR_OCTET_AS));
    assertEquals(1_700_000_000_000L, timed.get(p).orElseThrow().receivedMillis());
    time.advance(Duration.ofSeconds(5));
    feed(timed, CodecContext.FOUR_OCTET_AS,
        b -> UpdateEncoder.writeAllAnnouncements(b, ATTRS, one, CodecContext.FOUR_OCTET_AS));
    assertEquals(1_700_000_005_000L, timed.get(p).orElseThrow().receivedMillis(), "announced again: its new time");
    timed.onRefreshBegin(null, AddressFamily.IPV4_UNICAST);
    time.advance(Duration.ofSeconds(1));
    AdjRibIn.Route stale = timed.get(p).orElseThrow();
    assertTrue(stale.stale());
    assertEquals(1_700_000_005_000L, stale.receivedMillis(), "marked stale: still the time it was announced");
  }

  @Test
  void announceWithdraw_tracked() {
    announce("198.51.100.1/32", "198.51.100.2/32");
    assertEquals(2, rib.size());
    feed(b -> UpdateEncoder.writeAllWithdrawals(b, List.of(IpPrefix.parse("198.51.100.1/32")),
        CodecContext.FOUR_OCTET_AS));
    assertEquals(1, rib.size());
    assertTrue(rib.get(IpPrefix.parse("198.51.100.2/32")).isPresent());
  }

  @Test
  void pathAttributes_asTheSessionTookThemIn_discardedAttributeLeftOut() {
    // ORIGIN, AS_PATH 65002, NEXT_HOP 10.0.0.2, AGGREGATOR of 2 octets (RFC 7606 §7.7: discarded), MED 5
    String attrs = "40010100" + "4002060201" + "0000fdea" + "4003040a000002" + "c0070201" + "02" + "80040400000005";
    String nlri = "20c6336409"; // 198.51.100.9/32
    int length = 19 + 2 + 2 + attrs.length() / 2 + nlri.length() / 2;
    String update = "ff".repeat(16) + String.format("%04x02%04x%04x", length, 0, attrs.length() / 2) + attrs + nlri;
    feed(b -> b.writeBytes(ByteBufUtil.decodeHexDump(update)));
    AdjRibIn.Route r = rib.get(IpPrefix.parse("198.51.100.9/32")).orElseThrow();
    assertEquals(attrs, ByteBufUtil.hexDump(r.attributes())); // as received
    PathAttributes a = r.pathAttributes();
    assertTrue(a.get(Aggregator.class).isEmpty(), a.toString());
    assertEquals(5, a.get(MultiExitDisc.class).orElseThrow().value());
    assertEquals(0x0a000002, a.ipv4NextHop());
  }

  @Test
  void treatAsWithdraw_alsoUnderHarsherAfiSafiDisable_routeRemovedNotInstalled() {
    announce("10.1.2.0/24");
    // ORIGIN 3 (invalid: treat-as-withdraw) and an IPv6 MP_REACH_NLRI with a 4-octet next hop (AFI/SAFI disable)
    String attrs = "40 01 01 03" + "40 02 06 02 01 0000fdea" + "40 03 04 0a000002"
        + "90 0e 0010 0002 01 04 0a000001 00 30 20010db80001";
    byte[] attrBytes = ByteBufUtil.decodeHexDump(attrs.replace(" ", ""));
    byte[] nlri = {24, 10, 1, 2};
    ByteBuf b = Unpooled.buffer();
    b.writeBytes(ByteBufUtil.decodeHexDump("ff".repeat(16)));
    b.writeShort(23 + attrBytes.length + nlri.length).writeByte(2).writeShort(0);
    b.writeShort(attrBytes.length).writeBytes(attrBytes).writeBytes(nlri);
    try {
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS);
      assertEquals(ErrorAction.AFI_SAFI_DISABLE, u.errorAction());
      rib.onUpdate(null, u);
    } finally {
      b.release();
    }
    assertEquals(0, rib.size());
  }

  @Test
  void gracefulRestart_staleUntilEndOfRib_refreshedKept() {
    announce("198.51.100.1/32", "198.51.100.2/32");
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    assertEquals(2, rib.staleCount());
    announce("198.51.100.1/32"); // the restarted peer sends one of them again
    assertEquals(1, rib.staleCount());
    feed(b -> UpdateEncoder.writeEndOfRib(b, AddressFamily.IPV4_UNICAST));
    assertEquals(1, rib.size());
    assertFalse(rib.get(IpPrefix.parse("198.51.100.1/32")).orElseThrow().stale());
    time.advance(Duration.ofMinutes(5));
    assertEquals(1, rib.size());
  }

  @Test
  void gracefulRestart_noEndOfRib_staleGoneAfterRestartTime() {
    announce("198.51.100.1/32");
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    time.advance(Duration.ofSeconds(119));
    assertEquals(1, rib.size());
    time.advance(Duration.ofSeconds(1));
    assertEquals(0, rib.size());
  }

  /**
   * RFC 7313 §4: the peer's BoRR marks the family's routes stale, a route sent again is fresh, its EoRR removes the
   * rest; routes of the other family are untouched.
   */
  @Test
  void enhancedRouteRefresh_borrMarksStale_resentKept_eorrRemovesTheRest() {
    announce("198.51.100.1/32", "198.51.100.2/32");
    feed(b -> UpdateEncoder.writeAnnouncement(b, PathAttributes.builder().origin(Origin.IGP).asPath(65002)
        .nextHop(ipv6("2001:db8::2")).build(), IpPrefix.parse("2001:db8:1::/48"), CodecContext.FOUR_OCTET_AS));
    rib.onRefreshBegin(null, AddressFamily.IPV4_UNICAST);
    assertEquals(2, rib.staleCount());
    announce("198.51.100.2/32");
    assertEquals(1, rib.staleCount());
    rib.onRefreshEnd(null, AddressFamily.IPV4_UNICAST);
    assertEquals(List.of("198.51.100.2/32", "2001:db8:1::/48"),
        rib.routes().stream().map(r -> r.prefix().toString()).sorted().toList());
    assertEquals(0, rib.staleCount());
    time.advance(Duration.ofMinutes(10));
    assertEquals(2, rib.size(), "the cancelled timer removed nothing");
  }

  /** RFC 7313 §4: without an EoRR, routes still stale go when the refresh stale time runs out (360 s by default). */
  @Test
  void enhancedRouteRefresh_noEorr_staleRoutesGoAfterTheStaleTime() {
    announce("198.51.100.1/32", "198.51.100.2/32");
    rib.onRefreshBegin(null, AddressFamily.IPV4_UNICAST);
    announce("198.51.100.1/32");
    time.advance(Duration.ofSeconds(359));
    assertEquals(2, rib.size());
    time.advance(Duration.ofSeconds(1));
    assertEquals(List.of(IpPrefix.parse("198.51.100.1/32")), rib.routes().stream().map(AdjRibIn.Route::prefix).toList());
  }

  /**
   * RFC 4724 §4.2: once the restarted peer's session is back, its restart time no longer bounds the stale routes; they
   * wait for its End-of-RIB up to the stale-path time (360 s, FRR's default), counted as FRR counts it: from the
   * session going down (bgp_stop starts t_gr_stale with t_gr_restart; bgp_establish stops only the latter).
   */
  @Test
  void gracefulRestart_backLate_staleRoutesWaitTheStalePathTimeFromSessionDown() {
    announce("198.51.100.1/32", "198.51.100.2/32");
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    time.advance(Duration.ofSeconds(100));
    rib.onSessionUp(null, negotiatedWithPeer(Optional.of(java.util.Map.of(AddressFamily.IPV4_UNICAST, true))));
    announce("198.51.100.1/32");
    time.advance(Duration.ofSeconds(60)); // 160 s after the session went down, past the restart time
    assertEquals(2, rib.size());
    assertEquals(1, rib.staleCount());
    time.advance(Duration.ofSeconds(199)); // 359 s after the session went down
    assertEquals(2, rib.size());
    time.advance(Duration.ofSeconds(1));
    assertEquals(List.of(IpPrefix.parse("198.51.100.1/32")), rib.routes().stream().map(AdjRibIn.Route::prefix).toList());
  }

  /** FRR's stale-path timer bounds a restart time longer than itself too, while the session is still down. */
  @Test
  void gracefulRestart_restartTimeLongerThanStalePathTime_staleGoneAtTheStalePathTime() {
    announce("198.51.100.1/32");
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(600));
    time.advance(Duration.ofSeconds(359));
    assertEquals(1, rib.size());
    time.advance(Duration.ofSeconds(1));
    assertEquals(0, rib.size());
  }

  /** RFC 4724 §4.2: only the families of the peer's graceful restart capability are kept; the others go at once. */
  @Test
  void gracefulRestart_familyNotInCapability_deletedAtOnce() {
    announce("198.51.100.1/32");
    feed(b -> UpdateEncoder.writeAnnouncement(b, PathAttributes.builder().origin(Origin.IGP).asPath(65002)
        .nextHop(ipv6("2001:db8::2")).build(), IpPrefix.parse("2001:db8:1::/48"), CodecContext.FOUR_OCTET_AS));
    assertEquals(2, rib.size());
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    assertEquals(1, rib.size());
    assertTrue(rib.get(IpPrefix.parse("198.51.100.1/32")).orElseThrow().stale());
  }

  /**
   * RFC 4724 §4.2: back in Established, stale routes of a family whose Forwarding State bit the peer leaves clear
   * (FRR's default) are deleted at once; with the bit set they wait for the End-of-RIB; with no capability all go.
   */
  @Test
  void gracefulRestart_sessionUp_staleKeptOnlyWhereForwardingPreserved() {
    announce("198.51.100.1/32");
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    rib.onSessionUp(null, negotiatedWithPeer(Optional.of(java.util.Map.of(AddressFamily.IPV4_UNICAST, true))));
    assertEquals(1, rib.staleCount());

    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    rib.onSessionUp(null, negotiatedWithPeer(Optional.of(java.util.Map.of(AddressFamily.IPV4_UNICAST, false))));
    assertEquals(0, rib.size());

    announce("198.51.100.1/32");
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    rib.onSessionUp(null, negotiatedWithPeer(Optional.empty()));
    assertEquals(0, rib.size());
    time.advance(Duration.ofMinutes(5)); // the restart timer was cancelled with the last stale route
    assertEquals(0, rib.size());
  }

  /**
   * RFC 7313 §4: an EoRR ends a refresh its BoRR began. A stray one during a graceful restart must not purge the
   * routes kept stale for the peer's End-of-RIB (RFC 4724 §4.2); FRR ignores it as well.
   */
  @Test
  void refreshEndWithoutBeginning_gracefulRestartStaleRoutesKept() {
    announce("198.51.100.1/32");
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    rib.onSessionUp(null, negotiatedWithPeer(Optional.of(java.util.Map.of(AddressFamily.IPV4_UNICAST, true))));
    assertEquals(1, rib.staleCount());
    rib.onRefreshEnd(null, AddressFamily.IPV4_UNICAST); // no BoRR before it
    assertEquals(1, rib.size());
    assertEquals(1, rib.staleCount());
    feed(b -> UpdateEncoder.writeEndOfRib(b, AddressFamily.IPV4_UNICAST)); // the End-of-RIB still ends the wait
    assertEquals(0, rib.size());
  }

  /** What our OPEN and a peer's with graceful restart forwarding bits {@code forwarding} (absent: none) negotiate. */
  static NegotiatedSession negotiatedWithPeer(Optional<java.util.Map<AddressFamily, Boolean>> forwarding) {
    FsmConfig local = FsmConfig.builder().localAs(65001).peerAs(65002).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
        .gracefulRestart(new GracefulRestart(false, 120, java.util.Map.of(AddressFamily.IPV4_UNICAST, true)))
        .build();
    FsmConfig.Builder peer = FsmConfig.builder().localAs(65002).peerAs(65001)
        .bgpIdentifier(BgpIdentifier.parse("10.0.0.2"));
    forwarding.ifPresent(f -> peer.gracefulRestart(new GracefulRestart(true, 120, f)));
    return ((OpenNegotiation.Accepted) OpenNegotiation.negotiate(local, peer.build().localOpen())).session();
  }

  static java.net.InetAddress ipv6(String address) {
    try {
      return java.net.InetAddress.getByName(address);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** RFC 7911: with ADD-PATH each path of a prefix is a route, and a withdrawal removes only the path it names. */
  @Test
  void addPath_pathsOfOnePrefixKeptApart_withdrawalRemovesOnlyItsPath() {
    CodecContext addPath = CodecContext.FOUR_OCTET_AS.withAddPath(java.util.Set.of(AddressFamily.IPV4_UNICAST),
        java.util.Set.of(AddressFamily.IPV4_UNICAST));
    IpPrefix p = IpPrefix.parse("203.0.113.0/24");
    PathAttributes other = PathAttributes.builder().origin(Origin.IGP).asPath(65002, 65010).nextHop(0x0A000003)
        .build();
    feedIn(addPath, b -> UpdateEncoder.writeAnnouncement(b, ATTRS, p, 1, addPath));
    feedIn(addPath, b -> UpdateEncoder.writeAnnouncement(b, other, p, 2, addPath));
    assertEquals(2, rib.size());
    assertEquals(List.of(1, 2), rib.paths(p).stream().map(AdjRibIn.Route::pathId).toList());
    assertEquals(1, rib.get(p).orElseThrow().pathId());
    feedIn(addPath, b -> UpdateEncoder.writeWithdrawals(b, List.of(p), 0, 1, addPath));
    assertEquals(1, rib.size());
    assertEquals(List.of(2), rib.paths(p).stream().map(AdjRibIn.Route::pathId).toList());
    assertTrue(rib.get(p, 1).isEmpty());
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    assertEquals(1, rib.staleCount());
    feedIn(addPath, b -> UpdateEncoder.writeEndOfRib(b, AddressFamily.IPV4_UNICAST));
    assertEquals(0, rib.size());
    assertTrue(rib.routes().isEmpty());
  }

  @Test
  void sessionDownWithNotification_everythingGone() {
    announce("198.51.100.1/32");
    rib.onSessionDown(null, java.util.Set.of(), Duration.ZERO);
    assertEquals(0, rib.size());
  }

  /**
   * RFC 4724 §4.2: "To deal with possible consecutive restarts, a route (from the peer) previously marked as stale
   * MUST be deleted." (FRR's bgp_clear_route_node removes a path already BGP_PATH_STALE.) A peer that restarts again
   * before its End-of-RIB must not keep the routes it never sent again alive, restart after restart.
   */
  @Test
  void gracefulRestart_consecutiveRestart_routesStillStaleAreDeleted() {
    announce("198.51.100.1/32", "198.51.100.2/32");
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    rib.onSessionUp(null, negotiatedWithPeer(Optional.of(java.util.Map.of(AddressFamily.IPV4_UNICAST, true))));
    announce("198.51.100.1/32"); // .2 not sent again, and no End-of-RIB before the next restart
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    assertEquals(List.of(IpPrefix.parse("198.51.100.1/32")), rib.routes().stream().map(AdjRibIn.Route::prefix).toList());
    assertTrue(rib.get(IpPrefix.parse("198.51.100.1/32")).orElseThrow().stale());
  }

  /** Flapping every 100 s without an End-of-RIB: a route never sent again is gone within one stale-path time. */
  @Test
  void gracefulRestart_peerFlappingWithoutEndOfRib_neverResentRouteGoneAtTheStalePathTime() {
    announce("198.51.100.2/32");
    for (int i = 0; i < 10; i++) {
      rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
      time.advance(Duration.ofSeconds(50));
      rib.onSessionUp(null, negotiatedWithPeer(Optional.of(java.util.Map.of(AddressFamily.IPV4_UNICAST, true))));
      time.advance(Duration.ofSeconds(50));
    }
    assertEquals(0, rib.size(), "1000 s after the route was last announced");
  }

  /** The restart timer removes every stale route, of each family the capability kept (RFC 4724 §4.2). */
  @Test
  void gracefulRestart_noEndOfRib_staleRoutesOfEveryFamilyGoneAfterRestartTime() {
    announce("198.51.100.1/32");
    feed(b -> UpdateEncoder.writeAnnouncement(b, PathAttributes.builder().origin(Origin.IGP).asPath(65002)
        .nextHop(ipv6("2001:db8::2")).build(), IpPrefix.parse("2001:db8:1::/48"), CodecContext.FOUR_OCTET_AS));
    rib.onSessionDown(null, Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST), Duration.ofSeconds(120));
    time.advance(Duration.ofSeconds(119));
    assertEquals(2, rib.size());
    time.advance(Duration.ofSeconds(1));
    assertEquals(0, rib.size(), rib.routes()::toString);
  }

  /** A second BoRR restarts the refresh: its routes wait the whole stale time from it, not from the first BoRR. */
  @Test
  void enhancedRouteRefresh_secondBorr_staleTimeCountedFromIt() {
    announce("198.51.100.1/32");
    rib.onRefreshBegin(null, AddressFamily.IPV4_UNICAST);
    time.advance(Duration.ofSeconds(300));
    rib.onRefreshBegin(null, AddressFamily.IPV4_UNICAST);
    time.advance(Duration.ofSeconds(61)); // 361 s after the first BoRR
    assertEquals(1, rib.size(), "removed by the first BoRR's timer");
    time.advance(Duration.ofSeconds(299)); // 360 s after the second
    assertEquals(0, rib.size());
  }

  /**
   * A refresh its EoRR ended leaves no timer behind: the next refresh's routes wait the whole stale time from their
   * BoRR (RFC 7313 §4).
   */
  @Test
  void enhancedRouteRefresh_endedByEorr_nextRefreshNotCutShortByTheOldTimer() {
    announce("198.51.100.1/32");
    rib.onRefreshBegin(null, AddressFamily.IPV4_UNICAST);
    announce("198.51.100.1/32");
    rib.onRefreshEnd(null, AddressFamily.IPV4_UNICAST);
    time.advance(Duration.ofSeconds(300));
    rib.onRefreshBegin(null, AddressFamily.IPV4_UNICAST);
    time.advance(Duration.ofSeconds(61)); // 361 s after the first BoRR
    assertEquals(1, rib.size(), "removed by the ended refresh's timer");
    assertEquals(1, rib.staleCount());
  }

  /**
   * A refresh cut off by a graceful restart leaves its routes to the restart rules (RFC 4724 §4.2): its stale timer
   * does not remove the routes (sent again in the refresh, stale since the restart) while they wait for the End-of-RIB.
   */
  @Test
  void enhancedRouteRefresh_sessionDownMidRefresh_refreshTimerNoLongerRemovesTheRoutes() {
    announce("198.51.100.1/32");
    rib.onRefreshBegin(null, AddressFamily.IPV4_UNICAST);
    announce("198.51.100.1/32");
    time.advance(Duration.ofSeconds(300));
    rib.onSessionDown(null, IPV4, Duration.ofSeconds(120));
    time.advance(Duration.ofSeconds(10));
    rib.onSessionUp(null, negotiatedWithPeer(Optional.of(java.util.Map.of(AddressFamily.IPV4_UNICAST, true))));
    time.advance(Duration.ofSeconds(51)); // 361 s after the BoRR, 61 s after the session went down
    assertEquals(1, rib.size(), "removed by the refresh's timer");
    feed(b -> UpdateEncoder.writeEndOfRib(b, AddressFamily.IPV4_UNICAST));
    assertEquals(0, rib.size());
  }

  @Test
  void staleTimes_zeroOrNegative_rejected() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> rib.refreshStaleTime(Duration.ZERO));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> rib.stalePathTime(Duration.ZERO));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> rib.stalePathTime(Duration.ofSeconds(-1)));
  }
}
