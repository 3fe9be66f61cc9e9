package io.speakerkit.allocator;

import java.util.Arrays;

/**
 * The allocator's state without objects per allocation: one entry per (service, address) in parallel primitive
 * arrays, two open-addressing hash tables of entry numbers (by service key, by address), and the {@link RunSet} of
 * used addresses for free-space search.
 *
 * <p>Per held address this costs 16 (address) + 4 (service reference) + 4 + 4 (chain links) bytes of entry, plus one
 * {@code int} slot in each hash table at a load factor between 3/8 and 3/4: about 45 bytes at one million
 * allocations. The service key strings belong to the caller and are referenced, not copied.
 *
 * <p>An address shared by several services has one entry per service, chained through {@link #nextAddr}; the address
 * table points at the first. A dual-stack service's two entries are chained through {@link #nextSvc}; the service
 * table points at the first. Released entries go on a free list threaded through {@link #nextSvc}.
 */
final class AllocationTable {
  static final int NONE = -1;

  long[] hi = new long[1024];
  long[] lo = new long[1024];
  String[] svc = new String[1024];
  int[] nextSvc = new int[1024];
  int[] nextAddr = new int[1024];
  private int used; // high-water mark of entries
  private int freeHead = NONE;

  /** Slots hold entry + 1; 0 is empty. Linear probing, backward-shift deletion (no tombstones). */
  private int[] svcTable = new int[2048];
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

  private static int spread(int h) {
    return h ^ (h >>> 16) ^ (h >>> 7);
  }

  private int svcHome(int entry, int mask) {
    return spread(svc[entry].hashCode()) & mask;
  }

  private int addrHome(int entry, int mask) {
    return U128.hash(hi[entry], lo[entry]) & mask;
  }

  /** First entry of {@code key}, or {@link #NONE}. */
  int headOf(String key) {
    int mask = svcTable.length - 1;
    for (int i = spread(key.hashCode()) & mask; ; i = (i + 1) & mask) {
      int v = svcTable[i];
      if (v == 0) {
        return NONE;
      }
      if (svc[v - 1].equals(key)) {
        return v - 1;
      }
    }
  }

  private int addrSlot(long h, long l) {
    int mask = addrTable.length - 1;
    for (int i = U128.hash(h, l) & mask; ; i = (i + 1) & mask) {
      int v = addrTable[i];
      if (v == 0 || (hi[v - 1] == h && lo[v - 1] == l)) {
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
   * {@link #NONE}). Returns true if the address was free before.
   */
  boolean add(String key, long h, long l, int prevOfService) {
    int e = newEntry();
    hi[e] = h;
    lo[e] = l;
    svc[e] = key;
    nextSvc[e] = NONE;
    nextAddr[e] = NONE;
    lastAdded = e;
    if (prevOfService == NONE) {
      if ((svcCount + 1) * 4L > svcTable.length * 3L) {
        svcTable = rehash(svcTable, true);
      }
      int mask = svcTable.length - 1;
      int i = spread(key.hashCode()) & mask;
      while (svcTable[i] != 0) {
        i = (i + 1) & mask;
      }
      svcTable[i] = e + 1;
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
      addrTable = rehash(addrTable, false);
      slot = addrSlot(h, l);
    }
    addrTable[slot] = e + 1;
    addrCount++;
    runs.add(h, l);
    return true;
  }

  /** Entry created by the last {@link #add}. */
  int lastAdded = NONE;

  /**
   * Removes every entry of {@code key}; for each address whose last holder this was, calls {@code freed}. Returns
   * false if the service held nothing.
   */
  boolean removeService(String key, AddressVisitor freed) {
    int head = headOf(key);
    if (head == NONE) {
      return false;
    }
    deleteSlot(svcTable, slotOfValue(svcTable, head + 1, spread(key.hashCode())), true);
    svcCount--;
    int e = head;
    while (e != NONE) {
      int next = nextSvc[e];
      long h = hi[e];
      long l = lo[e];
      int slot = addrSlot(h, l);
      int first = addrTable[slot] - 1;
      if (first == e) {
        if (nextAddr[e] == NONE) {
          deleteSlot(addrTable, slot, false);
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
    int[] t = svcTable;
    for (int s : t) {
      if (s != 0) {
        v.accept(s - 1);
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

  private int slotOfValue(int[] t, int value, int h) {
    int mask = t.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      if (t[i] == value) {
        return i;
      }
    }
  }

  private void deleteSlot(int[] t, int i, boolean bySvc) {
    int mask = t.length - 1;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      int v = t[j];
      if (v == 0) {
        t[i] = 0;
        return;
      }
      int k = bySvc ? svcHome(v - 1, mask) : addrHome(v - 1, mask);
      boolean movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
      if (movable) {
        t[i] = v;
        i = j;
      }
    }
  }

  private int[] rehash(int[] old, boolean bySvc) {
    int[] t = new int[old.length * 2];
    int mask = t.length - 1;
    for (int v : old) {
      if (v != 0) {
        int i = bySvc ? svcHome(v - 1, mask) : addrHome(v - 1, mask);
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
    if (used == hi.length) {
      int n = hi.length * 2;
      hi = Arrays.copyOf(hi, n);
      lo = Arrays.copyOf(lo, n);
      svc = Arrays.copyOf(svc, n);
      nextSvc = Arrays.copyOf(nextSvc, n);
      nextAddr = Arrays.copyOf(nextAddr, n);
    }
    return used++;
  }
}
