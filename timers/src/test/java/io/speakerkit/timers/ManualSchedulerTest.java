package io.speakerkit.timers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {

  @Test
  void advance_runsDueTasksInDeadlineOrderAtTheirDeadline() {
    ManualScheduler time = new ManualScheduler();
    List<String> ran = new ArrayList<>();
    time.schedule(() -> ran.add("c@" + time.nanoTime()), 30, TimeUnit.NANOSECONDS);
    time.schedule(() -> ran.add("a@" + time.nanoTime()), 10, TimeUnit.NANOSECONDS);
    time.schedule(() -> ran.add("b@" + time.nanoTime()), 20, TimeUnit.NANOSECONDS);
    time.schedule(() -> ran.add("late"), 31, TimeUnit.NANOSECONDS);

    time.advance(30, TimeUnit.NANOSECONDS);

    assertEquals(List.of("a@10", "b@20", "c@30"), ran);
    assertEquals(30, time.nanoTime());
    assertEquals(1, time.pendingTasks());
  }

  /** As on the event loop, a task that throws stops nothing; the advance then reports the first failure. */
  @Test
  void taskThrows_laterTasksRunPeriodicContinues_firstFailureThrownAfterwards() {
    ManualScheduler time = new ManualScheduler();
    List<String> ran = new ArrayList<>();
    time.schedule(() -> {
      throw new IllegalStateException("first");
    }, 10, TimeUnit.NANOSECONDS);
    time.scheduleAtFixedRate(() -> {
      ran.add("tick@" + time.nanoTime());
      throw new IllegalArgumentException("tick");
    }, 15, 10, TimeUnit.NANOSECONDS);
    time.schedule(() -> ran.add("b@" + time.nanoTime()), 20, TimeUnit.NANOSECONDS);

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> time.advance(30, TimeUnit.NANOSECONDS));

    assertEquals("first", e.getMessage());
    assertEquals(2, e.getSuppressed().length);
    assertEquals(List.of("tick@15", "b@20", "tick@25"), ran);
    assertEquals(30, time.nanoTime());
    assertEquals(1, time.pendingTasks(), "the periodic task goes on");
  }

  @Test
  void scheduleAtFixedRate_runsOnTheGridUntilCancelledFromInside() {
    ManualScheduler time = new ManualScheduler();
    List<Long> ran = new ArrayList<>();
    Timeout[] t = new Timeout[1];
    t[0] = time.scheduleAtFixedRate(() -> {
      ran.add(time.nanoTime());
      if (ran.size() == 3) {
        t[0].cancel();
      }
    }, 5, 10, TimeUnit.NANOSECONDS);
    assertEquals(5, t[0].deadlineNanos());
    time.advance(17, TimeUnit.NANOSECONDS);
    assertEquals(List.of(5L, 15L), ran);
    assertEquals(25, t[0].deadlineNanos());
    assertFalse(t[0].isDone());
    time.advance(100, TimeUnit.NANOSECONDS);
    assertEquals(List.of(5L, 15L, 25L), ran);
    assertTrue(t[0].isCancelled());
    assertEquals(0, time.pendingTasks());
  }

  @Test
  void scheduleAtFixedRate_defaultChainsOneShots() {
    ManualScheduler time = new ManualScheduler();
    Scheduler chained = RepeatingTimeoutTest.oneShotsOnly(time);
    List<Long> ran = new ArrayList<>();
    Timeout t = chained.scheduleAtFixedRate(() -> ran.add(time.nanoTime()), 5, 10, TimeUnit.NANOSECONDS);
    time.advance(30, TimeUnit.NANOSECONDS);
    assertEquals(List.of(5L, 15L, 25L), ran);
    assertTrue(t.cancel());
    time.advance(30, TimeUnit.NANOSECONDS);
    assertEquals(3, ran.size());
    assertEquals(0, time.pendingTasks());
  }

  @Test
  void schedule_sameDeadline_runsInSchedulingOrder() {
    ManualScheduler time = new ManualScheduler();
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      time.schedule(() -> ran.add(n), Duration.ofSeconds(1));
    }
    time.advance(Duration.ofSeconds(1));
    assertEquals(List.of(0, 1, 2, 3, 4), ran);
  }

  @Test
  void cancel_beforeDeadline_neverRuns() {
    ManualScheduler time = new ManualScheduler();
    boolean[] ran = {false};
    Timeout t = time.schedule(() -> ran[0] = true, Duration.ofMillis(5));
    assertTrue(t.cancel());
    assertFalse(t.cancel());
    assertTrue(t.isCancelled());
    time.advance(Duration.ofSeconds(1));
    assertFalse(ran[0]);
    assertEquals(0, time.pendingTasks());
  }

  @Test
  void cancel_afterRun_returnsFalse() {
    ManualScheduler time = new ManualScheduler();
    Timeout t = time.schedule(() -> { }, Duration.ofMillis(5));
    time.advance(Duration.ofMillis(5));
    assertTrue(t.isDone());
    assertFalse(t.cancel());
    assertFalse(t.isCancelled());
  }

  @Test
  void taskScheduledByTask_runsInSameAdvanceWhenDue() {
    ManualScheduler time = new ManualScheduler();
    List<Long> ran = new ArrayList<>();
    Runnable[] periodic = new Runnable[1];
    periodic[0] = () -> {
      ran.add(time.nanoTime());
      time.schedule(periodic[0], 10, TimeUnit.NANOSECONDS);
    };
    time.schedule(periodic[0], 10, TimeUnit.NANOSECONDS);
    time.advance(35, TimeUnit.NANOSECONDS);
    assertEquals(List.of(10L, 20L, 30L), ran);
    assertEquals(40L, time.nextDeadlineNanos());
  }

  @Test
  void zeroDelay_runsOnRunDueTasksWithoutMovingClock() {
    ManualScheduler time = new ManualScheduler(1_000);
    int[] count = {0};
    time.execute(() -> count[0]++);
    assertEquals(0, count[0], "never runs inside schedule()");
    assertEquals(1, time.runDueTasks());
    assertEquals(1, count[0]);
    assertEquals(1_000, time.nanoTime());
  }

  @Test
  void advance_negative_rejected() {
    ManualScheduler time = new ManualScheduler();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> time.advance(-1, TimeUnit.NANOSECONDS));
    assertEquals("delta: -1 (expected: >= 0)", e.getMessage());
  }

  @Test
  void advanceToNextDeadline_jumpsToEarliest() {
    ManualScheduler time = new ManualScheduler();
    time.schedule(() -> { }, Duration.ofSeconds(7));
    assertTrue(time.advanceToNextDeadline());
    assertEquals(Duration.ofSeconds(7).toNanos(), time.nanoTime());
    assertFalse(time.advanceToNextDeadline());
  }

  @Property
  void everyTaskRunsExactlyOnceAtItsDeadline_inNonDecreasingOrder(
      @ForAll @Size(max = 50) List<@LongRange(min = 0, max = 1_000_000) Long> delays) {
    ManualScheduler time = new ManualScheduler();
    List<long[]> ran = new ArrayList<>();
    for (long d : delays) {
      time.schedule(() -> ran.add(new long[] {d, time.nanoTime()}), d, TimeUnit.NANOSECONDS);
    }
    time.advance(1_000_000, TimeUnit.NANOSECONDS);
    assertEquals(delays.size(), ran.size());
    long last = 0;
    for (long[] r : ran) {
      assertEquals(r[0], r[1]);
      assertTrue(r[1] >= last);
      last = r[1];
    }
  }
}
