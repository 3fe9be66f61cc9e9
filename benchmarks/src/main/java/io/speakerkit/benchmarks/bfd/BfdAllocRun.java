package io.speakerkit.benchmarks.bfd;

import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.bfd.transport.BfdEngine;
import java.lang.management.ManagementFactory;
import java.lang.management.GarbageCollectorMXBean;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Bytes allocated per packet on each engine's event loop thread (reported, not a test): N single-hop sessions at
 * I ms x 3 between two {@link BfdEngine}s in this JVM over loopback, bounded in time, no root needed.
 *
 * <p>Engine A holds 127.0.0.1 and N sessions to 127.0.1.0, 127.0.1.1, ...; engine B holds those N loopback
 * addresses (all on {@code lo}, nothing to configure) with one session each back to 127.0.0.1. Both use port
 * 13784 instead of 3784 so as not to meet a BFD daemon on this host. After every session is Up and a warm-up (for
 * the JIT: escape analysis only applies to compiled code), the run reads
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes} of each event loop thread and the sessions'
 * packet counters at the start and end of the window, and prints bytes per received packet and per packet handled
 * (received + sent). Everything the loop thread does counts: Netty's read and write, timers, the sessions.
 *
 * <pre>
 * mvn -B -q -o -pl benchmarks -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx256m -cp benchmarks/target/classes:$(cat /tmp/cp.txt) \
 *     io.speakerkit.benchmarks.bfd.BfdAllocRun 200 50 20 10   # sessions, interval ms, seconds, warm-up seconds
 * </pre>
 */
public final class BfdAllocRun {

  static final int PORT = 13784;

  private BfdAllocRun() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int intervalMs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    if (n < 1 || n > 1024 || seconds < 1 || seconds > 300 || warmup < 0 || warmup > 300) {
      throw new IllegalArgumentException("sessions 1-1024, seconds 1-300, warm-up 0-300");
    }
    BfdProfile profile = BfdProfile.builder().receiveIntervalMillis(intervalMs).transmitIntervalMillis(intervalMs)
        .detectMultiplier(3).build();
    InetAddress hostA = InetAddress.getByName("127.0.0.1");
    try (BfdEngine a = engine(); BfdEngine b = engine()) {
      List<BfdSession> sa = new ArrayList<>();
      List<BfdSession> sb = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        InetAddress peer = InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + i / 256), (byte) (i % 256)});
        sa.add(a.createSession(BfdSessionConfig.builder().localAddress(hostA).remoteAddress(peer)
            .profile(profile).build()));
        sb.add(b.createSession(BfdSessionConfig.builder().localAddress(peer).remoteAddress(hostA)
            .profile(profile).build()));
      }
      long upDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (up(sa) < n || up(sb) < n) {
        if (System.nanoTime() > upDeadline) {
          throw new IllegalStateException("not all Up after 60 s: A " + up(sa) + ", B " + up(sb));
        }
        LockSupport.parkNanos(100_000_000L);
      }
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(warmup));
      long tidA = a.call(() -> Thread.currentThread().getId());
      long tidB = b.call(() -> Thread.currentThread().getId());
      long[] a0 = snapshot(sa, tidA);
      long[] b0 = snapshot(sb, tidB);
      long gc0 = gcCount();
      long downs0 = downs(sa) + downs(sb);
      long t0 = System.nanoTime();
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(seconds));
      long[] a1 = snapshot(sa, tidA);
      long[] b1 = snapshot(sb, tidB);
      double wall = (System.nanoTime() - t0) / 1e9;
      System.out.printf("BFD allocation: %d sessions, %d ms x 3, window %.1f s (after %d s warm-up), %d GCs,"
          + " %d Down transitions%n", n, intervalMs, wall, warmup, gcCount() - gc0, downs(sa) + downs(sb) - downs0);
      report("A (127.0.0.1, one receive socket)", a0, a1);
      report("B (" + n + " addresses)", b0, b1);
    }
  }

  static BfdEngine engine() {
    return BfdEngine.builder().singleHopPort(PORT).multihopPort(PORT + 1000).build();
  }

  /** {allocated bytes of the loop thread, packets received, packets sent}. */
  static long[] snapshot(List<BfdSession> sessions, long tid) {
    long in = 0;
    long out = 0;
    for (BfdSession s : sessions) {
      in += s.counters().controlPacketsIn();
      out += s.counters().controlPacketsOut();
    }
    long bytes = ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(tid);
    return new long[] {bytes, in, out};
  }

  static void report(String side, long[] s0, long[] s1) {
    long bytes = s1[0] - s0[0];
    long in = s1[1] - s0[1];
    long out = s1[2] - s0[2];
    System.out.printf("  %s: %d packets received, %d sent, loop thread allocated %d bytes:"
        + " %.1f bytes per received packet, %.1f per packet handled (rx+tx)%n", side, in, out, bytes,
        bytes / (double) Math.max(1, in), bytes / (double) Math.max(1, in + out));
  }

  static int up(List<BfdSession> sessions) {
    int up = 0;
    for (BfdSession s : sessions) {
      up += s.state() == SessionState.Up ? 1 : 0;
    }
    return up;
  }

  static long downs(List<BfdSession> sessions) {
    long d = 0;
    for (BfdSession s : sessions) {
      d += s.counters().downTransitions();
    }
    return d;
  }

  static long gcCount() {
    long c = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      c += Math.max(0, gc.getCollectionCount());
    }
    return c;
  }
}
