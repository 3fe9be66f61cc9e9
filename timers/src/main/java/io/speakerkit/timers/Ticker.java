package io.speakerkit.timers;

/**
 * A source of monotonic time in nanoseconds. Only differences between two readings are meaningful.
 *
 * <p>Engines never call {@link System#nanoTime()} themselves; they read an injected ticker so tests can run on
 * virtual time ({@link ManualScheduler}).
 */
@FunctionalInterface
public interface Ticker {

  /** Returns the current reading in nanoseconds; never decreases. */
  long nanoTime();

  /** The ticker backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
