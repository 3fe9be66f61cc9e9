package io.speakerkit.benchmarks.bgp;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.transport.BgpSession;
import io.speakerkit.bgp.fsm.transport.BgpTransport;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scale run (not a test): announce N IPv4 /32 routes to FRR bgpd in a namespace and time from Established until FRR
 * holds them all, with our CPU time next to bgpd's and the Adj-RIB-Out bytes per route.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.speakerkit.benchmarks.bgp.MillionRoutesToFrr [N [extended]]</pre>
 */
public final class MillionRoutesToFrr {

  private MillionRoutesToFrr() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    boolean extended = args.length > 1 && args[1].equals("extended"); // RFC 8654: 65535-octet UPDATEs
    Commands.require("/usr/lib/frr/bgpd", "vtysh");
    try (Netns ns = Netns.create("skfsmscale", "10.253.5.1/30", "10.253.5.2/30")) {
      File dir = ns.dir();
      Files.writeString(new File(dir, "bgpd.conf").toPath(), """
          frr defaults traditional
          router bgp 65302
           bgp router-id 10.253.5.2
           no bgp ebgp-requires-policy
           neighbor 10.253.5.1 remote-as 65301
           neighbor 10.253.5.1 passive
          """);
      ns.start(new File(dir, "bgpd.out"), "/usr/lib/frr/bgpd", "-f", dir + "/bgpd.conf", "-i", dir + "/bgpd.pid",
          "--vty_socket", dir.getAbsolutePath(), "-Z", "-n", "-S", "-p", "179");
      Poll.until(Duration.ofSeconds(30), "bgpd", () -> vtysh(dir, "show version").exitCode() == 0, () -> "");
      long bgpdPid = Long.parseLong(Files.readString(new File(dir, "bgpd.pid").toPath()).trim());

      try (BgpTransport t = BgpTransport.builder().build()) {
        BgpSession s = BgpSession.builder().transport(t).peer(InetAddress.getByName("10.253.5.2"))
            .localAddress(InetAddress.getByName("10.253.5.1"))
            .config(FsmConfig.builder().localAs(65301).peerAs(65302).bgpIdentifier(BgpIdentifier.parse("10.253.5.1"))
                .extendedMessage(extended).build())
            .build();
        PathAttributes attrs = PathAttributes.builder().build();
        int base = 100 << 24;
        int chunk = 50_000;
        for (int from = 0; from < n; from += chunk) {
          List<IpPrefix> list = new ArrayList<>(chunk);
          for (int i = from; i < Math.min(n, from + chunk); i++) {
            list.add(IpPrefix.ipv4(base + i, 32));
          }
          s.announceAll(list, attrs);
        }
        CompletableFuture<long[]> rib = new CompletableFuture<>();
        s.execute(() -> rib.complete(new long[] {s.adjRibOut().size(), s.adjRibOut().ipv4MemoryBytes()}));
        long[] r = rib.get();
        System.gc();
        long heapBefore = usedHeap();
        long[] established = new long[1];
        s.addListener(c -> {
          if (c.to() == BgpState.Established) {
            established[0] = System.nanoTime();
          }
        });
        long cpu0 = processCpuNanos();
        long bgpdCpu0 = procCpuTicks(bgpdPid);
        s.start();
        Poll.until(Duration.ofSeconds(30), "Established", () -> s.state() == BgpState.Established,
            () -> String.valueOf(s.lastChange()));
        long cpuAtEstablished = processCpuNanos();
        long bgpdCpuAtEstablished = procCpuTicks(bgpdPid);
        Poll.until(Duration.ofMinutes(5), "FRR holds all routes", () -> received(dir) >= n,
            () -> "FRR has " + received(dir));
        long done = System.nanoTime();
        long cpu1 = processCpuNanos();
        long bgpdCpu1 = procCpuTicks(bgpdPid);
        double seconds = (done - established[0]) / 1e9;
        System.out.printf("routes: %d, extended messages: %s%n", n,
            s.negotiated().map(x -> x.extendedMessage()).orElse(false));
        System.out.printf("Established -> FRR holds all: %.2f s (upper bound: FRR is polled every ~0.5 s)%n",
            seconds);
        System.out.printf("our process CPU in that time: %.2f s (from start: %.2f s)%n",
            (cpu1 - cpuAtEstablished) / 1e9, (cpu1 - cpu0) / 1e9);
        System.out.printf("bgpd CPU in that time: %.2f s (from start: %.2f s)%n",
            (bgpdCpu1 - bgpdCpuAtEstablished) / 100.0, (bgpdCpu1 - bgpdCpu0) / 100.0);
        System.out.printf("Adj-RIB-Out: %d routes, table %d bytes = %.1f bytes/route%n", r[0], r[1],
            (double) r[1] / r[0]);
        System.gc();
        System.out.printf("heap used: %d MB before start, %d MB after%n", heapBefore >> 20, usedHeap() >> 20);
        System.out.printf("bgpd RSS: %s%n", rss(bgpdPid));
        s.close();
      }
    }
    System.exit(0);
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static long processCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  /** utime + stime of a process, in clock ticks (1/100 s). */
  private static long procCpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static String rss(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS")) {
        return line.substring(6).trim();
      }
    }
    return "?";
  }

  private static long received(File dir) {
    String json = vtysh(dir, "show bgp ipv4 unicast summary json").stdout();
    Matcher m = Pattern.compile("\"pfxRcd\"\\s*:\\s*(\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static Commands.Result vtysh(File dir, String command) {
    return Commands.run(Duration.ofSeconds(30), "vtysh", "--vty_socket", dir.getAbsolutePath(), "-d", "bgpd", "-c",
        command);
  }
}
