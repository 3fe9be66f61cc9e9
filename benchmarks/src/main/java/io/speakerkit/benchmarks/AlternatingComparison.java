package io.speakerkit.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.SynchronousQueue;
import java.util.function.LongUnaryOperator;

/**
 * Compares two builds of the benchmarks jar in one JVM, for a host whose speed drifts by tens of percent within
 * minutes (the build machines are shared): separate JMH forks of the two builds then differ by more than most changes
 * do. Here each build is loaded by its own class loader (its own copy of the project and of Netty, compiled by the JIT
 * on its own) and runs on its own {@code FastThreadLocalThread}, as on an event loop; the two run in turn, slice
 * after slice, so both see the same host. Each slice is timed by the thread's CPU time, and the figure that counts is
 * the median of the per-pair ratios B/A, whose quartiles show the noise (two builds of the same code, 100 pairs of
 * 150,000 UPDATEs: medians 0.98-1.01, quartiles ±2-7 %; so a change under 3 % is not seen).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.speakerkit.benchmarks.AlternatingComparison A.jar B.jar
 *     [pairs = 100] [operations per slice = 150000] [loop class = io.speakerkit.benchmarks.wire.UpdateDecodeLoop]</pre>
 *
 * <p>The loop class, looked up in each jar (then in the jar running this, so that older builds can be compared), is a
 * {@code LongUnaryOperator} with a public no-argument constructor that runs the given number of operations. Run it
 * with the flags of the benchmark's fork ({@code -Xms512m -Xmx512m} for {@code UpdateDecodeLoop}, as
 * {@code UpdateDecodeBenchmark}'s fork; loops of benchmarks that inherit {@link SharedDefaults}' fork also
 * {@code -Dio.netty.leakDetection.level=disabled}). Not a JMH benchmark: a way to judge a change.
 */
public final class AlternatingComparison {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int WARM_UP_SLICES = 30;
  /** Where the loops' results go, so that the JIT cannot drop their work. */
  private static volatile long sink;

  private AlternatingComparison() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: AlternatingComparison A.jar B.jar [pairs] [operations per slice] [loop class]");
      System.exit(2);
    }
    int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    long perSlice = args.length > 3 ? Long.parseLong(args[3]) : 150_000;
    String loopClass = args.length > 4 ? args[4] : "io.speakerkit.benchmarks.wire.UpdateDecodeLoop";
    Side a = new Side(Path.of(args[0]), loopClass);
    Side b = new Side(Path.of(args[1]), loopClass);
    for (int i = 0; i < WARM_UP_SLICES; i++) {
      a.slice(perSlice);
      b.slice(perSlice);
    }
    double[] rateA = new double[pairs];
    double[] rateB = new double[pairs];
    double[] ratio = new double[pairs];
    for (int i = 0; i < pairs; i++) {
      // Alternate which side goes first, so a drift within a pair favours neither.
      if ((i & 1) == 0) {
        rateA[i] = a.slice(perSlice);
        rateB[i] = b.slice(perSlice);
      } else {
        rateB[i] = b.slice(perSlice);
        rateA[i] = a.slice(perSlice);
      }
      ratio[i] = rateB[i] / rateA[i];
    }
    Arrays.sort(ratio);
    System.out.printf(Locale.ROOT, "A %s: mean %.3f M ops per CPU-second (best slice %.3f M)%n", args[0],
        mean(rateA) / 1e6, Arrays.stream(rateA).max().orElse(0) / 1e6);
    System.out.printf(Locale.ROOT, "B %s: mean %.3f M ops per CPU-second (best slice %.3f M)%n", args[1],
        mean(rateB) / 1e6, Arrays.stream(rateB).max().orElse(0) / 1e6);
    System.out.printf(Locale.ROOT, "B/A over %d pairs: median %.4f, quartiles %.4f-%.4f%n", pairs, ratio[pairs / 2],
        ratio[pairs / 4], ratio[(3 * pairs) / 4]);
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(0);
  }

  /** One build: its class loader and the thread that runs its loop, one slice per request. */
  private static final class Side {

    private final SynchronousQueue<Long> requests = new SynchronousQueue<>();
    private final SynchronousQueue<Double> rates = new SynchronousQueue<>();

    Side(Path jar, String loopClass) throws Exception {
      // The build's own classes first; a loop class it lacks (an older build) comes from the jar running this.
      URL self = AlternatingComparison.class.getProtectionDomain().getCodeSource().getLocation();
      URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL(), self},
          ClassLoader.getPlatformClassLoader());
      Runnable body = () -> {
        try {
          LongUnaryOperator loop = (LongUnaryOperator) loader.loadClass(loopClass).getConstructor().newInstance();
          for (;;) {
            long operations = requests.take();
            long start = THREADS.getCurrentThreadCpuTime();
            sink = loop.applyAsLong(operations);
            long cpu = THREADS.getCurrentThreadCpuTime() - start;
            rates.put(operations * 1e9 / cpu);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ReflectiveOperationException | RuntimeException e) {
          e.printStackTrace();
          System.exit(1);
        }
      };
      // The jar's own FastThreadLocalThread: Netty's thread caches and FastThreadLocals work as on an event loop.
      Thread thread = (Thread) loader.loadClass("io.netty.util.concurrent.FastThreadLocalThread")
          .getConstructor(Runnable.class).newInstance(body);
      thread.setName("alternating-" + jar.getFileName());
      thread.setDaemon(true);
      thread.start();
    }

    /** Runs {@code operations} operations; returns operations per CPU-second of the side's thread. */
    double slice(long operations) throws InterruptedException {
      requests.put(operations);
      return rates.take();
    }
  }
}
