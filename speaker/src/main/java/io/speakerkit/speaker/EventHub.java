package io.speakerkit.speaker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Fans events out to subscribers, each through its own bounded queue. Subscribing returns a snapshot of the current
 * state followed, in order, by every event published after it. When a subscriber's queue is full, its queued events
 * are replaced by one {@link Resync} marker that counts what was dropped and carries a fresh snapshot; events after
 * it follow in order. Never silent loss, never unbounded growth: after a resync a subscriber holds up to as many
 * events as its snapshot had entries (when that is more than its capacity) before the next one, so a subscriber
 * that stays behind costs one snapshot per that many events, not one per {@code capacity} events.
 *
 * <p>Publishing never blocks. Thread-safe.
 *
 * @param <E> the event type
 */
public final class EventHub<E> {

  /**
   * Delivered in place of the events a slow subscriber could not hold.
   *
   * @param droppedEvents how many events it replaces
   * @param snapshot the state right after the last of them, as events
   */
  public record Resync<E>(long droppedEvents, List<E> snapshot) {}

  private final Supplier<List<E>> snapshotSource;
  private final ReentrantLock publishLock = new ReentrantLock();
  private final CopyOnWriteArrayList<Subscription<E>> subscriptions = new CopyOnWriteArrayList<>();

  /** {@code snapshotSource} describes the current state as events, e.g. one state event per peer. */
  public EventHub(Supplier<List<E>> snapshotSource) {
    this.snapshotSource = Objects.requireNonNull(snapshotSource, "snapshotSource");
  }

  /**
   * Subscribes with a queue of {@code capacity} entries. The returned subscription starts with the snapshot taken
   * atomically with respect to {@link #publish}: no event is both in the snapshot and delivered, none is missed.
   */
  public Subscription<E> subscribe(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    publishLock.lock();
    try {
      Subscription<E> s = new Subscription<>(this, capacity, List.copyOf(snapshotSource.get()));
      subscriptions.add(s);
      return s;
    } finally {
      publishLock.unlock();
    }
  }

  /** Delivers {@code event} to every subscriber; never blocks on a slow one. */
  public void publish(E event) {
    Objects.requireNonNull(event, "event");
    publishLock.lock();
    try {
      for (Subscription<E> s : subscriptions) {
        s.offer(event);
      }
    } finally {
      publishLock.unlock();
    }
  }

  /** How many subscriptions are open. */
  public int subscriberCount() {
    return subscriptions.size();
  }

  /**
   * One subscriber's view: the snapshot, then events in publication order. Entries are either events of type
   * {@code E} or a {@link Resync}.
   */
  public static final class Subscription<E> implements AutoCloseable {
    private final EventHub<E> hub;
    private final int capacity;
    private final List<E> snapshot;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** How many entries may queue before the next resync: the capacity, or more right after a large snapshot. */
    private int limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private boolean closed;

    private Subscription(EventHub<E> hub, int capacity, List<E> snapshot) {
      this.hub = hub;
      this.capacity = capacity;
      this.limit = capacity;
      this.snapshot = snapshot;
    }

    /** The state when the subscription was made, as events. */
    public List<E> snapshot() {
      return snapshot;
    }

    private void offer(E event) {
      lock.lock();
      try {
        if (closed) {
          return;
        }
        if (queue.size() < limit) {
          queue.addLast(event);
        } else {
          long lost = 1;
          for (Object queued : queue) {
            lost += queued instanceof Resync<?> r ? r.droppedEvents() : 1;
          }
          queue.clear();
          List<E> fresh = List.copyOf(hub.snapshotSource.get());
          queue.addLast(new Resync<>(lost, fresh));
          // a snapshot costs as much as its size: let at least that many events through before the next one
          limit = Math.max(capacity, fresh.size());
        }
        notEmpty.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /**
     * The next entry (an {@code E} or a {@link Resync}), waiting up to {@code timeout}; {@code null} if none came
     * or the subscription is closed.
     */
    public Object poll(long timeout, TimeUnit unit) throws InterruptedException {
      long nanos = unit.toNanos(timeout);
      lock.lock();
      try {
        while (queue.isEmpty() && !closed) {
          if (nanos <= 0) {
            return null;
          }
          nanos = notEmpty.awaitNanos(nanos);
        }
        Object next = queue.pollFirst();
        if (queue.isEmpty()) {
          limit = capacity; // caught up
        }
        return next;
      } finally {
        lock.unlock();
      }
    }

    /** Everything queued now, without waiting. */
    public List<Object> drain() {
      lock.lock();
      try {
        List<Object> out = new ArrayList<>(queue);
        queue.clear();
        limit = capacity; // caught up
        return out;
      } finally {
        lock.unlock();
      }
    }

    /** Stops delivery and removes the subscription from its hub; idempotent. */
    @Override
    public void close() {
      lock.lock();
      try {
        closed = true;
        queue.clear();
        notEmpty.signalAll();
      } finally {
        lock.unlock();
      }
      hub.subscriptions.remove(this);
    }
  }
}
