package io.speakerkit.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

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
}
