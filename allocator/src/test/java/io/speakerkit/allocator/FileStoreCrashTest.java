package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.speakerkit.allocator.JournalCrashChild.Step;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM allocating in a loop on a {@link FileAllocationStore} is killed with SIGKILL 20 times at random points
 * (after a random number of acknowledged steps, sometimes right after start-up). After each kill the journal is
 * restored and checked against what the child acknowledged:
 *
 * <ul>
 *   <li>everything present after earlier kills, and every acknowledged allocation, is there with the same addresses,
 *       unless the child's plan releases it in a step it may have run after the last line the parent read;
 *   <li>anything else present is an allocation of a step the child may have run unseen;
 *   <li>no address is held twice.
 * </ul>
 */
class FileStoreCrashTest {
  static final int KILLS = 20;

  @Test
  void fileStore_survivesSigkillMidWrite(@TempDir Path dir) throws Exception {
    Path journal = dir.resolve("allocations.journal");
    Path stderr = dir.resolve("child.err");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    SplittableRandom rnd = new SplittableRandom(0x5eed);
    Map<String, String> expected = new HashMap<>(); // key -> addresses, known durable
    int totalSteps = 0;
    int tornTails = 0;
    for (int run = 0; run < KILLS; run++) {
      List<Step> plan = JournalCrashChild.plan(run);
      Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", cp,
          JournalCrashChild.class.getName(), journal.toString(), Integer.toString(run))
          .redirectError(stderr.toFile())
          .start();
      int killAfter = rnd.nextInt(6) == 0 ? 0 : 1 + rnd.nextInt(150);
      int seen = 0;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String ready = r.readLine();
        if (ready == null || !ready.startsWith("READY")) {
          p.destroyForcibly();
          fail("child did not start: " + ready + "\n" + Files.readString(stderr));
        }
        String line;
        while (seen < killAfter && (line = r.readLine()) != null) {
          String[] f = line.split(" ");
          Step step = plan.get(seen);
          assertEquals(step.key(), f[1], "child deviates from its plan");
          switch (f[0]) {
            case "OK" -> expected.put(f[1], f[2]);
            case "REL" -> assertTrue(expected.remove(f[1]) != null, line);
            default -> fail("unexpected line " + line);
          }
          seen++;
        }
        p.destroyForcibly(); // SIGKILL on Linux
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not die");
      totalSteps += seen;

      Set<String> mayBeReleasedUnseen = new HashSet<>();
      Set<String> mayBeAllocatedUnseen = new HashSet<>();
      for (Step s : plan.subList(seen, plan.size())) {
        (s.release() ? mayBeReleasedUnseen : mayBeAllocatedUnseen).add(s.key());
      }
      FileAllocationStore store = FileAllocationStore.open(journal);
      try (Allocator a = Allocator.builder().pools(JournalCrashChild.POOLS).store(store).build()) {
        if (store.recovery().discardedBytes() > 0) {
          tornTails++;
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
          Optional<Allocation> got = a.allocation(e.getKey());
          if (got.isEmpty()) {
            assertTrue(mayBeReleasedUnseen.contains(e.getKey()), () -> "lost acknowledged " + e);
          } else {
            assertEquals(e.getValue(), text(got.get()), e::getKey);
          }
        }
        Set<InetAddress> held = new HashSet<>();
        for (Allocation al : a.allocations()) {
          assertTrue(expected.containsKey(al.serviceKey()) || mayBeAllocatedUnseen.contains(al.serviceKey()),
              () -> "unexpected " + al);
          for (InetAddress x : al.addresses()) {
            assertTrue(held.add(x), () -> x + " held twice");
          }
        }
        // what is restored now is durable fact; later children never touch it
        expected.clear();
        for (Allocation al : a.allocations()) {
          expected.put(al.serviceKey(), text(al));
        }
      }
    }
    System.out.println("FileStoreCrashTest: " + KILLS + " kills, " + totalSteps + " acknowledged steps seen, " + tornTails
        + " torn tails cut off on restore");
    assertTrue(totalSteps > KILLS, "too few acknowledged steps to mean anything: " + totalSteps);
  }

  private static String text(Allocation a) {
    StringBuilder s = new StringBuilder();
    for (InetAddress x : a.addresses()) {
      s.append(x.getHostAddress()).append(',');
    }
    return s.toString();
  }
}
