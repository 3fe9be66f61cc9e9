package io.speakerkit.allocator;

import java.io.Closeable;
import java.util.Collection;

/**
 * Where allocations outlive the process.
 *
 * <p>Contract: when {@link #put} or {@link #remove} returns, the change is durable (survives a crash of the process
 * and, for a file store, of the machine); the allocator tells its caller about an allocation only after that, so an
 * address is never announced before it is recorded. On failure these methods throw {@link AllocationStoreException}
 * and the allocator's state is left as it was.
 *
 * <p>The allocator calls {@link #replay} once, while it is being built, and serves no request before replay ends
 * (MetalLB once handed one address to two services because it served new services before restoring old ones).
 * Writes come from one thread at a time (the allocator's lock); {@link #awaitDurable} may be called by several
 * threads at once, outside that lock.
 */
public interface AllocationStore extends Closeable {

  /** Receives the recorded history, oldest first; a later put for a service replaces the earlier one. */
  interface Replay {
    void put(Allocation allocation);

    void remove(String serviceKey);
  }

  /** Replays every recorded change into {@code sink}. */
  void replay(Replay sink);

  /** Records that the service holds {@code allocation}, replacing what it held; durable on return. */
  void put(Allocation allocation);

  /** Records that the service holds nothing; durable on return. */
  void remove(String serviceKey);

  /**
   * Group commit, first half: records the put like {@link #put} but may return before it is durable, with a ticket
   * for {@link #awaitDurable}. The allocator calls this under its lock and {@code awaitDurable} after releasing it,
   * so concurrent callers share one fsync. The default is {@link #put} (durable at once), ticket 0.
   */
  default long putDeferred(Allocation allocation) {
    put(allocation);
    return 0;
  }

  /** Group commit, first half, for a removal; see {@link #putDeferred}. */
  default long removeDeferred(String serviceKey) {
    remove(serviceKey);
    return 0;
  }

  /**
   * Group commit, second half: returns once every change up to {@code ticket} (and everything recorded before it) is
   * durable. The default has nothing to wait for.
   *
   * @throws AllocationStoreException if that cannot be made durable; the allocator then stops serving
   */
  default void awaitDurable(long ticket) {}

  /** Records several removals; durable on return. The default removes one by one. */
  default void removeAll(Collection<String> serviceKeys) {
    for (String k : serviceKeys) {
      remove(k);
    }
  }

  /**
   * True if the store would gain from {@link #compact} now that {@code liveCount} allocations are live; the allocator
   * asks after replay and after every change. The default says no.
   */
  default boolean wantsCompaction(long liveCount) {
    return false;
  }

  /** Replaces the recorded history with {@code live}, atomically; the default does nothing. */
  default void compact(Collection<Allocation> live) {}

  /** Releases files; the default does nothing. */
  @Override
  default void close() {}

  /** A store that keeps nothing across restarts, the default. */
  static AllocationStore inMemory() {
    return new InMemoryAllocationStore();
  }
}
