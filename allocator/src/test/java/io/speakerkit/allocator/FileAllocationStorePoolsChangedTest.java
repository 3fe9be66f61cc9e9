package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAllocationStorePoolsChangedTest {
  static final List<IpAddressPool> POOLS = FileAllocationStoreTest.POOLS;

  @Test
  void poolsShrunkWhileDown_releasedDurably_notResurrectedWithOldPools(@TempDir Path dir) {
    Path j = dir.resolve("j");
    List<Allocation> before;
    try (Allocator a = FileAllocationStoreTest.open(j, POOLS)) {
      FileAllocationStoreTest.fill(a);
      before = a.allocations();
    }
    List<IpAddressPool> split = List.of(
        IpAddressPool.builder().name("p4").addresses("10.0.0.0/24").build(),
        IpAddressPool.builder().name("p6").addresses("fd00::/64").build());
    List<String> released;
    try (Allocator a = FileAllocationStoreTest.open(j, split)) {
      released = a.restoreReport().released().stream().map(Allocation::serviceKey).toList();
      assertEquals(List.of("ns/b", "ns/e"), released); // dual-stack split across pools; q gone
    }
    try (Allocator a = FileAllocationStoreTest.open(j, POOLS)) {
      assertEquals(List.of("ns/c", "ns/d"), a.allocations().stream().map(Allocation::serviceKey).toList());
    }
  }

  @Test
  void updatePools_releasedNotResurrected(@TempDir Path dir) {
    Path j = dir.resolve("j");
    try (Allocator a = FileAllocationStoreTest.open(j, POOLS)) {
      FileAllocationStoreTest.fill(a);
      PoolUpdate u = a.updatePools(List.of(POOLS.get(0)));
      assertEquals(List.of("ns/e"), u.released().stream().map(Allocation::serviceKey).toList());
    }
    try (Allocator a = FileAllocationStoreTest.open(j, POOLS)) {
      assertEquals(List.of("ns/b", "ns/c", "ns/d"), a.allocations().stream().map(Allocation::serviceKey).toList());
    }
  }
}
