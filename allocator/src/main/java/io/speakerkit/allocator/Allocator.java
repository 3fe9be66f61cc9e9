package io.speakerkit.allocator;

import io.speakerkit.allocator.AllocationResult.Allocated;
import io.speakerkit.allocator.AllocationResult.Refused;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which service gets which address, as MetalLB's controller does, and records every decision in an
 * {@link AllocationStore} before reporting it.
 *
 * <pre>{@code
 * Allocator allocator = Allocator.builder()
 *     .pools(IpAddressPool.builder().name("default").addresses("192.0.2.0/24", "2001:db8::/64").build())
 *     .store(FileAllocationStore.open(Path.of("/var/lib/speaker/allocations")))
 *     .build();                       // every stored allocation is restored here, before any request
 * AllocationResult r = allocator.allocate(ServiceRequest.builder("web/frontend").build());
 * }</pre>
 *
 * <h2>Choosing a pool (automatic requests)</h2>
 * Pools whose {@link ServiceAllocation} matches the service come first, lower priority first, unset priority after
 * set ones; then pools without a service allocation. Only pools with {@code autoAssign} take part. A pool whose
 * service allocation names no namespace, namespace selector or service selector, only a priority, matches every
 * service (MetalLB from v0.15, see {@link ServiceAllocation}). MetalLB leaves the order among pools of equal standing
 * to Go map iteration; here ties go by pool name, so the order is deterministic. A request naming a pool or an address
 * uses that pool whatever its autoAssign, but only if the pool's serviceAllocation admits the service (MetalLB's
 * isPoolCompatibleWithService); a service keeps an address it holds as long as the address stays in a pool that
 * admits it and stays shareable, even if autoAssign changes (as MetalLB does).
 *
 * <h2>Choosing an address</h2>
 * Within a pool, ranges are tried in configured order and within a range the lowest address that is free, or held
 * only by services this one may share with, wins (this keeps BGP aggregates compact and puts services with one
 * sharing key together, as MetalLB does). For IPv6 {@link Placement#RANDOM} picks a random free address instead.
 * Free space is never enumerated: the used addresses are kept as merged runs, so the next free address is one
 * logarithmic lookup.
 *
 * <h2>Sharing</h2>
 * Two services may hold one address when both have the same sharing key, the same backend key, and no protocol/port
 * pair in common; otherwise the refusal names the holder and the rule that failed.
 *
 * <h2>Threads and durability</h2>
 * One writer at a time: decisions and the store's write happen under the allocator's lock, so no two callers can
 * ever pick the same address. Waiting for the write to be durable (fsync) happens after the lock is released, so
 * concurrent callers share fsyncs (group commit, see {@link AllocationStore#putDeferred}). No result, and no answer
 * of {@link #allocation}/{@link #allocations()}, is returned before everything it shows is durable. If the store
 * fails to make a change durable, that caller gets the {@link AllocationStoreException} and the allocator stops
 * serving (every later call throws): build a new one on the store to continue from what is durable.
 */
public final class Allocator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Allocator.class);

  /** Where in a pool a new IPv6 address goes. IPv4 always uses {@link #LOWEST_FREE}. */
  public enum Placement {
    /** The lowest free address: compact, deterministic, MetalLB's behaviour. */
    LOWEST_FREE,
    /** A uniformly random start point in the range, then the next free address (wrapping around). */
    RANDOM
  }

  private record ShareMeta(String sharingKey, String backendKey, Set<ServicePort> ports) {}

  private final AllocationStore store;
  private final Placement ipv6Placement;
  private final RandomGenerator random;
  private final AllocationTable table = new AllocationTable();
  private final Map<String, ShareMeta> shareMeta = new HashMap<>();
  /** sharing key -> address -> number of holders with that key; only services that allow sharing appear. */
  private final Map<String, TreeMap<Addr, Integer>> sharedAddresses = new HashMap<>();
  private PoolIndex pools;
  private long[][] inUse;
  /** Highest group-commit ticket handed out by the store; results wait for it outside the lock. */
  private long lastTicket;
  /** Set when the store could not make a change durable: from then on the allocator refuses to serve. */
  private volatile AllocationStoreException stopped;
  private final PoolUpdate restored;

  /** An address as a comparable value, used only for the (few) addresses of sharing services. */
  private record Addr(long hi, long lo) implements Comparable<Addr> {
    @Override
    public int compareTo(Addr o) {
      return U128.compare(hi, lo, o.hi, o.lo);
    }
  }

  private Allocator(Builder b) {
    this.store = b.store;
    this.ipv6Placement = b.ipv6Placement;
    this.random = b.random;
    this.pools = PoolIndex.of(b.pools);
    this.inUse = new long[pools.pools.size()][2];
    PoolUpdate r;
    try {
      r = restore();
    } catch (RuntimeException e) {
      try {
        store.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    this.restored = r;
  }

  /** A builder with no pools, the in-memory store, and lowest-free placement. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------- restore

  private PoolUpdate restore() {
    List<String> conflicts = new ArrayList<>();
    Map<String, Allocation> conflicting = new TreeMap<>();
    store.replay(new AllocationStore.Replay() {
      @Override
      public void put(Allocation a) {
        removeInMemory(a.serviceKey());
        conflicting.remove(a.serviceKey());
        for (InetAddress addr : a.addresses()) {
          byte[] raw = addr.getAddress();
          long h = U128.hi(raw);
          long l = U128.lo(raw);
          boolean used = ipv6Placement == Placement.RANDOM ? table.holderOf(h, l) != AllocationTable.NONE : table.runs.contains(h, l);
          if (!used) {
            continue; // free: nothing to conflict with (a cheap check; the common case)
          }
          String why = sharingConflict(h, l, a.serviceKey(), a.sharingKey(), a.backendKey(), a.ports());
          if (why != null) {
            // cannot happen with this allocator's own journal; kept out rather than handing one address to two
            conflicts.add(a.serviceKey() + ": " + why);
            conflicting.put(a.serviceKey(), a);
            return;
          }
        }
        addInMemory(a); // the pool name, address order and non-sharing details play no part in memory
      }

      @Override
      public void remove(String serviceKey) {
        removeInMemory(serviceKey);
        conflicting.remove(serviceKey);
      }
    });
    for (String c : conflicts) {
      log.warn("restored allocation dropped because it conflicts with an earlier one: {}", c);
    }
    TreeMap<String, Allocation> released = new TreeMap<>(conflicting);
    released.putAll(outsidePools(pools));
    if (!released.isEmpty()) {
      store.removeAll(released.keySet());
      for (String k : released.keySet()) {
        removeInMemory(k);
      }
      log.info("{} restored allocations were released: {} lie outside the configured pools (or on addresses a pool"
          + " excludes), {} conflicted with earlier ones", released.size(), released.size() - conflicting.size(), conflicting.size());
    }
    // inUse was kept exact by addInMemory/removeInMemory throughout
    if (store.wantsCompaction(table.serviceCount())) {
      store.compact(allocationsUnlocked());
    }
    return new PoolUpdate(new ArrayList<>(released.values()));
  }

  /**
   * A long-running speaker's journal grows with every change; once the store asks for it (a file store: more than
   * twice the live records plus 1024), it is rewritten now, with the memory state complete (amortized: at most one
   * rewrite per that many changes). Called with the lock held, after a change is applied in memory.
   */
  private void compactIfDue() {
    if (store.wantsCompaction(table.serviceCount())) {
      try {
        store.compact(allocationsUnlocked());
      } catch (AllocationStoreException e) {
        stopped = e; // as for a failed sync: the change may not be durable, nothing more is accepted
        throw e;
      }
    }
  }

  /** Rewrites the store to hold only the live allocations (for a file store: a fresh journal, renamed into place). */
  public synchronized void compactStore() {
    store.compact(allocationsUnlocked());
  }

  /** Allocations restored from the store at build time that had to be released (outside every pool). */
  public PoolUpdate restoreReport() {
    return restored;
  }

  // ---------------------------------------------------------------------------------------------- queries

  /** The pools, sorted by name. */
  public synchronized List<IpAddressPool> pools() {
    return pools.pools;
  }

  /** What the service holds, if anything. */
  public Optional<Allocation> allocation(String serviceKey) {
    Allocation a;
    long ticket;
    synchronized (this) {
      a = view(serviceKey);
      ticket = lastTicket;
    }
    awaitDurable(ticket);
    return Optional.ofNullable(a);
  }

  /** Every allocation, sorted by service key. Proportional to the number of services: for tools and tests. */
  public List<Allocation> allocations() {
    List<Allocation> all;
    long ticket;
    synchronized (this) {
      all = allocationsUnlocked();
      ticket = lastTicket;
    }
    awaitDurable(ticket);
    return all;
  }

  private List<Allocation> allocationsUnlocked() {
    List<String> keys = new ArrayList<>(table.serviceCount());
    table.forEachService(e -> keys.add(table.svc[e]));
    keys.sort(Comparator.naturalOrder());
    List<Allocation> out = new ArrayList<>(keys.size());
    for (String k : keys) {
      out.add(view(k));
    }
    return out;
  }

  /** Number of services holding addresses. */
  public synchronized int serviceCount() {
    return table.serviceCount();
  }

  /** Services holding {@code address}, sorted. */
  public synchronized List<String> holders(InetAddress address) {
    List<String> out = new ArrayList<>();
    for (int e = table.holderOf(U128.hi(address), U128.lo(address)); e != AllocationTable.NONE; e = table.nextAddr[e]) {
      out.add(table.svc[e]);
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** Exact usage of every pool, per family it has, in pool-name order. */
  public synchronized List<PoolUsage> usage() {
    List<PoolUsage> out = new ArrayList<>();
    for (int p = 0; p < pools.pools.size(); p++) {
      IpAddressPool pool = pools.pools.get(p);
      for (IpFamily f : IpFamily.values()) {
        if (pool.hasFamily(f)) {
          out.add(new PoolUsage(pool.name(), f, pool.capacity(f), inUse[p][f.ordinal()]));
        }
      }
    }
    return out;
  }

  /** Usage of one pool, per family it has; empty if there is no such pool. */
  public synchronized List<PoolUsage> usage(String pool) {
    List<PoolUsage> out = new ArrayList<>();
    for (PoolUsage u : usage()) {
      if (u.pool().equals(pool)) {
        out.add(u);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- release

  /**
   * Releases what the service holds; durable in the store before this returns.
   *
   * @return what was released, or empty if the service held nothing
   */
  public Optional<Allocation> release(String serviceKey) {
    Allocation current;
    long ticket;
    synchronized (this) {
      checkRunning();
      current = view(serviceKey);
      if (current != null) {
        note(store.removeDeferred(serviceKey));
        removeInMemory(serviceKey);
        compactIfDue();
      }
      ticket = lastTicket;
    }
    awaitDurable(ticket);
    return Optional.ofNullable(current);
  }

  // ---------------------------------------------------------------------------------------------- durability

  private void deferredPut(Allocation a) {
    note(store.putDeferred(a));
  }

  private void note(long ticket) {
    lastTicket = Math.max(lastTicket, ticket);
  }

  /** Waits, outside the lock, until everything up to {@code ticket} is durable; stops the allocator if it cannot be. */
  private void awaitDurable(long ticket) {
    try {
      store.awaitDurable(ticket);
    } catch (AllocationStoreException e) {
      stopped = e;
      throw e;
    }
  }

  private void checkRunning() {
    AllocationStoreException e = stopped;
    if (e != null) {
      throw new AllocationStoreException("allocator stopped: an earlier change could not be made durable (" + e.getMessage()
          + "); expected: build a new allocator on a working store, which restores what was durable", e);
    }
  }

  // ---------------------------------------------------------------------------------------------- pools

  /**
   * Replaces the pools in one deterministic pass: allocations whose addresses are all still inside a pool (and allowed
   * by it) stay; the others are released, durably, and returned sorted by service key so the caller can request
   * them again.
   *
   * @throws IllegalArgumentException if the new pools overlap or repeat a name; nothing changes then
   */
  public synchronized PoolUpdate updatePools(List<IpAddressPool> newPools) {
    checkRunning();
    PoolIndex next = PoolIndex.of(Objects.requireNonNull(newPools, "newPools"));
    TreeMap<String, Allocation> outside = outsidePools(next);
    if (!outside.isEmpty()) {
      try {
        store.removeAll(outside.keySet());
      } catch (AllocationStoreException e) {
        stopped = e; // as for a failed sync: some removals may be durable, memory still has them; nothing more
        throw e;
      }
    }
    for (String k : outside.keySet()) {
      removeInMemory(k);
    }
    pools = next;
    recount();
    if (ipv6Placement == Placement.RANDOM) {
      rebuildRuns();
    }
    return new PoolUpdate(new ArrayList<>(outside.values()));
  }

  /**
   * Allocations with an address outside {@code index}'s pools (or excluded by avoidBuggyIPs), or whose addresses now
   * lie in different pools (a dual-stack pool split in two: MetalLB's poolFor wants one pool holding every address);
   * one sequential pass.
   */
  private TreeMap<String, Allocation> outsidePools(PoolIndex index) {
    TreeMap<String, Allocation> out = new TreeMap<>();
    Map<String, Integer> poolOfService = new HashMap<>();
    table.forEachEntry(e -> {
      long h = table.hi(e);
      long l = table.lo(e);
      int p = index.poolOf(h, l);
      String k = table.svc[e];
      Integer first = p < 0 ? null : poolOfService.putIfAbsent(k, p);
      if (p < 0 || (index.pools.get(p).avoidBuggyIPs() && isBuggy(h, l)) || (first != null && first != p)) {
        if (!out.containsKey(k)) {
          out.put(k, view(k));
        }
      }
    });
    return out;
  }

  private void recount() {
    inUse = new long[pools.pools.size()][2];
    table.forEachAddress(e -> {
      int p = pools.poolOf(table.hi(e), table.lo(e));
      if (p >= 0) {
        inUse[p][U128.isV4(table.hi(e), table.lo(e)) ? 0 : 1]++;
      }
    });
  }

  // ---------------------------------------------------------------------------------------------- allocate

  /**
   * Gives the service what it asks for, or says why not.
   *
   * <p>If the service already holds addresses that still satisfy the request, it keeps them (and nothing is written
   * unless its sharing details changed). Otherwise a new allocation replaces the old one in a single store write; if
   * no new allocation is possible the old one is released, as MetalLB's controller clears it, and the refusal names
   * it ({@link Refused#released}). A request refused for its own shape changes nothing.
   *
   * @throws AllocationStoreException if the store cannot record the change; the allocator is unchanged then
   */
  public AllocationResult allocate(ServiceRequest req) {
    Objects.requireNonNull(req, "req");
    AllocationResult r;
    long ticket;
    synchronized (this) {
      checkRunning();
      r = allocateLocked(req);
      compactIfDue();
      ticket = lastTicket;
    }
    awaitDurable(ticket);
    return r;
  }

  /** The service's allocation becomes {@code next} (recorded and applied), or stays when nothing changed. */
  private Allocated replace(Allocation current, Allocation next) {
    if (next.equals(current)) {
      return new Allocated(current, false);
    }
    deferredPut(next);
    removeInMemory(current.serviceKey());
    addInMemory(next);
    return new Allocated(next, true);
  }

  private AllocationResult allocateLocked(ServiceRequest req) {
    String key = req.serviceKey();
    Allocation current = view(key);
    Refused shape = checkShape(req);
    if (shape != null) {
      if (current == null || shape.reason() != Refusal.FAMILY_MISMATCH) {
        // MetalLB's controller rejects an unreadable request (two addresses of one family) before it touches the
        // service's addresses
        return shape;
      }
      // ...but clears them for addresses of the wrong family (differentIPRequested), then fails to allocate
      Refused r = released(key, current, shape);
      removeInMemory(key);
      return r;
    }
    if (current != null && satisfies(current, req)) {
      return replace(current, withRequestMeta(current.addresses(), current.pool(), req));
    }
    if (current != null) {
      Allocation grown = growToDualStack(current, req);
      if (grown != null) {
        return replace(current, grown);
      }
      if (req.ipFamilyPolicy() == IpFamilyPolicy.PREFER_DUAL_STACK && current.addresses().size() == 1
          && req.addresses().isEmpty() && stillFits(current.addresses(), req)) {
        // its pool has none of the other family free: PreferDualStack keeps the one address it has
        return replace(current, withRequestMeta(current.addresses(), current.pool(), req));
      }
      removeInMemory(key);
    }
    boolean done = false;
    try {
      AllocationResult r = compute(req);
      if (r instanceof Allocated a) {
        deferredPut(a.allocation());
        addInMemory(a.allocation());
      } else if (current != null) {
        // As MetalLB's controller: an address the changed request no longer fits is cleared before allocating anew,
        // and stays cleared when that fails.
        r = released(key, current, (Refused) r);
      }
      done = true;
      return r;
    } finally {
      if (!done && current != null) {
        addInMemory(current); // compute failed with an exception: nothing changed
      }
    }
  }

  /** {@code refused}, naming {@code current}, which leaves the store (the caller takes it out of memory). */
  private Refused released(String key, Allocation current, Refused refused) {
    note(store.removeDeferred(key));
    return new Refused(refused.reason(), refused.message() + "; released " + text(current.addresses())
        + ", which no longer fit the request", Optional.of(current));
  }

  private Refused checkShape(ServiceRequest req) {
    List<InetAddress> addrs = req.addresses();
    if (addrs.size() > 2 || (addrs.size() == 2 && IpFamily.of(addrs.get(0)) == IpFamily.of(addrs.get(1)))) {
      return new Refused(Refusal.CONFLICTING_REQUEST, req.serviceKey() + " asks for addresses " + text(addrs)
          + " (expected: at most one address per family)");
    }
    switch (req.ipFamilyPolicy()) {
      case SINGLE_STACK -> {
        if (addrs.size() == 2) {
          return new Refused(Refusal.FAMILY_MISMATCH, req.serviceKey() + " is SingleStack but asks for two addresses " + text(addrs)
              + " (expected: one address, or ipFamilyPolicy PreferDualStack/RequireDualStack)");
        }
        if (addrs.size() == 1 && IpFamily.of(addrs.get(0)) != req.ipFamily()) {
          return new Refused(Refusal.FAMILY_MISMATCH, req.serviceKey() + " is SingleStack " + req.ipFamily() + " but asks for "
              + IpFamily.of(addrs.get(0)) + " address " + text(addrs) + " (expected: an address of the service's family)");
        }
      }
      case REQUIRE_DUAL_STACK -> {
        if (addrs.size() == 1) {
          return new Refused(Refusal.FAMILY_MISMATCH, req.serviceKey() + " is RequireDualStack but asks only for " + text(addrs)
              + " (expected: one IPv4 and one IPv6 address, or none)");
        }
      }
      case PREFER_DUAL_STACK -> {
        // MetalLB (service.go allocateIPs): the requested addresses have the families of the ClusterIPs
        if (addrs.size() == 1 && req.dualStackClusterIps()) {
          return new Refused(Refusal.FAMILY_MISMATCH, req.serviceKey() + " is PreferDualStack with ClusterIPs of both"
              + " families but asks only for " + text(addrs) + " (expected: one IPv4 and one IPv6 address, or none)");
        }
        if (addrs.size() == 2 && !req.dualStackClusterIps()) {
          return new Refused(Refusal.FAMILY_MISMATCH, req.serviceKey() + " is PreferDualStack with " + req.ipFamily()
              + " ClusterIPs only but asks for " + text(addrs) + " (expected: one " + req.ipFamily()
              + " address, or none)");
        }
        if (addrs.size() == 1 && IpFamily.of(addrs.get(0)) != req.ipFamily()) {
          return new Refused(Refusal.FAMILY_MISMATCH, req.serviceKey() + " is PreferDualStack with " + req.ipFamily()
              + " ClusterIPs but asks for " + text(addrs) + " (expected: an address of the service's family)");
        }
      }
    }
    return null;
  }

  private boolean satisfies(Allocation current, ServiceRequest req) {
    List<InetAddress> have = current.addresses();
    switch (req.ipFamilyPolicy()) {
      case SINGLE_STACK -> {
        if (have.size() != 1 || IpFamily.of(have.get(0)) != req.ipFamily()) {
          return false;
        }
      }
      case REQUIRE_DUAL_STACK -> {
        if (have.size() != 2) {
          return false;
        }
      }
      case PREFER_DUAL_STACK -> {
        if (!req.dualStackClusterIps() && (have.size() != 1 || IpFamily.of(have.get(0)) != req.ipFamily())) {
          return false; // MetalLB (serviceFamilyChanged): LB addresses of other families than single-family ClusterIPs
        }
        if (have.size() == 1 && req.addresses().isEmpty() && req.dualStackClusterIps()) {
          // a single-family address is fine only if its pool could not have given both
          int p = pools.poolOf(U128.hi(have.get(0)), U128.lo(have.get(0)));
          if (p >= 0 && pools.pools.get(p).hasFamily(IpFamily.IPV4) && pools.pools.get(p).hasFamily(IpFamily.IPV6)) {
            return false;
          }
        }
      }
    }
    if (!req.addresses().isEmpty() && !new TreeSet<>(text(req.addresses())).equals(new TreeSet<>(text(have)))) {
      return false;
    }
    return stillFits(have, req);
  }

  /**
   * A single-stack service that now prefers dual stack keeps its address and gets the other family from the same
   * pool, as MetalLB does; null if that is not the situation or the pool has no such address. A service that now
   * requires dual stack is allocated afresh instead: MetalLB (serviceFamilyChanged) accepts a family difference
   * only under PreferDualStack, and otherwise clears the service and allocates again.
   */
  private Allocation growToDualStack(Allocation current, ServiceRequest req) {
    List<InetAddress> have = current.addresses();
    if (have.size() != 1 || !req.addresses().isEmpty() || req.ipFamilyPolicy() != IpFamilyPolicy.PREFER_DUAL_STACK
        || !req.dualStackClusterIps() || !stillFits(have, req)) {
      return null;
    }
    int p = pools.poolOf(U128.hi(have.get(0)), U128.lo(have.get(0)));
    IpFamily other = IpFamily.of(have.get(0)) == IpFamily.IPV4 ? IpFamily.IPV6 : IpFamily.IPV4;
    if (!pools.pools.get(p).hasFamily(other) || !findAddress(p, other, req)) {
      return null;
    }
    List<InetAddress> both = new ArrayList<>(List.of(have.get(0), U128.toInet(foundHi, foundLo)));
    both.sort(Comparator.comparing(IpFamily::of));
    return withRequestMeta(both, pools.pools.get(pools.poolOf(U128.hi(both.get(0)), U128.lo(both.get(0)))).name(), req);
  }

  /**
   * True if the held addresses are still in a pool (the named one, if any) that admits the service, and shareable
   * under the request's sharing details. As in MetalLB (whose Assign re-checks every held address), a service keeps
   * its address when autoAssign changed since, but not when the pool's serviceAllocation no longer admits it.
   */
  private boolean stillFits(List<InetAddress> have, ServiceRequest req) {
    int first = -1;
    for (InetAddress a : have) {
      long h = U128.hi(a);
      long l = U128.lo(a);
      int p = pools.poolOf(h, l);
      if (p < 0 || (first >= 0 && p != first)) {
        return false; // outside every pool, or the addresses no longer share one
      }
      first = p;
      if (req.pool().isPresent() && !pools.pools.get(p).name().equals(req.pool().get())) {
        return false;
      }
      if (notAdmitted(pools.pools.get(p), req) != null) {
        return false;
      }
      if (sharingConflict(h, l, req.serviceKey(), req.sharingKey(), req.backendKey(), req.ports()) != null) {
        return false;
      }
    }
    return true;
  }

  private AllocationResult compute(ServiceRequest req) {
    if (!req.addresses().isEmpty()) {
      return computeSpecific(req);
    }
    if (req.pool().isPresent()) {
      Integer p = pools.byName.get(req.pool().get());
      if (p == null) {
        return new Refused(Refusal.UNKNOWN_POOL, req.serviceKey() + " asks for pool \"" + req.pool().get()
            + "\", which does not exist (" + poolNames() + ")");
      }
      String notAdmitted = notAdmitted(pools.pools.get(p), req);
      if (notAdmitted != null) {
        return new Refused(Refusal.NOT_ADMITTED_BY_POOL, req.serviceKey() + " asks for pool \"" + req.pool().get()
            + "\", but " + notAdmitted);
      }
      return fromPool(p, req);
    }
    List<List<Integer>> groups = candidatePools(req);
    if (groups.get(0).isEmpty() && groups.get(1).isEmpty()) {
      return new Refused(Refusal.NO_ELIGIBLE_POOL, "no pool may assign addresses to " + req.serviceKey()
          + " automatically (" + poolNames() + "; pools need autoAssign, and a matching serviceAllocation if they have one;"
          + " expected: name a pool or an address, or configure an eligible pool)");
    }
    // MetalLB (allocator.go Allocate): the pinned pools as a group first, the open pools only if none of them gives
    // an address
    StringBuilder why = new StringBuilder();
    boolean[] exhausted = new boolean[1];
    for (List<Integer> group : groups) {
      Allocated a = bestOf(group, req, why, exhausted);
      if (a != null) {
        return a;
      }
    }
    return new Refused(exhausted[0] ? Refusal.POOL_EXHAUSTED : Refusal.FAMILY_MISMATCH,
        "no address for " + req.serviceKey() + " in any eligible pool: " + why);
  }

  /**
   * The allocation of the best pool of {@code group}, or null (the reasons appended to {@code why}). MetalLB
   * (findBestPoolForService): with ClusterIPs of both families, PreferDualStack takes the first pool that gives both,
   * else the first that gives the primary family, else the first that gives the other; with one family only, the
   * first pool that gives the primary family (fromPool refuses the others).
   */
  private Allocated bestOf(List<Integer> group, ServiceRequest req, StringBuilder why, boolean[] exhausted) {
    boolean wantsBoth = req.ipFamilyPolicy() == IpFamilyPolicy.PREFER_DUAL_STACK && req.dualStackClusterIps();
    Allocated primaryOnly = null;
    Allocated otherOnly = null;
    for (int p : group) {
      AllocationResult r = fromPool(p, req);
      if (r instanceof Allocated a) {
        List<InetAddress> got = a.allocation().addresses();
        if (!wantsBoth || got.size() == 2) {
          return a;
        }
        if (IpFamily.of(got.get(0)) == req.ipFamily()) {
          primaryOnly = primaryOnly == null ? a : primaryOnly;
        } else {
          otherOnly = otherOnly == null ? a : otherOnly;
        }
        continue;
      }
      Refused f = (Refused) r;
      exhausted[0] |= f.reason() == Refusal.POOL_EXHAUSTED;
      why.append(why.length() == 0 ? "" : "; ").append(f.message());
    }
    return primaryOnly != null ? primaryOnly : otherOnly;
  }

  /**
   * Null if {@code pool} may serve the service; otherwise why not. MetalLB (isPoolCompatibleWithService): a pool with a
   * serviceAllocation serves only the namespaces and services it selects, also for requested addresses and pool names.
   */
  private static String notAdmitted(IpAddressPool pool, ServiceRequest req) {
    if (pool.serviceAllocation().isEmpty()
        || pool.serviceAllocation().get().matches(req.namespace(), req.namespaceLabels(), req.serviceLabels())) {
      return null;
    }
    return "pool \"" + pool.name() + "\" admits other namespaces or services only (its serviceAllocation)";
  }

  /**
   * Pools for automatic assignment, in MetalLB's order: the pools pinned to the service by their serviceAllocation
   * (by priority, then name), then the pools without one (by name).
   */
  private List<List<Integer>> candidatePools(ServiceRequest req) {
    if (!pools.anyPinned) {
      return List.of(List.of(), pools.openAutoPools);
    }
    List<Integer> pinned = new ArrayList<>();
    List<Integer> open = new ArrayList<>();
    String ns = req.namespace();
    for (int p = 0; p < pools.pools.size(); p++) {
      IpAddressPool pool = pools.pools.get(p);
      if (!pool.autoAssign()) {
        continue;
      }
      if (pool.serviceAllocation().isEmpty()) {
        open.add(p);
      } else if (pool.serviceAllocation().get().matches(ns, req.namespaceLabels(), req.serviceLabels())) {
        pinned.add(p);
      }
    }
    pinned.sort(Comparator.comparingInt((Integer p) -> {
      int prio = pools.pools.get(p).serviceAllocation().get().priority();
      return prio == 0 ? Integer.MAX_VALUE : prio;
    }).thenComparing(p -> pools.pools.get(p).name()));
    return List.of(pinned, open); // open is already in name order
  }

  private AllocationResult fromPool(int p, ServiceRequest req) {
    IpAddressPool pool = pools.pools.get(p);
    List<IpFamily> families = switch (req.ipFamilyPolicy()) {
      case SINGLE_STACK -> List.of(req.ipFamily());
      case REQUIRE_DUAL_STACK -> List.of(IpFamily.IPV4, IpFamily.IPV6);
      // MetalLB v0.15 (#2726, selectIPsForFamilyAndPolicy): ClusterIPs of one family take that family only
      case PREFER_DUAL_STACK -> !req.dualStackClusterIps() ? List.of(req.ipFamily())
          : pool.hasFamily(IpFamily.IPV4) && pool.hasFamily(IpFamily.IPV6) ? List.of(IpFamily.IPV4, IpFamily.IPV6)
          : pool.hasFamily(IpFamily.IPV4) ? List.of(IpFamily.IPV4) : List.of(IpFamily.IPV6);
    };
    // MetalLB: PreferDualStack in a pool of both families takes both if free, else the primary family alone; with
    // ClusterIPs of both families also the other family alone (allocation.go selectIPsForFamilyAndPolicy)
    boolean preferBoth = families.size() == 2 && req.ipFamilyPolicy() == IpFamilyPolicy.PREFER_DUAL_STACK;
    List<InetAddress> got = new ArrayList<>(2);
    for (IpFamily f : families) {
      if (!pool.hasFamily(f)) {
        return new Refused(Refusal.FAMILY_MISMATCH, "pool \"" + pool.name() + "\" has no " + f + " range but "
            + req.serviceKey() + " (" + req.ipFamilyPolicy() + ") needs one");
      }
      if (!findAddress(p, f, req)) {
        if (preferBoth && (f != req.ipFamily() || req.dualStackClusterIps())) {
          continue;
        }
        String cap = pool.capacity(f).toString();
        return new Refused(Refusal.POOL_EXHAUSTED, "pool \"" + pool.name() + "\" has no free " + f + " address"
            + (req.sharingKey().isPresent() ? " and none shareable under key \"" + req.sharingKey().get() + "\"" : "")
            + " (" + inUse[p][f.ordinal()] + " of " + cap + " in use)");
      }
      got.add(U128.toInet(foundHi, foundLo));
    }
    if (got.isEmpty()) {
      return new Refused(Refusal.POOL_EXHAUSTED, "pool \"" + pool.name() + "\" has no free address of either family"
          + (req.sharingKey().isPresent() ? " and none shareable under key \"" + req.sharingKey().get() + "\"" : ""));
    }
    return new Allocated(withRequestMeta(got, pool.name(), req), true);
  }

  private long foundHi;
  private long foundLo;

  /** Finds an address of family f in pool p for req, into foundHi/foundLo. */
  private boolean findAddress(int p, IpFamily f, ServiceRequest req) {
    IpAddressPool pool = pools.pools.get(p);
    boolean avoid = pool.avoidBuggyIPs() && f == IpFamily.IPV4;
    boolean randomly = f == IpFamily.IPV6 && ipv6Placement == Placement.RANDOM;
    TreeMap<Addr, Integer> shared = req.sharingKey().isPresent() ? sharedAddresses.get(req.sharingKey().get()) : null;
    for (long[] r : pools.poolRanges[p]) {
      if (r[4] != f.ordinal()) {
        continue;
      }
      // lowest shareable address in the range
      Addr share = null;
      if (shared != null) {
        for (Addr a : shared.subMap(new Addr(r[0], r[1]), true, new Addr(r[2], r[3]), true).keySet()) {
          if (shareable(a.hi, a.lo, req.serviceKey(), req.sharingKey().get(), req.backendKey(), req.ports())) {
            share = a;
            break;
          }
        }
      }
      boolean free = randomly ? randomFree(r) : lowestFree(r[0], r[1], r[2], r[3], avoid);
      if (share != null && (!free || randomly || U128.compare(share.hi, share.lo, foundHi, foundLo) < 0)) {
        foundHi = share.hi;
        foundLo = share.lo;
        return true;
      }
      if (free) {
        return true;
      }
    }
    return false;
  }

  private boolean lowestFree(long sHi, long sLo, long eHi, long eLo, boolean avoidBuggy) {
    RunSet runs = table.runs;
    long h = sHi;
    long l = sLo;
    while (true) {
      if (!runs.firstFreeAtOrAfter(h, l)) {
        return false;
      }
      h = runs.outHi;
      l = runs.outLo;
      if (U128.compare(h, l, eHi, eLo) > 0) {
        return false;
      }
      if (avoidBuggy && isBuggy(h, l)) {
        if (h == eHi && l == eLo) {
          return false;
        }
        l++;
        if (l == 0) {
          h++;
        }
        continue;
      }
      foundHi = h;
      foundLo = l;
      return true;
    }
  }

  private boolean randomFree(long[] r) {
    if (PoolIndex.isHuge(r[0], r[1], r[2], r[3])) {
      // not in the run set: probe random addresses against the address table; with fewer than 2^31 allocations in
      // at least 2^32 addresses each probe is free with probability > 1/2, so 64 misses in a row do not happen
      for (int attempt = 0; attempt < 64; attempt++) {
        randomIn(r);
        if (table.holderOf(foundHi, foundLo) == AllocationTable.NONE) {
          return true;
        }
      }
      return false;
    }
    randomIn(r);
    long h = foundHi;
    long l = foundLo;
    if (lowestFree(h, l, r[2], r[3], false)) {
      return true;
    }
    return lowestFree(r[0], r[1], r[2], r[3], false);
  }

  /** A uniformly random address of range r, into foundHi/foundLo. */
  private void randomIn(long[] r) {
    // span = end - start, 128-bit
    long spanLo = r[3] - r[1];
    long spanHi = r[2] - r[0] - (Long.compareUnsigned(r[3], r[1]) < 0 ? 1 : 0);
    long offHi;
    long offLo;
    long maskHi = spanHi == 0 ? 0 : -1L >>> Long.numberOfLeadingZeros(spanHi);
    long maskLo = spanHi != 0 ? -1L : spanLo == 0 ? 0 : -1L >>> Long.numberOfLeadingZeros(spanLo);
    do {
      offHi = random.nextLong() & maskHi;
      offLo = random.nextLong() & maskLo;
    } while (U128.compare(offHi, offLo, spanHi, spanLo) > 0);
    foundLo = r[1] + offLo;
    foundHi = r[0] + offHi + (Long.compareUnsigned(foundLo, r[1]) < 0 ? 1 : 0);
  }

  static boolean isBuggy(long h, long l) {
    if (!U128.isV4(h, l)) {
      return false;
    }
    int last = (int) (l & 0xff);
    return last == 0 || last == 0xff;
  }

  private AllocationResult computeSpecific(ServiceRequest req) {
    List<InetAddress> want = new ArrayList<>(req.addresses());
    want.sort(Comparator.comparing(IpFamily::of));
    String poolName = null;
    for (InetAddress a : want) {
      long h = U128.hi(a);
      long l = U128.lo(a);
      int p = pools.poolOf(h, l);
      if (p < 0) {
        return new Refused(Refusal.ADDRESS_NOT_IN_POOL, req.serviceKey() + " asks for " + a.getHostAddress()
            + ", which is in no pool (" + pools.describe() + ")");
      }
      IpAddressPool pool = pools.pools.get(p);
      if (req.pool().isPresent() && !req.pool().get().equals(pool.name())) {
        return new Refused(Refusal.CONFLICTING_REQUEST, req.serviceKey() + " asks for " + a.getHostAddress() + " from pool \""
            + req.pool().get() + "\", but that address belongs to pool \"" + pool.name()
            + "\" (expected: an address of the named pool, or no pool name)");
      }
      String notAdmitted = notAdmitted(pool, req);
      if (notAdmitted != null) {
        return new Refused(Refusal.NOT_ADMITTED_BY_POOL, req.serviceKey() + " asks for " + a.getHostAddress()
            + ", but " + notAdmitted);
      }
      if (pool.avoidBuggyIPs() && isBuggy(h, l)) {
        return new Refused(Refusal.ADDRESS_NOT_ALLOWED, req.serviceKey() + " asks for " + a.getHostAddress() + ", but pool \""
            + pool.name() + "\" has avoidBuggyIPs, which excludes addresses ending in .0 and .255");
      }
      String why = sharingConflict(h, l, req.serviceKey(), req.sharingKey(), req.backendKey(), req.ports());
      if (why != null) {
        return new Refused(Refusal.ADDRESS_IN_USE, req.serviceKey() + " asks for " + why);
      }
      if (poolName == null) {
        poolName = pool.name();
      } else if (!poolName.equals(pool.name())) {
        // MetalLB (poolFor): all requested addresses of a service must come from one pool.
        return new Refused(Refusal.CONFLICTING_REQUEST, req.serviceKey() + " asks for " + want.get(0).getHostAddress()
            + " from pool \"" + poolName + "\" and " + a.getHostAddress() + " from pool \"" + pool.name()
            + "\" (expected: addresses of one pool)");
      }
    }
    return new Allocated(withRequestMeta(want, poolName, req), true);
  }

  /**
   * {@link #sharingConflict} == null for a request with a sharing key, without building the message: the search for
   * a shareable address runs it on every address held under the key, so it must cost no allocation.
   */
  private boolean shareable(long h, long l, String self, String sharingKey, String backendKey, Set<ServicePort> ports) {
    for (int e = table.holderOf(h, l); e != AllocationTable.NONE; e = table.nextAddr[e]) {
      String holder = table.svc[e];
      if (holder.equals(self)) {
        continue;
      }
      ShareMeta m = shareMeta.get(holder);
      if (m == null || !m.sharingKey.equals(sharingKey) || !m.backendKey.equals(backendKey)) {
        return false;
      }
      for (ServicePort p : ports) {
        if (m.ports.contains(p)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Null if a service with these sharing details may hold the address alongside its current holders (other than
   * itself); otherwise a message naming the holder and the rule that fails.
   */
  private String sharingConflict(long h, long l, String self, Optional<String> sharingKey, String backendKey, Set<ServicePort> ports) {
    for (int e = table.holderOf(h, l); e != AllocationTable.NONE; e = table.nextAddr[e]) {
      String holder = table.svc[e];
      if (holder.equals(self)) {
        continue;
      }
      String at = U128.format(h, l) + ", which is in use by " + holder;
      ShareMeta m = shareMeta.get(holder);
      if (sharingKey.isEmpty()) {
        return at + (m == null ? "" : " (sharing key \"" + m.sharingKey + "\")")
            + "; expected: another address, or the same sharing key (metallb.io/allow-shared-ip) on both services";
      }
      if (m == null) {
        return at + ", which does not allow sharing (it has no sharing key); expected: another address";
      }
      if (!m.sharingKey.equals(sharingKey.get())) {
        return at + " with sharing key \"" + m.sharingKey + "\", not \"" + sharingKey.get()
            + "\"; expected: the same sharing key on both services";
      }
      if (!m.backendKey.equals(backendKey)) {
        return at + " with backend key \"" + m.backendKey + "\", not \"" + backendKey
            + "\"; services sharing an address must select the same pods when externalTrafficPolicy is Local";
      }
      for (ServicePort p : new TreeSet<>(ports)) {
        if (m.ports.contains(p)) {
          return at + ", which also uses " + p + "; expected: no protocol/port pair in common";
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------- state

  private static Allocation withRequestMeta(List<InetAddress> addresses, String pool, ServiceRequest req) {
    boolean sharing = req.sharingKey().isPresent();
    return new Allocation(req.serviceKey(), addresses, pool, req.sharingKey(), sharing ? req.backendKey() : "",
        sharing ? req.ports() : Set.of());
  }

  private Allocation view(String key) {
    int head = table.headOf(key);
    if (head == AllocationTable.NONE) {
      return null;
    }
    List<InetAddress> addrs = new ArrayList<>(2);
    for (int e = head; e != AllocationTable.NONE; e = table.nextSvc[e]) {
      addrs.add(U128.toInet(table.hi(e), table.lo(e)));
    }
    addrs.sort(Comparator.comparing(IpFamily::of));
    int p = pools.poolOf(table.hi(head), table.lo(head));
    String pool = p < 0 ? "" : pools.pools.get(p).name();
    if (addrs.size() == 2) {
      int p0 = pools.poolOf(U128.hi(addrs.get(0)), U128.lo(addrs.get(0)));
      pool = p0 < 0 ? "" : pools.pools.get(p0).name();
    }
    ShareMeta m = shareMeta.get(key);
    String k = table.svc[head];
    return m == null
        ? new Allocation(k, addrs, pool, Optional.empty(), "", Set.of())
        : new Allocation(k, addrs, pool, Optional.of(m.sharingKey), m.backendKey, m.ports);
  }

  private void addInMemory(Allocation a) {
    String key = a.serviceKey();
    int prev = AllocationTable.NONE;
    for (InetAddress addr : a.addresses()) {
      byte[] raw = addr.getAddress();
      long h = U128.hi(raw);
      long l = U128.lo(raw);
      if (table.add(key, h, l, prev, inRuns(h, l))) {
        count(h, l, +1);
      }
      prev = table.lastAdded;
    }
    if (a.sharingKey().isPresent()) {
      String sk = a.sharingKey().get();
      shareMeta.put(key, new ShareMeta(sk, a.backendKey(), a.ports()));
      TreeMap<Addr, Integer> m = sharedAddresses.computeIfAbsent(sk, x -> new TreeMap<>());
      for (InetAddress addr : a.addresses()) {
        m.merge(new Addr(U128.hi(addr), U128.lo(addr)), 1, Integer::sum);
      }
    }
  }

  private void removeInMemory(String key) {
    ShareMeta m = shareMeta.isEmpty() ? null : shareMeta.remove(key);
    int head = m == null ? AllocationTable.NONE : table.headOf(key);
    if (m != null) {
      TreeMap<Addr, Integer> s = sharedAddresses.get(m.sharingKey);
      for (int e = head; e != AllocationTable.NONE; e = table.nextSvc[e]) {
        Addr a = new Addr(table.hi(e), table.lo(e));
        if (s.merge(a, -1, Integer::sum) == 0) {
          s.remove(a);
        }
      }
      if (s.isEmpty()) {
        sharedAddresses.remove(m.sharingKey);
      }
    }
    table.removeService(key, (h, l) -> count(h, l, -1));
  }

  /**
   * Whether the address belongs in the run set. Under random IPv6 placement, addresses in ranges of at least 2^32
   * addresses are left out: such a range is never searched for its lowest free address (random probes of the address
   * table find a free one at once, the range being almost empty), and one run per scattered address would cost more
   * than everything else the allocator keeps per allocation.
   */
  private boolean inRuns(long h, long l) {
    return ipv6Placement != Placement.RANDOM || U128.isV4(h, l) || !pools.inHugeRange(h, l);
  }

  /** Rebuilds the run set for the current pools (which ranges are huge may have changed). */
  private void rebuildRuns() {
    table.runs.clear();
    table.forEachAddress(e -> {
      if (inRuns(table.hi(e), table.lo(e))) {
        table.runs.add(table.hi(e), table.lo(e));
      }
    });
  }

  private void count(long h, long l, int delta) {
    int p = pools == null ? -1 : pools.poolOf(h, l);
    if (p >= 0 && inUse != null) {
      inUse[p][U128.isV4(h, l) ? 0 : 1] += delta;
    }
  }

  private String poolNames() {
    List<String> names = new ArrayList<>();
    for (IpAddressPool p : pools.pools) {
      names.add(p.name());
    }
    return names.isEmpty() ? "no pools are configured" : "pools: " + String.join(", ", names);
  }

  private static List<String> text(List<InetAddress> addrs) {
    List<String> out = new ArrayList<>(addrs.size());
    for (InetAddress a : addrs) {
      out.add(a.getHostAddress());
    }
    return out;
  }

  /** Closes the store. */
  @Override
  public synchronized void close() {
    store.close();
  }

  /** Builder for {@link Allocator}. */
  public static final class Builder {
    private List<IpAddressPool> pools = List.of();
    private AllocationStore store = AllocationStore.inMemory();
    private Placement ipv6Placement = Placement.LOWEST_FREE;
    private RandomGenerator random;

    private Builder() {}

    /** The pools; names must be unique and no address may be in two pools (checked by {@link #build()}). */
    public Builder pools(List<IpAddressPool> pools) {
      this.pools = List.copyOf(pools);
      return this;
    }

    public Builder pools(IpAddressPool... pools) {
      return pools(List.of(pools));
    }

    /** Where allocations are recorded; {@link AllocationStore#inMemory()} by default. */
    public Builder store(AllocationStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Placement of IPv6 addresses; {@link Placement#LOWEST_FREE} by default. */
    public Builder ipv6Placement(Placement placement) {
      this.ipv6Placement = Objects.requireNonNull(placement, "placement");
      return this;
    }

    /** Source of randomness for {@link Placement#RANDOM} (a hook for tests: pass a seeded generator). */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Validates the pools, restores every allocation from the store, releases those outside the pools (see
     * {@link Allocator#restoreReport()}), and only then returns the allocator.
     *
     * @throws IllegalArgumentException if pools overlap or repeat a name
     * @throws AllocationStoreException if the store cannot be read; the store is closed then
     */
    public Allocator build() {
      PoolIndex.of(pools); // validate before touching the store
      if (random == null) {
        random = RandomGenerator.of("L64X128MixRandom");
      }
      return new Allocator(this);
    }
  }
}
