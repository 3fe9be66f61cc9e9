package io.speakerkit.allocator;

/**
 * Kubernetes {@code spec.ipFamilyPolicy} of a service, which decides how many load-balancer addresses it gets.
 *
 * <p>As in MetalLB, a dual-stack service takes both of its addresses from one pool.
 */
public enum IpFamilyPolicy {
  /** One address, of the request's {@link ServiceRequest#ipFamily()}. */
  SINGLE_STACK,
  /** Both families when the chosen pool has both, else the one family the pool has. */
  PREFER_DUAL_STACK,
  /** One IPv4 and one IPv6 address from the same pool, or nothing. */
  REQUIRE_DUAL_STACK
}
