package io.speakerkit.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;

/**
 * BIRD 2 in a test namespace with a given configuration, queried through its own {@code birdc} on a control socket in
 * the namespace's directory; killed with the namespace by {@link Netns#close()}.
 *
 * <pre>{@code
 * BirdRouter bird = BirdRouter.start(ns, conf);
 * String route = bird.show("route all 10.0.0.10/32");   // birdc show route all 10.0.0.10/32
 * }</pre>
 */
public final class BirdRouter {

  private static final Duration START_LIMIT = Duration.ofSeconds(40);

  private final String socket;
  private final File log;

  private BirdRouter(String socket, File log) {
    this.socket = socket;
    this.log = log;
  }

  /** Writes {@code config}, starts bird with it and returns once birdc answers. Fails (never skips) without BIRD. */
  public static BirdRouter start(Netns ns, String config) throws IOException {
    Commands.require("bird", "birdc");
    File dir = ns.dir();
    File conf = new File(dir, "bird.conf");
    Files.writeString(conf.toPath(), config);
    BirdRouter b = new BirdRouter(dir + "/bird.ctl", new File(dir, "bird.log"));
    ns.start(b.log, "bird", "-f", "-c", conf.getPath(), "-s", b.socket, "-P", dir + "/bird.pid");
    Poll.until(START_LIMIT, "bird control socket", () -> b.birdc("show status").exitCode() == 0,
        () -> b.birdc("show status") + "\n" + b.log());
    return b;
  }

  /** The control socket's path (for {@code birdc -s}). */
  public String socket() {
    return socket;
  }

  /** {@code birdc show WHAT}'s output, e.g. {@code show("protocols all peer")}. */
  public String show(String what) {
    return birdc("show " + what).stdout();
  }

  /** One birdc command (its words split on spaces). */
  public Commands.Result birdc(String command) {
    String[] words = command.split(" ");
    String[] cmd = new String[3 + words.length];
    cmd[0] = "birdc";
    cmd[1] = "-s";
    cmd[2] = socket;
    System.arraycopy(words, 0, cmd, 3, words.length);
    return Commands.run(cmd);
  }

  /** What bird wrote to its standard output and error so far. */
  public String log() {
    try {
      return log.exists() ? Files.readString(log.toPath()) : "";
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
