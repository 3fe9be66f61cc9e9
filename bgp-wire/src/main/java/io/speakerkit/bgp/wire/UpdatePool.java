package io.speakerkit.bgp.wire;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * Released {@link BgpFrameDecoder} UPDATEs, kept per thread for the next decode. A message released on another
 * thread than the one that decoded it joins the releasing thread's pool; a full pool leaves it to the garbage
 * collector. Each pool is touched by its own thread only, so taking and giving back needs no atomic operation.
 * (Netty's {@code Recycler} was tried first: in the decode benchmark it kept creating new messages in some forks,
 * 150-290 B per UPDATE instead of none.)
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

  private final UpdateMessage[] free = new UpdateMessage[CAPACITY];
  private int size;

  private UpdatePool() {}

  /** A released message from this thread's pool, or a new one. */
  static UpdateMessage take() {
    UpdatePool pool = POOLS.get();
    int n = pool.size;
    if (n == 0) {
      return UpdateMessage.pooled();
    }
    UpdateMessage m = pool.free[--n];
    pool.free[n] = null;
    pool.size = n;
    return m;
  }

  /** Keeps {@code m} (released, reading no buffer) for this thread's next {@link #take()}. */
  static void give(UpdateMessage m) {
    UpdatePool pool = POOLS.get();
    int n = pool.size;
    if (n < CAPACITY) {
      pool.free[n] = m;
      pool.size = n + 1;
    }
  }
}
