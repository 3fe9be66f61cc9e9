package io.speakerkit.allocator;

import java.util.List;
import java.util.Objects;

/**
 * Outcome of {@link Allocator#updatePools}: allocations that fell outside every new pool were released and must be
 * requested again.
 *
 * @param released released allocations, sorted by service key
 */
public record PoolUpdate(List<Allocation> released) {
  public PoolUpdate {
    released = List.copyOf(Objects.requireNonNull(released, "released"));
  }
}
