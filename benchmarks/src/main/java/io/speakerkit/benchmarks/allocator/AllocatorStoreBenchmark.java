package io.speakerkit.benchmarks.allocator;

import io.speakerkit.allocator.Allocation;
import io.speakerkit.allocator.AllocationStore;
import io.speakerkit.allocator.Allocator;
import io.speakerkit.allocator.FileAllocationStore;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.ServiceRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The file store: restore of 1,000,000 allocations (open the journal and build an allocator on it, which replays
 * every record before returning), their compaction into a fresh journal, and one durable put (write + fsync), on the
 * file system holding {@code java.io.tmpdir}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class AllocatorStoreBenchmark {
  static final List<IpAddressPool> POOLS = List.of(IpAddressPool.builder().name("v6").addresses("2001:db8:0:1::/64").build());

  @Param("1000000")
  int allocations;

  Path dir;
  Path journal;
  List<Allocation> live;

  @Setup(Level.Trial)
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  public void writeJournal() throws IOException {
    dir = Files.createTempDirectory("alloc-bench");
    journal = dir.resolve("restore.journal");
    live = new ArrayList<>(allocations);
    byte[] b = InetAddress.getByName("2001:db8:0:1::").getAddress();
    for (int i = 0; i < allocations; i++) {
      b[12] = (byte) (i >>> 24);
      b[13] = (byte) (i >>> 16);
      b[14] = (byte) (i >>> 8);
      b[15] = (byte) i;
      live.add(new Allocation("ns" + (i % 100) + "/svc-" + i, List.of(InetAddress.getByAddress(b)), "v6", Optional.empty(), "", Set.of()));
    }
    FileAllocationStore s = FileAllocationStore.open(journal);
    try (Allocator a = Allocator.builder().pools(POOLS).store(s).build()) {
      s.compact(live); // one sequential write, one fsync, rename
    }
  }

  @TearDown(Level.Trial)
  public void delete() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public int restore() {
    try (Allocator a = Allocator.builder().pools(POOLS).store(FileAllocationStore.open(journal)).build()) {
      if (a.serviceCount() != allocations) {
        throw new IllegalStateException("restored " + a.serviceCount());
      }
      return a.serviceCount();
    }
  }

  /** Compacting {@code allocations} live allocations into a fresh journal: the writes, one fsync, the rename. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  public long compact() throws IOException {
    Path file = dir.resolve("compact.journal");
    Files.deleteIfExists(file);
    FileAllocationStore s = FileAllocationStore.open(file);
    try (Allocator a = Allocator.builder().pools(POOLS).store(s).build()) {
      s.compact(live);
    }
    return Files.size(file);
  }

  /** One durable put: write a ~60-byte record and fsync; the journal grows during the run. */
  @State(Scope.Thread)
  public static class PutState {
    Path dir;
    FileAllocationStore store;
    Allocation allocation;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("alloc-put");
      store = FileAllocationStore.open(dir.resolve("put.journal"));
      Allocator.builder().pools(POOLS).store(store).build(); // replays (nothing)
      allocation = new Allocation("ns/svc", List.of(InetAddress.getByName("2001:db8:0:1::5")), "v6", Optional.empty(), "", Set.of());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      store.close();
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 2, time = 1)
  @Measurement(iterations = 3, time = 1)
  public void durablePut(PutState s) {
    s.store.put(s.allocation);
  }

  /** An allocator on a file store shared by the benchmark threads. */
  @State(Scope.Benchmark)
  public static class SharedAllocator {
    Path dir;
    Allocator allocator;
    FileAllocationStore store;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("alloc-group");
      store = FileAllocationStore.open(dir.resolve("group.journal"));
      allocator = Allocator.builder().pools(POOLS).store(store).build();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      allocator.close();
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  /** One service key per benchmark thread. */
  @State(Scope.Thread)
  public static class ThreadKey {
    static final java.util.concurrent.atomic.AtomicInteger IDS = new java.util.concurrent.atomic.AtomicInteger();
    ServiceRequest request;

    @Setup(Level.Trial)
    public void key() {
      request = ServiceRequest.builder("bench/t" + IDS.incrementAndGet()).ipFamily(IpFamily.IPV6).build();
    }
  }

  /**
   * Durable allocate + durable release from 4 threads on one file store: group commit lets the threads share fsyncs,
   * so the time per pair per thread is well under 4 x 2 fsyncs.
   */
  @Benchmark
  @Threads(4)
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 2, time = 1)
  @Measurement(iterations = 3, time = 1)
  public Object groupCommitAllocateRelease(SharedAllocator s, ThreadKey k) {
    Object r = s.allocator.allocate(k.request);
    s.allocator.release(k.request.serviceKey());
    return r;
  }
}
