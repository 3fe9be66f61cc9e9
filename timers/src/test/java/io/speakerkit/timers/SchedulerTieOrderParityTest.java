package io.speakerkit.timers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ManualScheduler stands in for EventLoopScheduler in tests, so tasks due at the same instant must run in the same
 * order on both. Netty keeps a periodic task's place (its id) when it re-queues it after a run: a later run of a
 * series goes before a one-shot scheduled after the series was, when both fall due together.
 */
class SchedulerTieOrderParityTest {

  static void schedule(Scheduler s, Ticker clock, List<String> log) {
    s.scheduleAtFixedRate(() -> log.add("periodic@" + clock.nanoTime() / 1_000_000_000L), 10, 10, TimeUnit.SECONDS);
    s.schedule(() -> log.add("oneShot"), 20, TimeUnit.SECONDS);
  }

  @Test
  void periodicRunAndOneShotDueTogether_sameOrderOnEventLoopAndManualScheduler() {
    List<String> onLoop = new ArrayList<>();
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      ch.freezeTime();
      EventLoopScheduler s = EventLoopScheduler.on(ch.eventLoop());
      long t0 = s.ticker().nanoTime();
      schedule(s, () -> s.ticker().nanoTime() - t0, onLoop);
      for (int i = 0; i < 2; i++) {
        ch.advanceTimeBy(10, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
      }
    } finally {
      ch.finishAndReleaseAll();
    }
    List<String> manual = new ArrayList<>();
    ManualScheduler time = new ManualScheduler();
    schedule(time, time, manual);
    time.advance(Duration.ofSeconds(20));
    assertEquals(List.of("periodic@10", "periodic@20", "oneShot"), onLoop, "Netty's order");
    assertEquals(onLoop, manual);
  }
}
