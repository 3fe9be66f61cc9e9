package io.speakerkit.bgp.wire;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * Released {@link BgpFrameDecoder} UPDATEs, kept per thread for the next decode. A message goes back to the pool it
 * was taken from when released on that pool's thread (no thread-local lookup); released on another thread, it joins
 * that thread's pool. A full pool leaves it to the garbage collector. Each pool is touched by its own thread only, so
 * taking and giving back needs no atomic operation. (Netty's {@code Recycler} was tried first: in the decode
 * benchmark it kept creating new messages in some forks, 150-290 B per UPDATE instead of none.)
 */
final class UpdatePool {

  /** Messages kept per thread: enough for a burst a handler holds before releasing, small enough to forget. */
  static final int CAPACITY = 32;

  private static final FastThreadLocal<UpdatePool> POOLS = new FastThreadLocal<>() {
    @Override
    protected UpdatePool initialValue() {
      return new UpdatePool();
    }
  };

  private final Thread owner = Thread.currentThread();
  private final UpdateMessage[] free = new UpdateMessage[CAPACITY];
  private int size;

  private UpdatePool() {}

  /** A released message from this thread's pool, or a new one; either belongs to this pool from now on. */
  static UpdateMessage take() {
    UpdatePool pool = POOLS.get();
    int n = pool.size;
    UpdateMessage m;
    if (n == 0) {
      m = UpdateMessage.pooled();
    } else {
      m = pool.free[--n];
      pool.free[n] = null;
      pool.size = n;
    }
    if (m.pool != pool) {
      m.pool = pool;
    }
    return m;
  }

  /** Keeps {@code m} (released, reading no buffer) for a later {@link #take()}. */
  static void giveBack(UpdateMessage m) {
    UpdatePool pool = m.pool;
    if (pool == null || pool.owner != Thread.currentThread()) {
      pool = POOLS.get();
    }
    int n = pool.size;
    if (n < CAPACITY) {
      pool.free[n] = m;
      pool.size = n + 1;
    }
  }
}
