package io.speakerkit.timers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopSchedulerTest {

  private final EventLoop loop = new DefaultEventLoop();

  @AfterEach
  void shutdown() throws InterruptedException {
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  @Test
  void schedule_runsOnEventLoopInDeadlineOrder() throws InterruptedException {
    EventLoopScheduler scheduler = EventLoopScheduler.on(loop);
    List<String> ran = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(2);
    // Both are scheduled from the loop itself, so neither can fall due before the other is queued.
    scheduler.execute(() -> {
      scheduler.schedule(() -> { ran.add("second:" + scheduler.inSchedulerThread()); done.countDown(); },
          Duration.ofMillis(20));
      scheduler.schedule(() -> { ran.add("first:" + scheduler.inSchedulerThread()); done.countDown(); },
          Duration.ofMillis(1));
    });
    assertTrue(done.await(5, TimeUnit.SECONDS));
    assertEquals(List.of("first:true", "second:true"), ran);
    assertFalse(scheduler.inSchedulerThread());
  }

  @Test
  void cancel_preventsRun_andThrowingTaskDoesNotStopLaterOnes() throws InterruptedException {
    EventLoopScheduler scheduler = EventLoopScheduler.on(loop);
    CountDownLatch later = new CountDownLatch(1);
    boolean[] cancelledRan = {false};
    Timeout t = scheduler.schedule(() -> cancelledRan[0] = true, Duration.ofMinutes(1)); // never due before cancel()
    assertTrue(t.cancel());
    scheduler.execute(() -> { throw new IllegalStateException("expected in test"); });
    scheduler.schedule(later::countDown, Duration.ofMillis(10));
    assertTrue(later.await(5, TimeUnit.SECONDS));
    assertFalse(cancelledRan[0]);
    assertTrue(t.isCancelled());
  }

  @Test
  void scheduleAtFixedRate_repeatsOnLoop_throwingRunDoesNotStopIt_cancelFromInside() throws InterruptedException {
    EventLoopScheduler scheduler = EventLoopScheduler.on(loop);
    CountDownLatch three = new CountDownLatch(3);
    java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
    Timeout[] t = new Timeout[1];
    scheduler.execute(() -> t[0] = scheduler.scheduleAtFixedRate(() -> {
      int n = runs.incrementAndGet();
      if (n == 3) {
        t[0].cancel();
      }
      three.countDown();
      if (n == 1) {
        throw new IllegalStateException("expected in test");
      }
    }, 1, 1, TimeUnit.MILLISECONDS));
    assertTrue(three.await(5, TimeUnit.SECONDS));
    // Whatever was queued runs first; then no more runs.
    loop.submit(() -> { }).await(5, TimeUnit.SECONDS);
    assertEquals(3, runs.get());
    assertTrue(t[0].isCancelled());
  }

  /**
   * Tasks due at the same instant run in the order they were scheduled (the Scheduler contract), execute() included,
   * as on ManualScheduler: Netty's own execute() would run before a schedule(task, 0) made just before it.
   */
  @Test
  void executeAfterScheduleZero_runsInSchedulingOrder_asOnManualScheduler() throws Exception {
    EventLoop loop = new DefaultEventLoop();
    try {
      EventLoopScheduler s = EventLoopScheduler.on(loop);
      List<String> ran = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(2);
      s.execute(() -> {
        s.schedule(() -> {
          ran.add("schedule0");
          done.countDown();
        }, 0, TimeUnit.NANOSECONDS);
        s.execute(() -> {
          ran.add("execute");
          done.countDown();
        });
      });
      assertTrue(done.await(5, TimeUnit.SECONDS));
      ManualScheduler manual = new ManualScheduler();
      List<String> virtual = new java.util.ArrayList<>();
      manual.schedule(() -> virtual.add("schedule0"), 0, TimeUnit.NANOSECONDS);
      manual.execute(() -> virtual.add("execute"));
      manual.runDueTasks();
      assertEquals(List.of("schedule0", "execute"), virtual);
      assertEquals(virtual, ran);
    } finally {
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }
}
