package io.speakerkit.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, for interop tests (readiness is polled, never a fixed sleep). */
public final class Poll {

  private Poll() {}

  /** Polls {@code condition} every 50 ms until it holds; fails with {@code what} after {@code limit}. */
  public static void until(Duration limit, String what, BooleanSupplier condition) {
    until(limit, what, condition, () -> "");
  }

  /**
   * Polls {@code condition} every 50 ms until it holds; after {@code limit} fails with {@code what} and the
   * diagnostics {@code state} supplies (e.g. the daemon's JSON output).
   */
  public static void until(Duration limit, String what, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + limit.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        AssertionError error = new AssertionError("timed out after " + limit + " waiting for " + what
            + (last != null ? " (last error: " + last.getMessage() + ")" : "") + "\n" + state.get());
        if (last != null) {
          error.addSuppressed(last);
        }
        throw error;
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }

  /**
   * The negative of {@link #until}: checks every 50 ms for {@code window} that {@code condition} still holds (something
   * that must not happen has not), and fails with {@code what} and {@code state} the first time it does not. A bounded
   * look, for what no event announces (data left unread in a socket, a state not left).
   */
  public static void holds(Duration window, String what, BooleanSupplier condition, Supplier<String> state) {
    long end = System.nanoTime() + window.toNanos();
    while (true) {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("no longer true: " + what + "\n" + state.get());
      }
      if (System.nanoTime() - end > 0) {
        return;
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }
}
