package io.speakerkit.bgp.fsm.transport;

import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.timers.Scheduler;
import io.speakerkit.timers.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * An optional Adj-RIB-In (RFC 4271 §3.2) for one peer, usable as the session's {@link RouteListener}: the routes the
 * peer announced, with their path attributes as received. RFC 7606 treat-as-withdraw is applied.
 *
 * <p>Graceful restart helper (RFC 4724 §4.2): when the session goes down without a NOTIFICATION and graceful restart
 * was negotiated, the routes of the families in the peer's capability are kept and marked stale, the others removed.
 * When the session is back, stale routes of a family whose Forwarding State bit the peer no longer sets are removed;
 * the peer's End-of-RIB for a family removes that family's routes still stale. Every stale route is removed when the
 * peer's restart time runs out before its session is back, or {@link #stalePathTime} after it is back. Any other
 * session end removes everything at once.
 *
 * <p>Enhanced route refresh (RFC 7313 §4): the peer's BoRR marks the family's routes stale, a route sent again is
 * fresh, and its EoRR removes those still stale; without an EoRR they go after {@link #refreshStaleTime}, 360 s by
 * default (as FRR bounds it, with its stale-path time).
 *
 * <p>Updated on the session's event loop; readable from any thread.
 */
public final class AdjRibIn implements RouteListener {

  /**
   * One route.
   *
   * @param prefix the prefix
   * @param pathId the RFC 7911 path identifier, 0 without ADD-PATH
   * @param attributes the path attribute octets as received (shared between the routes of one UPDATE; do not modify)
   * @param stale kept across a peer restart or since the peer's BoRR, not yet refreshed
   */
  public record Route(IpPrefix prefix, int pathId, byte[] attributes, boolean stale) {}

  private static final Comparator<Route> BY_PATH_ID = Comparator.comparingInt(r -> r.pathId());

  private final Scheduler scheduler;
  /** The paths of each prefix by path identifier; an inner map is never modified, only replaced. */
  private final Map<IpPrefix, Map<Integer, Route>> routes = new ConcurrentHashMap<>();
  private volatile int size;
  /** The peer's restart time while its session is down, then the stale-path time until its End-of-RIB. */
  private Timeout staleTimer;
  /** Per family: removes what a BoRR marked stale if no EoRR comes in time. */
  private final Map<AddressFamily, Timeout> refreshTimers = new HashMap<>();
  private Duration refreshStaleTime = Duration.ofSeconds(360);
  private Duration stalePathTime = Duration.ofSeconds(360);

  /** @param scheduler where the restart timer runs: the session's event loop (or a manual scheduler in tests) */
  public AdjRibIn(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /** How long routes marked stale by the peer's BoRR wait for its EoRR (RFC 7313 §4); 360 s by default. */
  public AdjRibIn refreshStaleTime(Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("refresh stale time: " + value + " (expected: > 0)");
    }
    refreshStaleTime = value;
    return this;
  }

  /** Routes held: with ADD-PATH every path counts. */
  public int size() {
    return size;
  }

  public long staleCount() {
    return routes.values().stream().flatMap(m -> m.values().stream()).filter(Route::stale).count();
  }

  /**
   * The route for {@code prefix}: without ADD-PATH its only one; with ADD-PATH the path with the lowest identifier
   * ({@link #paths} has them all).
   */
  public Optional<Route> get(IpPrefix prefix) {
    return paths(prefix).stream().findFirst();
  }

  /** The route for {@code prefix} with ADD-PATH identifier {@code pathId} (0 without ADD-PATH). */
  public Optional<Route> get(IpPrefix prefix, int pathId) {
    Map<Integer, Route> paths = routes.get(prefix);
    return paths == null ? Optional.empty() : Optional.ofNullable(paths.get(pathId));
  }

  /** Every path held for {@code prefix}, by path identifier. */
  public List<Route> paths(IpPrefix prefix) {
    Map<Integer, Route> paths = routes.get(prefix);
    if (paths == null) {
      return List.of();
    }
    List<Route> list = new ArrayList<>(paths.values());
    list.sort(BY_PATH_ID);
    return list;
  }

  /** A snapshot of all routes. */
  public List<Route> routes() {
    List<Route> list = new ArrayList<>(size);
    routes.values().forEach(m -> list.addAll(m.values()));
    return list;
  }

  @Override
  public void onUpdate(BgpSession session, UpdateMessage u) {
    AddressFamily eor = u.endOfRib();
    if (eor != null) {
      // RFC 4724 §4.2: the End-of-RIB ends the family's refresh; whatever is still stale is gone
      removeStale(eor);
      return;
    }
    // RFC 4760 §7: an UPDATE may mix in NLRI of a family the session did not negotiate; those are ignored
    Set<AddressFamily> families = session == null ? null : session.negotiated().map(NegotiatedSession::families).orElse(null);
    for (RouteKey k : RouteKey.withdrawn(u, families)) {
      remove(k);
    }
    List<RouteKey> announced = RouteKey.announced(u, families);
    if (u.errorAction().withdrawsRoutes()) {
      announced.forEach(this::remove);
      return;
    }
    int start = u.offset() + 19 + 2 + u.withdrawnLength() + 2;
    byte[] attrs = new byte[u.attributes().totalLength()];
    u.content().getBytes(start, attrs);
    for (RouteKey k : announced) {
      put(new Route(k.prefix(), k.pathId(), attrs, false));
    }
  }

  @Override
  public void onSessionDown(BgpSession session, Set<AddressFamily> staleFamilies, Duration restartTime) {
    if (staleTimer != null) {
      staleTimer.cancel();
      staleTimer = null;
    }
    refreshTimers.values().forEach(Timeout::cancel); // a refresh ends with its session; the restart rules take over
    refreshTimers.clear();
    if (staleFamilies.isEmpty()) {
      routes.clear();
      size = 0;
      return;
    }
    // RFC 4724 §4.2: the families of the peer's capability are kept, stale; the others go now
    removeIf(r -> !staleFamilies.contains(r.prefix().family()));
    routes.replaceAll((p, paths) -> {
      Map<Integer, Route> marked = new HashMap<>(paths.size() * 2);
      paths.forEach((id, r) -> marked.put(id, new Route(p, id, r.attributes(), true)));
      return marked;
    });
    staleTimer = scheduler.schedule(() -> {
      staleTimer = null;
      removeIf(Route::stale);
    }, restartTime);
  }

  /**
   * RFC 4724 §4.2: stale routes of a family the restarted peer did not preserve forwarding for (its Forwarding State
   * bit is clear, or the capability is gone) are deleted at once instead of waiting for its End-of-RIB. The restart
   * timer has done its job: the others wait for the End-of-RIB up to {@link #stalePathTime} (the upper bound §4.2
   * allows; FRR's stale-path time, 360 s by default), so a peer that reconnects late still has time to send them.
   */
  @Override
  public void onSessionUp(BgpSession session, NegotiatedSession negotiated) {
    Map<AddressFamily, Boolean> forwarding = negotiated.peerGracefulRestart().map(GracefulRestart::forwardingState)
        .orElse(Map.of());
    removeIf(r -> r.stale() && !forwarding.getOrDefault(r.prefix().family(), false));
    if (staleTimer != null) {
      staleTimer.cancel();
      staleTimer = null;
      if (staleCount() > 0) {
        staleTimer = scheduler.schedule(() -> {
          staleTimer = null;
          removeIf(Route::stale);
        }, stalePathTime);
      }
    }
  }

  /** How long stale routes wait for the End-of-RIB once the restarted peer's session is up; 360 s by default. */
  public AdjRibIn stalePathTime(Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("stale path time: " + value + " (expected: > 0)");
    }
    stalePathTime = value;
    return this;
  }

  @Override
  public void onRefreshBegin(BgpSession session, AddressFamily family) {
    routes.replaceAll((p, paths) -> {
      if (!p.family().equals(family)) {
        return paths;
      }
      Map<Integer, Route> marked = new HashMap<>(paths.size() * 2);
      paths.forEach((id, r) -> marked.put(id, new Route(p, id, r.attributes(), true)));
      return marked;
    });
    Timeout previous = refreshTimers.put(family, scheduler.schedule(() -> {
      refreshTimers.remove(family);
      removeStale(family);
    }, refreshStaleTime));
    if (previous != null) {
      previous.cancel();
    }
  }

  @Override
  public void onRefreshEnd(BgpSession session, AddressFamily family) {
    Timeout timer = refreshTimers.remove(family);
    if (timer != null) {
      timer.cancel();
    }
    removeStale(family);
  }

  private void removeStale(AddressFamily family) {
    removeIf(r -> r.stale() && r.prefix().family().equals(family));
    stopStaleTimerIfNoneStale();
  }

  private void put(Route r) {
    routes.compute(r.prefix(), (p, paths) -> {
      if (paths == null) {
        size++;
        return Map.of(r.pathId(), r);
      }
      Map<Integer, Route> next = new HashMap<>(paths);
      if (next.put(r.pathId(), r) == null) {
        size++;
      }
      return next;
    });
  }

  private void remove(RouteKey k) {
    routes.computeIfPresent(k.prefix(), (p, paths) -> {
      if (!paths.containsKey(k.pathId())) {
        return paths;
      }
      size--;
      if (paths.size() == 1) {
        return null;
      }
      Map<Integer, Route> next = new HashMap<>(paths);
      next.remove(k.pathId());
      return next;
    });
  }

  private void stopStaleTimerIfNoneStale() {
    if (staleTimer != null && staleCount() == 0) {
      staleTimer.cancel();
      staleTimer = null;
    }
  }

  private void removeIf(Predicate<Route> condition) {
    for (IpPrefix p : routes.keySet()) {
      routes.computeIfPresent(p, (key, paths) -> {
        if (paths.values().stream().noneMatch(condition)) {
          return paths; // most prefixes: nothing to remove, no copy
        }
        Map<Integer, Route> next = new HashMap<>(paths);
        next.values().removeIf(condition);
        size -= paths.size() - next.size();
        return next.isEmpty() ? null : next.size() == paths.size() ? paths : next;
      });
    }
  }

  @Override
  public String toString() {
    return "AdjRibIn{" + size + " routes, " + staleCount() + " stale}";
  }
}
