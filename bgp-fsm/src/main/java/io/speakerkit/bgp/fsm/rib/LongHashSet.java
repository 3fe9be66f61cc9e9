package io.speakerkit.bgp.fsm.rib;

import java.util.Arrays;

/**
 * An open-addressing set of non-negative {@code long}s (linear probing, backward-shift deletion) that can hand out
 * and remove its elements in batches. Not thread-safe.
 */
final class LongHashSet {

  private static final long FREE = -1L;

  private long[] keys;
  private int mask;
  private int size;
  private int cursor;

  LongHashSet() {
    alloc(16);
  }

  private void alloc(int cap) {
    keys = new long[cap];
    Arrays.fill(keys, FREE);
    mask = cap - 1;
    cursor = 0;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Removes every element, keeping the table unless it grew large. */
  void clear() {
    if (keys.length > 1024) {
      alloc(16);
    } else {
      Arrays.fill(keys, FREE);
      cursor = 0;
    }
    size = 0;
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  boolean add(long key) {
    int i = hash(key) & mask;
    long k;
    while ((k = keys[i]) != FREE) {
      if (k == key) {
        return false;
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    if (++size > (keys.length >>> 2) * 3) {
      long[] old = keys;
      alloc(keys.length << 1);
      size = 0;
      for (long o : old) {
        if (o != FREE) {
          add(o);
        }
      }
    }
    return true;
  }

  boolean contains(long key) {
    int i = hash(key) & mask;
    long k;
    while ((k = keys[i]) != FREE) {
      if (k == key) {
        return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  /** Removes {@code key}; returns whether it was there. */
  boolean remove(long key) {
    int i = hash(key) & mask;
    long k;
    while ((k = keys[i]) != FREE) {
      if (k == key) {
        shiftBack(i);
        if (--size == 0 && keys.length > 1024) {
          alloc(16); // as poll: give back the memory of a large burst
        }
        return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  /** Removes up to {@code max} elements into {@code out}; returns how many. */
  int poll(long[] out, int max) {
    int n = 0;
    int i = cursor & mask;
    while (n < max && size > 0) {
      long k = keys[i];
      if (k == FREE) {
        i = (i + 1) & mask;
        continue;
      }
      out[n++] = k;
      shiftBack(i);
      size--;
      // slot i may now hold a shifted element: look at it again
    }
    cursor = i;
    if (size == 0 && keys.length > 1024) {
      alloc(16); // give back the memory of a large burst
    }
    return n;
  }

  private void shiftBack(int gap) {
    int i = gap;
    while (true) {
      i = (i + 1) & mask;
      long k = keys[i];
      if (k == FREE) {
        break;
      }
      int home = hash(k) & mask;
      if (((i - home) & mask) >= ((i - gap) & mask)) {
        keys[gap] = k;
        gap = i;
      }
    }
    keys[gap] = FREE;
  }
}
