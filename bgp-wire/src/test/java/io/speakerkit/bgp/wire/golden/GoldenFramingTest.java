package io.speakerkit.bgp.wire.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.golden.GoldenCaptures.Direction;
import io.speakerkit.bgp.wire.golden.GoldenCaptures.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The captures themselves are sound golden material: every TCP stream is a whole number of BGP messages with valid
 * markers, every connection starts with OPENs, and together they hold every message type.
 */
class GoldenFramingTest {

  @TestFactory
  Stream<DynamicTest> everyStream_isWholeBgpMessages() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Session s : GoldenCaptures.allSessions()) {
      for (Direction d : List.of(s.fromClient(), s.fromServer())) {
        tests.add(DynamicTest.dynamicTest(d.describe(), () -> {
          assertEquals(0, d.trailing(), "octets after the last whole message");
          for (byte[] m : d.messages()) {
            for (int i = 0; i < 16; i++) {
              assertEquals((byte) 0xFF, m[i], "marker");
            }
          }
          if (!d.messages().isEmpty()) {
            assertEquals(1, d.messages().get(0)[18], "first message is an OPEN");
          }
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void captures_holdEveryMessageTypeFromEveryDaemon() {
    Map<String, Map<Integer, Integer>> byDaemon = new TreeMap<>();
    for (Session s : GoldenCaptures.allSessions()) {
      for (Direction d : List.of(s.fromClient(), s.fromServer())) {
        Map<Integer, Integer> types = byDaemon.computeIfAbsent(d.daemon(), k -> new TreeMap<>());
        for (byte[] m : d.messages()) {
          types.merge((int) m[18], 1, Integer::sum);
        }
      }
    }
    assertEquals(4, byDaemon.size(), byDaemon.toString());
    // Every daemon sent OPEN, UPDATE and KEEPALIVE; all five types occur in the set.
    byDaemon.forEach((daemon, types) -> {
      for (int type : new int[] {1, 2, 4}) {
        assertTrue(types.getOrDefault(type, 0) > 0, daemon + " sent no message of type " + type + ": " + types);
      }
    });
    Map<Integer, Integer> all = new TreeMap<>();
    byDaemon.values().forEach(t -> t.forEach((k, v) -> all.merge(k, v, Integer::sum)));
    assertEquals(List.of(1, 2, 3, 4, 5), List.copyOf(all.keySet()), all.toString());
  }
}
