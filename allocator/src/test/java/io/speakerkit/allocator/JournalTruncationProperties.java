package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A journal cut at any byte (what a crash during a write can leave on disk) restores exactly the state after the last
 * complete record before the cut: never an error, never less. So does a batch written between two fsyncs of which a
 * power loss kept some records and not others.
 */
class JournalTruncationProperties {
  static final List<IpAddressPool> POOLS = FileAllocationStoreTest.POOLS;

  /** The journal after a scripted history, with the journal length and the state after each change. */
  record History(byte[] journal, long[] ends, List<List<Allocation>> states) {}

  static final History HISTORY = build();

  static History build() {
    try {
      Path dir = Files.createTempDirectory("alloc-trunc");
      Path j = dir.resolve("j");
      List<Long> ends = new ArrayList<>();
      List<List<Allocation>> states = new ArrayList<>();
      try (Allocator a = Allocator.builder().pools(POOLS).store(FileAllocationStore.open(j)).build()) {
        ends.add(Files.size(j));
        states.add(a.allocations());
        for (int i = 0; i < 30; i++) {
          ServiceRequest.Builder b = ServiceRequest.builder("ns/s" + (i % 11));
          if (i % 3 == 0) {
            b.ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK);
          }
          if (i % 4 == 1) {
            b.sharingKey("k").ports(ServicePort.tcp(1000 + i));
          }
          if (i % 5 == 4) {
            a.release("ns/s" + (i % 7));
          } else {
            a.allocate(b.build());
          }
          if (Files.size(j) != ends.get(ends.size() - 1)) {
            ends.add(Files.size(j));
            states.add(a.allocations());
          }
        }
      }
      byte[] bytes = Files.readAllBytes(j);
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
      return new History(bytes, ends.stream().mapToLong(Long::longValue).toArray(), states);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Property(tries = 150)
  void journal_cutAnywhere_restoresTheLastCompleteState(@ForAll @IntRange(min = 0, max = 100_000) int cutSeed) throws IOException {
    byte[] all = HISTORY.journal();
    int cut = 8 + cutSeed % (all.length - 8 + 1); // the 8-byte header is written once, at creation, and forced
    List<Allocation> expected = HISTORY.states().get(0);
    for (int i = 0; i < HISTORY.ends().length; i++) {
      if (HISTORY.ends()[i] <= cut) {
        expected = HISTORY.states().get(i);
      }
    }
    Path dir = Files.createTempDirectory("alloc-cut");
    Path j = dir.resolve("j");
    try {
      Files.write(j, Arrays.copyOf(all, cut));
      try (Allocator a = Allocator.builder().pools(POOLS).store(FileAllocationStore.open(j)).build()) {
        assertEquals(expected, a.allocations(), () -> "cut at " + cut + " of " + all.length);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  @Property(tries = 100)
  void unsyncedBatchWithHoles_restoresTheSyncedStatePlusTheBatchUpToTheFirstHole(
      @ForAll @IntRange(min = 1, max = 63) int lostRecords, @ForAll @IntRange(min = 0, max = 8) int cutTail) throws IOException {
    List<Allocation> synced = HISTORY.states().get(HISTORY.states().size() - 1);
    Path dir = Files.createTempDirectory("alloc-batch");
    Path j = dir.resolve("j");
    try {
      Files.write(j, HISTORY.journal());
      long[] ends = new long[7];
      List<Allocation> batch = new ArrayList<>();
      try (FileAllocationStore store = FileAllocationStoreTest.replayed(j)) {
        ends[0] = Files.size(j);
        for (int i = 0; i < 6; i++) {
          Allocation a = new Allocation("ns/batch" + i, List.of(AllocatorStatefulProperties.ip("10.0.1." + (200 + i))), "q",
              java.util.Optional.empty(), "", java.util.Set.of());
          batch.add(a);
          store.putDeferred(a); // never awaited: the process dies before the fsync
          ends[i + 1] = Files.size(j);
        }
      }
      int firstLost = Integer.numberOfTrailingZeros(lostRecords);
      for (int i = 0; i < 6; i++) {
        if ((lostRecords & (1 << i)) != 0) {
          FileAllocationStoreTest.zero(j, ends[i], ends[i + 1]); // a page the disk never got
        }
      }
      try (var ch = java.nio.channels.FileChannel.open(j, java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(ends[6] - cutTail); // and perhaps the end of the last one too
      }
      List<Allocation> expected = new ArrayList<>(synced);
      expected.addAll(batch.subList(0, firstLost));
      expected.sort(java.util.Comparator.comparing(Allocation::serviceKey));
      try (Allocator a = Allocator.builder().pools(POOLS).store(FileAllocationStore.open(j)).build()) {
        List<Allocation> restored = new ArrayList<>(a.allocations());
        restored.sort(java.util.Comparator.comparing(Allocation::serviceKey));
        assertEquals(expected, restored, () -> "lost records " + Integer.toBinaryString(lostRecords) + ", tail cut by " + cutTail);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }
}
