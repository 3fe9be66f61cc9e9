package io.speakerkit.allocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Keeps allocations in a map: survives rebuilding an allocator in the same process, not a restart. */
final class InMemoryAllocationStore implements AllocationStore {
  private final Map<String, Allocation> map = new HashMap<>();

  @Override
  public synchronized void replay(Replay sink) {
    for (Allocation a : new ArrayList<>(map.values())) {
      sink.put(a);
    }
  }

  @Override
  public synchronized void put(Allocation allocation) {
    map.put(allocation.serviceKey(), allocation);
  }

  @Override
  public synchronized void remove(String serviceKey) {
    map.remove(serviceKey);
  }

  synchronized List<Allocation> snapshot() {
    return new ArrayList<>(map.values());
  }
}
