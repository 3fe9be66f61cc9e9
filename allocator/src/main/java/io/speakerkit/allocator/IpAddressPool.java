package io.speakerkit.allocator;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A named set of address ranges to allocate from, MetalLB's {@code IPAddressPool}.
 *
 * <pre>{@code
 * IpAddressPool pool = IpAddressPool.builder()
 *     .name("public")
 *     .addresses("192.0.2.0/24", "2001:db8::/64", "198.51.100.10-198.51.100.20")
 *     .avoidBuggyIPs(true)
 *     .build();
 * }</pre>
 *
 * @param name pool name, unique within an allocator
 * @param ranges address ranges in configured order (lowest-free search follows this order)
 * @param autoAssign whether services that name no pool and no address may get addresses from this pool
 * @param avoidBuggyIPs whether IPv4 addresses ending in {@code .0} or {@code .255} are never handed out
 * @param serviceAllocation optional pinning to namespaces and services, and priority
 */
public record IpAddressPool(
    String name, List<IpRange> ranges, boolean autoAssign, boolean avoidBuggyIPs, Optional<ServiceAllocation> serviceAllocation) {

  public IpAddressPool {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("pool name: \"" + name + "\" (expected: non-blank)");
    }
    ranges = List.copyOf(Objects.requireNonNull(ranges, "ranges"));
    Objects.requireNonNull(serviceAllocation, "serviceAllocation");
    for (IpRange r : ranges) {
      // IPv4 addresses live at ::ffff:a.b.c.d in the allocator's one 128-bit space (U128), so an IPv6 range there
      // would hold IPv4 addresses (MetalLB, on Go's net.IP, keeps the two apart).
      if (r.family() == IpFamily.IPV6 && overlap(r, IPV4_MAPPED)) {
        throw new IllegalArgumentException("pool \"" + name + "\": range " + r + " includes ::ffff:0:0/96, the"
            + " IPv4-mapped addresses (expected: an IPv6 range outside it)");
      }
    }
    for (int i = 0; i < ranges.size(); i++) {
      for (int j = i + 1; j < ranges.size(); j++) {
        if (overlap(ranges.get(i), ranges.get(j))) {
          throw new IllegalArgumentException(
              "pool \"" + name + "\": ranges " + ranges.get(i) + " and " + ranges.get(j) + " overlap (expected: disjoint ranges)");
        }
      }
    }
  }

  /** ::ffff:0.0.0.0 to ::ffff:255.255.255.255, where U128 keeps the IPv4 addresses. */
  private static final IpRange IPV4_MAPPED = new IpRange(U128.toInet(0, 0x0000_ffff_0000_0000L),
      U128.toInet(0, 0x0000_ffff_ffff_ffffL));

  static boolean overlap(IpRange a, IpRange b) {
    return U128.compare(U128.hi(a.start()), U128.lo(a.start()), U128.hi(b.end()), U128.lo(b.end())) <= 0
        && U128.compare(U128.hi(b.start()), U128.lo(b.start()), U128.hi(a.end()), U128.lo(a.end())) <= 0;
  }

  /** True if the pool has at least one range of {@code family}. */
  public boolean hasFamily(IpFamily family) {
    for (IpRange r : ranges) {
      if (r.family() == family) {
        return true;
      }
    }
    return false;
  }

  /** Number of addresses of {@code family} the pool can hand out, exact; excludes .0/.255 under avoidBuggyIPs. */
  public BigInteger capacity(IpFamily family) {
    BigInteger total = BigInteger.ZERO;
    for (IpRange r : ranges) {
      if (r.family() != family) {
        continue;
      }
      total = total.add(r.size());
      if (avoidBuggyIPs && family == IpFamily.IPV4) {
        long s = U128.lo(r.start()) & 0xffff_ffffL;
        long e = U128.lo(r.end()) & 0xffff_ffffL;
        total = total.subtract(BigInteger.valueOf(countMod(s, e, 0) + countMod(s, e, 255)));
      }
    }
    return total;
  }

  /** Number of x in [s, e] with x % 256 == r. */
  private static long countMod(long s, long e, int r) {
    return upTo(e, r) - upTo(s - 1, r);
  }

  private static long upTo(long n, int r) {
    return n < r ? 0 : (n - r) / 256 + 1;
  }

  /**
   * Checks that no address lies in two pools or in two ranges of one pool, as the allocator does whenever it is given
   * pools (MetalLB's webhook refuses overlapping pools): for configurations checked before an allocator exists.
   *
   * @throws IllegalArgumentException naming the pools and their overlapping ranges
   */
  public static void checkDisjoint(List<IpAddressPool> pools) {
    PoolIndex.of(pools);
  }

  /** A builder: autoAssign on, avoidBuggyIPs off, no service allocation, as MetalLB's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link IpAddressPool}. */
  public static final class Builder {
    private String name;
    private final List<IpRange> ranges = new ArrayList<>();
    private boolean autoAssign = true;
    private boolean avoidBuggyIPs;
    private ServiceAllocation serviceAllocation;

    private Builder() {}

    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Adds ranges written as CIDRs or {@code start-end}; see {@link IpRange#parse}. */
    public Builder addresses(String... ranges) {
      for (String r : ranges) {
        this.ranges.add(IpRange.parse(r));
      }
      return this;
    }

    /** Adds ranges written as CIDRs or {@code start-end}, e.g. straight from {@code IPAddressPool.spec.addresses}. */
    public Builder addresses(java.util.Collection<String> ranges) {
      return addresses(ranges.toArray(new String[0]));
    }

    public Builder addresses(IpRange... ranges) {
      for (IpRange r : ranges) {
        this.ranges.add(Objects.requireNonNull(r, "range"));
      }
      return this;
    }

    public Builder autoAssign(boolean autoAssign) {
      this.autoAssign = autoAssign;
      return this;
    }

    public Builder avoidBuggyIPs(boolean avoidBuggyIPs) {
      this.avoidBuggyIPs = avoidBuggyIPs;
      return this;
    }

    public Builder serviceAllocation(ServiceAllocation serviceAllocation) {
      this.serviceAllocation = serviceAllocation;
      return this;
    }

    public IpAddressPool build() {
      if (name == null) {
        throw new IllegalStateException("pool name not set (expected: name(...) before build())");
      }
      return new IpAddressPool(name, ranges, autoAssign, avoidBuggyIPs, Optional.ofNullable(serviceAllocation));
    }
  }
}
