package io.speakerkit.bfd.transport;

import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** FRR's bfdd running in a test namespace with its own state directory; queried through its own vtysh. */
final class FrrBfdd {

  static final String BFDD = "/usr/lib/frr/bfdd";

  final Netns ns;
  final File dir;

  private FrrBfdd(Netns ns) {
    this.ns = ns;
    this.dir = new File(ns.dir(), "frr");
  }

  static FrrBfdd start(Netns ns, String config) throws Exception {
    Commands.require(BFDD, "vtysh");
    FrrBfdd f = new FrrBfdd(ns);
    f.dir.mkdirs();
    Commands.run("chmod", "777", f.dir.getPath()).check();
    File conf = new File(f.dir, "bfdd.conf");
    Files.writeString(conf.toPath(), config);
    ns.start(new File(f.dir, "bfdd.log"), BFDD, "-f", conf.getPath(), "-i", f.dir + "/bfdd.pid",
        "--vty_socket", f.dir.getPath(), "--bfdctl", f.dir + "/bfdd.sock", "-z", f.dir + "/zserv.api",
        "-u", "frr", "-g", "frr", "-P", "0", "--log", "stdout");
    Poll.until(Duration.ofSeconds(15), "bfdd vty", () -> new File(f.dir, "bfdd.vty").exists(), f::log);
    return f;
  }

  String vtysh(String... commands) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), "vtysh", "--vty_socket",
        dir.getPath()));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    return Commands.run(Duration.ofSeconds(20), cmd).stdout();
  }

  String peers() {
    return vtysh("show bfd peers json");
  }

  /** A string or number field of the (single) peer in {@code show bfd peers json}. */
  String field(String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\"?([^\",}]*)").matcher(peers());
    return m.find() ? m.group(1) : null;
  }

  String log() {
    try {
      File f = new File(dir, "bfdd.log");
      return f.exists() ? Files.readString(f.toPath()) : "";
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
