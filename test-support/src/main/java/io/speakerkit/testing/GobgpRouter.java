package io.speakerkit.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * GoBGP's gobgpd in a test namespace with a TOML configuration, queried through its own {@code gobgp} CLI (gRPC on
 * 127.0.0.1:50051 inside the namespace, so several namespaces never share an API); killed with the namespace by
 * {@link Netns#close()}.
 *
 * <pre>{@code
 * GobgpRouter gobgp = GobgpRouter.start(ns, toml);
 * String rib = gobgp.json("global", "rib", "-a", "ipv4");   // gobgp global rib -a ipv4 -j, whitespace removed
 * }</pre>
 */
public final class GobgpRouter {

  private static final Duration START_LIMIT = Duration.ofSeconds(40);

  private final Netns ns;

  private GobgpRouter(Netns ns) {
    this.ns = ns;
  }

  /** Writes {@code toml}, starts gobgpd with it and returns once its API answers. Fails (never skips) without GoBGP. */
  public static GobgpRouter start(Netns ns, String toml) throws IOException {
    Commands.require("gobgpd", "gobgp");
    File conf = new File(ns.dir(), "gobgpd.toml");
    Files.writeString(conf.toPath(), toml);
    ns.start(new File(ns.dir(), "gobgpd.log"), "gobgpd", "-f", conf.getPath(), "-p", "--pprof-disable",
        "--api-hosts=127.0.0.1:50051");
    GobgpRouter g = new GobgpRouter(ns);
    Poll.until(START_LIMIT, "gobgpd API", () -> g.gobgp("neighbor").exitCode() == 0, () -> g.gobgp("neighbor")
        + "\n" + g.log());
    return g;
  }

  /** The namespace the router runs in. */
  public Netns netns() {
    return ns;
  }

  /** {@code gobgp ARGS...} inside the namespace. */
  public Commands.Result gobgp(String... args) {
    List<String> cmd = new ArrayList<>(List.of("gobgp"));
    cmd.addAll(List.of(args));
    return ns.inside(cmd.toArray(String[]::new));
  }

  /** {@code gobgp ARGS... -j} with all whitespace removed, for {@code contains} checks. */
  public String json(String... args) {
    List<String> cmd = new ArrayList<>(List.of(args));
    cmd.add("-j");
    return gobgp(cmd.toArray(String[]::new)).stdout().replaceAll("\\s+", "");
  }

  /** What gobgpd logged so far. */
  public String log() {
    try {
      return Files.readString(new File(ns.dir(), "gobgpd.log").toPath());
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
