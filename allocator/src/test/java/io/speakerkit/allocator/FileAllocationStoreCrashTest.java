package io.speakerkit.allocator;

import static io.speakerkit.allocator.AllocatorStatefulProperties.ip;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAllocationStoreCrashTest {
  static final List<IpAddressPool> POOLS = FileAllocationStoreTest.POOLS;

  /** Small history; returns journal bytes, ends after each durable change, and states. */
  record H(byte[] bytes, List<Long> ends, List<List<Allocation>> states) {}

  static H history(Path dir, boolean compactFirst) throws IOException {
    Path j = dir.resolve("hist");
    List<Long> ends = new ArrayList<>();
    List<List<Allocation>> states = new ArrayList<>();
    try (Allocator a = Allocator.builder().pools(POOLS).store(FileAllocationStore.open(j)).build()) {
      if (compactFirst) {
        FileAllocationStoreTest.fill(a);
        a.compactStore();
      }
      ends.add(Files.size(j));
      states.add(a.allocations());
      String[] ops = {"a", "b2", "c", "-a", "d", "e6", "-c", "b2", "f"};
      for (String op : ops) {
        if (op.startsWith("-")) {
          a.release("ns/" + op.substring(1));
        } else if (op.endsWith("2")) {
          a.allocate(ServiceRequest.builder("ns/" + op).ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK)
              .sharingKey("sk").backendKey("be").ports(ServicePort.tcp(80), ServicePort.udp(53)).build());
        } else {
          a.allocate(ServiceRequest.builder("ns/" + op).build());
        }
        if (Files.size(j) != ends.get(ends.size() - 1)) {
          ends.add(Files.size(j));
          states.add(a.allocations());
        }
      }
    }
    return new H(Files.readAllBytes(j), ends, states);
  }

  @Test
  void truncateAtEveryOffset_reopensWithLastCompleteState(@TempDir Path dir) throws IOException {
    for (boolean compactFirst : new boolean[] {false, true}) {
      H h = history(dir, compactFirst);
      for (int cut = 0; cut <= h.bytes().length; cut++) {
        if (cut > 0 && cut < h.ends().get(0)) {
          // inside the initial (compacted/created) file that was forced before use: a cut here is not a crash shape,
          // except < 8 (header) which open() recreates
          if (cut >= 8) continue;
        }
        List<Allocation> expected = List.of();
        for (int i = 0; i < h.ends().size(); i++) {
          if (h.ends().get(i) <= cut) expected = h.states().get(i);
        }
        Path j = dir.resolve("cut" + compactFirst + cut);
        Files.write(j, Arrays.copyOf(h.bytes(), cut));
        final int c = cut;
        try (Allocator a = Allocator.builder().pools(POOLS).store(FileAllocationStore.open(j)).build()) {
          assertEquals(expected, a.allocations(), () -> "cut " + c);
        }
      }
    }
  }

  /** Flip one byte anywhere after the header: either it reopens with a state some prefix had, or it refuses. */
  @Test
  void flipEveryByte_neverSilentlyLosesOrResurrects(@TempDir Path dir) throws IOException {
    H h = history(dir, false);
    long lastRecordStart = h.ends().get(h.ends().size() - 2);
    for (int pos = 8; pos < h.bytes().length; pos++) {
      byte[] b = h.bytes().clone();
      b[pos] ^= 0x5a;
      Path j = dir.resolve("flip" + pos);
      Files.write(j, b);
      final int p = pos;
      try (Allocator a = Allocator.builder().pools(POOLS).store(FileAllocationStore.open(j)).build()) {
        List<Allocation> got = a.allocations();
        // only damage in the last record may be taken for a torn write
        assertTrue(pos >= lastRecordStart, () -> "flip at " + p + " silently accepted: " + got);
        assertEquals(h.states().get(h.states().size() - 2), got, () -> "flip " + p);
      } catch (AllocationStoreException expected) {
        assertTrue(pos < lastRecordStart, () -> "flip at " + p + " in last record refused: " + expected.getMessage());
      }
    }
  }

  @Test
  void dualStackSharingIpv6_roundTrip(@TempDir Path dir) {
    Path j = dir.resolve("j");
    List<Allocation> before;
    try (Allocator a = FileAllocationStoreTest.open(j, POOLS)) {
      a.allocate(ServiceRequest.builder("ns/x").ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).sharingKey("ключ")
          .backendKey("b").ports(ServicePort.tcp(65535), ServicePort.udp(1)).build());
      a.allocate(ServiceRequest.builder("ns/y").ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).sharingKey("ключ")
          .backendKey("b").ports(ServicePort.tcp(443)).build());
      a.allocate(ServiceRequest.builder("ns/v6").addresses(ip("fd00::ffff:1")).build());
      before = a.allocations();
    }
    try (Allocator a = FileAllocationStoreTest.open(j, POOLS)) {
      assertEquals(before, a.allocations());
    }
  }
}
