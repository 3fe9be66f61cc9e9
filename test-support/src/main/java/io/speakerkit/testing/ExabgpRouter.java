package io.speakerkit.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * ExaBGP in a test namespace, driven through its API process: every message ExaBGP reports (JSON, one per line:
 * neighbor state changes and parsed UPDATEs, when the neighbor's {@code api} block asks for them) is appended to a
 * file the test reads with {@link #messages()}, and every line the test passes to {@link #command} goes to ExaBGP as
 * an API command ({@code announce route ...}, {@code withdraw route ...}). Killed with the namespace by
 * {@link Netns#close()}.
 *
 * <pre>{@code
 * ExabgpRouter exa = ExabgpRouter.start(ns, """
 *     neighbor 10.253.12.1 {
 *       ...
 *       api { processes [ %s ]; neighbor-changes; receive { parsed; update; } }
 *     }
 *     """.formatted(ExabgpRouter.PROCESS));
 * exa.command("announce route 203.0.113.0/24 next-hop self");
 * }</pre>
 */
public final class ExabgpRouter {

  /** The name of the API process {@link #start} declares, for the neighbor's {@code api { processes [ ... ] }}. */
  public static final String PROCESS = "speakerkit-test";

  private static final Duration START_LIMIT = Duration.ofSeconds(40);

  private final Netns ns;
  private final File messages;
  private final File commands;

  private ExabgpRouter(Netns ns) {
    this.ns = ns;
    this.messages = new File(ns.dir(), "exabgp-messages.jsonl");
    this.commands = new File(ns.dir(), "exabgp-commands.txt");
  }

  /**
   * Writes the configuration (the API process declaration followed by {@code neighbors}), starts ExaBGP in the
   * foreground as root and returns once its API process runs. Fails (never skips) without ExaBGP.
   */
  public static ExabgpRouter start(Netns ns, String neighbors) throws IOException {
    Commands.require("exabgp");
    ExabgpRouter x = new ExabgpRouter(ns);
    Files.writeString(x.commands.toPath(), "");
    File script = new File(ns.dir(), "exabgp-api.sh");
    // ExaBGP writes to the process's stdin and reads commands from its stdout. An asynchronous command's stdin is
    // /dev/null unless redirected, hence the copy of stdin on descriptor 3.
    Files.writeString(script.toPath(), """
        #!/bin/sh
        exec 3<&0
        cat <&3 >> '%s' &
        exec tail -n +1 -f '%s'
        """.formatted(x.messages.getPath(), x.commands.getPath()));
    if (!script.setExecutable(true)) {
      throw new IOException("cannot make " + script + " executable");
    }
    File conf = new File(ns.dir(), "exabgp.conf");
    Files.writeString(conf.toPath(), """
        process %s {
          run %s;
          encoder json;
        }
        %s""".formatted(PROCESS, script.getPath(), neighbors));
    ns.start(new File(ns.dir(), "exabgp.log"), "env", "exabgp.daemon.user=root", "exabgp.daemon.daemonize=false",
        "exabgp.api.cli=false", "exabgp.api.ack=false", "exabgp.log.destination=stdout",
        "exabgp.cache.attributes=false", "exabgp", conf.getPath());
    Poll.until(START_LIMIT, "ExaBGP's API process", x.messages::exists, x::log);
    return x;
  }

  /** The namespace the router runs in. */
  public Netns netns() {
    return ns;
  }

  /** Sends one API command to ExaBGP (e.g. {@code announce route 203.0.113.0/24 next-hop self}). */
  public void command(String line) throws IOException {
    Files.writeString(commands.toPath(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  /** The JSON messages ExaBGP has reported so far, in order, each with its whitespace removed. */
  public List<String> messages() {
    try {
      return Files.readAllLines(messages.toPath()).stream()
          .filter(l -> l.startsWith("{"))
          .map(l -> l.replaceAll("\\s+", ""))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The parsed UPDATEs ExaBGP received so far ({@code "type":"update"} messages), whitespace removed. */
  public List<String> updates() {
    return messages().stream().filter(m -> m.contains("\"type\":\"update\"")).toList();
  }

  /** What ExaBGP logged so far. */
  public String log() {
    try {
      return Files.readString(new File(ns.dir(), "exabgp.log").toPath());
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
