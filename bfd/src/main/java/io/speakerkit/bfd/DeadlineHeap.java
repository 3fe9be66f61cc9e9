package io.speakerkit.bfd;

import java.util.Arrays;

/** An indexed binary min-heap of sessions keyed by their next deadline; updates in place, no allocation. */
final class DeadlineHeap {

  private DriverSession[] heap = new DriverSession[16];
  private int size;

  int size() {
    return size;
  }

  DriverSession peek() {
    return size == 0 ? null : heap[0];
  }

  /** Inserts, moves or removes {@code s} so that it sits at {@code s.key}; {@link Long#MAX_VALUE} removes it. */
  void update(DriverSession s, long key) {
    if (key == Long.MAX_VALUE) {
      remove(s);
      return;
    }
    if (s.heapIndex < 0) {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      s.key = key;
      s.heapIndex = size;
      heap[size++] = s;
      up(s.heapIndex);
      return;
    }
    long old = s.key;
    s.key = key;
    if (key < old) {
      up(s.heapIndex);
    } else if (key > old) {
      down(s.heapIndex);
    }
  }

  void remove(DriverSession s) {
    int i = s.heapIndex;
    if (i < 0) {
      return;
    }
    size--;
    DriverSession last = heap[size];
    heap[size] = null;
    s.heapIndex = -1;
    if (i != size) {
      heap[i] = last;
      last.heapIndex = i;
      up(i);
      down(last.heapIndex);
    }
  }

  private void up(int i) {
    DriverSession s = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      DriverSession p = heap[parent];
      if (p.key <= s.key) {
        break;
      }
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = s;
    s.heapIndex = i;
  }

  private void down(int i) {
    DriverSession s = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right].key < heap[child].key) {
        child = right;
      }
      if (s.key <= heap[child].key) {
        break;
      }
      heap[i] = heap[child];
      heap[i].heapIndex = i;
      i = child;
    }
    heap[i] = s;
    s.heapIndex = i;
  }
}
