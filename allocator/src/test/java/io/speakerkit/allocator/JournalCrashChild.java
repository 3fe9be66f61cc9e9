package io.speakerkit.allocator;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Child JVM for {@link FileStoreCrashTest}: restores from the journal, then runs {@link #plan} (allocations, and now
 * and then a release of one of its own earlier allocations), printing each step only after {@link Allocator}
 * returned, i.e. after it was durable. Killed with SIGKILL by the parent at random moments.
 *
 * <pre>
 * READY n          restored n allocations
 * OK key addr,..   allocation acknowledged
 * REL key          release acknowledged
 * </pre>
 */
public final class JournalCrashChild {
  static final List<IpAddressPool> POOLS = List.of(IpAddressPool.builder().name("p").addresses("10.0.0.0/16", "fd00::/64").build());
  static final int STEPS = 3000;

  /** One step of a run: allocate {@code key} (dual-stack or not), or release it. */
  record Step(boolean release, String key, boolean dual) {}

  /** The deterministic steps of run {@code run}; the parent uses the same plan to judge what may have happened. */
  static List<Step> plan(int run) {
    SplittableRandom rnd = new SplittableRandom(run);
    List<String> mine = new ArrayList<>();
    List<Step> steps = new ArrayList<>(STEPS);
    for (int i = 0; i < STEPS; i++) {
      if (!mine.isEmpty() && rnd.nextInt(4) == 0) {
        steps.add(new Step(true, mine.remove(rnd.nextInt(mine.size())), false));
      } else {
        String key = "crash/r" + run + "-" + i;
        steps.add(new Step(false, key, rnd.nextBoolean()));
        mine.add(key);
      }
    }
    return steps;
  }

  public static void main(String[] args) throws Exception {
    Path journal = Path.of(args[0]);
    int run = Integer.parseInt(args[1]);
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    try (Allocator a = Allocator.builder().pools(POOLS).store(FileAllocationStore.open(journal)).build()) {
      out.write("READY " + a.serviceCount() + "\n");
      out.flush();
      for (Step step : plan(run)) {
        if (step.release()) {
          a.release(step.key());
          out.write("REL " + step.key() + "\n");
          out.flush();
          continue;
        }
        ServiceRequest.Builder b = ServiceRequest.builder(step.key());
        if (step.dual()) {
          b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK);
        }
        AllocationResult r = a.allocate(b.build());
        if (!(r instanceof AllocationResult.Allocated ok)) {
          throw new AssertionError(r.toString());
        }
        StringBuilder s = new StringBuilder("OK ").append(step.key()).append(' ');
        for (InetAddress x : ok.allocation().addresses()) {
          s.append(x.getHostAddress()).append(',');
        }
        out.write(s.append('\n').toString());
        out.flush();
      }
    }
  }
}
