package io.speakerkit.timers;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The production {@link Scheduler}: tasks run on one Netty {@link EventExecutor}, the same thread that does the
 * channel I/O of the sessions it drives, so engine code needs no locks.
 *
 * <p>Precision: Netty schedules in nanoseconds. On the epoll transport the event loop sleeps on a {@code timerfd},
 * which gives sub-millisecond wake-ups; on the NIO transport {@code Selector.select(ms)} rounds to milliseconds.
 * Use an epoll event loop where BFD intervals of tens of milliseconds matter.
 *
 * <p>{@link #ticker()} reads the executor's own clock ({@code EventExecutor.ticker()}: {@code System.nanoTime()} on
 * a real event loop, the frozen clock of an {@code EmbeddedChannel} after {@code freezeTime()}), the clock its tasks
 * fall due on.
 *
 * <p>Shutdown, as Netty does it: while the executor is shutting down gracefully (its quiet period), {@code schedule}
 * and {@code execute} still accept tasks, and those due before it terminates run; the others are cancelled by
 * Netty ({@link Timeout#isCancelled()} then reads {@code true} and {@link Timeout#cancel()} {@code false}). Once it
 * has shut down, {@code schedule} and {@code execute} throw {@link java.util.concurrent.RejectedExecutionException}.
 */
public final class EventLoopScheduler implements Scheduler {

  private static final InternalLogger log = InternalLoggerFactory.getInstance(EventLoopScheduler.class);

  private final EventExecutor executor;
  private final Ticker ticker;

  private EventLoopScheduler(EventExecutor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    io.netty.util.concurrent.Ticker clock = executor.ticker();
    this.ticker = clock::nanoTime;
  }

  /** A scheduler that runs its tasks on {@code executor} (usually a channel's event loop). */
  public static EventLoopScheduler on(EventExecutor executor) {
    return new EventLoopScheduler(executor);
  }

  /** The executor tasks run on. */
  public EventExecutor executor() {
    return executor;
  }

  @Override
  public Ticker ticker() {
    return ticker;
  }

  @Override
  public boolean inSchedulerThread() {
    return executor.inEventLoop();
  }

  @Override
  public Timeout schedule(Runnable task, long delay, TimeUnit unit) {
    Objects.requireNonNull(task, "task");
    long delayNanos = Math.max(0, unit.toNanos(delay));
    long deadline = ticker.nanoTime() + delayNanos;
    ScheduledFuture<?> future = executor.schedule(() -> runLogged(task), delayNanos, TimeUnit.NANOSECONDS);
    return new FutureTimeout(future, deadline);
  }

  /** Netty's periodic task: one {@code ScheduledFutureTask} re-queued after each run, nothing allocated per run. */
  @Override
  public Timeout scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
    Objects.requireNonNull(task, "task");
    long periodNanos = RepeatingTimeout.periodNanos(period, unit);
    long delayNanos = Math.max(0, unit.toNanos(initialDelay));
    // The deadline is kept here: Netty's getDelay() stops at zero once a run is due, so it cannot give it back.
    long[] deadline = {ticker.nanoTime() + delayNanos};
    ScheduledFuture<?> future = executor.scheduleAtFixedRate(() -> {
      try {
        runLogged(task);
      } finally {
        deadline[0] += periodNanos; // Netty's fixed rate: previous deadline plus the period, however late the run
      }
    }, delayNanos, periodNanos, TimeUnit.NANOSECONDS);
    return new FutureTimeout(future, -1) {
      @Override
      public long deadlineNanos() {
        return deadline[0];
      }
    };
  }

  // execute(): the interface's schedule(task, 0). Netty's own execute() would overtake tasks scheduled with delay 0
  // just before it (it moves due scheduled tasks behind its plain task queue), unlike ManualScheduler.

  private static void runLogged(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      log.warn("scheduled task {} threw", task, t);
    }
  }

  private static class FutureTimeout implements Timeout {
    private final ScheduledFuture<?> future;
    private final long deadline;

    FutureTimeout(ScheduledFuture<?> future, long deadline) {
      this.future = future;
      this.deadline = deadline;
    }

    @Override
    public boolean cancel() {
      return future.cancel(false);
    }

    @Override
    public boolean isCancelled() {
      return future.isCancelled();
    }

    @Override
    public boolean isDone() {
      return future.isDone();
    }

    @Override
    public long deadlineNanos() {
      return deadline;
    }
  }
}
