package io.speakerkit.allocator;

import static io.speakerkit.allocator.AllocatorStatefulProperties.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Restoring from a store whose history does not come from this allocator (a user's own {@link AllocationStore}, say
 * one rebuilt from the services' status): two holders of one address that may not share it are not both restored.
 */
class AllocatorRestoreTest {

  /** A store that replays a fixed history and records what the allocator writes back. */
  static final class ScriptedStore implements AllocationStore {
    final Consumer<Replay> history;
    final List<String> removed = new ArrayList<>();

    ScriptedStore(Consumer<Replay> history) {
      this.history = history;
    }

    @Override
    public void replay(Replay sink) {
      history.accept(sink);
    }

    @Override
    public void put(Allocation allocation) {}

    @Override
    public void remove(String serviceKey) {
      removed.add(serviceKey);
    }
  }

  static final IpAddressPool POOL = IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build();

  static Allocation plain(String key, InetAddress a) {
    return new Allocation(key, List.of(a), "p", Optional.empty(), "", Set.of());
  }

  @Test
  void restore_twoNonSharingHoldersOfOneAddress_laterOneReleasedAndReported() {
    ScriptedStore store = new ScriptedStore(r -> {
      r.put(plain("ns/a", ip("10.0.0.5")));
      r.put(plain("ns/b", ip("10.0.0.5")));
    });
    Allocator a = Allocator.builder().pools(POOL).store(store).build();
    assertEquals(List.of("ns/a"), a.holders(ip("10.0.0.5")));
    assertEquals(Optional.empty(), a.allocation("ns/b"));
    assertEquals(List.of("ns/b"), a.restoreReport().released().stream().map(Allocation::serviceKey).toList());
    assertEquals(List.of("ns/b"), store.removed, "the dropped allocation leaves the store too");
  }

  @Test
  void restore_conflictingAllocationLaterMovedElsewhere_isKept() {
    ScriptedStore store = new ScriptedStore(r -> {
      r.put(plain("ns/a", ip("10.0.0.5")));
      r.put(plain("ns/b", ip("10.0.0.5"))); // conflicts: dropped for now
      r.put(plain("ns/b", ip("10.0.0.6"))); // ...but its last record is fine
    });
    Allocator a = Allocator.builder().pools(POOL).store(store).build();
    assertEquals(List.of(ip("10.0.0.6")), a.allocation("ns/b").orElseThrow().addresses());
    assertEquals(List.of(), a.restoreReport().released());
    assertEquals(List.of(), store.removed);
  }

  @Test
  void restore_conflictingAllocationLaterRemoved_isNotReportedReleased() {
    ScriptedStore store = new ScriptedStore(r -> {
      r.put(plain("ns/a", ip("10.0.0.5")));
      r.put(plain("ns/b", ip("10.0.0.5")));
      r.remove("ns/b");
    });
    Allocator a = Allocator.builder().pools(POOL).store(store).build();
    assertEquals(List.of(), a.restoreReport().released());
    assertEquals(List.of(), store.removed);
    assertEquals(List.of("ns/a"), a.holders(ip("10.0.0.5")));
  }
}
