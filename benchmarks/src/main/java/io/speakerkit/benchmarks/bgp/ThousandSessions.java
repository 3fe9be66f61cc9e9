package io.speakerkit.benchmarks.bgp;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.EventType;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.transport.BgpSession;
import io.speakerkit.bgp.fsm.transport.BgpTransport;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scale run (not a test): N sessions on one event loop, 3 s hold time, held for a while; run one process as the
 * passive collector and one as the speaker, on 127.253.0.0/16 (one source address per peer):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.speakerkit.benchmarks.bgp.ThousandSessions collector 1000 600 &amp;
 * java -cp benchmarks/target/benchmarks.jar io.speakerkit.benchmarks.bgp.ThousandSessions speaker 1000 600
 * </pre>
 *
 * Prints sessions Established, drops from Established (and how many were hold-timer expiries), heap and CPU per
 * session.
 */
public final class ThousandSessions {

  private static final int PORT = 11790;

  private ThousandSessions() {}

  static InetAddress peerAddress(int i) throws Exception {
    return InetAddress.getByName("127.253." + (1 + i / 250) + "." + (1 + i % 250));
  }

  public static void main(String[] args) throws Exception {
    boolean collector = args[0].equals("collector");
    int n = Integer.parseInt(args[1]);
    long seconds = Long.parseLong(args[2]);
    InetAddress collectorAddress = InetAddress.getByName("127.253.100.1");
    System.gc();
    long heap0 = usedHeap();
    BgpTransport.Builder tb = BgpTransport.builder().threads(1);
    if (collector) {
      tb.listen(new InetSocketAddress(collectorAddress, PORT));
    }
    BgpTransport t = tb.build().start();
    AtomicInteger established = new AtomicInteger();
    AtomicInteger drops = new AtomicInteger();
    AtomicInteger holdExpiries = new AtomicInteger();
    List<BgpSession> sessions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      FsmConfig.Builder c = FsmConfig.builder().holdTime(Duration.ofSeconds(3))
          .backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
      BgpSession.Builder b = BgpSession.builder().transport(t);
      if (collector) {
        c.localAs(65400).peerAs(65401).bgpIdentifier(BgpIdentifier.parse("10.0.0.100"))
            .connectMode(ConnectMode.LISTEN_ONLY);
        b.peer(peerAddress(i)).localAddress(collectorAddress);
      } else {
        c.localAs(65401).peerAs(65400).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"));
        b.peer(collectorAddress).peerPort(PORT).localAddress(peerAddress(i));
      }
      BgpSession s = b.config(c.build()).build();
      s.addListener(ch -> {
        if (ch.to() == BgpState.Established) {
          established.incrementAndGet();
        } else if (ch.from() == BgpState.Established) {
          established.decrementAndGet();
          drops.incrementAndGet();
          if (ch.cause().event() == EventType.HoldTimer_Expires) {
            holdExpiries.incrementAndGet();
          }
        }
      });
      if (!collector) {
        s.announce(IpPrefix.ipv4((10 << 24) | i << 8, 24), PathAttributes.builder().build());
      }
      sessions.add(s);
    }
    sessions.forEach(BgpSession::start);
    long start = System.nanoTime();
    long deadlineUp = start + Duration.ofMinutes(2).toNanos();
    while (established.get() < n && System.nanoTime() < deadlineUp) {
      Thread.sleep(200); // a scale run, not a unit test
    }
    double upSeconds = (System.nanoTime() - start) / 1e9;
    System.gc();
    long heapUp = usedHeap();
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    System.out.printf("%s: %d/%d Established after %.1f s; heap %.1f KB/session%n", args[0], established.get(), n,
        upSeconds, (heapUp - heap0) / 1024.0 / n);
    long end = t0 + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(30_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      double el = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%s: t=%.0f s Established=%d drops=%d holdTimerExpiries=%d cpu=%.2f%% of a core%n",
          args[0], el, established.get(), drops.get(), holdExpiries.get(), (cpuNanos() - cpu0) / 1e9 / el * 100);
    }
    double el = (System.nanoTime() - t0) / 1e9;
    System.gc();
    System.out.printf("%s: held %.0f s: Established=%d drops=%d holdTimerExpiries=%d; CPU %.1f us/s per session;"
        + " heap %.1f KB/session%n", args[0], el, established.get(), drops.get(), holdExpiries.get(),
        (cpuNanos() - cpu0) / 1e3 / el / n, (usedHeap() - heap0) / 1024.0 / n);
    if (!collector) {
      Thread.sleep(3000); // let the collector print first
    }
    t.close();
    System.exit(0);
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }
}
