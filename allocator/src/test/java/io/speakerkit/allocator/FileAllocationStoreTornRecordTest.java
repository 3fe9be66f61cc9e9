package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAllocationStoreTornRecordTest {
  /** A complete v2 REMOVE record, every byte ASCII, claiming 16 MiB were synced before it. */
  static byte[] fakeRecord() {
    for (int n = 0; ; n++) {
      byte[] key = ("x/y" + n).getBytes(StandardCharsets.US_ASCII);
      ByteBuffer payload = ByteBuffer.allocate(4 + 1 + 2 + key.length).putInt(0x01010101).put((byte) 2)
          .putShort((short) key.length).put(key);
      CRC32C c = new CRC32C();
      c.update(payload.array());
      ByteBuffer r = ByteBuffer.allocate(8 + payload.capacity()).putInt(payload.capacity()).putInt((int) c.getValue())
          .put(payload.array());
      boolean ascii = true;
      for (byte b : r.array()) {
        ascii &= b >= 0;
      }
      if (ascii) {
        return r.array();
      }
    }
  }

  /**
   * A crash cuts the last record (never acknowledged) short and its sharing key holds record-shaped bytes: those are
   * not taken for an intact record written after an fsync (no record says more was synced than precedes it).
   */
  @Test
  void tornLastRecord_containingRecordShapedSharingKey_cutOff(@TempDir Path dir) throws IOException {
    Path j = dir.resolve("j");
    String sharing = new String(fakeRecord(), StandardCharsets.US_ASCII);
    long start;
    try (FileAllocationStore s = FileAllocationStoreTest.replayed(j)) {
      s.put(FileAllocationStoreTest.allocation("ns/a", "10.0.0.1"));
      start = Files.size(j);
      s.put(new Allocation("ns/b", List.of(AllocatorStatefulProperties.ip("10.0.0.2")), "p", Optional.of(sharing), "",
          Set.of(ServicePort.tcp(80))));
    }
    long end = Files.size(j);
    try (FileChannel ch = FileChannel.open(j, StandardOpenOption.WRITE)) {
      ch.truncate(end - 3); // the write of ns/b was cut short by the crash
    }
    try (Allocator a = Allocator.builder().pools(FileAllocationStoreTest.POOLS).store(FileAllocationStore.open(j)).build()) {
      assertEquals(List.of("ns/a"), a.allocations().stream().map(Allocation::serviceKey).toList());
    }
  }
}
