package io.speakerkit.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An FRR router in a test namespace: zebra, bgpd and (optionally) bfdd with their own state directory, so that
 * {@code neighbor X bfd} in bgpd reaches bfdd through zebra as on a real router. Queried through its own vtysh;
 * killed with the namespace by {@link Netns#close()}.
 *
 * <pre>{@code
 * FrrRouter frr = FrrRouter.start(ns, bgpdConf, bfddConf);   // bfddConf null: no bfdd
 * String routes = frr.json("show bgp ipv4 unicast json");
 * }</pre>
 */
public final class FrrRouter {

  private static final String DIR = "/usr/lib/frr/";
  private static final Duration START_LIMIT = Duration.ofSeconds(20);

  private final Netns ns;
  private final File dir;

  private FrrRouter(Netns ns) {
    this.ns = ns;
    this.dir = new File(ns.dir(), "frr");
  }

  /**
   * Starts zebra, bgpd with {@code bgpdConf} and, when {@code bfddConf} is not null, bfdd with it; returns once
   * every daemon answers vtysh. Fails (never skips) when FRR is not installed.
   */
  public static FrrRouter start(Netns ns, String bgpdConf, String bfddConf) throws IOException {
    Commands.require(DIR + "zebra", DIR + "bgpd", "vtysh");
    if (bfddConf != null) {
      Commands.require(DIR + "bfdd");
    }
    FrrRouter f = new FrrRouter(ns);
    f.dir.mkdirs();
    Commands.run("chmod", "777", f.dir.getPath()).check();
    f.daemon("zebra", "! zebra\n", List.of());
    f.daemon("bgpd", bgpdConf, List.of("-p", "179"));
    if (bfddConf != null) {
      f.daemon("bfdd", bfddConf, List.of("--bfdctl", f.dir + "/bfdd.sock"));
    }
    return f;
  }

  private void daemon(String name, String config, List<String> extra) throws IOException {
    File conf = new File(dir, name + ".conf");
    Files.writeString(conf.toPath(), config);
    List<String> cmd = new ArrayList<>(List.of(DIR + name, "-f", conf.getPath(), "-i", dir + "/" + name + ".pid",
        "--vty_socket", dir.getPath(), "-z", dir + "/zserv.api", "-u", "frr", "-g", "frr", "-P", "0",
        "--log", "stdout"));
    cmd.addAll(extra);
    ns.start(new File(dir, name + ".log"), cmd.toArray(String[]::new));
    Poll.until(START_LIMIT, name + " answers vtysh", () -> vtysh(name, "show version").exitCode() == 0,
        () -> log(name));
  }

  /** The namespace the router runs in. */
  public Netns netns() {
    return ns;
  }

  /** Runs vtysh commands against one daemon ("bgpd", "bfdd", "zebra"). */
  public Commands.Result vtysh(String daemon, String... commands) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), "vtysh", "--vty_socket",
        dir.getPath(), "-d", daemon));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    return Commands.run(Duration.ofSeconds(20), cmd);
  }

  /** A {@code show ... json} command's output with all white space removed (bfd commands go to bfdd). */
  public String json(String command) {
    String daemon = command.startsWith("show bfd") ? "bfdd" : "bgpd";
    return vtysh(daemon, command).stdout().replaceAll("\\s+", "");
  }

  /** The first string or number value of {@code field} in {@code json}, or null. */
  public static String field(String json, String field) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":\"?([^\",}\\]]*)").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  /** bgpd's state of one neighbor ("Established", "Active", ...), from {@code show bgp neighbor X json}. */
  public String bgpState(String neighbor) {
    return field(json("show bgp neighbor " + neighbor + " json"), "bgpState");
  }

  /** A daemon's log (its stdout), for diagnostics. */
  public String log(String daemon) {
    try {
      File f = new File(dir, daemon + ".log");
      return f.exists() ? Files.readString(f.toPath()) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
