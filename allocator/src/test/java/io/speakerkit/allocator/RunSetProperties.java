package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link RunSet} against a {@code TreeSet<BigInteger>}, around the 2^64 carry and the top of the 128-bit space. */
class RunSetProperties {
  static final BigInteger TWO_128 = BigInteger.ONE.shiftLeft(128);
  static final List<BigInteger> BASES = List.of(BigInteger.ZERO, BigInteger.ONE.shiftLeft(64).subtract(BigInteger.valueOf(20)),
      BigInteger.ONE.shiftLeft(63).subtract(BigInteger.valueOf(5)), TWO_128.subtract(BigInteger.valueOf(300)));

  static long hi(BigInteger v) {
    return v.shiftRight(64).longValue();
  }

  static long lo(BigInteger v) {
    return v.longValue();
  }

  @Provide
  Arbitrary<List<Integer>> ops() {
    return Arbitraries.integers().between(-300, 299).list().ofMinSize(1).ofMaxSize(600);
  }

  @Property(tries = 200)
  void runSet_matchesSortedSet(@ForAll("ops") List<Integer> ops, @ForAll("base") BigInteger base) {
    RunSet set = new RunSet();
    TreeSet<BigInteger> model = new TreeSet<>();
    for (int op : ops) {
      BigInteger v = base.add(BigInteger.valueOf(Math.abs(op) % 300));
      if (op >= 0) {
        assertEquals(model.add(v), set.add(hi(v), lo(v)));
      } else {
        assertEquals(model.remove(v), set.remove(hi(v), lo(v)));
      }
      BigInteger probe = base.add(BigInteger.valueOf(Math.floorMod(op * 7, 300)));
      assertEquals(model.contains(probe), set.contains(hi(probe), lo(probe)));
      BigInteger free = probe;
      while (model.contains(free)) {
        free = free.add(BigInteger.ONE);
      }
      if (free.equals(TWO_128)) {
        assertFalse(set.firstFreeAtOrAfter(hi(probe), lo(probe)));
      } else {
        assertTrue(set.firstFreeAtOrAfter(hi(probe), lo(probe)));
        assertEquals(free, U128.toBig(set.outHi, set.outLo));
      }
    }
    // runs are maximal: count of runs equals number of gaps
    long runs = 0;
    BigInteger prev = null;
    for (BigInteger v : model) {
      if (prev == null || !v.equals(prev.add(BigInteger.ONE))) {
        runs++;
      }
      prev = v;
    }
    assertEquals(runs, set.runCount());
  }

  @Provide
  Arbitrary<BigInteger> base() {
    return Arbitraries.of(BASES);
  }

  @Test
  void runSet_manyScatteredRunsSplitChunks() {
    RunSet set = new RunSet();
    TreeSet<Long> model = new TreeSet<>();
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    for (int i = 0; i < 20_000; i++) {
      long v = r.nextLong(100_000);
      if (r.nextInt(4) == 0) {
        assertEquals(model.remove(v), set.remove(0, v));
      } else {
        assertEquals(model.add(v), set.add(0, v));
      }
    }
    for (long p = 0; p < 100_000; p += 37) {
      long free = p;
      while (model.contains(free)) {
        free++;
      }
      assertTrue(set.firstFreeAtOrAfter(0, p));
      assertEquals(free, set.outLo);
    }
  }
}
