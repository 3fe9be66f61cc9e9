package io.speakerkit.allocator;

/** Why an allocation request was refused; {@link AllocationResult.Refused#message()} says what to change. */
public enum Refusal {
  /** Every eligible pool is full (or has no address the service may share). */
  POOL_EXHAUSTED,
  /** No pool may serve this service automatically (autoAssign off, selectors, families). */
  NO_ELIGIBLE_POOL,
  /** The named pool does not exist. */
  UNKNOWN_POOL,
  /** A requested address lies in no pool. */
  ADDRESS_NOT_IN_POOL,
  /** A requested address is held by a service this one may not share it with. */
  ADDRESS_IN_USE,
  /** A requested address is excluded by its pool (avoidBuggyIPs). */
  ADDRESS_NOT_ALLOWED,
  /** The families asked for do not fit the addresses, the pool or the family policy. */
  FAMILY_MISMATCH,
  /** The request contradicts itself, e.g. an address outside the pool it names. */
  CONFLICTING_REQUEST,
  /** The pool of a requested address, or the named pool, has a serviceAllocation that does not admit the service. */
  NOT_ADMITTED_BY_POOL
}
