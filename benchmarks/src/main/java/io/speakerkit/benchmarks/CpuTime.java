package io.speakerkit.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Operations per second of the benchmark thread's own CPU time, next to JMH's wall-clock score: on a shared,
 * oversubscribed machine the thread is descheduled part of the time, and the wall-clock score understates what one
 * core does. A benchmark takes this state as a parameter and counts {@link #ops} once per operation (one field
 * increment), and the fork prints {@code ops per CPU-second} after each iteration, with the share of the
 * iteration the thread was on a CPU.
 */
@State(Scope.Thread)
public class CpuTime {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Operations counted in this iteration (incremented by the benchmark). */
  public long ops;
  private long startOps;
  private long start;
  private long startWall;

  @Setup(Level.Iteration)
  public void start() {
    startOps = ops;
    start = THREADS.getCurrentThreadCpuTime();
    startWall = System.nanoTime();
  }

  @TearDown(Level.Iteration)
  public void stop() {
    long cpu = THREADS.getCurrentThreadCpuTime() - start;
    long wall = System.nanoTime() - startWall;
    long n = ops - startOps;
    System.out.printf(Locale.ROOT, "%n  cpu: %,.0f ops per CPU-second (thread on CPU %.0f%% of the iteration)%n",
        n * 1e9 / cpu, 100.0 * cpu / wall);
  }
}
