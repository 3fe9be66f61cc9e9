package io.speakerkit.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DeadlineHeapTest {

  @Property(tries = 200)
  void heap_matchesReference(@ForAll @LongRange(min = 1, max = 1L << 40) long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DeadlineHeap heap = new DeadlineHeap();
    List<DriverSession> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(new DriverSession(null, BfdSessionConfig.builder().localAddress(java.net.InetAddress.getLoopbackAddress()).remoteAddress(java.net.InetAddress.getLoopbackAddress()).build(), null));
    }
    long[] keys = new long[50];
    java.util.Arrays.fill(keys, Long.MAX_VALUE);
    for (int step = 0; step < 2000; step++) {
      int i = r.nextInt(50);
      long k = r.nextInt(10) == 0 ? Long.MAX_VALUE : r.nextLong(1000);
      heap.update(all.get(i), k);
      keys[i] = k;
      long min = Long.MAX_VALUE;
      int count = 0;
      for (long kk : keys) {
        min = Math.min(min, kk);
        count += kk == Long.MAX_VALUE ? 0 : 1;
      }
      assertEquals(count, heap.size());
      if (count > 0) {
        assertEquals(min, heap.peek().key);
        assertEquals(min, keys[all.indexOf(heap.peek())]);
      } else {
        assertSame(null, heap.peek());
      }
    }
  }

  /**
   * Removing a session moves the last one into its slot; when that one is earlier than its new parent (it came from
   * another subtree) it must move up, else a later deadline hides an earlier one. Every removal from every heap of
   * seven distinct deadlines, then drained in order.
   */
  @Test
  void remove_movedLastEarlierThanNewParent_stillServedInOrder() {
    int n = 7;
    List<int[]> perms = new ArrayList<>();
    permute(new int[] {1, 2, 3, 4, 5, 6, 7}, 0, perms);
    for (int[] order : perms) {
      for (int removed = 1; removed <= n; removed++) {
        DeadlineHeap heap = new DeadlineHeap();
        DriverSession[] byKey = new DriverSession[n + 1];
        for (int k : order) {
          byKey[k] = session();
          heap.update(byKey[k], k);
        }
        heap.update(byKey[removed], Long.MAX_VALUE);
        for (int k = 1; k <= n; k++) {
          if (k == removed) {
            continue;
          }
          assertEquals(k, heap.peek().key, "order " + java.util.Arrays.toString(order) + " removed " + removed);
          heap.update(heap.peek(), Long.MAX_VALUE);
        }
        assertSame(null, heap.peek());
      }
    }
  }

  private static DriverSession session() {
    return new DriverSession(null, BfdSessionConfig.builder().localAddress(java.net.InetAddress.getLoopbackAddress())
        .remoteAddress(java.net.InetAddress.getLoopbackAddress()).build(), null);
  }

  private static void permute(int[] a, int i, List<int[]> out) {
    if (i == a.length) {
      out.add(a.clone());
      return;
    }
    for (int j = i; j < a.length; j++) {
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
      permute(a, i + 1, out);
      a[j] = a[i];
      a[i] = t;
    }
  }
}
