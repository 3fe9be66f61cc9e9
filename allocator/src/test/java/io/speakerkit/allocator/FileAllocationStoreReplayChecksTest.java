package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay's checks on records that pass their CRC but cannot be ones this store wrote. */
class FileAllocationStoreReplayChecksTest {

  static byte[] record(byte[] payload) {
    CRC32C c = new CRC32C();
    c.update(payload);
    return ByteBuffer.allocate(8 + payload.length).putInt(payload.length).putInt((int) c.getValue()).put(payload).array();
  }

  static Path journalWith(Path dir, byte[] tail) throws IOException {
    Path j = dir.resolve("j");
    try (FileAllocationStore s = FileAllocationStoreTest.replayed(j)) {
      s.put(FileAllocationStoreTest.allocation("ns/a", "10.0.0.1"));
    }
    Files.write(j, tail, StandardOpenOption.APPEND);
    return j;
  }

  /** A version-2 record is at least its synced-length field plus a type: a bare 4-byte one is a torn tail. */
  @Test
  void tailRecordWithOnlyTheSyncedField_isCutOffAsTorn(@TempDir Path dir) throws IOException {
    byte[] bare = record(new byte[4]);
    Path j = journalWith(dir, bare);
    long size = Files.size(j);
    try (FileAllocationStore store = FileAllocationStore.open(j);
        Allocator a = Allocator.builder().pools(FileAllocationStoreTest.POOLS).store(store).build()) {
      assertEquals(List.of("ns/a"), a.allocations().stream().map(Allocation::serviceKey).toList());
      assertEquals(bare.length, store.recovery().discardedBytes());
    }
    assertEquals(size - bare.length, Files.size(j));
  }

  /**
   * A record that passes its CRC but says more bytes were synced before it than precede it was not written by this
   * store at that place: replay refuses to start rather than apply it.
   */
  @Test
  void recordClaimingMoreSyncedBytesThanPrecedeIt_refusesToStart(@TempDir Path dir) throws IOException {
    byte[] key = "ns/a".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] remove = ByteBuffer.allocate(4 + 1 + 2 + key.length).putInt(1 << 24).put((byte) 2).putShort((short) key.length)
        .put(key).array();
    Path j = journalWith(dir, record(remove));
    AllocationStoreException e = assertThrows(AllocationStoreException.class,
        () -> Allocator.builder().pools(FileAllocationStoreTest.POOLS).store(FileAllocationStore.open(j)).build());
    assertTrue(e.getMessage().contains("synced"), e.getMessage());
  }

  /**
   * The first record written after a restart says everything replayed was synced: if a record of the previous run
   * (acknowledged, durable) is later found damaged, that record proves it is not a torn tail, and replay refuses to
   * start rather than cut off acknowledged allocations.
   */
  @Test
  void recordWrittenAfterRestart_vouchesForEverythingReplayed(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    long bAt;
    try (FileAllocationStore s = FileAllocationStoreTest.replayed(j)) {
      s.put(FileAllocationStoreTest.allocation("ns/a", "10.0.0.1"));
      bAt = Files.size(j);
      s.put(FileAllocationStoreTest.allocation("ns/b", "10.0.0.2"));
    }
    try (FileAllocationStore s = FileAllocationStoreTest.replayed(j)) {
      s.putDeferred(FileAllocationStoreTest.allocation("ns/c", "10.0.0.3"));
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(j, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, bAt + 12);
      one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
      ch.write(one, bAt + 12); // ns/b's record, acknowledged in the first run, is damaged
    }
    AllocationStoreException e = assertThrows(AllocationStoreException.class,
        () -> Allocator.builder().pools(FileAllocationStoreTest.POOLS).store(FileAllocationStore.open(j)).build());
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
  }

  /** Only an all-zero 8-byte header counts as a journal torn at creation: a foreign 8-byte file is not overwritten. */
  @Test
  void foreignEightByteFile_isNotTakenForANewJournal(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    Files.write(j, "NOTAJRNL".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    AllocationStoreException e = assertThrows(AllocationStoreException.class,
        () -> Allocator.builder().pools(FileAllocationStoreTest.POOLS).store(FileAllocationStore.open(j)).build());
    assertTrue(e.getMessage().contains("header"), e.getMessage());
    assertEquals("NOTAJRNL", Files.readString(j));
  }
}
