package io.speakerkit.timers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Scheduler#scheduleAtFixedRate}'s default: one-shot timeouts chained on a scheduler without periodic tasks. */
class RepeatingTimeoutTest {

  /** {@code time} behind the interface alone: fixed-rate tasks take the default, chained one-shots. */
  static Scheduler oneShotsOnly(ManualScheduler time) {
    return new Scheduler() {
      @Override
      public Ticker ticker() {
        return time;
      }

      @Override
      public Timeout schedule(Runnable task, long delay, TimeUnit unit) {
        return time.schedule(task, delay, unit);
      }

      @Override
      public boolean inSchedulerThread() {
        return true;
      }
    };
  }

  @Test
  void cancel_takesThePendingOneShotOffTheScheduler() {
    ManualScheduler time = new ManualScheduler();
    Timeout t = oneShotsOnly(time).scheduleAtFixedRate(() -> { }, 5, 10, TimeUnit.NANOSECONDS);
    time.advance(7, TimeUnit.NANOSECONDS);
    assertEquals(1, time.pendingTasks());
    assertTrue(t.cancel());
    assertEquals(0, time.pendingTasks(), "nothing left queued for a cancelled series");
    assertTrue(t.isDone());
    assertFalse(t.cancel());
  }

  @Test
  void cancelFromInsideItsRun_nothingMoreIsScheduled() {
    ManualScheduler time = new ManualScheduler();
    List<Long> ran = new ArrayList<>();
    Timeout[] self = new Timeout[1];
    self[0] = oneShotsOnly(time).scheduleAtFixedRate(() -> {
      ran.add(time.nanoTime());
      if (ran.size() == 2) {
        self[0].cancel();
      }
    }, 5, 10, TimeUnit.NANOSECONDS);
    time.advance(16, TimeUnit.NANOSECONDS);
    assertEquals(List.of(5L, 15L), ran);
    assertEquals(0, time.pendingTasks(), "the run that cancelled does not queue the next one");
  }

  @Test
  void zeroPeriod_refused() {
    ManualScheduler time = new ManualScheduler();
    assertThrows(IllegalArgumentException.class,
        () -> oneShotsOnly(time).scheduleAtFixedRate(() -> { }, 1, 0, TimeUnit.NANOSECONDS));
    assertThrows(IllegalArgumentException.class, () -> time.scheduleAtFixedRate(() -> { }, 1, 0, TimeUnit.NANOSECONDS));
    assertEquals(0, time.pendingTasks());
  }
}
