package io.speakerkit.allocator;

import java.math.BigInteger;
import java.util.Objects;

/**
 * Exact usage of one family of one pool.
 *
 * @param pool pool name
 * @param family address family
 * @param capacity addresses the pool can hand out (2^64 for a /64), excluding .0/.255 under avoidBuggyIPs
 * @param inUse distinct addresses held by at least one service (a shared address counts once)
 */
public record PoolUsage(String pool, IpFamily family, BigInteger capacity, long inUse) {
  public PoolUsage {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(capacity, "capacity");
    if (inUse < 0 || capacity.compareTo(BigInteger.valueOf(inUse)) < 0) {
      throw new IllegalArgumentException("pool " + pool + " " + family + ": inUse " + inUse + " (expected: 0.." + capacity + ")");
    }
  }

  /** {@code capacity - inUse}. */
  public BigInteger available() {
    return capacity.subtract(BigInteger.valueOf(inUse));
  }
}
