package io.speakerkit.bgp.fsm.transport;

import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessageDecoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.timers.Scheduler;
import io.speakerkit.timers.Timeout;
import java.time.Clock;
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
 * peer's restart time runs out before its session is back, and at the latest {@link #stalePathTime} after the
 * session went down, as FRR bounds them (its stale-path timer starts with the restart timer). Any other session end
 * removes everything at once.
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
   * @param context the session's codec context they were received under (4-octet AS, peer type)
   * @param stale kept across a peer restart or since the peer's BoRR, not yet refreshed
   * @param receivedMillis when the peer last announced it (epoch milliseconds of the rib's clock): what an MRT RIB
   *     entry calls its originated time (RFC 6396 §4.3.4)
   */
  public record Route(IpPrefix prefix, int pathId, byte[] attributes, CodecContext context, boolean stale,
      long receivedMillis) {

    /**
     * The attributes as the session took them in: decoded from {@link #attributes} under {@link #context} with the
     * checks of receipt (RFC 7606), so an attribute discarded then is left out. Allocates on every call.
     */
    public PathAttributes pathAttributes() {
      return BgpMessageDecoder.decodeAttributes(attributes, context);
    }

    Route asStale() {
      return new Route(prefix, pathId, attributes, context, true, receivedMillis);
    }
  }

  private static final Comparator<Route> BY_PATH_ID = Comparator.comparingInt(r -> r.pathId());

  /** Where the timers run; the session's own scheduler, taken from its first callback, unless given. */
  private Scheduler scheduler;
  private final Clock clock;
  /**
   * The paths of each prefix: one {@link Route}, or with ADD-PATH several as a {@code Route[]} sorted by path
   * identifier, never modified, only replaced (a lone route saves the wrapper a map would need for every prefix).
   */
  private final Map<IpPrefix, Object> routes = new ConcurrentHashMap<>();
  private volatile int size;
  /** The peer's restart time, while its session is down. */
  private Timeout staleTimer;
  /** The stale-path time, from the session going down until no route is stale (FRR's t_gr_stale). */
  private Timeout stalePathTimer;
  /** Per family: removes what a BoRR marked stale if no EoRR comes in time. */
  private final Map<AddressFamily, Timeout> refreshTimers = new HashMap<>();
  private Duration refreshStaleTime = Duration.ofSeconds(360);
  private Duration stalePathTime = Duration.ofSeconds(360);

  /**
   * An Adj-RIB-In whose timers run on its session's event loop ({@link BgpSession#scheduler()}), the thread it is
   * updated on, however many event loops the transport has.
   */
  public AdjRibIn() {
    this.scheduler = null;
    this.clock = Clock.systemUTC();
  }

  /** @param scheduler where the restart timer runs: the session's event loop (or a manual scheduler in tests) */
  public AdjRibIn(Scheduler scheduler) {
    this(scheduler, Clock.systemUTC());
  }

  /**
   * @param scheduler where the restart timer runs: the session's event loop (or a manual scheduler in tests)
   * @param clock what tells each route's {@link Route#receivedMillis}
   */
  public AdjRibIn(Scheduler scheduler, Clock clock) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
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
    long n = 0;
    for (Object paths : routes.values()) {
      if (paths instanceof Route r) {
        n += r.stale() ? 1 : 0;
      } else {
        for (Route r : (Route[]) paths) {
          n += r.stale() ? 1 : 0;
        }
      }
    }
    return n;
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
    for (Route r : paths(prefix)) {
      if (r.pathId() == pathId) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** Every path held for {@code prefix}, by path identifier. */
  public List<Route> paths(IpPrefix prefix) {
    return list(routes.get(prefix));
  }

  /** A snapshot of all routes. */
  public List<Route> routes() {
    List<Route> list = new ArrayList<>(size);
    routes.values().forEach(paths -> list.addAll(list(paths)));
    return list;
  }

  private static List<Route> list(Object paths) {
    return paths == null ? List.of() : paths instanceof Route r ? List.of(r) : List.of((Route[]) paths);
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
    long now = clock.millis();
    for (RouteKey k : announced) {
      put(new Route(k.prefix(), k.pathId(), attrs, u.context(), false, now));
    }
  }

  @Override
  public void onSessionDown(BgpSession session, Set<AddressFamily> staleFamilies, Duration restartTime) {
    cancelStaleTimers();
    refreshTimers.values().forEach(Timeout::cancel); // a refresh ends with its session; the restart rules take over
    refreshTimers.clear();
    if (staleFamilies.isEmpty()) {
      routes.clear();
      size = 0;
      return;
    }
    // RFC 4724 §4.2: the families of the peer's capability are kept, stale; the others go now, and so does a route
    // still stale from an earlier restart ("previously marked as stale MUST be deleted"; FRR's bgp_clear_route_node)
    removeIf(r -> r.stale() || !staleFamilies.contains(r.prefix().family()));
    routes.replaceAll((p, paths) -> markedStale(paths));
    Scheduler scheduler = scheduler(session);
    staleTimer = scheduler.schedule(() -> {
      staleTimer = null;
      removeIf(Route::stale);
    }, restartTime);
    stalePathTimer = scheduler.schedule(() -> {
      stalePathTimer = null;
      // a family in an enhanced route refresh is left to its EoRR or refresh timer (RFC 7313 §4): its routes are
      // stale because of that refresh now
      removeIf(r -> r.stale() && !refreshTimers.containsKey(r.prefix().family()));
    }, stalePathTime);
  }

  /**
   * RFC 4724 §4.2: stale routes of a family the restarted peer did not preserve forwarding for (its Forwarding State
   * bit is clear, or the capability is gone) are deleted at once instead of waiting for its End-of-RIB. The restart
   * timer has done its job: the others wait for the End-of-RIB until the stale-path timer, started when the session
   * went down, runs out (the upper bound §4.2 allows; FRR's stale-path time, 360 s by default).
   */
  @Override
  public void onSessionUp(BgpSession session, NegotiatedSession negotiated) {
    Map<AddressFamily, Boolean> forwarding = negotiated.peerGracefulRestart().map(GracefulRestart::forwardingState)
        .orElse(Map.of());
    removeIf(r -> r.stale() && !forwarding.getOrDefault(r.prefix().family(), false));
    if (staleTimer != null) {
      staleTimer.cancel();
      staleTimer = null;
    }
    stopStaleTimerIfNoneStale();
  }

  /**
   * How long stale routes are kept at most, counted from the session going down (FRR's stale-path time); 360 s by
   * default.
   */
  public AdjRibIn stalePathTime(Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("stale path time: " + value + " (expected: > 0)");
    }
    stalePathTime = value;
    return this;
  }

  private Scheduler scheduler(BgpSession session) {
    if (scheduler == null) {
      scheduler = session.scheduler();
    }
    return scheduler;
  }

  @Override
  public void onRefreshBegin(BgpSession session, AddressFamily family) {
    routes.replaceAll((p, paths) -> p.family().equals(family) ? markedStale(paths) : paths);
    Timeout previous = refreshTimers.put(family, scheduler(session).schedule(() -> {
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
    if (timer == null) {
      // RFC 7313 §4: an EoRR ends a refresh its BoRR began; without one it must not purge routes kept stale for
      // the peer's End-of-RIB (RFC 4724 §4.2). FRR ignores it too.
      return;
    }
    timer.cancel();
    removeStale(family);
  }

  private void removeStale(AddressFamily family) {
    removeIf(r -> r.stale() && r.prefix().family().equals(family));
    stopStaleTimerIfNoneStale();
  }

  private static Object markedStale(Object paths) {
    if (paths instanceof Route r) {
      return r.asStale();
    }
    Route[] all = ((Route[]) paths).clone();
    for (int i = 0; i < all.length; i++) {
      all[i] = all[i].asStale();
    }
    return all;
  }

  private void put(Route r) {
    routes.compute(r.prefix(), (p, paths) -> {
      if (paths == null) {
        size++;
        return r;
      }
      if (paths instanceof Route old && old.pathId() == r.pathId()) {
        return r; // the common case: the route announced again
      }
      List<Route> next = new ArrayList<>(list(paths));
      if (!next.removeIf(old -> old.pathId() == r.pathId())) {
        size++;
      }
      next.add(r);
      next.sort(BY_PATH_ID);
      return next.toArray(new Route[0]);
    });
  }

  private void remove(RouteKey k) {
    routes.computeIfPresent(k.prefix(), (p, paths) -> stored(paths, r -> r.pathId() == k.pathId()));
  }

  /** What remains of {@code paths} without the routes {@code condition} selects: {@code paths} itself if none. */
  private Object stored(Object paths, Predicate<Route> condition) {
    if (paths instanceof Route r) {
      if (!condition.test(r)) {
        return paths; // most prefixes: nothing to remove, no copy
      }
      size--;
      return null;
    }
    Route[] all = (Route[]) paths;
    List<Route> kept = new ArrayList<>(all.length);
    for (Route r : all) {
      if (!condition.test(r)) {
        kept.add(r);
      }
    }
    size -= all.length - kept.size();
    return kept.size() == all.length ? paths : kept.isEmpty() ? null : kept.size() == 1 ? kept.get(0)
        : kept.toArray(new Route[0]);
  }

  private void stopStaleTimerIfNoneStale() {
    if (staleCount() == 0) {
      cancelStaleTimers();
    }
  }

  private void cancelStaleTimers() {
    if (staleTimer != null) {
      staleTimer.cancel();
      staleTimer = null;
    }
    if (stalePathTimer != null) {
      stalePathTimer.cancel();
      stalePathTimer = null;
    }
  }

  private void removeIf(Predicate<Route> condition) {
    for (IpPrefix p : routes.keySet()) {
      routes.computeIfPresent(p, (key, paths) -> stored(paths, condition));
    }
  }

  @Override
  public String toString() {
    return "AdjRibIn{" + size + " routes, " + staleCount() + " stale}";
  }
}
