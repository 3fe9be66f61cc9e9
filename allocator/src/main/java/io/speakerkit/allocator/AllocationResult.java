package io.speakerkit.allocator;

import java.util.Objects;
import java.util.Optional;

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
   * The service got nothing. What it held before is {@code released} when the changed request no longer fits it and
   * no new allocation could be made, as MetalLB's controller clears a service whose address the configuration no
   * longer allows before it allocates anew. Addresses of a family the policy does not allow release it too (MetalLB
   * clears the old address for a different requested one, then refuses the family); a request MetalLB cannot read
   * (two addresses of one family, more than two) changes nothing.
   *
   * @param reason category
   * @param message what was asked, what stands in the way, and what would work
   * @param released what the service held and gave up, durably, if anything
   */
  record Refused(Refusal reason, String message, Optional<Allocation> released) implements AllocationResult {
    public Refused {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(released, "released");
    }

    /** A refusal that released nothing. */
    public Refused(Refusal reason, String message) {
      this(reason, message, Optional.empty());
    }

    @Override
    public String toString() {
      return reason + ": " + message;
    }
  }
}
