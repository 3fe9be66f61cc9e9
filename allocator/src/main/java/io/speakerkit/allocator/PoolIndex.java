package io.speakerkit.allocator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Immutable lookup structure over a validated set of pools: by name, and address to pool by binary search. */
final class PoolIndex {
  final List<IpAddressPool> pools; // sorted by name
  final Map<String, Integer> byName = new HashMap<>();
  /** All ranges of all pools, sorted by start. */
  private final long[] sHi;
  private final long[] sLo;
  private final long[] eHi;
  private final long[] eLo;
  private final int[] owner;
  /** Pools with autoAssign and no serviceAllocation, in name order: the tail of every automatic candidate list. */
  final List<Integer> openAutoPools;
  /** True if some autoAssign pool has a serviceAllocation (so candidate lists depend on the service). */
  final boolean anyPinned;
  /** Per pool, its ranges in configured order: [pool][range] = {startHi, startLo, endHi, endLo, family ordinal}. */
  final long[][][] poolRanges;

  private PoolIndex(List<IpAddressPool> sorted) {
    this.pools = sorted;
    record R(long sHi, long sLo, long eHi, long eLo, int pool, IpRange range) {}
    List<R> all = new ArrayList<>();
    poolRanges = new long[sorted.size()][][];
    for (int p = 0; p < sorted.size(); p++) {
      IpAddressPool pool = sorted.get(p);
      if (byName.put(pool.name(), p) != null) {
        throw new IllegalArgumentException("pool name \"" + pool.name() + "\" is used twice (expected: unique names)");
      }
      poolRanges[p] = new long[pool.ranges().size()][];
      for (int i = 0; i < pool.ranges().size(); i++) {
        IpRange r = pool.ranges().get(i);
        R x = new R(U128.hi(r.start()), U128.lo(r.start()), U128.hi(r.end()), U128.lo(r.end()), p, r);
        all.add(x);
        poolRanges[p][i] = new long[] {x.sHi, x.sLo, x.eHi, x.eLo, r.family().ordinal()};
      }
    }
    boolean pinned = false;
    List<Integer> open = new ArrayList<>();
    for (int p = 0; p < sorted.size(); p++) {
      IpAddressPool pool = sorted.get(p);
      if (pool.autoAssign() && pool.serviceAllocation().isEmpty()) {
        open.add(p);
      }
      pinned |= pool.autoAssign() && pool.serviceAllocation().isPresent();
    }
    anyPinned = pinned;
    openAutoPools = List.copyOf(open);
    all.sort(Comparator.comparing((R r) -> r.sHi, Long::compareUnsigned).thenComparing(r -> r.sLo, Long::compareUnsigned));
    int n = all.size();
    sHi = new long[n];
    sLo = new long[n];
    eHi = new long[n];
    eLo = new long[n];
    owner = new int[n];
    for (int i = 0; i < n; i++) {
      R r = all.get(i);
      if (i > 0) {
        R prev = all.get(i - 1);
        if (U128.compare(prev.eHi, prev.eLo, r.sHi, r.sLo) >= 0) {
          String a = sorted.get(prev.pool).name();
          String b = sorted.get(r.pool).name();
          throw new IllegalArgumentException(a.equals(b)
              ? "pool \"" + a + "\": ranges " + prev.range + " and " + r.range + " overlap (expected: disjoint ranges)"
              : "pools \"" + a + "\" and \"" + b + "\" overlap: " + prev.range + " and " + r.range
                  + " (expected: every address in at most one pool)");
        }
      }
      sHi[i] = r.sHi;
      sLo[i] = r.sLo;
      eHi[i] = r.eHi;
      eLo[i] = r.eLo;
      owner[i] = r.pool;
    }
  }

  static PoolIndex of(List<IpAddressPool> pools) {
    List<IpAddressPool> sorted = new ArrayList<>(pools);
    sorted.sort(Comparator.comparing(IpAddressPool::name));
    return new PoolIndex(List.copyOf(sorted));
  }

  /** Index of the pool containing the address, or -1. */
  int poolOf(long h, long l) {
    int r = rangeOf(h, l);
    return r < 0 ? -1 : owner[r];
  }

  /** True if the address lies in a range of at least 2^32 addresses (where random placement needs no run set). */
  boolean inHugeRange(long h, long l) {
    int r = rangeOf(h, l);
    return r >= 0 && isHuge(sHi[r], sLo[r], eHi[r], eLo[r]);
  }

  /** Index of the range containing the address (binary search over the sorted starts), or -1. */
  private int rangeOf(long h, long l) {
    int lo = 0;
    int hi = sHi.length - 1;
    int r = -1;
    while (lo <= hi) {
      int m = (lo + hi) >>> 1;
      if (U128.compare(sHi[m], sLo[m], h, l) <= 0) {
        r = m;
        lo = m + 1;
      } else {
        hi = m - 1;
      }
    }
    return r < 0 || U128.compare(eHi[r], eLo[r], h, l) < 0 ? -1 : r;
  }

  /** True if [s, e] holds at least 2^32 addresses. */
  static boolean isHuge(long sHi, long sLo, long eHi, long eLo) {
    long spanLo = eLo - sLo;
    long spanHi = eHi - sHi - (Long.compareUnsigned(eLo, sLo) < 0 ? 1 : 0);
    return spanHi != 0 || Long.compareUnsigned(spanLo, 0xffff_ffffL) >= 0;
  }

  /** A short description of all ranges, for "address not in any pool" messages. */
  String describe() {
    if (pools.isEmpty()) {
      return "no pools are configured";
    }
    StringBuilder b = new StringBuilder("pools: ");
    int shown = 0;
    for (IpAddressPool p : pools) {
      if (shown++ > 0) {
        b.append("; ");
      }
      if (shown > 8) {
        b.append("and ").append(pools.size() - 8).append(" more");
        break;
      }
      b.append(p.name()).append(' ').append(p.ranges());
    }
    return b.toString();
  }
}
