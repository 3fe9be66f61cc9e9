package io.speakerkit.timers;

/** A task scheduled on a {@link Scheduler}; cancelling it before it runs guarantees it never runs. */
public interface Timeout {

  /**
   * Cancels the task.
   *
   * @return {@code true} if this call stopped the task from running, {@code false} if it already ran or was
   *     already cancelled
   */
  boolean cancel();

  /** Whether {@link #cancel()} succeeded. */
  boolean isCancelled();

  /** Whether the task ran or was cancelled. */
  boolean isDone();

  /** The {@link Ticker} reading at which the task is due. */
  long deadlineNanos();
}
