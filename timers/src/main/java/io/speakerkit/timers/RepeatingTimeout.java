package io.speakerkit.timers;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler#scheduleAtFixedRate} from one-shot timeouts, for schedulers without periodic tasks. */
final class RepeatingTimeout implements Timeout, Runnable {

  private final Scheduler scheduler;
  private final Runnable task;
  private final long period;
  private long deadline;
  private Timeout current;
  private boolean cancelled;

  private RepeatingTimeout(Scheduler scheduler, Runnable task, long deadline, long period) {
    this.scheduler = scheduler;
    this.task = task;
    this.deadline = deadline;
    this.period = period;
  }

  /** {@code period} in nanoseconds, checked to be positive (every {@link Scheduler#scheduleAtFixedRate}). */
  static long periodNanos(long period, TimeUnit unit) {
    long nanos = unit.toNanos(period);
    if (nanos <= 0) {
      throw new IllegalArgumentException("period: " + period + " " + unit + " (expected: > 0)");
    }
    return nanos;
  }

  static Timeout start(Scheduler scheduler, Runnable task, long initialDelayNanos, long periodNanos) {
    Objects.requireNonNull(task, "task");
    long delay = Math.max(0, initialDelayNanos);
    RepeatingTimeout t = new RepeatingTimeout(scheduler, task, scheduler.ticker().nanoTime() + delay, periodNanos);
    t.current = scheduler.schedule(t, delay, TimeUnit.NANOSECONDS);
    return t;
  }

  @Override
  public void run() {
    if (cancelled) {
      return;
    }
    try {
      task.run();
    } finally {
      if (!cancelled) {
        deadline += period;
        current = scheduler.schedule(this, deadline - scheduler.ticker().nanoTime(), TimeUnit.NANOSECONDS);
      }
    }
  }

  @Override
  public boolean cancel() {
    if (cancelled) {
      return false;
    }
    cancelled = true;
    current.cancel();
    return true;
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public boolean isDone() {
    return cancelled;
  }

  @Override
  public long deadlineNanos() {
    return deadline;
  }
}
