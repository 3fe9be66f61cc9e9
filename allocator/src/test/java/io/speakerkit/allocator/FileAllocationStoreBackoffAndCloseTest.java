package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAllocationStoreBackoffAndCloseTest {

  /**
   * A compaction that cannot write its temporary file leaves the journal as it is and is not asked for again at once
   * (else every later change would retry the whole rewrite); it is asked for again once the journal has grown as much.
   */
  @Test
  void failedCompaction_backsOffUntilTheJournalGrowsAgain(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    Files.createDirectory(dir.resolve("j.compact")); // the temporary file cannot be created
    try (FileAllocationStore s = FileAllocationStoreTest.replayed(j)) {
      Allocation a = FileAllocationStoreTest.allocation("ns/a", "10.0.0.1");
      for (int i = 0; i < 1100; i++) {
        s.putDeferred(a);
      }
      assertTrue(s.wantsCompaction(1));
      s.compact(List.of(a));
      assertEquals(1100, s.records(), "the journal is kept");
      assertFalse(s.wantsCompaction(1), "no retry right after a failure");
      for (int i = 0; i < 2 * 1100 + 1024 - 1100 + 1; i++) {
        s.putDeferred(a);
      }
      assertTrue(s.wantsCompaction(1), "asked for again once grown past twice the backoff plus 1024");
    }
  }

  /**
   * A change written but not yet synced when the store closes belongs to a caller still waiting outside the
   * allocator's lock: close makes it durable, so that caller's wait succeeds instead of failing on a closed store.
   */
  @Test
  void close_syncsWrittenRecords_soAPendingWaitSucceeds(@TempDir Path dir) {
    Path j = dir.resolve("j");
    FileAllocationStore s = FileAllocationStoreTest.replayed(j);
    long ticket = s.putDeferred(FileAllocationStoreTest.allocation("ns/a", "10.0.0.1"));
    long forces = s.forces();
    s.close();
    s.awaitDurable(ticket); // does not throw
    assertEquals(forces + 1, s.forces());
  }
}
