package io.speakerkit.benchmarks.allocator;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.AllocationStore;
import io.speakerkit.allocator.Allocator;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.ServiceRequest;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap the allocator's own structures take per allocation, for 1,000,000 allocations in a /64: heap in use after full
 * GCs, with the service key strings created beforehand (they are the caller's) and a store that keeps nothing (a
 * store's copy is the store's cost). Run with {@code -XX:+UseSerialGC} for stable figures:
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx4g -cp benchmarks/target/benchmarks.jar io.speakerkit.benchmarks.allocator.AllocatorHeapFootprint [lowest|random]
 * </pre>
 */
public final class AllocatorHeapFootprint {
  public static void main(String[] args) {
    int n = 1_000_000;
    boolean random = args.length > 0 && args[0].equals("random");
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = "ns" + (i % 100) + "/svc-" + i;
    }
    ServiceRequest[] requests = new ServiceRequest[0];
    long before = used();
    Allocator a = Allocator.builder()
        .pools(IpAddressPool.builder().name("v6").addresses("2001:db8:0:1::/64").build())
        .store(new AllocatorBenchmark.NoStore())
        .ipv6Placement(random ? Allocator.Placement.RANDOM : Allocator.Placement.LOWEST_FREE)
        .build();
    for (int i = 0; i < n; i++) {
      AllocationResult r = a.allocate(ServiceRequest.builder(keys[i]).ipFamily(IpFamily.IPV6).build());
      if (!r.isAllocated()) {
        throw new IllegalStateException(r.toString());
      }
    }
    long after = used();
    System.out.printf("placement=%s allocations=%d allocator heap=%d bytes (%.1f bytes/allocation) usage=%s%n",
        random ? "random" : "lowest-free", a.serviceCount(), after - before, (after - before) / (double) n, a.usage());
    System.out.println(histogram());
    if (keys.length + requests.length == 0) {
      System.out.println(a); // keep reachable
    }
    AllocationStore.inMemory().close();
  }

  /** The top of the JVM's class histogram (what {@code jcmd <pid> GC.class_histogram} prints). */
  private static String histogram() {
    try {
      Object text = ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {null}, new String[] {String[].class.getName()});
      String[] lines = text.toString().split("\n");
      return String.join("\n", java.util.Arrays.copyOf(lines, Math.min(lines.length, 14)));
    } catch (Exception e) {
      return "class histogram unavailable: " + e;
    }
  }

  private static long used() {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return m.getHeapMemoryUsage().getUsed();
  }
}
