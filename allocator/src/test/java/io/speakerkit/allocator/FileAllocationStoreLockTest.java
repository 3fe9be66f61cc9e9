package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAllocationStoreLockTest {
  static String probe(Path j) throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), StoreLockProbe.class.getName(), j.toString())
        .redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    return out;
  }

  /** A second open through a symlinked directory is refused in this process, and the first store keeps its lock. */
  @Test
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  void secondOpenViaSymlinkedDir_refused_firstStoreKeepsItsLock(@TempDir Path dir) throws Exception {
    Path real = Files.createDirectory(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    Path j = link.resolve("j");
    try (FileAllocationStore first = FileAllocationStore.open(j)) {
      assertTrue(probe(j).contains("REFUSED"), "control: locked before the second open");
      assertThrows(AllocationStoreException.class, () -> FileAllocationStore.open(j));
      assertTrue(probe(j).contains("REFUSED"), "another process could open the journal the first store holds");
    }
  }

  /** Closing a store a second time leaves alone the lock of a store opened on the file in between. */
  @Test
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  void doubleClose_afterReopen_newStoreKeepsItsLock(@TempDir Path dir) throws Exception {
    Path j = dir.resolve("j");
    FileAllocationStore s1 = FileAllocationStore.open(j);
    s1.close();
    try (FileAllocationStore s2 = FileAllocationStore.open(j)) {
      assertTrue(probe(j).contains("REFUSED"), "control");
      s1.close(); // e.g. Allocator.close() and a try-with-resources on the store
      assertThrows(AllocationStoreException.class, () -> FileAllocationStore.open(j));
      assertTrue(probe(j).contains("REFUSED"), "another process could open the journal s2 holds");
    }
  }
}
