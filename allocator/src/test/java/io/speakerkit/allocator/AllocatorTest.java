package io.speakerkit.allocator;

import static io.speakerkit.allocator.AllocatorStatefulProperties.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult.Allocated;
import io.speakerkit.allocator.AllocationResult.Refused;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AllocatorTest {

  static InetAddress first(AllocationResult r) {
    assertTrue(r instanceof Allocated, r::toString);
    return ((Allocated) r).allocation().addresses().get(0);
  }

  @Test
  void allocate_sameRequestTwice_keepsAddressAndWritesNothing() {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build()).build();
    InetAddress x = first(a.allocate(ServiceRequest.builder("ns/a").build()));
    AllocationResult again = a.allocate(ServiceRequest.builder("ns/a").build());
    assertEquals(x, first(again));
    assertFalse(((Allocated) again).changed());
  }

  /**
   * MetalLB's controller clears an address the changed request no longer fits before it allocates anew
   * (ClearAssignment), and the service stays without one when that fails (AllocationFailed).
   */
  @Test
  void allocate_changedRequestThatCannotBeMet_releasesOldAllocation() {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build()).build();
    InetAddress x = first(a.allocate(ServiceRequest.builder("ns/a").build()));
    first(a.allocate(ServiceRequest.builder("ns/b").addresses(ip("10.0.0.9")).build()));
    AllocationResult r = a.allocate(ServiceRequest.builder("ns/a").addresses(ip("10.0.0.9")).build());
    Refused f = (Refused) r;
    assertEquals(Refusal.ADDRESS_IN_USE, f.reason());
    assertTrue(f.message().contains("10.0.0.9") && f.message().contains("ns/b")
        && f.message().contains("released [" + x.getHostAddress() + "]"), f.message());
    assertEquals(List.of(x), f.released().orElseThrow().addresses());
    assertEquals(Optional.empty(), a.allocation("ns/a"));
    assertEquals(1, a.usage().get(0).inUse());
    assertEquals(x, first(a.allocate(ServiceRequest.builder("ns/c").build())), "the released address is free");
  }

  /** A request refused for its own shape (two IPv4 addresses) is MetalLB's invalid request: nothing is cleared. */
  @Test
  void allocate_requestOfWrongShape_keepsOldAllocation() {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build()).build();
    InetAddress x = first(a.allocate(ServiceRequest.builder("ns/a").build()));
    Refused f = (Refused) a.allocate(ServiceRequest.builder("ns/a").ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
        .addresses(ip("10.0.0.7"), ip("10.0.0.8")).build());
    assertEquals(Refusal.CONFLICTING_REQUEST, f.reason());
    assertEquals(Optional.empty(), f.released());
    assertEquals(List.of(x), a.allocation("ns/a").orElseThrow().addresses());
  }

  /**
   * Addresses of the wrong family for the service's policy: MetalLB's controller clears the old address
   * (differentIPRequested), then fails to allocate ("does not match the ipFamily of the service").
   */
  @Test
  void allocate_requestOfWrongFamily_releasesOldAllocation() {
    Allocator a = Allocator.builder()
        .pools(IpAddressPool.builder().name("p").addresses("10.0.0.0/24", "fd00::/120").build()).build();
    InetAddress x = first(a.allocate(ServiceRequest.builder("ns/a").build()));
    Refused single = (Refused) a.allocate(ServiceRequest.builder("ns/a").addresses(ip("fd00::7"))
        .ipFamily(IpFamily.IPV4).build());
    assertEquals(Refusal.FAMILY_MISMATCH, single.reason());
    assertEquals(List.of(x), single.released().orElseThrow().addresses());
    assertEquals(Optional.empty(), a.allocation("ns/a"));
    assertEquals(0, a.usage().get(0).inUse());

    List<InetAddress> dual = ((Allocated) a.allocate(ServiceRequest.builder("ns/b")
        .ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).build())).allocation().addresses();
    Refused one = (Refused) a.allocate(ServiceRequest.builder("ns/b").ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK)
        .addresses(ip("10.0.0.9")).build());
    assertEquals(Refusal.FAMILY_MISMATCH, one.reason());
    assertEquals(dual, one.released().orElseThrow().addresses());
    assertEquals(Optional.empty(), a.allocation("ns/b"));
    assertEquals(Optional.empty(), a.release("ns/b"), "nothing left to release");
  }

  @Test
  void allocate_changedRequest_movesServiceAndFreesOldAddress() {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build()).build();
    assertEquals(ip("10.0.0.0"), first(a.allocate(ServiceRequest.builder("ns/a").build())));
    assertEquals(ip("10.0.0.50"), first(a.allocate(ServiceRequest.builder("ns/a").addresses(ip("10.0.0.50")).build())));
    assertEquals(ip("10.0.0.0"), first(a.allocate(ServiceRequest.builder("ns/b").build())));
    assertEquals(2, a.usage().get(0).inUse());
  }

  @Test
  void refusal_sharingMessageNamesHolderAndRule() {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build()).build();
    first(a.allocate(ServiceRequest.builder("web/a").addresses(ip("10.0.0.1")).sharingKey("k1").ports(ServicePort.tcp(80)).build()));
    String m = ((Refused) a.allocate(ServiceRequest.builder("web/b").addresses(ip("10.0.0.1")).sharingKey("k2").build())).message();
    assertTrue(m.contains("web/a") && m.contains("\"k1\"") && m.contains("\"k2\""), m);
    m = ((Refused) a.allocate(ServiceRequest.builder("web/c").addresses(ip("10.0.0.1")).sharingKey("k1")
        .ports(ServicePort.tcp(80)).build())).message();
    assertTrue(m.contains("web/a") && m.contains("TCP/80"), m);
  }

  @Test
  void usage_slash64IsExactAndNeverNegative() {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("v6").addresses("2001:db8::/64").build()).build();
    first(a.allocate(ServiceRequest.builder("ns/a").ipFamily(IpFamily.IPV6).build()));
    PoolUsage u = a.usage().get(0);
    assertEquals(BigInteger.ONE.shiftLeft(64), u.capacity());
    assertEquals(1, u.inUse());
    assertEquals(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE), u.available());
    a.release("ns/a");
    a.release("ns/a");
    assertEquals(0, a.usage().get(0).inUse());
  }

  /**
   * PreferDualStack as MetalLB (findBestPoolForService, selectIPsForFamilyAndPolicy): a pool that gives both families
   * first, whatever the pool order; in a dual pool with the other family used up, the primary family alone; and a
   * service already holding that one address keeps it on every re-announce.
   */
  @Test
  void preferDualStack_dualPoolFirst_primaryAloneWhenTheOtherIsFull_keptOnReannounce() {
    Allocator a = Allocator.builder().pools(
        IpAddressPool.builder().name("a").addresses("10.0.0.0/24").build(),
        IpAddressPool.builder().name("b").addresses("10.0.1.0/24", "2001:db8::1/128").build()).build();
    ServiceRequest prefer = ServiceRequest.builder("ns/first").ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK).build();
    Allocation both = ((AllocationResult.Allocated) a.allocate(prefer)).allocation();
    assertEquals("b", both.pool());
    assertEquals(2, both.addresses().size());
    // b's only IPv6 address is taken: b still has IPv4, and a has no IPv6 at all
    ServiceRequest second = ServiceRequest.builder("ns/second").ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
        .pool("b").build();
    Allocation one = ((AllocationResult.Allocated) a.allocate(second)).allocation();
    assertEquals(List.of(ip("10.0.1.1")), one.addresses());
    AllocationResult again = a.allocate(second);
    assertTrue(again instanceof AllocationResult.Allocated r && r.allocation().equals(one), again::toString);
  }

  /**
   * MetalLB's poolFor wants one pool holding every address of a service: a dual-stack pool split into an IPv4 and an
   * IPv6 pool releases the services whose two addresses it separated; single-stack services stay.
   */
  @Test
  void updatePools_dualStackPoolSplit_releasesServicesSpanningTwoPools() {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p")
        .addresses("10.0.0.0/24", "2001:db8::/120").build()).build();
    first(a.allocate(ServiceRequest.builder("ns/dual").ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).build()));
    first(a.allocate(ServiceRequest.builder("ns/v4").build()));
    PoolUpdate u = a.updatePools(List.of(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build(),
        IpAddressPool.builder().name("q").addresses("2001:db8::/120").build()));
    assertEquals(List.of("ns/dual"), u.released().stream().map(Allocation::serviceKey).toList());
    assertEquals("p", a.allocation("ns/v4").orElseThrow().pool());
    assertTrue(a.allocation("ns/dual").isEmpty());
  }

  /**
   * IPv4 addresses share the allocator's 128-bit space at ::ffff:a.b.c.d: an IPv6 pool over that block is refused,
   * so that 192.0.2.7 can never be handed out of "::/64" (MetalLB keeps the families apart).
   */
  @Test
  void ipv6PoolOverIpv4MappedBlock_refused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IpAddressPool.builder().name("v6only").addresses("::/64").build());
    assertTrue(e.getMessage().contains("::ffff:0:0/96"), e.getMessage());
    IpAddressPool.builder().name("ok").addresses("::1:0:0:0/80", "fd00::/64", "10.0.0.0/8").build();
  }

  @Test
  void updatePools_keepsInsideReleasesOutsideSorted() {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build()).build();
    for (String k : List.of("ns/c", "ns/a", "ns/b", "ns/d")) {
      first(a.allocate(ServiceRequest.builder(k).build()));
    }
    // ns/c .0, ns/a .1, ns/b .2, ns/d .3; the new pool keeps .2-.3 only
    PoolUpdate u = a.updatePools(List.of(IpAddressPool.builder().name("p2").addresses("10.0.0.2-10.0.0.100").build()));
    assertEquals(List.of("ns/a", "ns/c"), u.released().stream().map(Allocation::serviceKey).toList());
    assertEquals("p2", a.allocation("ns/b").orElseThrow().pool());
    assertEquals(2, a.usage().get(0).inUse());
    assertThrows(IllegalArgumentException.class, () -> a.updatePools(List.of(
        IpAddressPool.builder().name("x").addresses("10.0.0.0/24").build(),
        IpAddressPool.builder().name("y").addresses("10.0.0.128/25").build())));
    assertEquals(2, a.serviceCount(), "a rejected update changes nothing");
  }

  @Test
  void randomPlacement_ipv6_distinctInsideAndFillsSmallRangeCompletely() {
    Allocator a = Allocator.builder()
        .pools(IpAddressPool.builder().name("v6").addresses("2001:db8::/64", "fd00::/122").build(),
            IpAddressPool.builder().name("small").addresses("fd01::/122").autoAssign(false).build())
        .ipv6Placement(Allocator.Placement.RANDOM)
        .random(new SplittableRandom(3))
        .build();
    Set<InetAddress> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      InetAddress x = first(a.allocate(ServiceRequest.builder("ns/s" + i).ipFamily(IpFamily.IPV6).build()));
      assertTrue(IpRange.parse("2001:db8::/64").contains(x), x::toString);
      assertTrue(seen.add(x));
    }
    assertTrue(seen.stream().noneMatch(x -> x.equals(ip("2001:db8::"))) || seen.size() > 1, "spread out");
    for (int i = 0; i < 64; i++) {
      assertTrue(seen.add(first(a.allocate(ServiceRequest.builder("ns/t" + i).ipFamily(IpFamily.IPV6).pool("small").build()))));
    }
    assertEquals(Refusal.POOL_EXHAUSTED,
        ((Refused) a.allocate(ServiceRequest.builder("ns/t64").ipFamily(IpFamily.IPV6).pool("small").build())).reason());
  }

  @Test
  void randomPlacement_hugeAndSmallRanges_poolChangeAndRestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path j = dir.resolve("j");
    List<IpAddressPool> wide = List.of(IpAddressPool.builder().name("v6").addresses("2001:db8::/64", "fd00::/122").build());
    Set<InetAddress> held = new HashSet<>();
    try (Allocator a = Allocator.builder().pools(wide).store(FileAllocationStore.open(j))
        .ipv6Placement(Allocator.Placement.RANDOM).random(new SplittableRandom(11)).build()) {
      for (int i = 0; i < 300; i++) {
        InetAddress x = first(a.allocate(ServiceRequest.builder("ns/s" + i).ipFamily(IpFamily.IPV6).build()));
        assertTrue(held.add(x));
      }
      // a specific request for a randomly placed address sees it as taken
      InetAddress taken = held.iterator().next();
      assertEquals(Refusal.ADDRESS_IN_USE, ((Refused) a.allocate(ServiceRequest.builder("ns/x").addresses(taken).build())).reason());
      // the small range fills completely, then is exhausted
      for (int i = 0; i < 64; i++) {
        assertTrue(held.add(first(a.allocate(ServiceRequest.builder("ns/small" + i).addresses(ip("fd00::" + Integer.toHexString(i))).build()))));
      }
      // shrink the /64 to a /120 around some held addresses: outsiders released, insiders kept and avoided
      for (int i = 0; i < 10; i++) {
        first(a.allocate(ServiceRequest.builder("ns/low" + i).addresses(ip("2001:db8::" + Integer.toHexString(2 * i))).build()));
      }
      PoolUpdate u = a.updatePools(List.of(IpAddressPool.builder().name("v6").addresses("2001:db8::/120").build()));
      assertEquals(364, u.released().size());
      Set<InetAddress> inSmall = new HashSet<>();
      for (int i = 0; i < 246; i++) {
        InetAddress x = first(a.allocate(ServiceRequest.builder("ns/n" + i).ipFamily(IpFamily.IPV6).build()));
        assertTrue(inSmall.add(x) && a.holders(x).size() == 1, x::toString);
      }
      assertEquals(Refusal.POOL_EXHAUSTED, ((Refused) a.allocate(ServiceRequest.builder("ns/full").ipFamily(IpFamily.IPV6).build())).reason());
      assertEquals(256, a.usage().get(0).inUse());
    }
    try (Allocator a = Allocator.builder().pools(List.of(IpAddressPool.builder().name("v6").addresses("2001:db8::/120").build()))
        .store(FileAllocationStore.open(j)).ipv6Placement(Allocator.Placement.RANDOM).build()) {
      assertEquals(256, a.serviceCount());
      assertEquals(Refusal.POOL_EXHAUSTED, ((Refused) a.allocate(ServiceRequest.builder("ns/full").ipFamily(IpFamily.IPV6).build())).reason());
    }
  }

  @Test
  void concurrentCallers_neverShareAnAddress() throws Exception {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p").addresses("10.0.0.0/20", "fd00::/64").build()).build();
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<String>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          start.await();
          List<String> kept = new ArrayList<>();
          SplittableRandom r = new SplittableRandom(id);
          for (int i = 0; i < 400; i++) {
            String k = "t" + id + "/s" + i;
            ServiceRequest.Builder b = ServiceRequest.builder(k);
            if (r.nextBoolean()) {
              b.ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK);
            }
            assertTrue(a.allocate(b.build()).isAllocated());
            kept.add(k);
            if (r.nextInt(3) == 0) {
              assertTrue(a.release(kept.remove(r.nextInt(kept.size()))).isPresent());
            }
          }
          return kept;
        }));
      }
      start.countDown();
      Set<String> expected = new HashSet<>();
      for (Future<List<String>> f : futures) {
        expected.addAll(f.get());
      }
      Set<InetAddress> held = new HashSet<>();
      Set<String> keys = new HashSet<>();
      for (Allocation al : a.allocations()) {
        keys.add(al.serviceKey());
        for (InetAddress x : al.addresses()) {
          assertTrue(held.add(x), () -> x + " held twice");
        }
      }
      assertEquals(expected, keys);
      long used = a.usage().stream().mapToLong(PoolUsage::inUse).sum();
      assertEquals(held.size(), used);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void allocate_topOfAddressSpace_noOverflow() {
    Allocator a = Allocator.builder().pools(
        IpAddressPool.builder().name("v6").addresses("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/126").build(),
        IpAddressPool.builder().name("v4").addresses("255.255.255.252/30").build()).build();
    for (int i = 0; i < 4; i++) {
      assertEquals(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc").getAddress()[15] + i,
          first(a.allocate(ServiceRequest.builder("ns/v6-" + i).ipFamily(IpFamily.IPV6).build())).getAddress()[15]);
      assertEquals(ip("255.255.255.252").getAddress()[3] + i, first(a.allocate(ServiceRequest.builder("ns/v4-" + i).build())).getAddress()[3]);
    }
    assertEquals(Refusal.POOL_EXHAUSTED, ((Refused) a.allocate(ServiceRequest.builder("ns/x").ipFamily(IpFamily.IPV6).build())).reason());
    assertEquals(Refusal.POOL_EXHAUSTED, ((Refused) a.allocate(ServiceRequest.builder("ns/y").build())).reason());
    a.release("ns/v6-3");
    assertEquals(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), first(a.allocate(ServiceRequest.builder("ns/x").ipFamily(IpFamily.IPV6).build())));
  }

  @Test
  void labelSelector_kubernetesSemantics() {
    LabelSelector s = LabelSelector.builder().matchLabel("app", "web")
        .matchExpression("env", LabelSelector.Operator.IN, "prod", "staging")
        .matchExpression("deprecated", LabelSelector.Operator.DOES_NOT_EXIST).build();
    assertTrue(s.matches(Map.of("app", "web", "env", "prod")));
    assertFalse(s.matches(Map.of("app", "web", "env", "dev")));
    assertFalse(s.matches(Map.of("app", "web", "env", "prod", "deprecated", "")));
    assertFalse(s.matches(Map.of("env", "prod")));
    assertTrue(LabelSelector.builder().build().matches(Map.of()), "empty selector selects everything");
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> LabelSelector.builder().matchExpression("x", LabelSelector.Operator.IN)).getMessage().contains("expected: at least one value"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> LabelSelector.builder().matchExpression("x", LabelSelector.Operator.EXISTS, "v")).getMessage().contains("expected: no values"));
  }

  @Test
  void serviceRequest_keyMustBeNamespaceSlashName() {
    for (String bad : List.of("", "noslash", "/name", "ns/", "a/b/c")) {
      assertThrows(IllegalArgumentException.class, () -> ServiceRequest.builder(bad), bad);
    }
    assertEquals("ns", ServiceRequest.builder("ns/x").build().namespace());
  }

  /**
   * MetalLB (controller serviceFamilyChanged, convergeBalancer): a service holding one address that now requires dual
   * stack has changed family and is allocated afresh, the lowest free address of the best pool; only PreferDualStack
   * keeps its address and gains the other family.
   */
  @Test
  void singleStackNowRequiringDualStack_allocatedAfresh() {
    Allocator a = Allocator.builder()
        .pools(IpAddressPool.builder().name("d").addresses("10.0.0.0/24", "fd00::/120").build()).build();
    assertTrue(a.allocate(ServiceRequest.builder("ns/x").build()).isAllocated()); // 10.0.0.0
    assertTrue(a.allocate(ServiceRequest.builder("ns/a").build()).isAllocated()); // 10.0.0.1
    a.release("ns/x");
    AllocationResult r = a.allocate(ServiceRequest.builder("ns/a").ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK)
        .ipFamilies(List.of(IpFamily.IPV4, IpFamily.IPV6)).build());
    assertEquals(List.of(ip("10.0.0.0"), ip("fd00::")), ((Allocated) r).allocation().addresses(), r::toString);
    // PreferDualStack keeps the address it has
    assertTrue(a.allocate(ServiceRequest.builder("ns/b").build()).isAllocated()); // 10.0.0.1
    AllocationResult p = a.allocate(ServiceRequest.builder("ns/b").ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
        .ipFamilies(List.of(IpFamily.IPV4, IpFamily.IPV6)).build());
    assertEquals(ip("10.0.0.1"), ((Allocated) p).allocation().addresses().get(0), p::toString);
  }

  /** Same rule across pools: the pinned (priority) dual-stack pool wins the fresh allocation, as in MetalLB. */
  @Test
  void singleStackNowRequiringDualStack_takesTheBestPool() {
    IpAddressPool low = IpAddressPool.builder().name("a-low").addresses("10.0.0.0/24", "fd00::/120").build();
    Allocator a = Allocator.builder().pools(low).build();
    assertTrue(a.allocate(ServiceRequest.builder("ns/a").build()).isAllocated()); // 10.0.0.0 from a-low
    IpAddressPool pinned = IpAddressPool.builder().name("b-pinned").addresses("10.0.1.0/24", "fd01::/120")
        .serviceAllocation(ServiceAllocation.builder().namespaces("ns").priority(1).build()).build();
    a.updatePools(List.of(low, pinned));
    AllocationResult r = a.allocate(ServiceRequest.builder("ns/a").ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK)
        .ipFamilies(List.of(IpFamily.IPV4, IpFamily.IPV6)).build());
    assertEquals(List.of(ip("10.0.1.0"), ip("fd01::")), ((Allocated) r).allocation().addresses(), r::toString);
  }

  /** MetalLB's webhook refuses overlapping pools; two ranges sharing only their end address overlap too. */
  @Test
  void pools_sharingOneBoundaryAddress_refused() {
    IpAddressPool a = IpAddressPool.builder().name("a").addresses("10.0.0.0-10.0.0.10").build();
    IpAddressPool b = IpAddressPool.builder().name("b").addresses("10.0.0.10-10.0.0.20").build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Allocator.builder().pools(a, b).build());
    assertTrue(e.getMessage().contains("overlap"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> IpAddressPool.checkDisjoint(List.of(a, b)));
    IpAddressPool adjacent = IpAddressPool.builder().name("b").addresses("10.0.0.11-10.0.0.20").build();
    IpAddressPool.checkDisjoint(List.of(a, adjacent)); // adjacent is fine
  }

  @Test
  void labelSelector_notIn_matchesWhenLabelAbsent() {
    LabelSelector s = LabelSelector.builder().matchExpression("tier", LabelSelector.Operator.NOT_IN, "db").build();
    assertTrue(s.matches(Map.of()), "Kubernetes: NotIn holds for an object without the label");
    assertTrue(s.matches(Map.of("tier", "web")));
    assertFalse(s.matches(Map.of("tier", "db")));
  }

  /**
   * A single requested address, with no ipFamilies given, tells a single-family cluster (documented on
   * ServiceRequest.Builder#addresses): a PreferDualStack service asking for it gets it, rather than being refused for
   * not asking for both families.
   */
  @Test
  void preferDualStack_singleRequestedAddressWithoutIpFamilies_meansSingleFamilyClusterIps() {
    ServiceRequest req = ServiceRequest.builder("ns/a").ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
        .addresses(ip("10.0.0.5")).build();
    assertFalse(req.dualStackClusterIps());
    assertEquals(IpFamily.IPV4, req.ipFamily());
    Allocator a = Allocator.builder()
        .pools(IpAddressPool.builder().name("p").addresses("10.0.0.0/24", "2001:db8::/120").build()).build();
    assertEquals(List.of(ip("10.0.0.5")), ((Allocated) a.allocate(req)).allocation().addresses());
    ServiceRequest stated = ServiceRequest.builder("ns/b").ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
        .ipFamilies(List.of(IpFamily.IPV4, IpFamily.IPV6)).addresses(ip("10.0.0.6")).build();
    assertTrue(stated.dualStackClusterIps(), "ipFamilies, when given, wins");
    assertEquals(Refusal.FAMILY_MISMATCH, ((Refused) a.allocate(stated)).reason());
  }

  /**
   * Used addresses are kept as runs of 128-bit values; a run that crosses a 64-bit boundary (…:ffff:ffff:ffff:ffff to
   * …:1::) must shrink and split there exactly, or the lowest-free search skips (or hands out) whole /64s.
   */
  @Test
  void ipv6_releasesAcrossThe64BitBoundary_freeExactlyThoseAddresses() {
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p")
        .addresses("2001:db8:0:0:ffff:ffff:ffff:fffe-2001:db8:0:1::2").build()).build();
    List<InetAddress> got = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      got.add(first(a.allocate(ServiceRequest.builder("ns/s" + i).ipFamily(IpFamily.IPV6).build())));
    }
    assertEquals(List.of(ip("2001:db8::ffff:ffff:ffff:fffe"), ip("2001:db8::ffff:ffff:ffff:ffff"), ip("2001:db8:0:1::"),
        ip("2001:db8:0:1::1"), ip("2001:db8:0:1::2")), got);
    // the middle of the run, just above the boundary
    a.release("ns/s2");
    assertEquals(ip("2001:db8:0:1::"), first(a.allocate(ServiceRequest.builder("ns/m").ipFamily(IpFamily.IPV6).build())));
    // the start of a run, just below the boundary
    a.release("ns/s0");
    a.release("ns/s1");
    assertEquals(ip("2001:db8::ffff:ffff:ffff:fffe"), first(a.allocate(ServiceRequest.builder("ns/x").ipFamily(IpFamily.IPV6).build())));
    assertEquals(ip("2001:db8::ffff:ffff:ffff:ffff"), first(a.allocate(ServiceRequest.builder("ns/y").ipFamily(IpFamily.IPV6).build())));
    // the end of a run, at the boundary: ...fffe..1:: is one run once 1::1 and 1::2 are gone
    a.release("ns/s4");
    a.release("ns/s3");
    a.release("ns/m");
    assertEquals(ip("2001:db8:0:1::"), first(a.allocate(ServiceRequest.builder("ns/z").ipFamily(IpFamily.IPV6).build())));
    assertEquals(ip("2001:db8:0:1::1"), first(a.allocate(ServiceRequest.builder("ns/w").ipFamily(IpFamily.IPV6).build())));
    assertEquals(4, a.usage().get(0).inUse());
  }

  /**
   * Random placement in a huge IPv6 range checks its probes against the holders (such ranges are not in the run set):
   * even a random source that always says the same thing never makes it hand out a held address twice.
   */
  @Test
  void randomPlacement_hugeRange_degenerateRandomNeverGivesAHeldAddress() {
    java.util.random.RandomGenerator stuck = () -> 0L;
    Allocator a = Allocator.builder().pools(IpAddressPool.builder().name("p").addresses("2001:db8::/64").build())
        .ipv6Placement(Allocator.Placement.RANDOM).random(stuck).build();
    InetAddress x = first(a.allocate(ServiceRequest.builder("ns/a").ipFamily(IpFamily.IPV6).build()));
    AllocationResult second = a.allocate(ServiceRequest.builder("ns/b").ipFamily(IpFamily.IPV6).build());
    if (second instanceof Allocated b) {
      assertFalse(b.allocation().addresses().contains(x), "one address, two services");
    }
    assertEquals(List.of("ns/a"), a.holders(x));
  }
}
