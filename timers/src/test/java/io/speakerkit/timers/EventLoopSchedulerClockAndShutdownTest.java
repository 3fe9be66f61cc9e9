package io.speakerkit.timers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopSchedulerClockAndShutdownTest {

  /**
   * Netty 4.2 executors carry their own clock (EventExecutorGroup.ticker(); EmbeddedChannel.freezeTime/advanceTimeBy).
   * Tasks fire on that clock, so scheduler.ticker() must read it too, or elapsed-time checks made by engines
   * (BgpFsm stable time, BFD detection, send-hold) disagree with the timers that drove them.
   */
  @Test
  void tickerFollowsTheExecutorsClock() {
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      ch.freezeTime();
      EventLoopScheduler s = EventLoopScheduler.on(ch.eventLoop());
      long t0 = s.ticker().nanoTime();
      long[] seenAt = {Long.MIN_VALUE};
      Timeout t = s.schedule(() -> seenAt[0] = s.ticker().nanoTime(), 90, TimeUnit.SECONDS);
      ch.advanceTimeBy(90, TimeUnit.SECONDS);
      ch.runScheduledPendingTasks();
      assertTrue(t.isDone());
      assertTrue(seenAt[0] - t0 >= TimeUnit.SECONDS.toNanos(90),
          "task ran at its 90 s deadline but the scheduler's ticker says " + (seenAt[0] - t0) + " ns passed");
      assertTrue(seenAt[0] - t.deadlineNanos() >= 0, "ran before its own deadlineNanos()");
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  /**
   * Netty accepts tasks during a graceful shutdown's quiet period (the old class Javadoc said schedule throws once
   * the executor is shutting down: it does not); a task not due before termination is then cancelled by Netty.
   */
  @Test
  void scheduleWhileShuttingDown_acceptedThenCancelledAtTermination() throws Exception {
    EventLoop loop = new DefaultEventLoop();
    try {
      EventLoopScheduler s = EventLoopScheduler.on(loop);
      loop.shutdownGracefully(100, 5_000, TimeUnit.MILLISECONDS);
      assertTrue(loop.isShuttingDown());
      Timeout t = s.schedule(() -> { }, 1, TimeUnit.HOURS); // does not throw
      assertTrue(loop.terminationFuture().await(10, TimeUnit.SECONDS));
      assertTrue(t.isCancelled());
      assertFalse(t.cancel());
    } finally {
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  /** After termination: a timeout that never ran was cancelled by Netty, not by this cancel(); and schedule throws. */
  @Test
  void afterTermination_cancelAndSchedule() throws Exception {
    EventLoop loop = new DefaultEventLoop();
    EventLoopScheduler s = EventLoopScheduler.on(loop);
    Timeout t = s.schedule(() -> { }, 1, TimeUnit.DAYS);
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    assertTrue(loop.isTerminated());
    boolean cancelled = t.cancel();
    System.out.println("cancel after termination=" + cancelled + " isCancelled=" + t.isCancelled()
        + " isDone=" + t.isDone());
    assertThrows(RejectedExecutionException.class, () -> s.schedule(() -> { }, 1, TimeUnit.SECONDS));
    assertThrows(RejectedExecutionException.class, () -> s.execute(() -> { }));
  }

  /** Fixed rate: deadlineNanos() read inside the run is the deadline being run (as on ManualScheduler), stable. */
  @Test
  void fixedRate_deadlineNanosIsStable() throws Exception {
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      ch.freezeTime();
      EventLoopScheduler s = EventLoopScheduler.on(ch.eventLoop());
      Timeout t = s.scheduleAtFixedRate(() -> { }, 10, 10, TimeUnit.SECONDS);
      long d1 = t.deadlineNanos();
      ch.advanceTimeBy(15, TimeUnit.SECONDS); // overdue, not yet run
      long d2 = t.deadlineNanos();
      assertEquals(d1, d2, "an overdue deadline is still the same deadline");
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  /** Netty's fixed rate: each deadline is the previous one plus the period, however late the runs are. */
  @Test
  void fixedRate_lateRuns_deadlineStaysOnTheGrid() {
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      ch.freezeTime();
      EventLoopScheduler s = EventLoopScheduler.on(ch.eventLoop());
      long t0 = s.ticker().nanoTime();
      List<Long> ran = new ArrayList<>();
      Timeout t = s.scheduleAtFixedRate(() -> ran.add(s.ticker().nanoTime() - t0), 10, 10, TimeUnit.SECONDS);
      ch.advanceTimeBy(25, TimeUnit.SECONDS); // the runs due at 10 s and 20 s happen late, at 25 s
      ch.runScheduledPendingTasks();
      assertEquals(2, ran.size());
      assertEquals(t0 + TimeUnit.SECONDS.toNanos(30), t.deadlineNanos());
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  /** A negative delay means now, as on ManualScheduler: the deadline is not reported in the past. */
  @Test
  void negativeDelay_deadlineIsNow() {
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      ch.freezeTime();
      EventLoopScheduler s = EventLoopScheduler.on(ch.eventLoop());
      Timeout t = s.schedule(() -> { }, -5, TimeUnit.SECONDS);
      assertEquals(s.ticker().nanoTime(), t.deadlineNanos());
    } finally {
      ch.finishAndReleaseAll();
    }
  }
}
