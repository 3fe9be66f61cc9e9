package io.speakerkit.allocator;

import static io.speakerkit.allocator.AllocatorStatefulProperties.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random IPv6 placement keeps huge ranges out of the run set; random operation sequences (automatic, dual-stack,
 * specific, release, pool changes that turn ranges huge or small, restarts from the file store) must keep every
 * invariant: no address held twice, every address inside a pool, exact usage, restart restores the same state.
 */
class RandomPlacementProperties {
  static final List<List<IpAddressPool>> CONFIGS = List.of(
      List.of(IpAddressPool.builder().name("p").addresses("10.0.0.0/29", "fd00::/64", "fd01::/125").build()),
      List.of(IpAddressPool.builder().name("p").addresses("10.0.0.0/30", "fd00::/126", "fd01::/64").build()),
      List.of(IpAddressPool.builder().name("p").addresses("10.0.0.0/29", "fd00::/120").build(),
          IpAddressPool.builder().name("q").addresses("fd01::/96").build()));

  static final String[] SPECIFIC = {"fd00::1", "fd00::2", "fd01::3", "fd01::7", "10.0.0.2", "fd00::3"};

  @Property(tries = 60)
  void randomPlacement_keepsInvariants(@ForAll @Size(min = 1, max = 100) List<@IntRange(min = 0, max = 99) Integer> ops,
      @ForAll @IntRange(min = 0, max = 1000) int seed) throws IOException {
    Path dir = Files.createTempDirectory("alloc-rnd");
    Path j = dir.resolve("j");
    List<IpAddressPool> pools = CONFIGS.get(0);
    SplittableRandom rnd = new SplittableRandom(seed);
    Allocator a = open(j, pools, seed);
    try {
      for (int i = 0; i < ops.size(); i++) {
        int op = ops.get(i);
        String key = "ns/s" + (op % 12);
        if (op < 45) {
          ServiceRequest.Builder b = ServiceRequest.builder(key);
          switch (op % 3) {
            case 0 -> b.ipFamily(IpFamily.IPV6);
            case 1 -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK);
            default -> { }
          }
          a.allocate(b.build());
        } else if (op < 60) {
          a.allocate(ServiceRequest.builder(key).addresses(ip(SPECIFIC[op % SPECIFIC.length])).build());
        } else if (op < 80) {
          a.release(key);
        } else if (op < 90) {
          pools = CONFIGS.get(op % CONFIGS.size());
          a.updatePools(pools);
        } else {
          List<Allocation> before = a.allocations();
          a.close();
          a = open(j, pools, rnd.nextInt());
          assertEquals(before, a.allocations(), "restart");
        }
        check(a, pools);
      }
    } finally {
      a.close();
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  static Allocator open(Path j, List<IpAddressPool> pools, int seed) {
    return Allocator.builder().pools(pools).store(FileAllocationStore.open(j))
        .ipv6Placement(Allocator.Placement.RANDOM).random(new SplittableRandom(seed)).build();
  }

  static void check(Allocator a, List<IpAddressPool> pools) {
    Map<InetAddress, String> holder = new HashMap<>();
    Map<String, Long> used = new HashMap<>();
    for (Allocation al : a.allocations()) {
      for (InetAddress x : al.addresses()) {
        String prev = holder.put(x, al.serviceKey());
        assertTrue(prev == null, () -> x + " held by " + prev + " and " + al.serviceKey());
        IpAddressPool p = pools.stream().filter(pl -> pl.ranges().stream().anyMatch(r -> r.contains(x))).findFirst()
            .orElseThrow(() -> new AssertionError(x + " is in no pool"));
        used.merge(p.name() + "/" + IpFamily.of(x), 1L, Long::sum);
      }
    }
    for (PoolUsage u : a.usage()) {
      assertEquals(used.getOrDefault(u.pool() + "/" + u.family(), 0L), u.inUse(), u::toString);
    }
  }
}
