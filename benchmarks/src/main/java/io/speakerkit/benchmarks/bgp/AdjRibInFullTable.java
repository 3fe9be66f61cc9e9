package io.speakerkit.benchmarks.bgp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.transport.AdjRibIn;
import io.speakerkit.bgp.wire.BgpMessageDecoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.timers.ManualScheduler;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A full table into {@link AdjRibIn}, what a route collector holds per peer: {@code routes} IPv4 /24s (default
 * 1,000,000) in UPDATEs of {@code perUpdate} prefixes each (default 4; a full table from FRR averages a few), every
 * UPDATE with its own ORIGIN, AS_PATH of 2-6 ASNs, NEXT_HOP, MED and 0-4 communities. The UPDATEs are encoded
 * beforehand into a direct buffer (off the measured heap), then decoded (RFC 7606 checks on) and handed to the
 * Adj-RIB-In on this thread. Prints routes per CPU-second of this thread (after a warm-up pass into a discarded
 * Adj-RIB-In) and the heap the Adj-RIB-In holds per route after full GCs. Run with {@code -XX:+UseSerialGC} for stable
 * heap figures:
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx4g -cp benchmarks/target/benchmarks.jar io.speakerkit.benchmarks.bgp.AdjRibInFullTable [routes] [perUpdate]
 * </pre>
 */
public final class AdjRibInFullTable {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    int routes = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int perUpdate = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    ByteBuf table = encode(routes, perUpdate);
    try {
      CodecContext ctx = CodecContext.FOUR_OCTET_AS;
      feed(new AdjRibIn(new ManualScheduler()), table, ctx); // warm-up: the JIT, then thrown away
      long before = usedHeap();
      AdjRibIn rib = new AdjRibIn(new ManualScheduler());
      long cpu = THREADS.getCurrentThreadCpuTime();
      long wall = System.nanoTime();
      int updates = feed(rib, table, ctx);
      cpu = THREADS.getCurrentThreadCpuTime() - cpu;
      wall = System.nanoTime() - wall;
      long after = usedHeap();
      if (rib.size() != routes) {
        throw new IllegalStateException("held " + rib.size() + " of " + routes + " routes");
      }
      System.out.printf("routes=%d updates=%d (%d prefixes each): %.0f routes (%.0f UPDATEs) per CPU-second, "
              + "%.2f s CPU, %.2f s wall; Adj-RIB-In heap %d bytes = %.1f bytes/route%n",
          routes, updates, perUpdate, routes / (cpu / 1e9), updates / (cpu / 1e9), cpu / 1e9, wall / 1e9,
          after - before, (after - before) / (double) routes);
      if (rib.staleCount() != 0) {
        System.out.println(rib); // keeps the Adj-RIB-In reachable until after the measurement
      }
    } finally {
      table.release();
    }
  }

  /** Decodes every UPDATE of {@code table} into {@code rib}; returns how many. */
  private static int feed(AdjRibIn rib, ByteBuf table, CodecContext ctx) {
    ByteBuf in = table.duplicate();
    int n = 0;
    while (in.isReadable()) {
      int length = in.getUnsignedShort(in.readerIndex() + 16);
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(in.readSlice(length), ctx);
      rib.onUpdate(null, u);
      n++;
    }
    return n;
  }

  private static ByteBuf encode(int routes, int perUpdate) {
    SplittableRandom random = new SplittableRandom(7);
    ByteBuf out = Unpooled.directBuffer(routes / perUpdate * 96 + 4096);
    List<IpPrefix> group = new ArrayList<>(perUpdate);
    for (int i = 0; i < routes; i++) {
      int base = 0x01000000 + (i << 8); // 1.0.0.0/24, 1.0.1.0/24, ...
      group.add(IpPrefix.ipv4(base, 24));
      if (group.size() == perUpdate || i == routes - 1) {
        UpdateEncoder.writeAllAnnouncements(out, attributes(random), group, CodecContext.FOUR_OCTET_AS);
        group.clear();
      }
    }
    return out;
  }

  private static PathAttributes attributes(SplittableRandom random) {
    long[] path = new long[2 + random.nextInt(5)];
    for (int i = 0; i < path.length; i++) {
      path[i] = 64_512 + random.nextInt(100_000);
    }
    path[0] = 65_002; // the peer's AS first
    Community[] communities = new Community[random.nextInt(5)];
    for (int i = 0; i < communities.length; i++) {
      communities[i] = new Community(65_002 << 16 | random.nextInt(1000));
    }
    PathAttributes.Builder b = PathAttributes.builder().origin(Origin.IGP).asPath(path).nextHop(0x0A000002)
        .med(random.nextInt(100));
    return (communities.length == 0 ? b : b.communities(communities)).build();
  }

  private static long usedHeap() {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return m.getHeapMemoryUsage().getUsed();
  }
}
