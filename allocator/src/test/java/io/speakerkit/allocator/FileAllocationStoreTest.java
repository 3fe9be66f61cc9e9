package io.speakerkit.allocator;

import static io.speakerkit.allocator.AllocatorStatefulProperties.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAllocationStoreTest {
  static final List<IpAddressPool> POOLS = List.of(
      IpAddressPool.builder().name("p").addresses("10.0.0.0/24", "fd00::/64").build(),
      IpAddressPool.builder().name("q").addresses("10.0.1.0/24").build());

  static Allocator open(Path journal, List<IpAddressPool> pools) {
    return Allocator.builder().pools(pools).store(FileAllocationStore.open(journal)).build();
  }

  static void fill(Allocator a) {
    assertTrue(a.allocate(ServiceRequest.builder("ns/a").build()).isAllocated());
    assertTrue(a.allocate(ServiceRequest.builder("ns/b").ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).build()).isAllocated());
    assertTrue(a.allocate(ServiceRequest.builder("ns/c").sharingKey("k").backendKey("app=x").ports(ServicePort.tcp(80)).build())
        .isAllocated());
    assertTrue(a.allocate(ServiceRequest.builder("ns/d").sharingKey("k").backendKey("app=x").ports(ServicePort.udp(53)).build())
        .isAllocated());
    assertTrue(a.allocate(ServiceRequest.builder("ns/e").pool("q").build()).isAllocated());
    assertTrue(a.release("ns/a").isPresent());
  }

  @Test
  void restart_restoresEverythingIncludingSharing(@TempDir Path dir) {
    Path j = dir.resolve("j");
    List<Allocation> before;
    try (Allocator a = open(j, POOLS)) {
      fill(a);
      before = a.allocations();
    }
    try (Allocator a = open(j, POOLS)) {
      assertEquals(before, a.allocations());
      assertEquals(List.of("ns/c", "ns/d"), a.holders(ip("10.0.0.2")));
      // the restored state is served: the released address is the next one handed out
      assertEquals(ip("10.0.0.0"), ((AllocationResult.Allocated) a.allocate(ServiceRequest.builder("ns/z").build()))
          .allocation().addresses().get(0));
    }
  }

  @Test
  void open_refusesAJournalAnotherStoreHolds(@TempDir Path dir) {
    Path j = dir.resolve("j");
    try (Allocator a = open(j, POOLS)) {
      fill(a);
      AllocationStoreException e = assertThrows(AllocationStoreException.class, () -> FileAllocationStore.open(j));
      assertTrue(e.getMessage().contains("in use by another store"), e.getMessage());
    }
    try (Allocator a = open(j, POOLS)) {
      assertEquals(4, a.serviceCount(), "reopens once closed");
    }
  }

  /**
   * A second open in the same JVM is refused without opening the lock file: closing a descriptor of it would drop
   * the first store's lock (POSIX locks are per process), and another process could then append to the journal.
   */
  @Test
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  void open_refusedInTheSameJvm_firstStoreKeepsItsLockAgainstOtherProcesses(@TempDir Path dir) throws Exception {
    Path j = dir.resolve("j");
    try (Allocator a = open(j, POOLS)) {
      AllocationStoreException e = assertThrows(AllocationStoreException.class, () -> FileAllocationStore.open(j));
      assertTrue(e.getMessage().contains("in use by another store in this process"), e.getMessage());
      Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), StoreLockProbe.class.getName(), j.toString())
          .redirectErrorStream(true).start();
      String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(out.contains("REFUSED"), out);
    }
  }

  /**
   * A long-running allocator keeps its journal small: churn rewrites it while running (a file store asks once it
   * holds more than twice the live records plus 1024), and a restart restores the same state.
   */
  @Test
  void churnAtRunTime_journalCompactedWhileRunning_restartRestoresTheSameState(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    List<Allocation> before;
    try (Allocator a = open(j, POOLS)) {
      fill(a);
      for (int i = 0; i < 3_000; i++) {
        a.allocate(ServiceRequest.builder("ns/churn").build());
        a.release("ns/churn");
      }
      before = a.allocations();
      assertTrue(Files.size(j) < 100_000, "journal of " + Files.size(j) + " bytes after 6,000 changes");
    }
    try (Allocator a = open(j, POOLS)) {
      assertEquals(before, a.allocations());
    }
  }

  /** After a compaction at run time, calls that change nothing sync nothing (the shorter file kept them waiting). */
  @Test
  void compactStoreAtRunTime_laterReadsAndUnchangedAllocationsDoNotSync(@TempDir Path dir) {
    Path j = dir.resolve("j");
    FileAllocationStore store = FileAllocationStore.open(j);
    try (Allocator a = Allocator.builder().pools(POOLS).store(store).build()) {
      fill(a);
      for (int i = 0; i < 50; i++) { // churn, so that the journal shrinks on compaction
        a.allocate(ServiceRequest.builder("ns/churn").build());
        a.release("ns/churn");
      }
      a.compactStore();
      long forces = store.forces();
      for (int i = 0; i < 20; i++) {
        a.allocation("ns/e");
        a.allocate(ServiceRequest.builder("ns/e").pool("q").build());
      }
      assertEquals(forces, store.forces());
    }
  }

  @Test
  void tornTail_isCutOffAndReported(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    List<Allocation> before;
    try (Allocator a = open(j, POOLS)) {
      fill(a);
      before = a.allocations();
    }
    long size = Files.size(j);
    try (FileChannel ch = FileChannel.open(j, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 1, 0, 4})); // header of a 40-byte record, 3 bytes of it
    }
    FileAllocationStore store = FileAllocationStore.open(j);
    try (Allocator a = Allocator.builder().pools(POOLS).store(store).build()) {
      assertEquals(before, a.allocations());
      assertEquals(11, store.recovery().discardedBytes());
      assertTrue(store.recovery().detail().contains("cut short"), store.recovery().detail());
      assertEquals(size, Files.size(j));
    }
  }

  @Test
  void lastRecordWithBadCrc_isTreatedAsTornAndReported(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    try (Allocator a = open(j, POOLS)) {
      fill(a);
    }
    flipByte(j, Files.size(j) - 1); // inside the last record (the release of ns/a)
    FileAllocationStore store = FileAllocationStore.open(j);
    try (Allocator a = Allocator.builder().pools(POOLS).store(store).build()) {
      assertTrue(store.recovery().detail().contains("CRC"), store.recovery().detail());
      // the unfinished release is undone: ns/a is back, nothing else lost
      assertTrue(a.allocation("ns/a").isPresent());
      assertEquals(5, a.serviceCount());
    }
  }

  @Test
  void corruptionBeforeIntactRecords_refusesToStart(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    try (Allocator a = open(j, POOLS)) {
      fill(a);
    }
    long size = Files.size(j);
    flipByte(j, 8 + 9); // inside the first record's payload
    AllocationStoreException e = assertThrows(AllocationStoreException.class, () -> open(j, POOLS));
    assertTrue(e.getMessage().contains("offset 8") && e.getMessage().contains("CRC"), e.getMessage());
    assertEquals(size, Files.size(j), "nothing truncated");
  }

  @Test
  void corruptLengthBeforeIntactRecords_refusesToStart(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    try (Allocator a = open(j, POOLS)) {
      fill(a);
    }
    for (int bogus : new int[] {0x00ff0000, 0x7fffffff, 0, 5000}) {
      byte[] before = Files.readAllBytes(j);
      try (FileChannel ch = FileChannel.open(j, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.allocate(4).putInt(0, bogus), 8); // length of the first record
      }
      AllocationStoreException e = assertThrows(AllocationStoreException.class, () -> open(j, POOLS), () -> "length " + bogus);
      assertTrue(e.getMessage().contains("offset 8") && e.getMessage().contains("written after an fsync"), e.getMessage());
      Files.write(j, before);
    }
  }

  @Test
  void zeroFilledTail_isCutOff(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    List<Allocation> before;
    try (Allocator a = open(j, POOLS)) {
      fill(a);
      before = a.allocations();
    }
    long size = Files.size(j);
    try (FileChannel ch = FileChannel.open(j, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.allocate(4096));
    }
    FileAllocationStore store = FileAllocationStore.open(j);
    try (Allocator a = Allocator.builder().pools(POOLS).store(store).build()) {
      assertEquals(before, a.allocations());
      assertEquals(4096, store.recovery().discardedBytes());
      assertEquals(size, Files.size(j));
      assertTrue(a.allocate(ServiceRequest.builder("ns/next").build()).isAllocated(), "appends after the cut");
    }
    try (Allocator a = open(j, POOLS)) {
      assertTrue(a.allocation("ns/next").isPresent());
    }
  }

  @Test
  void compaction_keepsLiveStateAndShrinksJournal(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    List<Allocation> before;
    try (Allocator a = open(j, POOLS)) {
      for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 20; i++) {
          assertTrue(a.allocate(ServiceRequest.builder("ns/s" + i).build()).isAllocated());
        }
        for (int i = 0; i < 18; i++) {
          a.release("ns/s" + i);
        }
      }
      fill(a);
      before = a.allocations();
      long big = Files.size(j);
      a.compactStore();
      assertTrue(Files.size(j) < big / 10, () -> "journal not compacted");
      assertTrue(a.allocate(ServiceRequest.builder("ns/after").build()).isAllocated());
      a.release("ns/after");
    }
    try (Allocator a = open(j, POOLS)) {
      assertEquals(before, a.allocations());
    }
    assertFalse(Files.exists(dir.resolve("j.compact")));
  }

  @Test
  void open_compactsAJournalMostlyMadeOfHistory(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    // history as an older build (or one that crashed before compacting) leaves it: no compaction while running
    FileAllocationStore writer = FileAllocationStore.open(j);
    AllocationStore neverCompacting = new AllocationStore() {
      @Override
      public void replay(Replay sink) {
        writer.replay(sink);
      }

      @Override
      public void put(Allocation allocation) {
        writer.put(allocation);
      }

      @Override
      public void remove(String serviceKey) {
        writer.remove(serviceKey);
      }

      @Override
      public void removeAll(java.util.Collection<String> serviceKeys) {
        writer.removeAll(serviceKeys);
      }

      @Override
      public void close() {
        writer.close();
      }
    };
    try (Allocator a = Allocator.builder().pools(POOLS).store(neverCompacting).build()) {
      for (int i = 0; i < 1200; i++) {
        assertTrue(a.allocate(ServiceRequest.builder("ns/churn").addresses(ip("10.0.0." + (i % 200))).build()).isAllocated());
      }
      fill(a);
    }
    long big = Files.size(j);
    FileAllocationStore store = FileAllocationStore.open(j);
    List<Allocation> restored;
    try (Allocator a = Allocator.builder().pools(POOLS).store(store).build()) {
      restored = a.allocations();
      assertEquals(restored.size(), store.records(), "one record per live allocation after compaction");
    }
    long small = Files.size(j);
    assertTrue(small < big / 20, () -> small + " of " + big);
    try (Allocator a = open(j, POOLS)) {
      assertEquals(restored, a.allocations());
    }
  }

  @Test
  void restart_withShrunkPools_releasesAndReportsOutsiders(@TempDir Path dir) {
    Path j = dir.resolve("j");
    try (Allocator a = open(j, POOLS)) {
      fill(a);
    }
    List<IpAddressPool> onlyP = List.of(POOLS.get(0));
    try (Allocator a = open(j, onlyP)) {
      assertEquals(List.of("ns/e"), a.restoreReport().released().stream().map(Allocation::serviceKey).toList());
      assertTrue(a.allocation("ns/e").isEmpty());
    }
    try (Allocator a = open(j, POOLS)) {
      assertTrue(a.allocation("ns/e").isEmpty(), "release was durable");
    }
  }

  @Test
  void storeFailure_leavesAllocatorUnchanged() {
    AllocationStore failing = new AllocationStore() {
      boolean fail;

      @Override
      public void replay(Replay sink) {}

      @Override
      public void put(Allocation allocation) {
        if (fail) {
          throw new AllocationStoreException("disk full");
        }
        fail = true;
      }

      @Override
      public void remove(String serviceKey) {
        throw new AllocationStoreException("disk full");
      }

      @Override
      public void removeAll(Collection<String> keys) {
        throw new AllocationStoreException("disk full");
      }
    };
    Allocator a = Allocator.builder().pools(POOLS).store(failing).build();
    assertTrue(a.allocate(ServiceRequest.builder("ns/a").build()).isAllocated());
    List<Allocation> before = a.allocations();
    assertThrows(AllocationStoreException.class, () -> a.allocate(ServiceRequest.builder("ns/b").build()));
    assertThrows(AllocationStoreException.class, () -> a.allocate(ServiceRequest.builder("ns/a").pool("q").build()));
    assertThrows(AllocationStoreException.class, () -> a.release("ns/a"));
    assertEquals(before, a.allocations());
    assertEquals(1, a.usage().stream().mapToLong(PoolUsage::inUse).sum());
  }

  @Test
  void groupCommit_concurrentCallersAreAllDurable(@TempDir Path dir) throws Exception {
    Path j = dir.resolve("j");
    FileAllocationStore store = FileAllocationStore.open(j);
    int threads = 4;
    int each = 150;
    List<Allocation> before;
    try (Allocator a = Allocator.builder().pools(POOLS).store(store).build()) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      try {
        List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int id = t;
          fs.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < each; i++) {
              ServiceRequest.Builder b = ServiceRequest.builder("t" + id + "/s" + i);
              if (i % 2 == 0) {
                b.ipFamily(IpFamily.IPV6);
              }
              assertTrue(a.allocate(b.build()).isAllocated());
              if (i % 5 == 0) {
                assertTrue(a.release("t" + id + "/s" + i).isPresent());
              }
            }
            return null;
          }));
        }
        start.countDown();
        for (java.util.concurrent.Future<?> f : fs) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      before = a.allocations();
      assertEquals(threads * (each - each / 5), before.size());
      long changes = threads * (each + each / 5);
      System.out.println("group commit: " + changes + " durable changes from " + threads + " threads took " + store.forces() + " fsyncs");
      assertTrue(store.forces() <= changes);
    }
    try (Allocator a = open(j, POOLS)) {
      assertEquals(before, a.allocations());
    }
  }

  /** A store that records nothing and, once {@code fail} is set, fails every sync and every bulk removal. */
  private static final class FlakyStore implements AllocationStore {
    final java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean();
    long tickets;

    @Override
    public void replay(Replay sink) {}

    @Override
    public void put(Allocation allocation) {}

    @Override
    public void remove(String serviceKey) {}

    @Override
    public void removeAll(java.util.Collection<String> serviceKeys) {
      if (fail.get()) {
        throw new AllocationStoreException("fsync: EIO");
      }
    }

    @Override
    public long putDeferred(Allocation allocation) {
      return ++tickets;
    }

    @Override
    public void awaitDurable(long ticket) {
      if (fail.get()) {
        throw new AllocationStoreException("fsync: EIO");
      }
    }
  }

  @Test
  void durabilityFailure_stopsAllocator() {
    FlakyStore flaky = new FlakyStore();
    Allocator a = Allocator.builder().pools(POOLS).store(flaky).build();
    assertTrue(a.allocate(ServiceRequest.builder("ns/a").build()).isAllocated());
    flaky.fail.set(true);
    assertThrows(AllocationStoreException.class, () -> a.allocate(ServiceRequest.builder("ns/b").build()));
    AllocationStoreException e = assertThrows(AllocationStoreException.class, () -> a.release("ns/a"));
    assertTrue(e.getMessage().contains("allocator stopped") && e.getMessage().contains("EIO"), e.getMessage());
  }

  /** A pool update whose releases cannot be made durable stops the allocator, as a failed allocation's sync does. */
  @Test
  void poolUpdateNotDurable_stopsAllocator() {
    FlakyStore flaky = new FlakyStore();
    Allocator a = Allocator.builder().pools(POOLS).store(flaky).build();
    assertTrue(a.allocate(ServiceRequest.builder("ns/a").build()).isAllocated());
    flaky.fail.set(true);
    assertThrows(AllocationStoreException.class, () -> a.updatePools(List.of()));
    AllocationStoreException e = assertThrows(AllocationStoreException.class,
        () -> a.allocate(ServiceRequest.builder("ns/b").build()));
    assertTrue(e.getMessage().contains("allocator stopped") && e.getMessage().contains("EIO"), e.getMessage());
  }

  static Allocation allocation(String key, String address) {
    return new Allocation(key, List.of(ip(address)), "p", java.util.Optional.empty(), "", java.util.Set.of());
  }

  /** Opens the store and replays it into nothing, as an allocator would before writing. */
  static FileAllocationStore replayed(Path j) {
    FileAllocationStore store = FileAllocationStore.open(j);
    store.replay(new AllocationStore.Replay() {
      @Override
      public void put(Allocation allocation) {}

      @Override
      public void remove(String serviceKey) {}
    });
    return store;
  }

  /** Journal lengths after each of three records written between two fsyncs (a group commit's batch). */
  static long[] writeUnsyncedBatch(FileAllocationStore store, Path j) throws IOException {
    long[] ends = new long[4];
    ends[0] = Files.size(j);
    for (int i = 1; i <= 3; i++) {
      store.putDeferred(allocation("ns/batch" + i, "10.0.0." + (100 + i)));
      ends[i] = Files.size(j);
    }
    return ends;
  }

  static void zero(Path j, long from, long to) throws IOException {
    try (FileChannel ch = FileChannel.open(j, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate((int) (to - from)), from);
    }
  }

  @Test
  void powerLossInAnUnsyncedBatch_holeBeforeIntactRecordsOfTheBatch_isCutOffAtTheHole(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    List<Allocation> before;
    try (Allocator a = open(j, POOLS)) {
      fill(a);
      before = a.allocations();
    }
    long[] ends;
    try (FileAllocationStore store = replayed(j)) {
      ends = writeUnsyncedBatch(store, j); // no awaitDurable: none of the three was acknowledged
    }
    // the disk kept the batch's later pages, not its first: a hole with intact records after it
    zero(j, ends[0], ends[1]);
    FileAllocationStore store = FileAllocationStore.open(j);
    try (Allocator a = Allocator.builder().pools(POOLS).store(store).build()) {
      assertEquals(before, a.allocations());
      assertEquals(ends[3] - ends[0], store.recovery().discardedBytes());
      assertTrue(store.recovery().detail().contains("2 intact records after it belong to the same unsynced batch"),
          store.recovery().detail());
      assertEquals(ends[0], Files.size(j));
    }
  }

  @Test
  void holeInASyncedBatch_withARecordWrittenAfterTheSync_refusesToStart(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    try (Allocator a = open(j, POOLS)) {
      fill(a);
    }
    long[] ends;
    try (FileAllocationStore store = replayed(j)) {
      ends = writeUnsyncedBatch(store, j);
      store.awaitDurable(Long.MAX_VALUE); // a ticket past everything written: forces the batch
      store.put(allocation("ns/after", "10.0.0.120")); // written after that fsync, and says so
    }
    long size = Files.size(j);
    zero(j, ends[0], ends[1]);
    AllocationStoreException e = assertThrows(AllocationStoreException.class, () -> open(j, POOLS));
    assertTrue(e.getMessage().contains("offset " + ends[0]) && e.getMessage().contains("written after an fsync"),
        e.getMessage());
    assertEquals(size, Files.size(j), "nothing truncated");
  }

  @Test
  void version1Journal_isRestoredAndRewrittenInTheCurrentFormat(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    // the first format: no synced length before each change
    ByteBuffer b = ByteBuffer.allocate(256).putInt(0x534b414a).putInt(1);
    for (byte[] change : List.of(
        v1Put("ns/a", "p", new byte[] {10, 0, 0, 7}),
        v1Put("ns/b", "q", new byte[] {10, 0, 1, 9}),
        v1Remove("ns/a"))) {
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(change);
      b.putInt(change.length).putInt((int) crc.getValue()).put(change);
    }
    Files.write(j, java.util.Arrays.copyOf(b.array(), b.position()));
    try (Allocator a = open(j, POOLS)) {
      assertEquals(List.of(ip("10.0.1.9")), a.allocation("ns/b").orElseThrow().addresses());
      assertFalse(a.allocation("ns/a").isPresent());
      assertTrue(a.allocate(ServiceRequest.builder("ns/c").build()).isAllocated());
    }
    assertEquals(2, ByteBuffer.wrap(Files.readAllBytes(j)).getInt(4), "compacted into version 2 at start");
    try (Allocator a = open(j, POOLS)) {
      assertEquals(List.of("ns/b", "ns/c"), a.allocations().stream().map(Allocation::serviceKey).sorted().toList());
    }
  }

  private static byte[] v1Put(String key, String pool, byte[] address) {
    ByteBuffer b = ByteBuffer.allocate(128).put((byte) 1);
    v1String(b, key);
    v1String(b, pool);
    b.put((byte) 1).put((byte) address.length).put(address);
    b.put((byte) 0); // no sharing key
    v1String(b, "");
    b.putShort((short) 0); // no ports
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  private static byte[] v1Remove(String key) {
    ByteBuffer b = ByteBuffer.allocate(64).put((byte) 2);
    v1String(b, key);
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  private static void v1String(ByteBuffer b, String s) {
    byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    b.putShort((short) utf8.length).put(utf8);
  }

  private static void flipByte(Path j, long pos) throws IOException {
    try (FileChannel ch = FileChannel.open(j, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, pos);
      b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
      ch.write(b, pos);
    }
  }
}
