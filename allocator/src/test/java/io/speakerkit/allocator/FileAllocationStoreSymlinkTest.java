package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAllocationStoreSymlinkTest {
  static final List<IpAddressPool> POOLS = FileAllocationStoreTest.POOLS;

  /**
   * The journal path is a symlink to a file on another volume (a persistent volume mounted elsewhere, a hostPath): a
   * compaction must rewrite the file the link points at, not replace the link with a regular file beside it.
   */
  @Test
  void journalPathIsASymlink_compactionKeepsWritingTheTarget(@TempDir Path dir) throws Exception {
    Path persistent = Files.createDirectory(dir.resolve("persistent"));
    Path ephemeral = Files.createDirectory(dir.resolve("ephemeral"));
    Path target = persistent.resolve("allocations");
    Path link = ephemeral.resolve("allocations");
    try (Allocator a = FileAllocationStoreTest.open(target, POOLS)) {
      assertTrue(a.allocate(ServiceRequest.builder("ns/a").build()).isAllocated());
    }
    Files.createSymbolicLink(link, target);
    List<Allocation> before;
    try (Allocator a = FileAllocationStoreTest.open(link, POOLS)) {
      assertTrue(a.allocate(ServiceRequest.builder("ns/b").build()).isAllocated());
      a.compactStore();
      assertTrue(a.allocate(ServiceRequest.builder("ns/c").build()).isAllocated());
      before = a.allocations();
    }
    assertTrue(Files.isSymbolicLink(link), "compaction replaced the symlink " + link + " with a regular file");
    // the ephemeral side is gone after a reschedule: what the persistent file holds is what survives
    try (Allocator a = FileAllocationStoreTest.open(target, POOLS)) {
      assertEquals(before, a.allocations());
    }
  }

  /** Two paths to one journal through a file symlink: the second open must be refused, as for a symlinked dir. */
  @Test
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  void secondOpenViaFileSymlink_refused(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("j");
    Path other = Files.createDirectory(dir.resolve("other"));
    Path link = other.resolve("j");
    try (FileAllocationStore first = FileAllocationStore.open(target)) {
      Files.createSymbolicLink(link, target);
      assertThrows(AllocationStoreException.class, () -> FileAllocationStore.open(link).close());
      assertTrue(FileAllocationStoreLockTest.probe(link).contains("REFUSED"),
          "another process opened, through a symlink, the journal the first store holds");
    }
  }
}
