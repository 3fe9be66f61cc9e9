package io.speakerkit.allocator;

import java.util.Objects;

/** Outcome of {@link Allocator#allocate}: the service's allocation, or a refusal a user can act on. */
public sealed interface AllocationResult {

  /** True for {@link Allocated}. */
  default boolean isAllocated() {
    return this instanceof Allocated;
  }

  /**
   * The service holds {@code allocation}; it is durable in the store.
   *
   * @param allocation what the service holds now
   * @param changed false if the service already held exactly this and nothing was written
   */
  record Allocated(Allocation allocation, boolean changed) implements AllocationResult {
    public Allocated {
      Objects.requireNonNull(allocation, "allocation");
    }
  }

  /**
   * Nothing changed; a previous allocation of the service, if any, is kept.
   *
   * @param reason category
   * @param message what was asked, what stands in the way, and what would work
   */
  record Refused(Refusal reason, String message) implements AllocationResult {
    public Refused {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return reason + ": " + message;
    }
  }
}
