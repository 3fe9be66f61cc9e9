package io.speakerkit.timers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualSchedulerEdgeCasesTest {

  /**
   * Mockito's doThrow(ex) and cached exceptions throw the same instance every time: the advance must still run every
   * due task, move the clock and report that exception (Throwable.addSuppressed(self) throws IAE).
   */
  @Test
  void sameExceptionInstanceThrownTwice_advanceStillRunsEverythingAndReportsIt() {
    ManualScheduler time = new ManualScheduler();
    IllegalStateException boom = new IllegalStateException("boom");
    List<Long> ran = new ArrayList<>();
    time.scheduleAtFixedRate(() -> {
      ran.add(time.nanoTime());
      throw boom;
    }, 10, 10, TimeUnit.NANOSECONDS);
    time.schedule(() -> ran.add(-time.nanoTime()), 25, TimeUnit.NANOSECONDS);

    RuntimeException e = assertThrows(RuntimeException.class, () -> time.advance(30, TimeUnit.NANOSECONDS));

    assertSame(boom, e);
    assertEquals(List.of(10L, 20L, -25L, 30L), ran);
    assertEquals(30, time.nanoTime());
  }

  /** A checked exception (Kotlin lambda, @SneakyThrows) must not stop the tasks after it either. */
  @Test
  void checkedExceptionFromTask_laterTasksStillRunAndClockMoves() {
    ManualScheduler time = new ManualScheduler();
    List<String> ran = new ArrayList<>();
    time.schedule(() -> sneakyThrow(new IOException("io")), 10, TimeUnit.NANOSECONDS);
    time.schedule(() -> ran.add("b@" + time.nanoTime()), 20, TimeUnit.NANOSECONDS);

    Throwable e = assertThrows(Throwable.class, () -> time.advance(30, TimeUnit.NANOSECONDS));

    assertEquals(IOException.class, e.getClass());
    assertEquals(List.of("b@20"), ran);
    assertEquals(30, time.nanoTime());
  }

  /** Only differences of readings are meaningful (Ticker), so a clock may start anywhere, e.g. at System.nanoTime(). */
  @Test
  void clockNearLongMax_tasksStillRunInDeadlineOrderAndNotEarly() {
    long start = Long.MAX_VALUE - 50;
    ManualScheduler time = new ManualScheduler(start);
    List<String> ran = new ArrayList<>();
    time.schedule(() -> ran.add("late@" + (time.nanoTime() - start)), 200, TimeUnit.NANOSECONDS);
    time.schedule(() -> ran.add("early@" + (time.nanoTime() - start)), 100, TimeUnit.NANOSECONDS);

    time.advance(60, TimeUnit.NANOSECONDS);
    assertEquals(List.of(), ran, "neither is due 60 ns in");
    assertEquals(60, time.nanoTime() - start);

    time.advance(200, TimeUnit.NANOSECONDS);
    assertEquals(List.of("early@100", "late@200"), ran);
    assertEquals(260, time.nanoTime() - start);
  }

  @Test
  void advanceTo_maxFromNegativeStart_runsEverything_pastMovesNothing() {
    ManualScheduler time = new ManualScheduler(-1_000);
    int[] ran = {0};
    time.schedule(() -> ran[0]++, 1, TimeUnit.DAYS);
    time.advanceTo(-2_000);
    assertEquals(-1_000, time.nanoTime());
    assertEquals(0, ran[0]);
    time.advanceTo(Long.MAX_VALUE);
    assertEquals(1, ran[0]);
    assertEquals(-1_000 + Long.MAX_VALUE, time.nanoTime());
  }

  /**
   * A periodic task is off the queue while it runs, so an advance from inside it would skip its runs and leave the
   * clock past deadlines still to run: refused, and the refusal reaches the test like any task failure.
   */
  @Test
  void advanceFromInsideATask_refused() {
    ManualScheduler time = new ManualScheduler();
    List<String> ran = new ArrayList<>();
    time.scheduleAtFixedRate(() -> {
      ran.add(time.nanoTime() + "");
      time.advance(25, TimeUnit.NANOSECONDS);
    }, 10, 10, TimeUnit.NANOSECONDS);
    assertThrows(IllegalStateException.class, () -> time.advance(10, TimeUnit.NANOSECONDS));
    assertThrows(IllegalStateException.class, () -> time.advance(10, TimeUnit.NANOSECONDS));
    assertEquals(List.of("10", "20"), ran);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }

  @Test
  void cancel_marksDone_andCancelledTasksAreNotPending() {
    ManualScheduler time = new ManualScheduler(1_000);
    Timeout a = time.schedule(() -> { }, 10, TimeUnit.NANOSECONDS);
    Timeout b = time.schedule(() -> { }, 20, TimeUnit.NANOSECONDS);
    assertFalse(a.isDone());
    assertTrue(a.cancel());
    assertTrue(a.isDone(), "Timeout#isDone: the task ran or was cancelled");
    assertEquals(1, time.pendingTasks());
    assertEquals(List.of(1_020L), time.pendingDeadlines());
    assertEquals(1_020L, time.nextDeadlineNanos(), "on the ticker's scale, start reading included");
    assertTrue(b.cancel());
    assertEquals(-1, time.nextDeadlineNanos());
  }

  /** A delay too long to add to the clock saturates (292 years), it does not wrap into the past and run at once. */
  @Test
  void hugeDelay_neverRunsEarly() {
    ManualScheduler time = new ManualScheduler();
    time.advance(1, TimeUnit.SECONDS);
    List<String> ran = new ArrayList<>();
    time.schedule(() -> ran.add("late"), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    time.advance(1, TimeUnit.DAYS);
    assertEquals(List.of(), ran);
    assertEquals(1, time.pendingTasks());
  }

  /** A negative delay means now: the task is due at the current reading, not in the past. */
  @Test
  void negativeDelay_dueNow() {
    ManualScheduler time = new ManualScheduler(500);
    time.advance(100, TimeUnit.NANOSECONDS);
    Timeout t = time.schedule(() -> { }, -50, TimeUnit.NANOSECONDS);
    assertEquals(time.nanoTime(), t.deadlineNanos());
    assertEquals(1, time.runDueTasks());
    assertEquals(600, time.nanoTime());
  }
}
