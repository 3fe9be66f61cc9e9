package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several threads on one Allocator over a FileAllocationStore: no address is ever held twice, what was acknowledged
 * survives a reopen, and a close() racing allocations makes what it acknowledged durable. Real threads and files, so
 * it runs with the interop tests; every loop is bounded in iterations and time.
 */
class AllocatorConcurrencyIT {
  static final List<IpAddressPool> POOLS = List.of(
      IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build(),
      IpAddressPool.builder().name("q").addresses("10.0.1.0/24").build());
  static final List<IpAddressPool> POOLS_SHRUNK = List.of(
      IpAddressPool.builder().name("p").addresses("10.0.0.0/25").build(),
      IpAddressPool.builder().name("q").addresses("10.0.1.0/24").build());

  static Allocator open(Path journal) {
    return Allocator.builder().pools(POOLS).store(FileAllocationStore.open(journal)).build();
  }

  /** Mixed allocate/release/updatePools/allocations: no address twice, acknowledged state survives reopen. */
  @Test
  void mixedOperations_noDoubleAllocation_ackedStateSurvivesReopen(@TempDir Path dir) throws Exception {
    Path j = dir.resolve("j");
    Allocator a = open(j);
    int threads = 8;
    List<Throwable> unexpected = new ArrayList<>();
    AtomicBoolean doubled = new AtomicBoolean();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        java.util.SplittableRandom r = new java.util.SplittableRandom(id);
        try {
          go.await();
          for (int i = 0; i < 2000 && System.nanoTime() < deadline; i++) {
            String svc = "ns/s" + r.nextInt(40); // shared between threads: same-service races
            int op = r.nextInt(20);
            if (op < 10) {
              a.allocate(ServiceRequest.builder(svc).pool(r.nextBoolean() ? "p" : "q").build());
            } else if (op < 16) {
              a.release(svc);
            } else if (op < 19) {
              Map<InetAddress, String> seen = new HashMap<>();
              for (Allocation x : a.allocations()) {
                for (InetAddress ad : x.addresses()) {
                  if (seen.put(ad, x.serviceKey()) != null) {
                    doubled.set(true);
                  }
                }
              }
            } else {
              a.updatePools(r.nextBoolean() ? POOLS : POOLS_SHRUNK);
            }
          }
        } catch (Throwable x) {
          synchronized (unexpected) {
            unexpected.add(x);
          }
        }
      });
      ts.add(th);
      th.start();
    }
    go.countDown();
    for (Thread th : ts) {
      th.join(30_000);
    }
    List<Allocation> before = a.allocations();
    a.close();
    assertEquals(List.of(), unexpected);
    assertEquals(false, doubled.get(), "one address held by two non-sharing services");
    try (Allocator b = open(j)) {
      assertEquals(before, b.allocations());
    }
  }

  /**
   * close() racing allocate(): every allocate that returned is durable after reopen, and one that threw left nothing
   * behind ("the allocator is unchanged then").
   */
  @Test
  void closeRacingAllocate_acknowledgedDurable_refusedAbsent(@TempDir Path dir) throws Exception {
    int rounds = 0;
    List<String> problems = new ArrayList<>();
    List<String> exceptions = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (int round = 0; round < 100 && System.nanoTime() < deadline; round++) {
      rounds++;
      Path j = dir.resolve("j" + round);
      Allocator a = open(j);
      Map<String, Allocation> acked = new ConcurrentHashMap<>();
      Map<String, String> failed = new ConcurrentHashMap<>();
      int threads = 6;
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < 60; i++) {
            String svc = "ns/t" + id + "-" + i;
            try {
              AllocationResult r = a.allocate(ServiceRequest.builder(svc).pool(id % 2 == 0 ? "p" : "q").build());
              if (r instanceof AllocationResult.Allocated al) {
                acked.put(svc, al.allocation());
              }
            } catch (AllocationStoreException e) {
              failed.put(svc, e.getMessage() + " / cause " + e.getCause());
              return;
            } catch (Throwable e) {
              failed.put(svc, "UNDOCUMENTED " + e);
              return;
            }
          }
        });
        ts.add(th);
        th.start();
      }
      go.countDown();
      java.util.concurrent.locks.LockSupport.parkNanos((round % 10) * 200_000L);
      a.close();
      for (Thread th : ts) {
        th.join(30_000);
      }
      try (Allocator b = open(j)) {
        for (Map.Entry<String, Allocation> e : acked.entrySet()) {
          Optional<Allocation> got = b.allocation(e.getKey());
          if (!got.equals(Optional.of(e.getValue()))) {
            problems.add("round " + round + ": acknowledged " + e.getKey() + " is " + got + " after reopen");
          }
        }
        for (Map.Entry<String, String> e : failed.entrySet()) {
          exceptions.add(e.getValue());
          if (b.allocation(e.getKey()).isPresent()) {
            problems.add("round " + round + ": allocate(" + e.getKey() + ") threw [" + e.getValue()
                + "] but is allocated after reopen");
          }
        }
      }
    }
    System.out.println("closeRacingAllocate: " + rounds + " rounds, " + problems.size() + " problems");
    problems.stream().limit(5).forEach(System.out::println);
    exceptions.stream().distinct().limit(5).forEach(x -> System.out.println("exception seen: " + x));
    assertEquals(List.of(), problems);
  }
}
