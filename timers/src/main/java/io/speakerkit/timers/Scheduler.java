package io.speakerkit.timers;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks after a delay, measured on {@link #ticker()}.
 *
 * <p>Implementations run all tasks on one thread, in deadline order; tasks due at the same instant run in the order
 * they were scheduled. A task that throws is logged by the implementation and does not stop later tasks.
 */
public interface Scheduler {

  /** The clock this scheduler measures delays against. */
  Ticker ticker();

  /**
   * Runs {@code task} once, {@code delay} after now. A delay of zero or less runs it as soon as possible, but never
   * from inside this call.
   */
  Timeout schedule(Runnable task, long delay, TimeUnit unit);

  /** Same as {@link #schedule(Runnable, long, TimeUnit)} with a {@link Duration}. */
  default Timeout schedule(Runnable task, Duration delay) {
    return schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Runs {@code task} at {@code initialDelay}, then every {@code period} after that deadline (fixed rate: the next
   * deadline is the previous one plus {@code period}, however late the run was), until the returned timeout is
   * cancelled, from inside the task too. Implementations reuse one timeout for the whole series, so that a
   * periodic timer allocates nothing per run; this default chains one-shot {@link #schedule}s.
   *
   * @param period greater than zero
   */
  default Timeout scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
    return RepeatingTimeout.start(this, task, unit.toNanos(initialDelay), RepeatingTimeout.periodNanos(period, unit));
  }

  /** Runs {@code task} as soon as possible on the scheduler's thread. */
  default void execute(Runnable task) {
    schedule(task, 0, TimeUnit.NANOSECONDS);
  }

  /** Whether the calling thread is the thread that runs this scheduler's tasks. */
  boolean inSchedulerThread();
}
