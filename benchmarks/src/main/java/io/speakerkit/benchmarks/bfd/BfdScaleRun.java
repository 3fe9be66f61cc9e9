package io.speakerkit.benchmarks.bfd;

import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.BfdStateChange;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.bfd.transport.BfdEngine;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * BFD scale run (reported, not a test): N single-hop sessions at I ms x 3 between two engines, each in its own JVM
 * and network namespace, joined by a veth pair; then the link is cut and each session's detection time is measured.
 *
 * <p>The host side holds one address (10.252.64.1) and N sessions; the peer side runs in namespace
 * {@code skbfdscale} with N addresses from 10.252.96.0/22 on its loopback (routed over the veth, so neither
 * kernel needs N neighbor entries) and N sessions. Packets cross no router: TTL 255 arrives, as single-hop needs.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am compile
 * CP=$(mvn -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
 * java -XX:+UseSerialGC -Xmx256m -cp benchmarks/target/classes:$CP \
 *     io.speakerkit.benchmarks.bfd.BfdScaleRun run 1000 50 600 [rt]  # sessions, interval ms, seconds
 * </pre>
 *
 * <p>With {@code rt}, each engine's event loop thread runs SCHED_FIFO priority 10 (see {@link #realtime}).
 *
 * Needs root (namespace, veth, routes). Prints CPU per side over the steady window, false Down transitions, and
 * the distribution of detection times after the cut against the theoretical value.
 */
public final class BfdScaleRun {

  static final String NS = "skbfdscale";
  static final String HOST_IF = "skbfdscaleh";
  static final String NS_IF = "skbfdscalen";
  static final String HOST_ADDR = "10.252.64.1";
  static final String NS_ADDR = "10.252.64.2";

  private BfdScaleRun() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "run";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int intervalMs = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 600;
    boolean rt = args.length > 4 && args[4].equals("rt");
    if (n < 1 || n > 1024 || seconds < 1 || seconds > 3600) {
      throw new IllegalArgumentException("sessions 1-1024, seconds 1-3600");
    }
    if (mode.equals("peer")) {
      peer(n, intervalMs, seconds, rt);
    } else {
      run(n, intervalMs, seconds, rt);
    }
  }

  static InetAddress peerAddress(int i) throws IOException {
    return InetAddress.getByAddress(new byte[] {10, (byte) 252, (byte) (96 + i / 256), (byte) (i % 256)});
  }

  static BfdProfile profile(int intervalMs) {
    return BfdProfile.builder().receiveIntervalMillis(intervalMs).transmitIntervalMillis(intervalMs)
        .detectMultiplier(3).build();
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The peer: runs inside the namespace, prints a STAT line every second until killed or the time is up. */
  static void peer(int n, int intervalMs, int seconds, boolean rt) throws Exception {
    InetAddress remote = InetAddress.getByName(HOST_ADDR);
    AtomicLong downs = new AtomicLong();
    try (BfdEngine engine = BfdEngine.builder().build()) {
      if (rt) {
        realtime(engine);
      }
      List<BfdSession> sessions = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        BfdSession s = engine.createSession(BfdSessionConfig.builder().localAddress(peerAddress(i))
            .remoteAddress(remote).profile(profile(intervalMs)).build());
        s.subscribe(c -> {
          if (c.isUpToDown()) {
            downs.incrementAndGet();
          }
        });
        sessions.add(s);
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 120L);
      while (System.nanoTime() < end) {
        LockSupport.parkNanos(1_000_000_000L);
        int up = 0;
        for (BfdSession s : sessions) {
          up += s.state() == SessionState.Up ? 1 : 0;
        }
        System.out.println("STAT t=" + System.nanoTime() + " up=" + up + " downs=" + downs.get() + " cpu="
            + cpuNanos());
      }
    }
  }

  static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
  }

  static void shQuiet(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // cleanup
    }
  }

  static void cleanup() {
    shQuiet("ip", "link", "del", HOST_IF);
    shQuiet("ip", "netns", "del", NS);
  }

  /** The host side and the orchestration. */
  /**
   * Gives the engine's event loop thread (only it) SCHED_FIFO priority 10, as a BFD daemon on a busy host should
   * run: on this shared 2-core machine the CFS run queue otherwise delays the loop by up to ~200 ms at times.
   */
  static void realtime(BfdEngine engine) throws Exception {
    String stat = engine.eventLoop().submit(() -> Files.readString(new File("/proc/thread-self/stat").toPath()))
        .get(10, TimeUnit.SECONDS);
    String tid = stat.substring(0, stat.indexOf(' '));
    sh("chrt", "-f", "-p", "10", tid);
    System.out.println("event loop thread " + tid + " at SCHED_FIFO 10");
  }

  static void run(int n, int intervalMs, int seconds, boolean rt) throws Exception {
    cleanup();
    Process peer = null;
    try {
      sh("ip", "netns", "add", NS);
      sh("ip", "-n", NS, "link", "set", "lo", "up");
      sh("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF);
      sh("ip", "link", "set", NS_IF, "netns", NS);
      sh("ip", "addr", "add", HOST_ADDR + "/24", "dev", HOST_IF);
      sh("ip", "link", "set", HOST_IF, "up");
      sh("ip", "-n", NS, "addr", "add", NS_ADDR + "/24", "dev", NS_IF);
      sh("ip", "-n", NS, "link", "set", NS_IF, "up");
      sh("ip", "-n", NS, "addr", "add", "10.252.96.0/22", "dev", "lo");
      sh("ip", "-n", NS, "route", "add", "default", "via", HOST_ADDR);
      sh("ip", "route", "add", "10.252.96.0/22", "via", NS_ADDR);

      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", NS, System.getProperty("java.home")
          + "/bin/java"));
      cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BfdScaleRun.class.getName(), "peer",
          Integer.toString(n), Integer.toString(intervalMs), Integer.toString(seconds), rt ? "rt" : "cfs"));
      peer = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      ConcurrentLinkedQueue<String> peerStats = new ConcurrentLinkedQueue<>();
      Process peerProc = peer;
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(peerProc.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            if (line.startsWith("STAT")) {
              peerStats.add(line);
            } else {
              System.out.println("[peer] " + line);
            }
          }
        } catch (IOException ignored) {
          // peer gone
        }
      }, "peer-output");
      reader.setDaemon(true);
      reader.start();

      InetAddress local = InetAddress.getByName(HOST_ADDR);
      AtomicLong downs = new AtomicLong();
      ConcurrentLinkedQueue<long[]> downTimes = new ConcurrentLinkedQueue<>();
      try (BfdEngine engine = BfdEngine.builder().build()) {
        if (rt) {
          realtime(engine);
        }
        List<BfdSession> sessions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          BfdSession s = engine.createSession(BfdSessionConfig.builder().localAddress(local)
              .remoteAddress(peerAddress(i)).profile(profile(intervalMs)).build());
          s.subscribe((BfdStateChange c) -> {
            if (c.isUpToDown()) {
              downs.incrementAndGet();
              downTimes.add(new long[] {c.atNanos()});
            }
          });
          sessions.add(s);
        }
        long upDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (countUp(sessions) < n || lastUp(peerStats) < n) {
          if (System.nanoTime() > upDeadline) {
            throw new IllegalStateException("not all Up after 120 s: host " + countUp(sessions) + " peer "
                + lastUp(peerStats));
          }
          LockSupport.parkNanos(200_000_000L);
        }
        // Let the polls to the fast interval settle, then measure.
        LockSupport.parkNanos(3_000_000_000L);
        System.out.println("all " + n + " sessions Up on both sides; measuring " + seconds + " s at " + intervalMs
            + " ms x 3");
        long downs0 = downs.get();
        String peer0 = last(peerStats);
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
          LockSupport.parkNanos(Math.min(10_000_000_000L, Math.max(1, end - System.nanoTime())));
          long el = (System.nanoTime() - t0) / 1_000_000_000L;
          System.out.println("  t=" + el + "s up=" + countUp(sessions) + " host downs=" + (downs.get() - downs0)
              + " peer=" + last(peerStats));
        }
        long wall = System.nanoTime() - t0;
        long cpu = cpuNanos() - cpu0;
        String peer1 = last(peerStats);
        long hostFalseDowns = downs.get() - downs0;
        long peerFalseDowns = field(peer1, "downs") - field(peer0, "downs");
        double peerCpu = (field(peer1, "cpu") - field(peer0, "cpu")) / (double) (field(peer1, "t") - field(peer0,
            "t"));
        long sentPackets = 0;
        long[] late = new long[7];
        long lateMax = 0;
        for (BfdSession s : sessions) {
          sentPackets += s.counters().controlPacketsOut();
          long[] b = s.counters().txLateBuckets();
          for (int i = 0; i < late.length; i++) {
            late[i] += b[i];
          }
          lateMax = Math.max(lateMax, s.counters().txLatenessMaxNanos());
        }

        // The cut, through an ip process started beforehand so that no fork/exec delays it.
        Process ipBatch = new ProcessBuilder("ip", "-force", "-batch", "-").redirectErrorStream(true).start();
        LockSupport.parkNanos(500_000_000L);
        downTimes.clear();
        ipBatch.getOutputStream().write(("link set dev " + HOST_IF + " down\n").getBytes(StandardCharsets.US_ASCII));
        ipBatch.getOutputStream().flush();
        long cut = engine.driver().scheduler().ticker().nanoTime(); // the clock atNanos() is read on
        ipBatch.getOutputStream().close();
        ipBatch.waitFor(10, TimeUnit.SECONDS);
        long cutDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (downTimes.size() < n && System.nanoTime() < cutDeadline) {
          LockSupport.parkNanos(50_000_000L);
        }
        long[] det = downTimes.stream().mapToLong(a -> (a[0] - cut) / 1000).sorted().toArray();
        long theoretical = 3L * intervalMs * 1000;
        long over = Arrays.stream(det).filter(d -> d > theoretical + 20_000).count();

        System.out.println();
        System.out.printf("BFD scale: %d sessions, %d ms x 3, steady window %.1f s%n", n, intervalMs, wall / 1e9);
        System.out.printf("  false Down transitions: host %d, peer %d%n", hostFalseDowns, peerFalseDowns);
        System.out.printf("  CPU: host %.3f cores, peer %.3f cores (each a separate JVM incl. JIT/GC)%n",
            cpu / (double) wall, peerCpu);
        System.out.printf("  host packets sent (whole run): %d; tx lateness buckets <1,<2,<5,<10,<20,<50,>=50 ms:"
            + " %s, worst %.1f ms%n", sentPackets, Arrays.toString(late), lateMax / 1e6);
        System.out.printf("  link cut: %d of %d sessions detected; detection time after cut (theoretical %d ms"
            + " after the last packet, so %d-%d ms after the cut):%n", det.length, n, theoretical / 1000,
            (theoretical - intervalMs * 1000L) / 1000, theoretical / 1000);
        if (det.length > 0) {
          System.out.printf("    min %.1f  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f ms; over %d+20 ms: %d%n",
              det[0] / 1e3, pct(det, 50) / 1e3, pct(det, 90) / 1e3, pct(det, 99) / 1e3, det[det.length - 1] / 1e3,
              theoretical / 1000, over);
        }
      }
    } finally {
      if (peer != null) {
        peer.destroyForcibly();
        peer.waitFor(10, TimeUnit.SECONDS);
      }
      shQuiet("ip", "route", "del", "10.252.96.0/22");
      cleanup();
    }
  }

  static long pct(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  static int countUp(List<BfdSession> sessions) {
    int up = 0;
    for (BfdSession s : sessions) {
      up += s.state() == SessionState.Up ? 1 : 0;
    }
    return up;
  }

  static String last(ConcurrentLinkedQueue<String> q) {
    String l = null;
    for (String s : q) {
      l = s;
    }
    return l == null ? "STAT t=0 up=0 downs=0 cpu=0" : l;
  }

  static long lastUp(ConcurrentLinkedQueue<String> q) {
    return field(last(q), "up");
  }

  static long field(String stat, String name) {
    for (String part : stat.split(" ")) {
      if (part.startsWith(name + "=")) {
        return Long.parseLong(part.substring(name.length() + 1));
      }
    }
    return 0;
  }

  @SuppressWarnings("unused")
  private static void write(File f, String s) throws IOException {
    Files.writeString(f.toPath(), s);
  }
}
