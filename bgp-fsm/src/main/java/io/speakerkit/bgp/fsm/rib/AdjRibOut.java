package io.speakerkit.bgp.fsm.rib;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The routes we announce to one peer (RFC 4271 §3.2, Adj-RIB-Out), built to stay small at a million routes and to
 * feed UPDATE packing.
 *
 * <p>Layout: every distinct attribute set {@code A} (immutable, with value equality — e.g. the codec's path attributes)
 * is interned once as a group with a reference count; an IPv4 prefix is a {@code long} key ({@code address << 8 |
 * length}) mapped to its group number in an open-addressing table, about 16-32 bytes per route and no object per
 * route. IPv6 prefixes, rare in a load-balancer speaker, sit in an ordinary hash map.
 *
 * <p>Changes are remembered as pending keys; {@link #drain} hands them out in batches grouped by attribute set (so
 * the writer packs prefixes that share attributes into one UPDATE) and withdrawals together; a prefix announced and
 * withdrawn again before it went out is dropped, not withdrawn (the peer never had it). {@link #resendAll()}, on
 * every (re)establishment, makes the whole table pending again without copying it ({@link #resendIpv4()} and
 * {@link #resendIpv6()} one family, for a route refresh): a cursor walks the table (and
 * starts over if the table is rebuilt meanwhile, which only re-sends routes; a route that a deletion shifts behind the
 * cursor becomes pending instead). The caller drains while the channel is
 * writable, so a slow peer never grows a queue: what is pending is bounded by the table itself.
 *
 * <p>Not thread-safe: use it from the session's event loop.
 *
 * @param <A> the attribute set type, immutable with {@code equals}/{@code hashCode}
 */
public final class AdjRibOut<A> {

  /** Receives the batches of {@link #drain}. Arrays are reused after the call returns. */
  public interface Sink<A> {
    /** Withdraw these IPv4 prefixes (keys as by {@link AdjRibOut#ipv4Key}). */
    void withdrawIpv4(long[] keys, int count);

    /** Announce these IPv4 prefixes, all with {@code attributes}. */
    void announceIpv4(A attributes, long[] keys, int count);

    /** Withdraw these IPv6 prefixes. */
    void withdrawIpv6(List<Ipv6Prefix> prefixes);

    /** Announce these IPv6 prefixes, all with {@code attributes}. */
    void announceIpv6(A attributes, List<Ipv6Prefix> prefixes);
  }

  private static final int NONE = -1;

  private final Map<A, Integer> groupIds = new HashMap<>();
  private Object[] groupAttrs = new Object[8];
  private int[] groupRefs = new int[8];
  private int[] freeGroups = new int[8];
  private int freeCount;
  private int groupCount;

  private final LongIntHashMap v4;
  private final HashMap<Ipv6Prefix, Integer> v6 = new HashMap<>();
  private final LongHashSet pendingV4 = new LongHashSet();
  private final LinkedHashSet<Ipv6Prefix> pendingV6 = new LinkedHashSet<>();
  /**
   * Pending announcements of prefixes the peer does not hold (new since the last drain, or since the session began):
   * withdrawn before they go out, they are dropped instead of sent as a withdrawal of something never announced.
   */
  private final LongHashSet notHeldV4 = new LongHashSet();
  private final java.util.HashSet<Ipv6Prefix> notHeldV6 = new java.util.HashSet<>();
  private int syncSlot = NONE;
  private int syncModCount;

  // drain scratch
  private long[] polled = new long[0];
  /** Announcements polled in this drain while a resend runs, which the cursor must not list a second time. */
  private final LongHashSet polledAnnouncements = new LongHashSet();
  private final Map<Integer, long[]> buckets = new HashMap<>();
  private final Map<Integer, Integer> bucketSizes = new HashMap<>();

  public AdjRibOut() {
    this(16);
  }

  /** With room for {@code expectedIpv4Routes} before the table grows. */
  public AdjRibOut(int expectedIpv4Routes) {
    v4 = new LongIntHashMap(expectedIpv4Routes);
  }

  /** The key of an IPv4 prefix: {@code address << 8 | length}, address unsigned, host bits must be zero. */
  public static long ipv4Key(int address, int length) {
    if (length < 0 || length > 32) {
      throw new IllegalArgumentException("prefix length: " + length + " (expected: 0-32)");
    }
    if (length < 32 && (address & (-1 >>> length)) != 0 && length != 0 || length == 0 && address != 0) {
      throw new IllegalArgumentException("prefix: host bits set beyond /" + length);
    }
    return (Integer.toUnsignedLong(address) << 8) | length;
  }

  public static int ipv4Address(long key) {
    return (int) (key >>> 8);
  }

  public static int ipv4Length(long key) {
    return (int) (key & 0xFF);
  }

  /** Announces (or changes the attributes of) an IPv4 prefix; returns whether anything changed. */
  public boolean announceIpv4(int address, int length, A attributes) {
    long key = ipv4Key(address, length);
    int gid = intern(attributes);
    int old = v4.put(key, gid, NONE);
    if (old == gid) {
      release(gid); // the same route again
      return false;
    }
    if (old != NONE) {
      release(old);
    }
    if (pendingV4.add(key) && old == NONE) {
      notHeldV4.add(key); // (a key pending already is a withdrawal the peer has not had: it holds the route)
    }
    return true;
  }

  /** Withdraws an IPv4 prefix; returns whether it was announced. */
  public boolean withdrawIpv4(int address, int length) {
    long key = ipv4Key(address, length);
    // a resend in progress must not miss a route that deletion shifts behind its cursor
    int old = syncSlot == NONE ? v4.remove(key, NONE) : v4.remove(key, NONE, syncSlot, pendingV4);
    if (old == NONE) {
      return false;
    }
    release(old);
    if (!notHeldV4.isEmpty() && notHeldV4.remove(key)) {
      pendingV4.remove(key); // never went out: nothing to withdraw
    } else {
      pendingV4.add(key);
    }
    return true;
  }

  /** The attributes an IPv4 prefix is announced with, or {@code null}. */
  @SuppressWarnings("unchecked")
  public A ipv4(int address, int length) {
    int gid = v4.get(ipv4Key(address, length), NONE);
    return gid == NONE ? null : (A) groupAttrs[gid];
  }

  public boolean announceIpv6(Ipv6Prefix prefix, A attributes) {
    int gid = intern(attributes);
    Integer old = v6.put(prefix, gid);
    if (old != null && old == gid) {
      release(gid);
      return false;
    }
    if (old != null) {
      release(old);
    }
    if (pendingV6.add(prefix) && old == null) {
      notHeldV6.add(prefix);
    }
    return true;
  }

  public boolean withdrawIpv6(Ipv6Prefix prefix) {
    Integer old = v6.remove(prefix);
    if (old == null) {
      return false;
    }
    release(old);
    if (notHeldV6.remove(prefix)) {
      pendingV6.remove(prefix);
    } else {
      pendingV6.add(prefix);
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  public A ipv6(Ipv6Prefix prefix) {
    Integer gid = v6.get(prefix);
    return gid == null ? null : (A) groupAttrs[gid];
  }

  /** Routes announced. */
  public int size() {
    return v4.size() + v6.size();
  }

  public int ipv4Size() {
    return v4.size();
  }

  /** Distinct attribute sets in use. */
  public int attributeSets() {
    return groupIds.size();
  }

  /** Whether {@link #drain} has something to hand out. */
  public boolean hasPending() {
    return !pendingV4.isEmpty() || !pendingV6.isEmpty() || syncSlot != NONE;
  }

  /** IPv4 prefixes pending outside the resend cursor (for tests). */
  int pendingIpv4() {
    return pendingV4.size();
  }

  /** Whether a {@link #resendAll()} is still in progress (End-of-RIB goes out once it is over). */
  public boolean resending() {
    return syncSlot != NONE;
  }

  /**
   * The peer has nothing from us (a new session): everything is pending again and pending withdrawals are dropped.
   */
  public void resendAll() {
    pendingV4.poll(new long[pendingV4.size()], pendingV4.size());
    notHeldV4.clear(); // the cursor goes over every IPv4 route (a withdrawal it has not reached is still sent)
    pendingV6.clear();
    pendingV6.addAll(v6.keySet());
    notHeldV6.clear();
    notHeldV6.addAll(v6.keySet());
    syncSlot = 0;
    syncModCount = v4.modCount();
  }

  /**
   * The peer asked for our IPv4 routes again (ROUTE-REFRESH, RFC 2918 §4): every IPv4 route is pending again.
   * Withdrawals not yet handed out stay pending, since the peer may still hold those routes. IPv6 is not touched.
   */
  public void resendIpv4() {
    syncSlot = 0;
    syncModCount = v4.modCount();
  }

  /** As {@link #resendIpv4()}, for the IPv6 routes. */
  public void resendIpv6() {
    pendingV6.addAll(v6.keySet());
  }

  /**
   * Hands out up to about {@code max} pending prefixes: withdrawals first, then announcements grouped by attribute
   * set. Returns how many prefixes were handed out (0 when nothing is pending).
   */
  @SuppressWarnings("unchecked")
  public int drain(int max, Sink<A> sink) {
    Objects.requireNonNull(sink, "sink");
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
    int total = 0;
    // IPv6 first: few, and cheap
    if (!pendingV6.isEmpty()) {
      List<Ipv6Prefix> withdrawn = new ArrayList<>();
      Map<Integer, List<Ipv6Prefix>> byGroup = new HashMap<>();
      Iterator<Ipv6Prefix> it = pendingV6.iterator();
      while (it.hasNext() && total < max) {
        Ipv6Prefix p = it.next();
        it.remove();
        Integer gid = v6.get(p);
        if (gid == null) {
          withdrawn.add(p);
        } else {
          byGroup.computeIfAbsent(gid, g -> new ArrayList<>()).add(p);
          notHeldV6.remove(p);
        }
        total++;
      }
      if (!withdrawn.isEmpty()) {
        sink.withdrawIpv6(withdrawn);
      }
      byGroup.forEach((gid, list) -> sink.announceIpv6((A) groupAttrs[gid], list));
    }
    if (total >= max) {
      return total;
    }
    int budget = max - total;
    if (polled.length < budget) {
      polled = new long[budget];
    }
    int n = pendingV4.poll(polled, budget);
    int withdrawnCount = 0;
    long[] withdrawn = null;
    for (int i = 0; i < n; i++) {
      long key = polled[i];
      int gid = v4.get(key, NONE);
      if (gid == NONE) {
        if (withdrawn == null) {
          withdrawn = new long[n];
        }
        withdrawn[withdrawnCount++] = key;
      } else if (syncSlot != NONE && v4.modCount() == syncModCount && v4.slotOf(key) >= syncSlot) {
        // the resend cursor has yet to reach it and will send it with its attributes then: once is enough
      } else {
        addToBucket(gid, key);
        if (!notHeldV4.isEmpty()) {
          notHeldV4.remove(key);
        }
        if (syncSlot != NONE) {
          polledAnnouncements.add(key);
        }
      }
    }
    total += n;
    // the resend cursor
    if (syncSlot != NONE && total < max) {
      if (v4.modCount() != syncModCount) {
        syncSlot = 0; // rebuilt: start over (re-sending is harmless)
        syncModCount = v4.modCount();
      }
      int cap = v4.capacity();
      while (syncSlot < cap && total < max) {
        long key = v4.keyAt(syncSlot);
        if (key != LongIntHashMap.FREE
            && (polledAnnouncements.isEmpty() || !polledAnnouncements.contains(key))) {
          addToBucket(v4.valueAt(syncSlot), key);
          if (!notHeldV4.isEmpty()) {
            notHeldV4.remove(key);
          }
          total++;
        }
        syncSlot++;
      }
      if (syncSlot >= cap) {
        syncSlot = NONE;
      }
    }
    if (!polledAnnouncements.isEmpty()) {
      polledAnnouncements.clear();
    }
    if (withdrawnCount > 0) {
      sink.withdrawIpv4(withdrawn, withdrawnCount);
    }
    if (!bucketSizes.isEmpty()) {
      for (Map.Entry<Integer, Integer> e : bucketSizes.entrySet()) {
        int gid = e.getKey();
        sink.announceIpv4((A) groupAttrs[gid], buckets.get(gid), e.getValue());
      }
      bucketSizes.clear();
      if (buckets.size() > 64) {
        buckets.clear();
      }
    }
    return total;
  }

  /** Approximate heap bytes of the IPv4 table and groups (not counting the attribute objects). */
  public long ipv4MemoryBytes() {
    return v4.memoryBytes() + groupAttrs.length * 12L;
  }

  private void addToBucket(int gid, long key) {
    Integer size = bucketSizes.get(gid);
    int s = size == null ? 0 : size;
    long[] b = buckets.get(gid);
    if (b == null) {
      b = new long[64];
      buckets.put(gid, b);
    } else if (s == b.length) {
      b = Arrays.copyOf(b, b.length * 2);
      buckets.put(gid, b);
    }
    b[s] = key;
    bucketSizes.put(gid, s + 1);
  }

  private int intern(A attributes) {
    Objects.requireNonNull(attributes, "attributes");
    Integer gid = groupIds.get(attributes);
    if (gid != null) {
      groupRefs[gid]++;
      return gid;
    }
    int g;
    if (freeCount > 0) {
      g = freeGroups[--freeCount];
    } else {
      g = groupCount++;
      if (g == groupAttrs.length) {
        groupAttrs = Arrays.copyOf(groupAttrs, g * 2);
        groupRefs = Arrays.copyOf(groupRefs, g * 2);
      }
    }
    groupAttrs[g] = attributes;
    groupRefs[g] = 1;
    groupIds.put(attributes, g);
    return g;
  }

  private void release(int gid) {
    if (--groupRefs[gid] == 0) {
      groupIds.remove(groupAttrs[gid]);
      groupAttrs[gid] = null;
      if (freeCount == freeGroups.length) {
        freeGroups = Arrays.copyOf(freeGroups, freeCount * 2);
      }
      freeGroups[freeCount++] = gid;
    }
  }
}
