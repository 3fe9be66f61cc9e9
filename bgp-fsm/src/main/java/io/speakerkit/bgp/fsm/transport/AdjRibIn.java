package io.speakerkit.bgp.fsm.transport;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.timers.Scheduler;
import io.speakerkit.timers.Timeout;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An optional Adj-RIB-In (RFC 4271 §3.2) for one peer, usable as the session's {@link RouteListener}: the routes the
 * peer announced, with their path attributes as received. RFC 7606 treat-as-withdraw is applied.
 *
 * <p>Graceful restart helper (RFC 4724 §4.2): when the session goes down without a NOTIFICATION and graceful restart
 * was negotiated, the routes are kept and marked stale; the peer's End-of-RIB for a family removes that family's
 * routes still stale, and after the peer's restart time every stale route is removed. Any other session end removes
 * everything at once.
 *
 * <p>Updated on the session's event loop; readable from any thread.
 */
public final class AdjRibIn implements RouteListener {

  /**
   * One route.
   *
   * @param prefix the prefix
   * @param attributes the path attribute octets as received (shared between the routes of one UPDATE; do not modify)
   * @param stale kept across a peer restart, not yet refreshed
   */
  public record Route(IpPrefix prefix, byte[] attributes, boolean stale) {}

  private final Scheduler scheduler;
  private final Map<IpPrefix, Route> routes = new ConcurrentHashMap<>();
  private Timeout restartTimer;

  /** @param scheduler where the restart timer runs: the session's event loop (or a manual scheduler in tests) */
  public AdjRibIn(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  public int size() {
    return routes.size();
  }

  public long staleCount() {
    return routes.values().stream().filter(Route::stale).count();
  }

  public Optional<Route> get(IpPrefix prefix) {
    return Optional.ofNullable(routes.get(prefix));
  }

  /** A snapshot of all routes. */
  public Map<IpPrefix, Route> routes() {
    return new HashMap<>(routes);
  }

  @Override
  public void onUpdate(BgpSession session, UpdateMessage u) {
    AddressFamily eor = u.endOfRib();
    if (eor != null) {
      // RFC 4724 §4.2: the End-of-RIB ends the family's refresh; whatever is still stale is gone
      routes.values().removeIf(r -> r.stale() && r.prefix().family().equals(eor));
      if (routes.values().stream().noneMatch(Route::stale) && restartTimer != null) {
        restartTimer.cancel();
        restartTimer = null;
      }
      return;
    }
    for (IpPrefix p : u.withdrawnAll()) {
      routes.remove(p);
    }
    if (u.errorAction().withdrawsRoutes()) {
      for (IpPrefix p : u.announced()) {
        routes.remove(p);
      }
      return;
    }
    int start = u.offset() + 19 + 2 + u.withdrawnLength() + 2;
    byte[] attrs = new byte[u.attributes().totalLength()];
    u.content().getBytes(start, attrs);
    for (IpPrefix p : u.announced()) {
      routes.put(p, new Route(p, attrs, false));
    }
  }

  @Override
  public void onSessionDown(BgpSession session, boolean stale, Duration restartTime) {
    if (restartTimer != null) {
      restartTimer.cancel();
      restartTimer = null;
    }
    if (!stale) {
      routes.clear();
      return;
    }
    routes.replaceAll((p, r) -> new Route(p, r.attributes(), true));
    restartTimer = scheduler.schedule(() -> {
      restartTimer = null;
      routes.values().removeIf(Route::stale);
    }, restartTime);
  }

  @Override
  public String toString() {
    return "AdjRibIn{" + routes.size() + " routes, " + staleCount() + " stale}";
  }

  static boolean sameAttributes(Route a, Route b) {
    return Arrays.equals(a.attributes(), b.attributes());
  }
}
