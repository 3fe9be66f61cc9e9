package io.speakerkit.bgp.fsm.rib;

import java.util.Arrays;

/**
 * An open-addressing map from non-negative {@code long} keys to {@code int} values: linear probing, backward-shift
 * deletion (no tombstones), load factor at most 3/4. About 16-32 bytes per entry, no boxing. Not thread-safe.
 */
final class LongIntHashMap {

  static final long FREE = -1L;

  private long[] keys;
  private int[] values;
  private int mask;
  private int size;
  private int modCount;

  LongIntHashMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(8, (int) Math.min(1 << 30, expected * 4L / 3 + 1)) - 1) << 1;
    alloc(cap);
  }

  private void alloc(int cap) {
    keys = new long[cap];
    Arrays.fill(keys, FREE);
    values = new int[cap];
    mask = cap - 1;
  }

  int size() {
    return size;
  }

  /** Changes whenever the table is rebuilt, so a slot cursor knows it must start over. */
  int modCount() {
    return modCount;
  }

  int capacity() {
    return keys.length;
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  /** The value for {@code key}, or {@code missing}. */
  int get(long key, int missing) {
    int i = hash(key) & mask;
    long k;
    while ((k = keys[i]) != FREE) {
      if (k == key) {
        return values[i];
      }
      i = (i + 1) & mask;
    }
    return missing;
  }

  /** The slot holding {@code key}, or -1. */
  int slotOf(long key) {
    int i = hash(key) & mask;
    long k;
    while ((k = keys[i]) != FREE) {
      if (k == key) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** Puts; returns the previous value or {@code missing}. */
  int put(long key, int value, int missing) {
    if (key < 0) {
      throw new IllegalArgumentException("key: " + key + " (expected: >= 0)");
    }
    int i = hash(key) & mask;
    long k;
    while ((k = keys[i]) != FREE) {
      if (k == key) {
        int old = values[i];
        values[i] = value;
        return old;
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = value;
    if (++size > (keys.length >>> 2) * 3) {
      rehash(keys.length << 1);
    }
    return missing;
  }

  /** Removes; returns the value or {@code missing}. */
  int remove(long key, int missing) {
    return remove(key, missing, 0, null);
  }

  /**
   * Removes; returns the value or {@code missing}. Backward-shift deletion may move a later entry into an earlier
   * slot: every key moved from a slot at or after {@code cursor} to one before it is added to {@code crossed}, so a
   * slot cursor that has passed {@code cursor - 1} does not miss it.
   */
  int remove(long key, int missing, int cursor, LongHashSet crossed) {
    int i = hash(key) & mask;
    long k;
    while ((k = keys[i]) != FREE) {
      if (k == key) {
        int old = values[i];
        shiftBack(i, cursor, crossed);
        size--;
        return old;
      }
      i = (i + 1) & mask;
    }
    return missing;
  }

  private void shiftBack(int gap, int cursor, LongHashSet crossed) {
    int i = gap;
    while (true) {
      i = (i + 1) & mask;
      long k = keys[i];
      if (k == FREE) {
        break;
      }
      int home = hash(k) & mask;
      // move k into the gap if its home is not within (gap, i] cyclically
      if (((i - home) & mask) >= ((i - gap) & mask)) {
        keys[gap] = k;
        values[gap] = values[i];
        if (crossed != null && i >= cursor && gap < cursor) {
          crossed.add(k);
        }
        gap = i;
      }
    }
    keys[gap] = FREE;
  }

  private void rehash(int cap) {
    long[] oldKeys = keys;
    int[] oldValues = values;
    alloc(cap);
    modCount++;
    for (int j = 0; j < oldKeys.length; j++) {
      long k = oldKeys[j];
      if (k != FREE) {
        int i = hash(k) & mask;
        while (keys[i] != FREE) {
          i = (i + 1) & mask;
        }
        keys[i] = k;
        values[i] = oldValues[j];
      }
    }
  }

  /** The key in {@code slot}, or {@link #FREE}. For cursors over the table. */
  long keyAt(int slot) {
    return keys[slot];
  }

  int valueAt(int slot) {
    return values[slot];
  }

  long memoryBytes() {
    return keys.length * 12L;
  }
}
