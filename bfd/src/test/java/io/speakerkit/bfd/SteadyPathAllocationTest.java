package io.speakerkit.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The steady path (a periodic packet written, received, demultiplexed timers) allocates nothing in the session:
 * packets are written into and read from reused buffers. Counts bytes, not time.
 */
class SteadyPathAllocationTest {

  static final long MS = 1_000_000;

  /** Two machines whose packets go straight into one reused buffer each and on to the other. */
  static final class Pair implements BfdFsm.Output {
    // Constructed directly: not wrapped by the (paranoid, in tests) leak detector, which records every access.
    final ByteBuf buf = new io.netty.buffer.UnpooledHeapByteBuf(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 128, 128);
    BfdFsm a;
    BfdFsm b;
    long now;

    @Override
    public void transmit(BfdFsm from, boolean poll, boolean fin) {
      buf.clear();
      from.writeControlPacket(buf, poll, fin);
      (from == a ? b : a).onPacket(buf, now);
    }

    @Override
    public void stateChanged(BfdFsm f, SessionState o, SessionState n, Diagnostic d, long at) {}

    void run(long until) {
      while (true) {
        long next = Math.min(a.nextDeadlineNanos(), b.nextDeadlineNanos());
        if (next > until) {
          now = until;
          return;
        }
        now = next;
        a.onTimer(now);
        b.onTimer(now);
      }
    }
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  private static void check(BfdAuthentication auth) {
    Pair p = new Pair();
    BfdProfile fast = BfdProfile.builder().transmitIntervalMillis(10).receiveIntervalMillis(10).build();
    p.a = new BfdFsm(1, fast, auth, new SplittableRandom(1), p);
    p.b = new BfdFsm(2, fast, auth, new SplittableRandom(2), p);
    p.a.start(0);
    p.b.start(0);
    p.run(30_000 * MS); // up, polls done, JIT warm
    assertEquals(SessionState.Up, p.a.sessionState());
    assertEquals(SessionState.Up, p.b.sessionState());
    long packetsBefore = p.a.counters().controlPacketsIn();
    allocated();
    long before = allocated();
    p.run(p.now + 30_000 * MS);
    long bytes = allocated() - before;
    long packets = p.a.counters().controlPacketsIn() - packetsBefore;
    p.buf.release();
    assertTrue(packets > 2_000, "packets " + packets);
    // Any allocation per packet would be at least 16 bytes a packet; allow one-off bytes (JIT, the counter itself).
    assertTrue(bytes < packets, bytes + " bytes allocated over " + packets + " packets");
  }

  @Test
  void steadyPath_noAuthentication_allocatesNothing() {
    check(BfdAuthentication.NONE);
  }

  @Test
  void steadyPath_meticulousSha1_allocatesNothing() {
    check(BfdAuthentication.of(AuthType.METICULOUS_KEYED_SHA1, 1, "key"));
  }
}
