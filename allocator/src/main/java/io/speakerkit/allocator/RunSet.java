package io.speakerkit.allocator;

import java.util.Arrays;

/**
 * The set of used addresses as sorted, disjoint, non-adjacent runs {@code [start, end]} of 128-bit values.
 *
 * <p>Runs live four {@code long}s each in fixed-size chunks (a two-level B-tree): lookup is two binary searches,
 * insert and delete move at most one chunk. Free space is never materialised: the lowest free address at or after
 * {@code x} is {@code x} itself or the end of the run containing it plus one, because adjacent runs are always
 * merged. With lowest-free-first allocation the whole set is a handful of runs, whatever the number of addresses.
 *
 * <p>Not thread-safe; results of {@link #firstFreeAtOrAfter} are returned in {@link #outHi}/{@link #outLo}.
 */
final class RunSet {
  private static final int CHUNK_RUNS = 128;
  private static final int CHUNK_LONGS = CHUNK_RUNS * 4;

  private long[][] chunks = new long[8][];
  private int[] sizes = new int[8];
  private int chunkCount;
  private long runCount;

  long outHi;
  long outLo;

  long runCount() {
    return runCount;
  }

  /** Chunk holding the last run whose start is {@code <= x}, or -1. */
  private int chunkFor(long hi, long lo) {
    int l = 0;
    int h = chunkCount - 1;
    int r = -1;
    while (l <= h) {
      int m = (l + h) >>> 1;
      long[] c = chunks[m];
      if (U128.compare(c[0], c[1], hi, lo) <= 0) {
        r = m;
        l = m + 1;
      } else {
        h = m - 1;
      }
    }
    return r;
  }

  private static int indexIn(long[] c, int size, long hi, long lo) {
    int l = 0;
    int h = size - 1;
    int r = -1;
    while (l <= h) {
      int m = (l + h) >>> 1;
      if (U128.compare(c[m * 4], c[m * 4 + 1], hi, lo) <= 0) {
        r = m;
        l = m + 1;
      } else {
        h = m - 1;
      }
    }
    return r;
  }

  boolean contains(long hi, long lo) {
    int c = chunkFor(hi, lo);
    if (c < 0) {
      return false;
    }
    long[] a = chunks[c];
    int i = indexIn(a, sizes[c], hi, lo) * 4;
    return U128.compare(a[i + 2], a[i + 3], hi, lo) >= 0;
  }

  /**
   * Lowest address {@code >= x} not in the set, into {@link #outHi}/{@link #outLo}; false when every address from
   * {@code x} up to the top of the 128-bit space is used.
   */
  boolean firstFreeAtOrAfter(long hi, long lo) {
    int c = chunkFor(hi, lo);
    if (c >= 0) {
      long[] a = chunks[c];
      int i = indexIn(a, sizes[c], hi, lo) * 4;
      if (U128.compare(a[i + 2], a[i + 3], hi, lo) >= 0) {
        long eHi = a[i + 2];
        long eLo = a[i + 3];
        if (eHi == -1L && eLo == -1L) {
          return false;
        }
        outLo = eLo + 1;
        outHi = outLo == 0 ? eHi + 1 : eHi;
        return true;
      }
    }
    outHi = hi;
    outLo = lo;
    return true;
  }

  /** Adds {@code x}; returns false (and changes nothing) if it was already present. */
  boolean add(long hi, long lo) {
    int c = chunkFor(hi, lo);
    int i = -1;
    boolean leftAdj = false;
    if (c >= 0) {
      long[] a = chunks[c];
      i = indexIn(a, sizes[c], hi, lo);
      int p = i * 4;
      if (U128.compare(a[p + 2], a[p + 3], hi, lo) >= 0) {
        return false;
      }
      leftAdj = isSuccessor(a[p + 2], a[p + 3], hi, lo);
    }
    // next run after (c, i)
    int nc;
    int ni;
    if (c < 0) {
      nc = chunkCount > 0 ? 0 : -1;
      ni = 0;
    } else if (i + 1 < sizes[c]) {
      nc = c;
      ni = i + 1;
    } else if (c + 1 < chunkCount) {
      nc = c + 1;
      ni = 0;
    } else {
      nc = -1;
      ni = 0;
    }
    boolean rightAdj = nc >= 0 && isSuccessor(hi, lo, chunks[nc][ni * 4], chunks[nc][ni * 4 + 1]);
    if (leftAdj && rightAdj) {
      long[] a = chunks[c];
      a[i * 4 + 2] = chunks[nc][ni * 4 + 2];
      a[i * 4 + 3] = chunks[nc][ni * 4 + 3];
      delete(nc, ni);
    } else if (leftAdj) {
      chunks[c][i * 4 + 2] = hi;
      chunks[c][i * 4 + 3] = lo;
    } else if (rightAdj) {
      chunks[nc][ni * 4] = hi;
      chunks[nc][ni * 4 + 1] = lo;
    } else {
      insertAfter(c, i, hi, lo, hi, lo);
    }
    return true;
  }

  /** Removes {@code x}; returns false (and changes nothing) if it was absent. */
  boolean remove(long hi, long lo) {
    int c = chunkFor(hi, lo);
    if (c < 0) {
      return false;
    }
    long[] a = chunks[c];
    int i = indexIn(a, sizes[c], hi, lo);
    int p = i * 4;
    long sHi = a[p];
    long sLo = a[p + 1];
    long eHi = a[p + 2];
    long eLo = a[p + 3];
    if (U128.compare(eHi, eLo, hi, lo) < 0) {
      return false;
    }
    boolean atStart = sHi == hi && sLo == lo;
    boolean atEnd = eHi == hi && eLo == lo;
    if (atStart && atEnd) {
      delete(c, i);
    } else if (atStart) {
      a[p + 1] = lo + 1;
      a[p] = lo + 1 == 0 ? hi + 1 : hi;
    } else if (atEnd) {
      a[p + 3] = lo - 1;
      a[p + 2] = lo == 0 ? hi - 1 : hi;
    } else {
      a[p + 3] = lo - 1;
      a[p + 2] = lo == 0 ? hi - 1 : hi;
      long nLo = lo + 1;
      long nHi = nLo == 0 ? hi + 1 : hi;
      insertAfter(c, i, nHi, nLo, eHi, eLo);
    }
    return true;
  }

  /** True if {@code b == a + 1}. */
  private static boolean isSuccessor(long aHi, long aLo, long bHi, long bLo) {
    long nLo = aLo + 1;
    long nHi = nLo == 0 ? aHi + 1 : aHi;
    return nHi == bHi && nLo == bLo && !(aHi == -1L && aLo == -1L);
  }

  private void insertAfter(int c, int i, long sHi, long sLo, long eHi, long eLo) {
    runCount++;
    if (chunkCount == 0) {
      chunks[0] = new long[CHUNK_LONGS];
      sizes[0] = 0;
      chunkCount = 1;
      c = 0;
      i = -1;
    } else if (c < 0) {
      c = 0;
      i = -1;
    }
    int pos = i + 1;
    if (sizes[c] == CHUNK_RUNS) {
      split(c);
      if (pos > sizes[c]) {
        pos -= sizes[c];
        c++;
      }
    }
    long[] a = chunks[c];
    int size = sizes[c];
    System.arraycopy(a, pos * 4, a, pos * 4 + 4, (size - pos) * 4);
    a[pos * 4] = sHi;
    a[pos * 4 + 1] = sLo;
    a[pos * 4 + 2] = eHi;
    a[pos * 4 + 3] = eLo;
    sizes[c] = size + 1;
  }

  private void split(int c) {
    if (chunkCount == chunks.length) {
      chunks = Arrays.copyOf(chunks, chunkCount * 2);
      sizes = Arrays.copyOf(sizes, chunkCount * 2);
    }
    System.arraycopy(chunks, c + 1, chunks, c + 2, chunkCount - c - 1);
    System.arraycopy(sizes, c + 1, sizes, c + 2, chunkCount - c - 1);
    int half = CHUNK_RUNS / 2;
    long[] upper = new long[CHUNK_LONGS];
    System.arraycopy(chunks[c], half * 4, upper, 0, (CHUNK_RUNS - half) * 4);
    chunks[c + 1] = upper;
    sizes[c + 1] = CHUNK_RUNS - half;
    sizes[c] = half;
    chunkCount++;
  }

  private void delete(int c, int i) {
    runCount--;
    long[] a = chunks[c];
    int size = sizes[c];
    System.arraycopy(a, i * 4 + 4, a, i * 4, (size - i - 1) * 4);
    sizes[c] = size - 1;
    if (size - 1 == 0) {
      System.arraycopy(chunks, c + 1, chunks, c, chunkCount - c - 1);
      System.arraycopy(sizes, c + 1, sizes, c, chunkCount - c - 1);
      chunkCount--;
      chunks[chunkCount] = null;
    }
  }

  void clear() {
    chunks = new long[8][];
    sizes = new int[8];
    chunkCount = 0;
    runCount = 0;
  }
}
