package io.speakerkit.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.timers.ManualScheduler;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Sessions created and removed thousands of times leave nothing behind in the driver or the scheduler. */
class BfdDriverChurnTest {

  @Test
  void createCloseCycles_leaveNoSessionsOrTimers() throws Exception {
    ManualScheduler time = new ManualScheduler();
    BfdDriver d = new BfdDriver(time, new java.util.SplittableRandom(7), new BfdDriver.PacketIo() {
      @Override
      public io.netty.buffer.ByteBuf allocate() {
        return io.netty.buffer.Unpooled.buffer(64);
      }

      @Override
      public void send(BfdSession s, io.netty.buffer.ByteBuf p) {
        p.release();
      }
    });
    InetAddress local = InetAddress.getByName("192.0.2.1");
    InetAddress remote = InetAddress.getByName("192.0.2.2");
    for (int i = 0; i < 5_000; i++) {
      BfdSession s = d.createSession(BfdSessionConfig.builder().localAddress(local).remoteAddress(remote).build());
      s.subscribe(c -> {});
      time.advance(Duration.ofMillis(500));
      if (i % 2 == 0) {
        s.close();
      } else {
        s.adminDownThenClose();
        time.advance(Duration.ofSeconds(5));
      }
    }
    assertEquals(0, d.sessions().size());
    time.advance(Duration.ofSeconds(10));
    assertTrue(time.pendingTasks() <= 1, "pending tasks: " + time.pendingTasks());
  }
}
