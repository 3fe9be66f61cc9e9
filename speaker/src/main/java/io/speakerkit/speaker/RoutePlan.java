package io.speakerkit.speaker;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpRange;
import io.speakerkit.allocator.LabelSelector;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What each peer should be told, as MetalLB's BGP mode decides it: for every address in use, every advertisement
 * that covers its pool and this node announces the address's aggregate ({@code aggregationLength}) to every peer
 * it names (or all) that runs on this node and carries the address's family. An aggregate stays announced while
 * any address inside it is in use. Communities of all matching advertisements are merged; LOCAL_PREF goes to iBGP
 * peers only (and to dynamicASN ANY peers, whose session drops it if they turn out eBGP).
 *
 * <p>Incremental: {@link #add} and {@link #remove} return the per-peer changes to send. Not thread-safe; the speaker
 * drives it from one thread.
 */
public final class RoutePlan {

  /** A change for one peer: {@code route} to announce (or re-announce with new attributes), or empty to withdraw. */
  public record Change(String peer, IpPrefix prefix, Optional<PlannedRoute> route) {
    public Change {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(route, "route");
    }
  }

  /** What one address contributes to one (peer, prefix). */
  private record Contribution(List<Community> communities, List<LargeCommunity> large, Optional<Long> localPref) {}

  private final SpeakerConfig config;
  /**
   * Whether an advertisement has serviceSelectors: only then can which services use an address change its routes;
   * without, a second service on a shared address (or one leaving it, or relabelled) changes nothing.
   */
  private final boolean servicesMatter;
  private final NodeIdentity node;
  private final Map<InetAddress, Use> inUse = new LinkedHashMap<>();
  private final Map<String, Map<IpPrefix, Map<InetAddress, Contribution>>> contributions = new HashMap<>();
  private final Map<String, TreeMap<IpPrefix, PlannedRoute>> routes = new HashMap<>();

  /** A service using an address, with its labels (for advertisements' serviceSelectors). */
  private record ServiceUse(String serviceKey, Map<String, String> labels) {}

  private static final class Use {
    final String pool;
    final List<ServiceUse> services = new ArrayList<>(1);

    Use(String pool) {
      this.pool = pool;
    }
  }

  public RoutePlan(SpeakerConfig config, NodeIdentity node) {
    this.config = Objects.requireNonNull(config, "config");
    this.node = Objects.requireNonNull(node, "node");
    this.servicesMatter = config.advertisements().stream().anyMatch(a -> !a.serviceSelectors().isEmpty());
  }

  public SpeakerConfig config() {
    return config;
  }

  /** Whether {@code peer} runs on this node (its nodeSelectors match, or it has none). */
  public boolean peerActive(PeerConfig peer) {
    return matchesNode(peer.nodeSelectors());
  }

  /** {@link #add(InetAddress, String, String, Map)} for a service without a key or labels. */
  public List<Change> add(InetAddress address, String pool) {
    return add(address, pool, "", Map.of());
  }

  /**
   * Records that service {@code serviceKey}, labelled {@code serviceLabels}, uses {@code address} from {@code pool};
   * returns the changes to send. An address several services share is announced once, with every advertisement
   * that applies to one of them.
   */
  public List<Change> add(InetAddress address, String pool, String serviceKey, Map<String, String> serviceLabels) {
    Use use = inUse.get(address);
    if (use != null && !use.pool.equals(pool)) {
      throw new IllegalArgumentException(
          "address " + address.getHostAddress() + ": in use from pool " + use.pool + ", not " + pool);
    }
    ServiceUse service = new ServiceUse(serviceKey, Map.copyOf(serviceLabels));
    if (use != null && !servicesMatter) {
      use.services.add(service);
      return List.of();
    }
    Map<String, Map<IpPrefix, Contribution>> before = use == null ? Map.of() : contributionsOf(address, use);
    if (use == null) {
      use = new Use(pool);
      inUse.put(address, use);
    }
    use.services.add(service);
    return replan(address, before, contributionsOf(address, use));
  }

  /** {@link #remove(InetAddress, String)} for a service added without a key. */
  public List<Change> remove(InetAddress address) {
    return remove(address, "");
  }

  /** Records that service {@code serviceKey} no longer uses {@code address}; returns the changes to send. */
  public List<Change> remove(InetAddress address, String serviceKey) {
    Use use = inUse.get(address);
    int i = use == null ? -1 : indexOf(use, serviceKey);
    if (i < 0) {
      return List.of();
    }
    if (use.services.size() > 1 && !servicesMatter) {
      use.services.remove(i);
      return List.of();
    }
    Map<String, Map<IpPrefix, Contribution>> before = contributionsOf(address, use);
    use.services.remove(i);
    if (use.services.isEmpty()) {
      inUse.remove(address);
      return replan(address, before, Map.of());
    }
    return replan(address, before, contributionsOf(address, use));
  }

  /** Service {@code serviceKey} using {@code address} now has {@code serviceLabels}; returns the changes to send. */
  public List<Change> relabel(InetAddress address, String serviceKey, Map<String, String> serviceLabels) {
    Use use = inUse.get(address);
    int i = use == null ? -1 : indexOf(use, serviceKey);
    if (i < 0 || use.services.get(i).labels().equals(serviceLabels)) {
      return List.of();
    }
    ServiceUse relabelled = new ServiceUse(serviceKey, Map.copyOf(serviceLabels));
    if (!servicesMatter) {
      use.services.set(i, relabelled);
      return List.of();
    }
    Map<String, Map<IpPrefix, Contribution>> before = contributionsOf(address, use);
    use.services.set(i, relabelled);
    return replan(address, before, contributionsOf(address, use));
  }

  private static int indexOf(Use use, String serviceKey) {
    for (int i = 0; i < use.services.size(); i++) {
      if (use.services.get(i).serviceKey().equals(serviceKey)) {
        return i;
      }
    }
    return -1;
  }

  /** Replaces what {@code address} contributed ({@code before}) by {@code after}; the changes to send. */
  private List<Change> replan(InetAddress address, Map<String, Map<IpPrefix, Contribution>> before,
      Map<String, Map<IpPrefix, Contribution>> after) {
    if (before.equals(after)) {
      return List.of(); // e.g. a second service on a shared address, no serviceSelectors involved
    }
    Map<String, Set<IpPrefix>> touched = new LinkedHashMap<>();
    for (Map.Entry<String, Map<IpPrefix, Contribution>> e : before.entrySet()) {
      for (IpPrefix prefix : e.getValue().keySet()) {
        Map<InetAddress, Contribution> byAddress = contributions.get(e.getKey()).get(prefix);
        byAddress.remove(address);
        if (byAddress.isEmpty()) {
          contributions.get(e.getKey()).remove(prefix);
        }
        touched.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>()).add(prefix);
      }
    }
    for (Map.Entry<String, Map<IpPrefix, Contribution>> e : after.entrySet()) {
      for (Map.Entry<IpPrefix, Contribution> c : e.getValue().entrySet()) {
        contributions.computeIfAbsent(e.getKey(), k -> new HashMap<>())
            .computeIfAbsent(c.getKey(), k -> new LinkedHashMap<>())
            .put(address, c.getValue());
        touched.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>()).add(c.getKey());
      }
    }
    List<Change> changes = new ArrayList<>();
    touched.forEach((peer, prefixes) -> prefixes.forEach(prefix -> refresh(peer, prefix, changes)));
    return changes;
  }

  /**
   * The addresses in use that an advertisement announces from this node, whichever peers it names and whether any
   * runs: MetalLB's desired state (its ShouldAnnounce looks at the advertisements' nodes, not at the peers), which
   * {@code metallb_speaker_announced} reports.
   */
  public Set<InetAddress> desiredAddresses() {
    Set<InetAddress> out = new HashSet<>();
    if (node.excludedFromLoadBalancers()) {
      return out;
    }
    for (Map.Entry<InetAddress, Use> e : inUse.entrySet()) {
      for (AdvertisementConfig adv : config.advertisements()) {
        if (config.appliesTo(adv, e.getValue().pool) && matchesNode(adv.nodeSelectors())
            && selectsAService(adv, e.getValue())) {
          out.add(e.getKey());
          break;
        }
      }
    }
    return out;
  }

  /** The addresses in use that some peer's routes carry now (an address no advertisement selects is not among them). */
  public Set<InetAddress> announcedAddresses() {
    Set<InetAddress> out = new HashSet<>();
    for (Map<IpPrefix, Map<InetAddress, Contribution>> byPrefix : contributions.values()) {
      for (Map<InetAddress, Contribution> byAddress : byPrefix.values()) {
        out.addAll(byAddress.keySet());
      }
    }
    return out;
  }

  /** The routes {@code peer} should hold now, in prefix order. */
  public List<PlannedRoute> routes(String peer) {
    TreeMap<IpPrefix, PlannedRoute> r = routes.get(peer);
    return r == null ? List.of() : List.copyOf(r.values());
  }

  private static Optional<String> poolHolding(SpeakerConfig config, InetAddress address) {
    for (IpAddressPool pool : config.pools()) {
      for (IpRange range : pool.ranges()) {
        if (range.contains(address)) {
          return Optional.of(pool.name());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The same addresses planned under {@code newConfig}, and the changes that take every peer from this plan to it:
   * only prefixes whose attributes differ are re-announced, so an unchanged peering sees nothing.
   */
  public Reconfiguration reconfigure(SpeakerConfig newConfig, NodeIdentity newNode) {
    RoutePlan next = new RoutePlan(newConfig, newNode);
    for (Map.Entry<InetAddress, Use> e : inUse.entrySet()) {
      // An address kept across a pool change belongs to the pool that holds it now (MetalLB's SetPools), whose
      // advertisements apply from here on.
      String pool = poolHolding(newConfig, e.getKey()).orElse(e.getValue().pool);
      for (ServiceUse service : e.getValue().services) {
        next.add(e.getKey(), pool, service.serviceKey(), service.labels());
      }
    }
    List<Change> changes = new ArrayList<>();
    TreeSet<String> peers = new TreeSet<>(routes.keySet());
    peers.addAll(next.routes.keySet());
    for (String peer : peers) {
      Map<IpPrefix, PlannedRoute> before = routes.getOrDefault(peer, new TreeMap<>());
      Map<IpPrefix, PlannedRoute> after = next.routes.getOrDefault(peer, new TreeMap<>());
      for (Map.Entry<IpPrefix, PlannedRoute> b : before.entrySet()) {
        if (!after.containsKey(b.getKey())) {
          changes.add(new Change(peer, b.getKey(), Optional.empty()));
        }
      }
      for (Map.Entry<IpPrefix, PlannedRoute> a : after.entrySet()) {
        if (!a.getValue().equals(before.get(a.getKey()))) {
          changes.add(new Change(peer, a.getKey(), Optional.of(a.getValue())));
        }
      }
    }
    return new Reconfiguration(next, changes);
  }

  /** The outcome of {@link #reconfigure}: the new plan and what to send to get there. */
  public record Reconfiguration(RoutePlan plan, List<Change> changes) {}

  private void refresh(String peer, IpPrefix prefix, List<Change> changes) {
    Map<InetAddress, Contribution> byAddress =
        contributions.getOrDefault(peer, Map.of()).getOrDefault(prefix, Map.of());
    TreeMap<IpPrefix, PlannedRoute> peerRoutes = routes.computeIfAbsent(peer, k -> new TreeMap<>());
    PlannedRoute before = peerRoutes.get(prefix);
    PlannedRoute after = byAddress.isEmpty() ? null : merge(prefix, byAddress.values());
    if (Objects.equals(before, after)) {
      return;
    }
    if (after == null) {
      peerRoutes.remove(prefix);
      changes.add(new Change(peer, prefix, Optional.empty()));
    } else {
      peerRoutes.put(prefix, after);
      changes.add(new Change(peer, prefix, Optional.of(after)));
    }
  }

  private static PlannedRoute merge(IpPrefix prefix, Iterable<Contribution> all) {
    TreeSet<Community> communities = new TreeSet<>(Comparator.comparingLong(c -> c.value() & 0xFFFFFFFFL));
    TreeSet<LargeCommunity> large = new TreeSet<>(Comparator.comparingLong(LargeCommunity::globalAdministrator)
        .thenComparingLong(LargeCommunity::localData1).thenComparingLong(LargeCommunity::localData2));
    Optional<Long> localPref = Optional.empty();
    for (Contribution c : all) {
      communities.addAll(c.communities());
      large.addAll(c.large());
      if (localPref.isEmpty()) {
        localPref = c.localPref();
      }
    }
    return new PlannedRoute(prefix, List.copyOf(communities), List.copyOf(large), localPref);
  }

  /** Per peer, the prefix {@code address} is announced as and what it contributes there. */
  private Map<String, Map<IpPrefix, Contribution>> contributionsOf(InetAddress address, Use use) {
    String pool = use.pool;
    boolean v4 = address instanceof Inet4Address;
    Map<String, Map<IpPrefix, List<AdvertisementConfig>>> matched = new LinkedHashMap<>();
    if (node.excludedFromLoadBalancers()) {
      return Map.of(); // MetalLB announces no service from a node labelled so (NodeIdentity.EXCLUDE_FROM_...)
    }
    for (AdvertisementConfig adv : config.advertisements()) {
      if (!config.appliesTo(adv, pool) || !matchesNode(adv.nodeSelectors()) || !selectsAService(adv, use)) {
        continue;
      }
      IpPrefix prefix = IpPrefix.of(maskTo(address, v4 ? adv.aggregationLength() : adv.aggregationLengthV6()),
          v4 ? adv.aggregationLength() : adv.aggregationLengthV6());
      for (PeerConfig peer : config.peers()) {
        if (!adv.peers().isEmpty() && !adv.peers().contains(peer.name())) {
          continue;
        }
        if (!peerActive(peer) || !carries(peer, v4)) {
          continue;
        }
        matched.computeIfAbsent(peer.name(), k -> new LinkedHashMap<>())
            .computeIfAbsent(prefix, k -> new ArrayList<>()).add(adv);
      }
    }
    Map<String, Map<IpPrefix, Contribution>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Map<IpPrefix, List<AdvertisementConfig>>> e : matched.entrySet()) {
      PeerConfig peer = config.peer(e.getKey()).orElseThrow();
      for (Map.Entry<IpPrefix, List<AdvertisementConfig>> p : e.getValue().entrySet()) {
        List<Community> communities = new ArrayList<>();
        List<LargeCommunity> large = new ArrayList<>();
        Optional<Long> localPref = Optional.empty();
        boolean bySelector = false;
        // A dynamicASN ANY session is iBGP or eBGP as the peer's OPEN says: it gets the localPref too, which its session
        // drops toward eBGP (RFC 4271 §5.1.5) instead of putting 100 on an iBGP route that lacks one.
        boolean mayBeInternal = peer.internal() || peer.dynamicAsn().orElse(null) == DynamicAsn.ANY;
        for (AdvertisementConfig adv : p.getValue()) {
          communities.addAll(adv.communities());
          large.addAll(adv.largeCommunities());
          if (!mayBeInternal || adv.localPref().isEmpty()) {
            continue;
          }
          // Only advertisements with serviceSelectors may disagree (SpeakerConfig): the one that selects the service
          // is the more specific and wins; of several, the highest localPref.
          boolean selects = !adv.serviceSelectors().isEmpty();
          if (localPref.isEmpty() || selects && !bySelector
              || selects == bySelector && adv.localPref().get() > localPref.get()) {
            localPref = adv.localPref();
            bySelector = selects;
          }
        }
        out.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>())
            .put(p.getKey(), new Contribution(communities, large, localPref));
      }
    }
    return out;
  }

  /** Whether {@code adv} has no serviceSelectors, or one of them selects a service using the address. */
  private static boolean selectsAService(AdvertisementConfig adv, Use use) {
    if (adv.serviceSelectors().isEmpty()) {
      return true;
    }
    for (ServiceUse service : use.services) {
      for (LabelSelector selector : adv.serviceSelectors()) {
        if (selector.matches(service.labels())) {
          return true;
        }
      }
    }
    return false;
  }

  /** A session carries the family of its peer address, and the other one too with dualStackAddressFamily. */
  private static boolean carries(PeerConfig peer, boolean v4Route) {
    boolean v4Peer = peer.peerAddress() instanceof Inet4Address;
    return v4Peer == v4Route || peer.dualStackAddressFamily();
  }

  private boolean matchesNode(List<LabelSelector> selectors) {
    if (selectors.isEmpty()) {
      return true;
    }
    Map<String, String> labels = node.selectorLabels();
    for (LabelSelector s : selectors) {
      if (s.matches(labels)) {
        return true;
      }
    }
    return false;
  }

  private static InetAddress maskTo(InetAddress address, int length) {
    byte[] b = address.getAddress();
    for (int bit = length; bit < b.length * 8; bit++) {
      b[bit >> 3] &= (byte) ~(0x80 >>> (bit & 7));
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
