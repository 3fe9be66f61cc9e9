package io.speakerkit.allocator;

import java.util.Arrays;

/**
 * The allocator's state without objects per allocation: one entry per (service, address) in parallel primitive
 * arrays, two open-addressing hash tables of entry numbers (by service key, by address), and the {@link RunSet} of
 * used addresses for free-space search.
 *
 * <p>Per held address this costs 16 (address) + 4 (service reference) + 4 + 4 (chain links) bytes of entry, plus a
 * {@code long} slot in the service table (hash and entry) and an {@code int} slot in the address table, at a load
 * factor between 3/8 and 3/4: about 55 bytes at one million allocations. The service key strings belong to the caller and are referenced, not copied.
 *
 * <p>An address shared by several services has one entry per service, chained through {@link #nextAddr}; the address
 * table points at the first. A dual-stack service's two entries are chained through {@link #nextSvc}; the service
 * table points at the first. Released entries go on a free list threaded through {@link #nextSvc}.
 */
final class AllocationTable {
  static final int NONE = -1;

  /** Address of entry e at [2e] (high half) and [2e + 1] (low half): one cache line for both. */
  long[] addr = new long[2048];
  String[] svc = new String[1024];
  int[] nextSvc = new int[1024];
  int[] nextAddr = new int[1024];
  private int used; // high-water mark of entries
  private int freeHead = NONE;

  /**
   * Service table slots hold {@code hash << 32 | entry + 1}, so probing compares hashes without touching the key;
   * address table slots hold {@code entry + 1}. 0 is empty. Linear probing, backward-shift deletion (no tombstones).
   */
  private long[] svcTable = new long[2048];
  private int svcCount;
  private int[] addrTable = new int[2048];
  private int addrCount;

  final RunSet runs = new RunSet();

  int serviceCount() {
    return svcCount;
  }

  int addressCount() {
    return addrCount;
  }

  long hi(int e) {
    return addr[2 * e];
  }

  long lo(int e) {
    return addr[2 * e + 1];
  }

  /** String hash codes of keys like "ns/svc-1", "ns/svc-2" are sequential: mix them before linear probing. */
  static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  private int addrHome(int entry, int mask) {
    return U128.hash(addr[2 * entry], addr[2 * entry + 1]) & mask;
  }

  /** Slot of {@code key} in the service table, or the empty slot where it would go. */
  private int svcSlot(String key, int hash) {
    int mask = svcTable.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      long v = svcTable[i];
      if (v == 0 || ((int) (v >>> 32) == hash && svc[(int) v - 1].equals(key))) {
        return i;
      }
    }
  }

  /** First entry of {@code key}, or {@link #NONE}. */
  int headOf(String key) {
    return (int) svcTable[svcSlot(key, mix(key.hashCode()))] - 1;
  }

  private int addrSlot(long h, long l) {
    int mask = addrTable.length - 1;
    for (int i = U128.hash(h, l) & mask; ; i = (i + 1) & mask) {
      int v = addrTable[i];
      if (v == 0 || (addr[2 * v - 2] == h && addr[2 * v - 1] == l)) {
        return i;
      }
    }
  }

  /** First entry holding address {@code (h, l)}, or {@link #NONE}. */
  int holderOf(long h, long l) {
    return addrTable[addrSlot(h, l)] - 1;
  }

  /**
   * Adds entry (key, address), chained after {@code prevOfService} (or as the service's first entry when
   * {@link #NONE}), and the address to the run set if {@code inRuns}. Returns true if the address was free before.
   */
  boolean add(String key, long h, long l, int prevOfService, boolean inRuns) {
    int e = newEntry();
    addr[2 * e] = h;
    addr[2 * e + 1] = l;
    svc[e] = key;
    nextSvc[e] = NONE;
    nextAddr[e] = NONE;
    lastAdded = e;
    if (prevOfService == NONE) {
      if ((svcCount + 1) * 4L > svcTable.length * 3L) {
        svcTable = rehashSvc(svcTable);
      }
      int hash = mix(key.hashCode());
      int mask = svcTable.length - 1;
      int i = hash & mask;
      while (svcTable[i] != 0) {
        i = (i + 1) & mask;
      }
      svcTable[i] = ((long) hash << 32) | (e + 1);
      svcCount++;
    } else {
      nextSvc[prevOfService] = e;
    }
    int slot = addrSlot(h, l);
    int head = addrTable[slot] - 1;
    if (head != NONE) {
      int x = head;
      while (nextAddr[x] != NONE) {
        x = nextAddr[x];
      }
      nextAddr[x] = e;
      return false;
    }
    if ((addrCount + 1) * 4L > addrTable.length * 3L) {
      addrTable = rehashAddr(addrTable);
      slot = addrSlot(h, l);
    }
    addrTable[slot] = e + 1;
    addrCount++;
    if (inRuns) {
      runs.add(h, l);
    }
    return true;
  }

  /** Entry created by the last {@link #add}. */
  int lastAdded = NONE;

  /**
   * Removes every entry of {@code key}; for each address whose last holder this was, calls {@code freed}. Returns
   * false if the service held nothing.
   */
  boolean removeService(String key, AddressVisitor freed) {
    int svcSlot = svcSlot(key, mix(key.hashCode()));
    int head = (int) svcTable[svcSlot] - 1;
    if (head == NONE) {
      return false;
    }
    deleteSvcSlot(svcSlot);
    svcCount--;
    int e = head;
    while (e != NONE) {
      int next = nextSvc[e];
      long h = addr[2 * e];
      long l = addr[2 * e + 1];
      int slot = addrSlot(h, l);
      int first = addrTable[slot] - 1;
      if (first == e) {
        if (nextAddr[e] == NONE) {
          deleteAddrSlot(slot);
          addrCount--;
          runs.remove(h, l);
          freed.visit(h, l);
        } else {
          addrTable[slot] = nextAddr[e] + 1;
        }
      } else {
        int x = first;
        while (nextAddr[x] != e) {
          x = nextAddr[x];
        }
        nextAddr[x] = nextAddr[e];
      }
      svc[e] = null;
      nextSvc[e] = freeHead;
      freeHead = e;
      e = next;
    }
    return true;
  }

  /** Receives an address as two longs. */
  interface AddressVisitor {
    void visit(long hi, long lo);
  }

  /** Calls {@code v} with the first entry of every service, in table order. */
  void forEachService(java.util.function.IntConsumer v) {
    long[] t = svcTable;
    for (long s : t) {
      if (s != 0) {
        v.accept((int) s - 1);
      }
    }
  }

  /** Calls {@code v} with every live entry, in entry order (sequential memory). */
  void forEachEntry(java.util.function.IntConsumer v) {
    for (int e = 0; e < used; e++) {
      if (svc[e] != null) {
        v.accept(e);
      }
    }
  }

  /** Calls {@code v} with the first holder entry of every used address, in table order. */
  void forEachAddress(java.util.function.IntConsumer v) {
    int[] t = addrTable;
    for (int s : t) {
      if (s != 0) {
        v.accept(s - 1);
      }
    }
  }

  private void deleteSvcSlot(int i) {
    long[] t = svcTable;
    int mask = t.length - 1;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      long v = t[j];
      if (v == 0) {
        t[i] = 0;
        return;
      }
      int k = (int) (v >>> 32) & mask;
      if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
        t[i] = v;
        i = j;
      }
    }
  }

  private void deleteAddrSlot(int i) {
    int[] t = addrTable;
    int mask = t.length - 1;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      int v = t[j];
      if (v == 0) {
        t[i] = 0;
        return;
      }
      int k = addrHome(v - 1, mask);
      if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
        t[i] = v;
        i = j;
      }
    }
  }

  private static long[] rehashSvc(long[] old) {
    long[] t = new long[old.length * 2];
    int mask = t.length - 1;
    for (long v : old) {
      if (v != 0) {
        int i = (int) (v >>> 32) & mask;
        while (t[i] != 0) {
          i = (i + 1) & mask;
        }
        t[i] = v;
      }
    }
    return t;
  }

  private int[] rehashAddr(int[] old) {
    int[] t = new int[old.length * 2];
    int mask = t.length - 1;
    for (int v : old) {
      if (v != 0) {
        int i = addrHome(v - 1, mask);
        while (t[i] != 0) {
          i = (i + 1) & mask;
        }
        t[i] = v;
      }
    }
    return t;
  }

  private int newEntry() {
    if (freeHead != NONE) {
      int e = freeHead;
      freeHead = nextSvc[e];
      return e;
    }
    if (used == svc.length) {
      int n = svc.length * 2;
      addr = Arrays.copyOf(addr, 2 * n);
      svc = Arrays.copyOf(svc, n);
      nextSvc = Arrays.copyOf(nextSvc, n);
      nextAddr = Arrays.copyOf(nextAddr, n);
    }
    return used++;
  }
}
