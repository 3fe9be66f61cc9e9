package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.timers.ManualScheduler;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * AdjRibIn under any sequence of announcements, withdrawals, session ends and returns (graceful restart or not),
 * End-of-RIB, BoRR/EoRR and time: what the peer last announced is held fresh, a marker leaves nothing stale in its
 * family, no route appears that was not announced, and no stale route outlives its timers while fresh ones stay.
 */
class AdjRibInProperties {

  private static final Set<AddressFamily> V4 = Set.of(AddressFamily.IPV4_UNICAST);
  private static final Set<AddressFamily> BOTH = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
  private static final int KINDS = 15;
  private static final CodecContext CTX = CodecContext.FOUR_OCTET_AS.withAddPath(V4, V4);

  @Property(tries = 300)
  void anySequence_heldRoutesFollowThePeer_staleRoutesNeverOutliveTheirTimers(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 12 * KINDS - 1) Integer> ops) {
    ManualScheduler time = new ManualScheduler();
    AdjRibIn rib = new AdjRibIn(time);
    Set<RouteKey> announced = new HashSet<>(); // announced and not withdrawn since: what may be held
    long v4RefreshBegan = -1; // virtual time of the IPv4 BoRR whose refresh is open, -1: none
    for (int op : ops) {
      int kind = op % KINDS;
      int index = op / KINDS;
      // IPv4 with ADD-PATH: paths 0-2 of four prefixes; IPv6 without
      RouteKey v4 = new RouteKey(IpPrefix.parse("198.51.100." + index % 4 + "/32"), index / 4);
      RouteKey v6 = new RouteKey(IpPrefix.parse("2001:db8::" + index % 4 + "/128"), 0);
      switch (kind) {
        case 0, 1 -> {
          RouteKey k = kind == 0 ? v4 : v6;
          AdjRibInTest.feed(rib, CTX, b -> UpdateEncoder.writeAnnouncement(b, attributes(k.prefix()), k.prefix(), k.pathId(), CTX));
          announced.add(k);
          assertFalse(rib.get(k.prefix(), k.pathId()).orElseThrow().stale(), "announced again: fresh");
        }
        case 2, 3 -> {
          RouteKey k = kind == 2 ? v4 : v6;
          AdjRibInTest.feed(rib, CTX, b -> UpdateEncoder.writeWithdrawals(b, List.of(k.prefix()), 0, k.pathId(), CTX));
          announced.remove(k);
          assertTrue(rib.get(k.prefix(), k.pathId()).isEmpty());
        }
        case 4 -> {
          rib.onSessionDown(null, V4, Duration.ofSeconds(120));
          v4RefreshBegan = -1; // a refresh ends with its session
        }
        case 5 -> {
          rib.onSessionDown(null, BOTH, Duration.ofSeconds(90));
          v4RefreshBegan = -1;
        }
        case 6 -> {
          rib.onSessionDown(null, Set.of(), Duration.ZERO);
          announced.clear();
          v4RefreshBegan = -1;
          assertEquals(0, rib.size());
        }
        case 7 -> rib.onSessionUp(null, AdjRibInTest.negotiatedWithPeer(
            Optional.of(Map.of(AddressFamily.IPV4_UNICAST, true, AddressFamily.IPV6_UNICAST, true))));
        case 8 -> rib.onSessionUp(null, AdjRibInTest.negotiatedWithPeer(Optional.empty()));
        case 9, 10 -> {
          AddressFamily f = kind == 9 ? AddressFamily.IPV4_UNICAST : AddressFamily.IPV6_UNICAST;
          AdjRibInTest.feed(rib, CTX, b -> UpdateEncoder.writeEndOfRib(b, f));
          assertNoStale(rib, f);
        }
        case 11 -> {
          rib.onRefreshBegin(null, AddressFamily.IPV4_UNICAST);
          v4RefreshBegan = time.nanoTime();
        }
        case 13 -> rib.onRefreshBegin(null, AddressFamily.IPV6_UNICAST);
        case 12 -> {
          boolean open = v4RefreshBegan >= 0 && time.nanoTime() - v4RefreshBegan < Duration.ofSeconds(360).toNanos();
          List<AdjRibIn.Route> staleBefore = staleOf(rib, AddressFamily.IPV4_UNICAST);
          rib.onRefreshEnd(null, AddressFamily.IPV4_UNICAST);
          v4RefreshBegan = -1;
          if (open) {
            assertNoStale(rib, AddressFamily.IPV4_UNICAST);
          } else {
            // RFC 7313 §4: an EoRR without its BoRR ends nothing; routes kept for a restart stay
            assertEquals(staleBefore, staleOf(rib, AddressFamily.IPV4_UNICAST));
          }
        }
        default -> time.advance(Duration.ofSeconds(50));
      }
      List<AdjRibIn.Route> routes = rib.routes();
      assertEquals(routes.size(), rib.size());
      assertEquals(routes.stream().filter(AdjRibIn.Route::stale).count(), rib.staleCount());
      assertTrue(announced.containsAll(keys(routes)), () -> "held " + routes + ", announced " + announced);
      for (RouteKey k : keys(routes)) {
        assertTrue(rib.paths(k.prefix()).stream().map(AdjRibIn.Route::pathId).sorted().toList()
            .equals(rib.paths(k.prefix()).stream().map(AdjRibIn.Route::pathId).toList()), "paths by identifier");
      }
    }
    Set<RouteKey> fresh = keys(rib.routes().stream().filter(r -> !r.stale()).toList());
    time.advance(Duration.ofMinutes(10)); // past every restart, stale-path and refresh timer
    assertEquals(0, rib.staleCount());
    assertEquals(fresh, keys(rib.routes()), "the timers take stale routes only");
  }

  private static Set<RouteKey> keys(List<AdjRibIn.Route> routes) {
    return routes.stream().map(r -> new RouteKey(r.prefix(), r.pathId())).collect(Collectors.toSet());
  }

  private static List<AdjRibIn.Route> staleOf(AdjRibIn rib, AddressFamily family) {
    return rib.routes().stream().filter(r -> r.stale() && r.prefix().family().equals(family)).toList();
  }

  private static void assertNoStale(AdjRibIn rib, AddressFamily family) {
    assertTrue(rib.routes().stream().noneMatch(r -> r.stale() && r.prefix().family().equals(family)),
        () -> "stale " + family + " routes left: " + rib.routes());
  }

  private static PathAttributes attributes(IpPrefix p) {
    PathAttributes.Builder b = PathAttributes.builder().origin(Origin.IGP).asPath(65002);
    return (p.isIpv4() ? b.nextHop(0x0A000002) : b.nextHop(AdjRibInTest.ipv6("2001:db8::2"))).build();
  }
}
