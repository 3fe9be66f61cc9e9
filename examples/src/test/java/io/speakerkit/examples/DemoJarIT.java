package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar speakerkit.jar demo} as a child process (loopback, no root, no daemon): exits 0 and tells the
 * lab's story in order: BGP Established, BFD Up, 10.0.0.10 with NO_ADVERTISE and local-pref 100 at the router, and
 * BFD noticing the injected failure.
 */
class DemoJarIT {

  @Test
  void demo_exitsZero_keyLinesInOrder() throws Exception {
    try (JarProcess demo = JarProcess.start("demo")) {
      int exit = demo.await(Duration.ofSeconds(60));
      String out = demo.stdout() + "\nstderr:\n" + demo.stderr();
      assertEquals(0, exit, out);
      List<String> lines = demo.lines();
      int established = index(lines, l -> l.contains("speaker BGP OpenConfirm -> Established"));
      int bfdUp = index(lines, l -> l.contains("BFD") && l.contains("-> Up"));
      int allocated = index(lines, l -> l.contains("got 10.0.0.10 from pool onp-bgp-pool"));
      int received = index(lines, l -> l.contains("router  receives 10.0.0.10/32")
          && l.contains("NO_ADVERTISE") && l.contains("local-pref 100"));
      int noticed = index(lines, l -> l.contains("BFD noticed the failure"));
      // The router's own lines (Cease / BFD Down) come from another thread: present, in any order with "noticed".
      int cease = index(lines, l -> l.contains("NOTIFICATION sent: Cease / BFD Down"));
      assertTrue(established >= 0 && bfdUp >= 0 && allocated > established && received > allocated
          && noticed > received && cease > received, out);
      assertTrue(lines.get(lines.size() - 1).contains("demo finished"), out);
    }
  }

  private static int index(List<String> lines, Predicate<String> p) {
    for (int i = 0; i < lines.size(); i++) {
      if (p.test(lines.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
