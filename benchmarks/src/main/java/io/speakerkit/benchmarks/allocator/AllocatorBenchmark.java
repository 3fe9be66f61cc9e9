package io.speakerkit.benchmarks.allocator;

import io.speakerkit.allocator.Allocation;
import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.AllocationStore;
import io.speakerkit.allocator.Allocator;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.ServiceRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Allocator speed in a /64 pool already holding 1,000,000 allocations, with the in-memory store (the file store's
 * fsync is measured in {@link AllocatorStoreBenchmark}).
 *
 * <ul>
 *   <li>{@code nextFree}: one automatic (lowest-free) allocation of a new service; the services allocated during an
 *       iteration are released after it, so every iteration starts at 1,000,000. Iterations are kept short (50 ms) so
 *       that one stays below the allocator's next table growth (1,048,576 entries): growth is a one-off copy, not the
 *       per-allocation cost. Requests are built beforehand: building them is the caller's cost.
 *   <li>{@code specificThenRelease}: allocation of a given free address (random in the /64) followed by its release;
 *       each of the two is at most the pair's time.
 *   <li>{@code nextFreeThenRelease}: the same pair for an automatic allocation.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 10, time = 50, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 20, time = 50, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
@State(Scope.Thread)
public class AllocatorBenchmark {
  static final int HELD = 1_000_000;
  /**
   * Fresh services per iteration: enough that a 50 ms iteration never runs out even at 0.15 us per allocation, so
   * releases happen only in the (unmeasured) iteration teardown and never count against next-free.
   */
  static final int EXTRA = 400_000;
  static final int SPECIFIC = 1 << 16;

  /** {@code memory}: {@link AllocationStore#inMemory()}, the default; {@code none}: a store that keeps nothing. */
  @Param({"memory", "none"})
  String store;

  /** IPv6 placement; {@code -p placement=RANDOM} measures random placement. */
  @Param({"LOWEST_FREE"})
  Allocator.Placement placement;

  Allocator allocator;
  ServiceRequest[] extra;
  int next;
  ServiceRequest[] specific;
  int specificNext;

  @Setup(Level.Trial)
  public void fill() throws UnknownHostException {
    allocator = Allocator.builder()
        .pools(IpAddressPool.builder().name("v6").addresses("2001:db8:0:1::/64").build())
        .store(store.equals("memory") ? AllocationStore.inMemory() : new NoStore())
        .ipv6Placement(placement)
        .build();
    for (int i = 0; i < HELD; i++) {
      AllocationResult r = allocator.allocate(ServiceRequest.builder("held/s" + i).ipFamily(IpFamily.IPV6).build());
      if (!r.isAllocated()) {
        throw new IllegalStateException(r.toString());
      }
    }
    extra = new ServiceRequest[EXTRA];
    for (int i = 0; i < EXTRA; i++) {
      extra[i] = ServiceRequest.builder("bench/n" + i).ipFamily(IpFamily.IPV6).build();
    }
    // random addresses in the upper half of the /64: never among the 1M lowest ones
    SplittableRandom rnd = new SplittableRandom(7);
    Set<InetAddress> seen = new HashSet<>();
    specific = new ServiceRequest[SPECIFIC];
    for (int i = 0; i < SPECIFIC; i++) {
      byte[] b = InetAddress.getByName("2001:db8:0:1::").getAddress();
      long low = rnd.nextLong() | Long.MIN_VALUE;
      for (int k = 0; k < 8; k++) {
        b[8 + k] = (byte) (low >>> (56 - 8 * k));
      }
      InetAddress a = InetAddress.getByAddress(b);
      if (!seen.add(a)) {
        i--;
        continue;
      }
      specific[i] = ServiceRequest.builder("bench/specific" + i).addresses(a).build();
    }
  }

  @TearDown(Level.Iteration)
  public void releaseIterationAllocations() {
    for (int i = 0; i < next; i++) {
      allocator.release(extra[i].serviceKey());
    }
    next = 0;
    if (allocator.serviceCount() != HELD) {
      throw new IllegalStateException("expected " + HELD + " services, have " + allocator.serviceCount());
    }
  }

  @Benchmark
  public AllocationResult nextFree() {
    if (next == EXTRA) {
      // only if an iteration outran EXTRA (< 0.125 us per allocation): start over on the same 1,000,000
      releaseIterationAllocations();
    }
    return allocator.allocate(extra[next++]);
  }

  @Benchmark
  public Object nextFreeThenRelease() {
    ServiceRequest q = extra[0];
    AllocationResult r = allocator.allocate(q);
    allocator.release(q.serviceKey());
    return r;
  }

  @Benchmark
  public Object specificThenRelease() {
    ServiceRequest q = specific[specificNext++ & (SPECIFIC - 1)];
    AllocationResult r = allocator.allocate(q);
    allocator.release(q.serviceKey());
    return r;
  }

  /** Keeps nothing: for measuring the allocator's own structures without a store's copy. */
  static final class NoStore implements AllocationStore {
    @Override
    public void replay(Replay sink) {}

    @Override
    public void put(Allocation allocation) {}

    @Override
    public void remove(String serviceKey) {}
  }
}
