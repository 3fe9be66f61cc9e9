package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.speakerkit.allocator.AllocationResult.Allocated;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * Stateful property: random chains of allocate (automatic, specific, named pool, shared), release, pool changes and
 * restarts from the file store, each compared with a brute-force reference model that enumerates every address of
 * tiny pools. Invariants are checked after every step.
 */
class AllocatorStatefulProperties {

  static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  static final List<List<IpAddressPool>> CONFIGS = List.of(
      List.of(
          IpAddressPool.builder().name("a").addresses("10.0.0.0/30", "fd00::/126").avoidBuggyIPs(true).build(),
          IpAddressPool.builder().name("b").addresses("10.0.1.254-10.0.2.1").build(),
          IpAddressPool.builder().name("c").addresses("10.0.3.0/31", "fd00::10/127").autoAssign(false).build()),
      List.of(
          IpAddressPool.builder().name("a").addresses("10.0.0.0/31", "fd00::/127").build(),
          IpAddressPool.builder().name("b").addresses("10.0.1.254-10.0.2.1").build(),
          IpAddressPool.builder().name("d").addresses("fd00::100/126").build()),
      List.of(
          IpAddressPool.builder().name("a").addresses("10.0.0.0/30", "fd00::/126").avoidBuggyIPs(true).build(),
          IpAddressPool.builder().name("c").addresses("10.0.3.0/31", "fd00::10/127").build()),
      List.of(
          IpAddressPool.builder().name("a").addresses("10.0.0.0/30", "fd00::/126")
              .serviceAllocation(ServiceAllocation.builder().namespaces("ns1").priority(5).build()).build(),
          IpAddressPool.builder().name("b").addresses("10.0.1.254-10.0.2.1")
              .serviceAllocation(ServiceAllocation.builder().serviceSelectors(LabelSelector.matchLabels(Map.of("app", "x"))).build())
              .build(),
          IpAddressPool.builder().name("c").addresses("10.0.3.0/31", "fd00::10/127").build(),
          IpAddressPool.builder().name("d").addresses("fd00::100/126")
              .serviceAllocation(ServiceAllocation.builder().priority(1).build()).build()));

  static final List<String> SPECIFIC = List.of("10.0.0.0", "10.0.0.1", "10.0.0.3", "10.0.1.255", "10.0.2.0", "10.0.3.1",
      "10.0.9.9", "fd00::1", "fd00::11", "fd00::101", "fd00::9999");

  static final class Harness {
    final Path dir;
    final Path journal;
    List<IpAddressPool> pools = CONFIGS.get(0);
    Allocator allocator;
    final TreeMap<String, Allocation> model = new TreeMap<>();
    final List<String> log = new ArrayList<>();

    Harness() {
      try {
        dir = Files.createTempDirectory("alloc-prop");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      journal = dir.resolve("journal");
      allocator = Allocator.builder().pools(pools).store(FileAllocationStore.open(journal)).build();
      OPEN.add(this);
    }

    void close() {
      allocator.close();
      try {
        Files.deleteIfExists(journal);
        Files.deleteIfExists(dir.resolve("journal.lock"));
        Files.deleteIfExists(dir.resolve("journal.compact"));
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    // ----------------------------------------------------------------------------------- reference model

    int poolOf(List<IpAddressPool> ps, InetAddress a) {
      for (int i = 0; i < ps.size(); i++) {
        for (IpRange r : ps.get(i).ranges()) {
          if (r.contains(a)) {
            return i;
          }
        }
      }
      return -1;
    }

    static boolean buggy(InetAddress a) {
      byte[] b = a.getAddress();
      return b.length == 4 && (b[3] == 0 || b[3] == (byte) 255);
    }

    boolean compatible(InetAddress a, String self, Optional<String> sk, String backend, Set<ServicePort> ports) {
      for (Allocation h : model.values()) {
        if (h.serviceKey().equals(self) || !h.addresses().contains(a)) {
          continue;
        }
        if (sk.isEmpty() || h.sharingKey().isEmpty() || !h.sharingKey().equals(sk) || !h.backendKey().equals(backend)) {
          return false;
        }
        for (ServicePort p : ports) {
          if (h.ports().contains(p)) {
            return false;
          }
        }
      }
      return true;
    }

    static List<InetAddress> enumerate(IpRange r) {
      List<InetAddress> out = new ArrayList<>();
      BigInteger s = new BigInteger(1, r.start().getAddress());
      BigInteger e = new BigInteger(1, r.end().getAddress());
      int len = r.start().getAddress().length;
      for (BigInteger x = s; x.compareTo(e) <= 0; x = x.add(BigInteger.ONE)) {
        byte[] raw = x.toByteArray();
        byte[] b = new byte[len];
        int n = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - n, b, len - n, n);
        try {
          out.add(InetAddress.getByAddress(b));
        } catch (UnknownHostException ex) {
          throw new AssertionError(ex);
        }
      }
      return out;
    }

    Allocation modelMeta(ServiceRequest q, List<InetAddress> addrs, String pool) {
      boolean sh = q.sharingKey().isPresent();
      List<InetAddress> sorted = new ArrayList<>(addrs);
      sorted.sort(Comparator.comparing(IpFamily::of));
      return new Allocation(q.serviceKey(), sorted, pool, q.sharingKey(), sh ? q.backendKey() : "", sh ? q.ports() : Set.of());
    }

    Allocation modelFromPool(int p, ServiceRequest q) {
      IpAddressPool pool = pools.get(p);
      List<IpFamily> fams = switch (q.ipFamilyPolicy()) {
        case SINGLE_STACK -> List.of(q.ipFamily());
        case REQUIRE_DUAL_STACK -> List.of(IpFamily.IPV4, IpFamily.IPV6);
        case PREFER_DUAL_STACK -> pool.hasFamily(IpFamily.IPV4) && pool.hasFamily(IpFamily.IPV6)
            ? List.of(IpFamily.IPV4, IpFamily.IPV6) : pool.hasFamily(IpFamily.IPV4) ? List.of(IpFamily.IPV4) : List.of(IpFamily.IPV6);
      };
      IpFamily other = q.ipFamily() == IpFamily.IPV4 ? IpFamily.IPV6 : IpFamily.IPV4;
      if (fams.size() == 2 && q.ipFamilyPolicy() == IpFamilyPolicy.PREFER_DUAL_STACK
          && modelFind(pool, other, q) == null) {
        fams = List.of(q.ipFamily()); // MetalLB: the other family is full, the primary alone
      } else if (fams.size() == 2 && q.ipFamilyPolicy() == IpFamilyPolicy.PREFER_DUAL_STACK && q.dualStackClusterIps()
          && modelFind(pool, q.ipFamily(), q) == null) {
        fams = List.of(other); // MetalLB selectIPsForFamilyAndPolicy: the primary is full, the other alone
      }
      List<InetAddress> got = new ArrayList<>();
      for (IpFamily f : fams) {
        InetAddress found = modelFind(pool, f, q);
        if (found == null) {
          return null;
        }
        got.add(found);
      }
      return modelMeta(q, got, pool.name());
    }

    /** The lowest address of family f in pool that q may take, or null. */
    InetAddress modelFind(IpAddressPool pool, IpFamily f, ServiceRequest q) {
      for (IpRange r : pool.ranges()) {
        if (r.family() != f) {
          continue;
        }
        for (InetAddress a : enumerate(r)) {
          if (pool.avoidBuggyIPs() && buggy(a)) {
            continue;
          }
          if (compatible(a, q.serviceKey(), q.sharingKey(), q.backendKey(), q.ports())) {
            return a;
          }
        }
      }
      return null;
    }

    /** The model's answer with the service's own allocation already set aside. */
    Allocation modelCompute(ServiceRequest q) {
      if (!q.addresses().isEmpty()) {
        String poolName = null;
        List<InetAddress> sorted = new ArrayList<>(q.addresses());
        sorted.sort(Comparator.comparing(IpFamily::of));
        for (InetAddress a : sorted) {
          int p = poolOf(pools, a);
          if (p < 0 || (q.pool().isPresent() && !q.pool().get().equals(pools.get(p).name()))
              || (pools.get(p).avoidBuggyIPs() && buggy(a)) || !compatible(a, q.serviceKey(), q.sharingKey(), q.backendKey(), q.ports())
              || (poolName != null && !poolName.equals(pools.get(p).name())) // MetalLB: all from one pool
              || !modelAdmits(pools.get(p), q)) {
            return null;
          }
          poolName = poolName == null ? pools.get(p).name() : poolName;
        }
        return modelMeta(q, sorted, poolName);
      }
      if (q.pool().isPresent()) {
        for (int p = 0; p < pools.size(); p++) {
          if (pools.get(p).name().equals(q.pool().get())) {
            return modelAdmits(pools.get(p), q) ? modelFromPool(p, q) : null;
          }
        }
        return null;
      }
      // MetalLB order: pinned pools (priority, unset last; ties by name) as one group, then the pools without
      // serviceAllocation as another, tried only when the first gives nothing
      List<Integer> pinned = new ArrayList<>();
      for (int p = 0; p < pools.size(); p++) {
        if (pools.get(p).autoAssign() && modelPinned(pools.get(p), q)) {
          pinned.add(p);
        }
      }
      pinned.sort(Comparator.comparingInt((Integer p) -> {
        int prio = pools.get(p).serviceAllocation().get().priority();
        return prio == 0 ? Integer.MAX_VALUE : prio;
      }).thenComparing(p -> pools.get(p).name()));
      List<Integer> open = new ArrayList<>();
      for (int p = 0; p < pools.size(); p++) { // configs are listed in name order
        if (pools.get(p).autoAssign() && pools.get(p).serviceAllocation().isEmpty()) {
          open.add(p);
        }
      }
      Allocation fromPinned = modelBest(pinned, q);
      return fromPinned != null ? fromPinned : modelBest(open, q);
    }

    /** MetalLB's findBestPoolForService over one group of pools. */
    Allocation modelBest(List<Integer> order, ServiceRequest q) {
      if (q.ipFamilyPolicy() == IpFamilyPolicy.PREFER_DUAL_STACK) {
        for (int p : order) { // MetalLB: first a pool that gives both families
          Allocation a = modelFromPool(p, q);
          if (a != null && a.addresses().size() == 2) {
            return a;
          }
        }
        for (int p : order) { // then the first that gives the primary family
          Allocation a = modelFromPool(p, q);
          if (a != null && IpFamily.of(a.addresses().get(0)) == q.ipFamily()) {
            return a;
          }
        }
      }
      for (int p : order) {
        Allocation a = modelFromPool(p, q);
        if (a != null) {
          return a;
        }
      }
      return null;
    }

    static boolean modelPinned(IpAddressPool pool, ServiceRequest q) {
      if (pool.serviceAllocation().isEmpty()) {
        return false;
      }
      ServiceAllocation sa = pool.serviceAllocation().get();
      // MetalLB v0.15 (#2714): no namespaces and no selectors, only a priority: pinned to every service
      if (!sa.namespaces().isEmpty() && !sa.namespaces().contains(q.namespace())) {
        return false;
      }
      return sa.serviceSelectors().isEmpty()
          || sa.serviceSelectors().stream().anyMatch(sel -> q.serviceLabels().entrySet().containsAll(sel.matchLabels().entrySet()));
    }

    /** MetalLB's isPoolCompatibleWithService, for the fixed configurations of this property. */
    static boolean modelAdmits(IpAddressPool pool, ServiceRequest q) {
      if (pool.serviceAllocation().isEmpty()) {
        return true;
      }
      ServiceAllocation sa = pool.serviceAllocation().get();
      if (!sa.namespaces().isEmpty() && !sa.namespaces().contains(q.namespace())) {
        return false;
      }
      return sa.serviceSelectors().isEmpty()
          || sa.serviceSelectors().stream().anyMatch(sel -> q.serviceLabels().entrySet().containsAll(sel.matchLabels().entrySet()));
    }

    Allocation modelGrow(Allocation c, ServiceRequest q) {
      if (c.addresses().size() != 1 || !q.addresses().isEmpty() || q.ipFamilyPolicy() != IpFamilyPolicy.PREFER_DUAL_STACK) {
        return null;
      }
      InetAddress have = c.addresses().get(0);
      int p = poolOf(pools, have);
      if (p < 0 || (q.pool().isPresent() && !q.pool().get().equals(pools.get(p).name()))
          || !compatible(have, q.serviceKey(), q.sharingKey(), q.backendKey(), q.ports()) || !modelAdmits(pools.get(p), q)) {
        return null;
      }
      IpFamily other = IpFamily.of(have) == IpFamily.IPV4 ? IpFamily.IPV6 : IpFamily.IPV4;
      IpAddressPool pool = pools.get(p);
      for (IpRange r : pool.ranges()) {
        if (r.family() != other) {
          continue;
        }
        for (InetAddress a : enumerate(r)) {
          if (!(pool.avoidBuggyIPs() && buggy(a)) && compatible(a, q.serviceKey(), q.sharingKey(), q.backendKey(), q.ports())) {
            String poolName = pools.get(poolOf(pools, IpFamily.of(have) == IpFamily.IPV4 ? have : a)).name();
            return modelMeta(q, List.of(have, a), poolName);
          }
        }
      }
      return null;
    }

    boolean modelSatisfies(Allocation c, ServiceRequest q) {
      List<InetAddress> have = c.addresses();
      switch (q.ipFamilyPolicy()) {
        case SINGLE_STACK -> {
          if (have.size() != 1 || IpFamily.of(have.get(0)) != q.ipFamily()) {
            return false;
          }
        }
        case REQUIRE_DUAL_STACK -> {
          if (have.size() != 2) {
            return false;
          }
        }
        case PREFER_DUAL_STACK -> {
          if (have.size() == 1 && q.addresses().isEmpty()) {
            IpAddressPool p = pools.get(poolOf(pools, have.get(0)));
            if (p.hasFamily(IpFamily.IPV4) && p.hasFamily(IpFamily.IPV6)) {
              return false;
            }
          }
        }
      }
      if (!q.addresses().isEmpty() && !new HashSet<>(q.addresses()).equals(new HashSet<>(have))) {
        return false;
      }
      return modelStillFits(c, q);
    }

    /** The held addresses are in one pool that may serve q, and shareable under q. */
    boolean modelStillFits(Allocation c, ServiceRequest q) {
      Set<Integer> held = new HashSet<>();
      for (InetAddress a : c.addresses()) {
        int p = poolOf(pools, a);
        if (p < 0) {
          return false;
        }
        held.add(p);
        if (q.pool().isPresent() && !pools.get(p).name().equals(q.pool().get())) {
          return false;
        }
        if (!modelAdmits(pools.get(p), q)) {
          return false;
        }
        if (!compatible(a, q.serviceKey(), q.sharingKey(), q.backendKey(), q.ports())) {
          return false;
        }
      }
      return held.size() == 1;
    }

    // ----------------------------------------------------------------------------------- actions

    void allocate(ServiceRequest q) {
      log.add("allocate " + q);
      boolean readable = readable(q);
      boolean shapeOk = readable && familiesFit(q);
      Allocation current = model.get(q.serviceKey());
      Allocation expected;
      if (!readable) {
        expected = null; // MetalLB: an invalid request leaves the service's addresses alone
      } else if (!shapeOk) {
        expected = null;
        model.remove(q.serviceKey()); // MetalLB: addresses of the wrong family clear the old ones first
      } else if (current != null && modelSatisfies(current, q)) {
        expected = modelMeta(q, current.addresses(), current.pool());
      } else if (current != null && (expected = modelGrow(current, q)) != null) {
        // kept its address, gained the other family from the same pool
      } else if (current != null && q.ipFamilyPolicy() == IpFamilyPolicy.PREFER_DUAL_STACK
          && current.addresses().size() == 1 && q.addresses().isEmpty() && modelStillFits(current, q)) {
        expected = modelMeta(q, current.addresses(), current.pool()); // PreferDualStack keeps its one address
      } else {
        model.remove(q.serviceKey()); // MetalLB clears what no longer fits, also when nothing new can be had
        expected = modelCompute(q);
      }
      AllocationResult r = allocator.allocate(q);
      Statistics.label("outcome").collect(r instanceof Allocated a0 ? (a0.changed() ? "allocated" : "kept") : ((AllocationResult.Refused) r).reason().name());
      Statistics.label("shared").collect(r instanceof Allocated a1 && a1.allocation().addresses().stream().anyMatch(x -> allocator.holders(x).size() > 1));
      if (expected == null) {
        assertTrue(r instanceof AllocationResult.Refused, () -> "model refuses, allocator gave " + r + "\n" + String.join("\n", log));
        assertTrue(!((AllocationResult.Refused) r).message().isBlank());
        assertEquals(readable ? Optional.ofNullable(current) : Optional.empty(),
            ((AllocationResult.Refused) r).released(), () -> String.join("\n", log));
      } else {
        if (!(r instanceof Allocated a)) {
          fail("model gives " + expected + ", allocator refused: " + r + "\n" + String.join("\n", log));
          return;
        }
        assertEquals(expected, a.allocation(), () -> String.join("\n", log));
        model.put(q.serviceKey(), expected);
      }
    }

    /** At most one address per family. */
    boolean readable(ServiceRequest q) {
      List<InetAddress> as = q.addresses();
      return !(as.size() == 2 && IpFamily.of(as.get(0)) == IpFamily.of(as.get(1)));
    }

    /** The requested addresses' families fit the service's policy. */
    boolean familiesFit(ServiceRequest q) {
      List<InetAddress> as = q.addresses();
      return switch (q.ipFamilyPolicy()) {
        case SINGLE_STACK -> as.size() < 2 && (as.isEmpty() || IpFamily.of(as.get(0)) == q.ipFamily());
        case REQUIRE_DUAL_STACK -> as.size() != 1;
        // MetalLB: the requested addresses have the families of the ClusterIPs
        case PREFER_DUAL_STACK -> as.isEmpty() || (q.dualStackClusterIps() ? as.size() == 2
            : as.size() == 1 && IpFamily.of(as.get(0)) == q.ipFamily());
      };
    }

    void release(String key) {
      log.add("release " + key);
      Optional<Allocation> r = allocator.release(key);
      assertEquals(Optional.ofNullable(model.remove(key)), r, () -> String.join("\n", log));
    }

    void changePools(int config) {
      log.add("pools " + config);
      pools = CONFIGS.get(config);
      List<String> expectReleased = new ArrayList<>();
      for (Allocation a : new ArrayList<>(model.values())) {
        Set<Integer> poolsHeld = new HashSet<>();
        for (InetAddress addr : a.addresses()) {
          int p = poolOf(pools, addr);
          poolsHeld.add(p);
          if (p < 0 || (pools.get(p).avoidBuggyIPs() && buggy(addr))) {
            expectReleased.add(a.serviceKey());
            break;
          }
        }
        if (poolsHeld.size() > 1 && !expectReleased.contains(a.serviceKey())) {
          expectReleased.add(a.serviceKey()); // MetalLB: one pool must hold every address
        }
      }
      PoolUpdate u = allocator.updatePools(pools);
      List<String> got = new ArrayList<>();
      u.released().forEach(a -> got.add(a.serviceKey()));
      assertEquals(expectReleased, got, () -> String.join("\n", log));
      expectReleased.forEach(model::remove);
      // pool names of kept allocations follow the new configuration
      for (Map.Entry<String, Allocation> e : model.entrySet()) {
        Allocation a = e.getValue();
        e.setValue(new Allocation(a.serviceKey(), a.addresses(), pools.get(poolOf(pools, a.addresses().get(0))).name(),
            a.sharingKey(), a.backendKey(), a.ports()));
      }
    }

    void restart() {
      log.add("restart");
      List<Allocation> before = allocator.allocations();
      allocator.close();
      allocator = Allocator.builder().pools(pools).store(FileAllocationStore.open(journal)).build();
      assertEquals(before, allocator.allocations(), () -> String.join("\n", log));
      assertTrue(allocator.restoreReport().released().isEmpty());
    }

    // ----------------------------------------------------------------------------------- invariants

    void check() {
      List<Allocation> all = allocator.allocations();
      assertEquals(new ArrayList<>(model.values()), all, () -> String.join("\n", log));
      Map<InetAddress, List<Allocation>> byAddr = new HashMap<>();
      for (Allocation a : all) {
        for (InetAddress addr : a.addresses()) {
          int p = poolOf(pools, addr);
          assertTrue(p >= 0, () -> addr + " of " + a + " is in no pool");
          if (pools.get(p).avoidBuggyIPs()) {
            assertTrue(!buggy(addr));
          }
          byAddr.computeIfAbsent(addr, x -> new ArrayList<>()).add(a);
        }
      }
      for (Map.Entry<InetAddress, List<Allocation>> e : byAddr.entrySet()) {
        List<Allocation> hs = e.getValue();
        for (int i = 0; i < hs.size(); i++) {
          for (int j = i + 1; j < hs.size(); j++) {
            Allocation x = hs.get(i);
            Allocation y = hs.get(j);
            assertTrue(x.sharingKey().isPresent() && x.sharingKey().equals(y.sharingKey()) && x.backendKey().equals(y.backendKey()),
                () -> "incompatible holders of " + e.getKey() + ": " + x + ", " + y);
            Set<ServicePort> common = new TreeSet<>(x.ports());
            common.retainAll(y.ports());
            assertTrue(common.isEmpty(), () -> "port clash on " + e.getKey() + ": " + x + ", " + y);
          }
        }
        assertEquals(new TreeSet<>(hs.stream().map(Allocation::serviceKey).toList()), new TreeSet<>(allocator.holders(e.getKey())));
      }
      // exact usage per pool and family, capacity by enumeration
      for (PoolUsage u : allocator.usage()) {
        IpAddressPool pool = pools.stream().filter(p -> p.name().equals(u.pool())).findFirst().orElseThrow();
        long cap = 0;
        for (IpRange r : pool.ranges()) {
          if (r.family() == u.family()) {
            for (InetAddress a : enumerate(r)) {
              if (!(pool.avoidBuggyIPs() && buggy(a))) {
                cap++;
              }
            }
          }
        }
        assertEquals(BigInteger.valueOf(cap), u.capacity(), u::toString);
        long used = byAddr.keySet().stream()
            .filter(a -> IpFamily.of(a) == u.family() && poolOf(pools, a) >= 0 && pools.get(poolOf(pools, a)).name().equals(u.pool()))
            .count();
        assertEquals(used, u.inUse(), () -> u + "\n" + String.join("\n", log));
      }
    }
  }

  static final List<Harness> OPEN = new ArrayList<>();

  @AfterTry
  void closeHarnesses() {
    OPEN.forEach(Harness::close);
    OPEN.clear();
  }

  @Property(tries = 100)
  void allocator_matchesReferenceModel(@ForAll("chains") ActionChain<Harness> chain) {
    chain.withInvariant("model", Harness::check).run();
  }

  @Provide
  Arbitrary<ActionChain<Harness>> chains() {
    return ActionChain.<Harness>startWith(Harness::new)
        .withAction(6, (Action.Independent<Harness>) () -> requests().map(q -> Transformer.mutate("allocate " + q.serviceKey(), h -> h.allocate(q))))
        .withAction(2, (Action.Independent<Harness>) () -> keys().map(k -> Transformer.mutate("release " + k, h -> h.release(k))))
        .withAction(1, (Action.Independent<Harness>) () -> Arbitraries.integers().between(0, CONFIGS.size() - 1)
            .map(c -> Transformer.mutate("pools " + c, h -> h.changePools(c))))
        .withAction(1, (Action.Independent<Harness>) () -> Arbitraries.just(Transformer.mutate("restart", Harness::restart)))
        .withMaxTransformations(40);
  }

  static Arbitrary<String> keys() {
    return Arbitraries.of("ns1/a", "ns1/b", "ns2/c", "ns2/d", "ns3/e", "ns3/f");
  }

  static Arbitrary<ServiceRequest> requests() {
    Arbitrary<Integer> mode = Arbitraries.frequency(Tuple.of(5, 0), Tuple.of(3, 1), Tuple.of(2, 2), Tuple.of(1, 3));
    Arbitrary<List<String>> specific = Arbitraries.of(SPECIFIC).list().ofMinSize(1).ofMaxSize(2).uniqueElements();
    Arbitrary<String> pool = Arbitraries.frequency(Tuple.of(3, "a"), Tuple.of(3, "b"), Tuple.of(2, "c"), Tuple.of(2, "d"), Tuple.of(1, "nope"));
    Arbitrary<IpFamilyPolicy> policy = Arbitraries.of(IpFamilyPolicy.class);
    Arbitrary<IpFamily> family = Arbitraries.of(IpFamily.class);
    Arbitrary<Optional<String>> sharing = Arbitraries.of(Optional.<String>empty(), Optional.of("k1"), Optional.of("k1"), Optional.of("k2"));
    Arbitrary<String> backend = Arbitraries.of("", "", "pods-x");
    Arbitrary<Map<String, String>> labels = Arbitraries.of(Map.of(), Map.of("app", "x"));
    Arbitrary<Set<ServicePort>> ports = Arbitraries.of(ServicePort.tcp(80), ServicePort.tcp(443), ServicePort.udp(53)).set().ofMaxSize(2);
    return Combinators.combine(keys(), mode, specific, pool, policy, family, sharing, Combinators.combine(backend, ports, labels).as(List::of))
        .as((k, m, sp, p, pol, fam, sh, bp) -> {
          ServiceRequest.Builder b = ServiceRequest.builder(k).ipFamilyPolicy(pol).ipFamily(fam);
          if (m == 1 || m == 3) {
            for (String s : sp) {
              b.addresses(ip(s));
            }
            b.ipFamily(fam.equals(IpFamily.IPV4) ? IpFamily.of(ip(sp.get(0))) : fam);
          }
          if (m == 2 || m == 3) {
            b.pool(p);
          }
          sh.ifPresent(b::sharingKey);
          b.backendKey((String) bp.get(0));
          @SuppressWarnings("unchecked")
          Set<ServicePort> ps = (Set<ServicePort>) bp.get(1);
          b.ports(ps.toArray(new ServicePort[0]));
          @SuppressWarnings("unchecked")
          Map<String, String> ls = (Map<String, String>) bp.get(2);
          b.serviceLabels(ls);
          return b.build();
        });
  }
}
