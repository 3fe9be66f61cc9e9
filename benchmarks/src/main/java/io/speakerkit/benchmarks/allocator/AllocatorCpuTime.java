package io.speakerkit.benchmarks.allocator;

import io.speakerkit.allocator.AllocationStore;
import io.speakerkit.allocator.Allocator;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.ServiceRequest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.SplittableRandom;

/**
 * A companion to {@link AllocatorBenchmark} for shared, oversubscribed machines: the same operations on the same
 * state (a /64 holding 1,000,000 allocations, in-memory store), timed by the thread's CPU time instead of wall time,
 * so time slices given to other processes do not count (cache and memory-bandwidth contention still do). Not a
 * replacement for JMH: no forks, no blackholes; each batch's result is consumed.
 *
 * <pre>
 * java -Xms4g -Xmx4g -cp benchmarks/target/benchmarks.jar io.speakerkit.benchmarks.allocator.AllocatorCpuTime
 * </pre>
 */
public final class AllocatorCpuTime {
  public static void main(String[] args) throws UnknownHostException {
    Allocator a = Allocator.builder()
        .pools(IpAddressPool.builder().name("v6").addresses("2001:db8:0:1::/64").build())
        .store(AllocationStore.inMemory())
        .build();
    for (int i = 0; i < 1_000_000; i++) {
      a.allocate(ServiceRequest.builder("held/s" + i).ipFamily(IpFamily.IPV6).build());
    }
    int batch = 40_000;
    ServiceRequest[] fresh = new ServiceRequest[batch];
    ServiceRequest[] specific = new ServiceRequest[batch];
    SplittableRandom rnd = new SplittableRandom(7);
    byte[] base = InetAddress.getByName("2001:db8:0:1::").getAddress();
    for (int i = 0; i < batch; i++) {
      fresh[i] = ServiceRequest.builder("bench/n" + i).ipFamily(IpFamily.IPV6).build();
      byte[] b = base.clone();
      long low = rnd.nextLong() | Long.MIN_VALUE;
      for (int k = 0; k < 8; k++) {
        b[8 + k] = (byte) (low >>> (56 - 8 * k));
      }
      specific[i] = ServiceRequest.builder("bench/s" + i).addresses(InetAddress.getByAddress(b)).build();
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int round = 0; round < 15; round++) {
      long c0 = mx.getCurrentThreadCpuTime();
      for (ServiceRequest q : fresh) {
        sink += a.allocate(q).isAllocated() ? 1 : 0;
      }
      long c1 = mx.getCurrentThreadCpuTime();
      for (ServiceRequest q : fresh) {
        sink += a.release(q.serviceKey()).isPresent() ? 1 : 0;
      }
      long c2 = mx.getCurrentThreadCpuTime();
      for (ServiceRequest q : specific) {
        sink += a.allocate(q).isAllocated() ? 1 : 0;
      }
      long c3 = mx.getCurrentThreadCpuTime();
      for (ServiceRequest q : specific) {
        sink += a.release(q.serviceKey()).isPresent() ? 1 : 0;
      }
      long c4 = mx.getCurrentThreadCpuTime();
      if (round >= 5) {
        System.out.printf("cpu ns/op: nextFree %.0f  release %.0f  specific %.0f  release %.0f  (services %d)%n",
            (c1 - c0) / (double) batch, (c2 - c1) / (double) batch, (c3 - c2) / (double) batch, (c4 - c3) / (double) batch,
            a.serviceCount());
      }
    }
    if (sink != 15L * 4 * batch) {
      throw new IllegalStateException("unexpected outcomes: " + sink);
    }
  }
}
