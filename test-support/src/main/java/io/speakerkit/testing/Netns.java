package io.speakerkit.testing;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace an interop test creates and removes (with every process started in it), connected to the
 * test JVM's namespace by a veth pair. The JVM side is the "host" end; daemons (FRR, BIRD, GoBGP) run inside.
 *
 * <pre>{@code
 * try (Netns ns = Netns.create("skfsm1", "10.251.1.1/30", "10.251.1.2/30")) {
 *   ns.start("/usr/lib/frr/bgpd", ...);      // runs inside the namespace
 *   // our speaker connects from ns.hostAddress() to ns.nsAddress()
 * }
 * }</pre>
 *
 * <p>Names are at most 11 characters so the derived veth names fit IFNAMSIZ; concurrent tests use distinct names.
 * Addresses are the test's own: traffic never leaves this machine.
 */
public final class Netns implements AutoCloseable {

  private final String name;
  private final String hostIf;
  private final String nsIf;
  private final List<String> hostCidrs = new ArrayList<>();
  private final List<String> nsCidrs = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final File dir;

  private Netns(String name) {
    this.name = name;
    this.hostIf = name + "h";
    this.nsIf = name + "n";
    this.dir = new File("/tmp/speakerkit-netns/" + name);
  }

  /**
   * Creates namespace {@code name} with a veth pair: {@code hostCidr} on the JVM side, {@code nsCidr} inside (both
   * as "address/len", IPv4 or IPv6). A leftover namespace of the same name is removed first.
   */
  public static Netns create(String name, String hostCidr, String nsCidr) {
    if (name.length() > 11) {
      throw new IllegalArgumentException("name: " + name + " (expected: at most 11 characters)");
    }
    Netns ns = new Netns(name);
    ns.destroyQuietly();
    boolean ok = false;
    try {
      Commands.run("ip", "netns", "add", name).check();
      ns.inside("ip", "link", "set", "lo", "up").check();
      Commands.run("ip", "link", "add", ns.hostIf, "type", "veth", "peer", "name", ns.nsIf).check();
      Commands.run("ip", "link", "set", ns.nsIf, "netns", name).check();
      Commands.run("ip", "link", "set", ns.hostIf, "up").check();
      ns.inside("ip", "link", "set", ns.nsIf, "up").check();
      ns.addAddresses(hostCidr, nsCidr);
      ns.dir.mkdirs();
      ok = true;
      return ns;
    } finally {
      if (!ok) {
        ns.destroyQuietly();
      }
    }
  }

  /** Adds another address pair (e.g. IPv6 next to IPv4). IPv6 addresses are added without DAD. */
  public void addAddresses(String hostCidr, String nsCidr) {
    boolean v6 = hostCidr.contains(":");
    List<String> host = new ArrayList<>(List.of("ip", "addr", "add", hostCidr, "dev", hostIf));
    List<String> inner = new ArrayList<>(List.of("ip", "netns", "exec", name, "ip", "addr", "add", nsCidr, "dev", nsIf));
    if (v6) {
      host.add("nodad");
      inner.add("nodad");
    }
    Commands.run(Duration.ofSeconds(10), host).check();
    Commands.run(Duration.ofSeconds(10), inner).check();
    hostCidrs.add(hostCidr);
    nsCidrs.add(nsCidr);
  }

  /** The namespace's name. */
  public String name() {
    return name;
  }

  /** The veth interface on the JVM side. */
  public String hostInterface() {
    return hostIf;
  }

  /** The veth interface inside the namespace. */
  public String nsInterface() {
    return nsIf;
  }

  /** The first JVM-side address, without prefix length. */
  public String hostAddress() {
    return hostCidrs.get(0).split("/")[0];
  }

  /** The first namespace-side address, without prefix length. */
  public String nsAddress() {
    return nsCidrs.get(0).split("/")[0];
  }

  /** The i-th JVM-side address, without prefix length. */
  public String hostAddress(int i) {
    return hostCidrs.get(i).split("/")[0];
  }

  /** The i-th namespace-side address, without prefix length. */
  public String nsAddress(int i) {
    return nsCidrs.get(i).split("/")[0];
  }

  /** A scratch directory for this namespace's daemon configuration, removed by {@link #close()}. */
  public File dir() {
    return dir;
  }

  /** Runs a command inside the namespace and waits for it (60 s limit). */
  public Commands.Result inside(String... command) {
    return Commands.run(Duration.ofSeconds(60), insideCommand(command));
  }

  /** Starts a long-running command inside the namespace (a daemon); it is killed by {@link #close()}. */
  public Process start(File log, String... command) {
    ProcessBuilder pb = new ProcessBuilder(insideCommand(command));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    try {
      Process p = pb.start();
      processes.add(p);
      return p;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
  }

  /** Takes the link down or up on the JVM side (a cut cable as the namespace sees it). */
  public void setHostLink(boolean up) {
    Commands.run("ip", "link", "set", hostIf, up ? "up" : "down").check();
  }

  private List<String> insideCommand(String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(command));
    return full;
  }

  @Override
  public void close() {
    destroyQuietly();
  }

  private void destroyQuietly() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    processes.clear();
    // Anything else still running in the namespace (daemons that forked) goes too.
    Commands.Result pids = Commands.run(Duration.ofSeconds(10), "ip", "netns", "pids", name);
    if (pids.exitCode() == 0) {
      for (String pid : pids.stdout().split("\\s+")) {
        if (!pid.isBlank()) {
          Commands.run(Duration.ofSeconds(10), "kill", "-9", pid.trim());
        }
      }
    }
    Commands.run(Duration.ofSeconds(10), "ip", "link", "del", hostIf);
    Commands.run(Duration.ofSeconds(10), "ip", "netns", "del", name);
    Commands.run(Duration.ofSeconds(10), "rm", "-rf", dir.getPath());
  }
}
