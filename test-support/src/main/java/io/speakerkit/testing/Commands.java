package io.speakerkit.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs external commands (ip, vtysh, gobgp, birdc, tshark) with a time limit, for interop tests. */
public final class Commands {

  private Commands() {}

  /** The outcome of a finished command. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    /** Throws with the command's output if it did not exit 0. */
    public Result check() {
      if (exitCode != 0) {
        throw new IllegalStateException(
            "command failed (exit " + exitCode + "): " + String.join(" ", command) + "\nstdout: " + stdout
                + "\nstderr: " + stderr);
      }
      return this;
    }
  }

  /** Runs {@code command} and waits for it, at most {@code limit}; fails if it is still running then. */
  public static Result run(Duration limit, String... command) {
    return run(limit, Arrays.asList(command));
  }

  /** Runs {@code command} with a 60-second limit. */
  public static Result run(String... command) {
    return run(Duration.ofSeconds(60), command);
  }

  /** Runs {@code command} and waits for it, at most {@code limit}. */
  public static Result run(Duration limit, List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    try {
      p.getOutputStream().close();
    } catch (IOException ignored) {
      // nothing to write anyway
    }
    CompletableFuture<String> out = readAsync(p.getInputStream());
    CompletableFuture<String> err = readAsync(p.getErrorStream());
    try {
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("command timed out after " + limit + ": " + String.join(" ", command));
      }
      return new Result(List.copyOf(command), p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  /** Whether {@code name} is an executable on the PATH (or an absolute path that exists). */
  public static boolean available(String name) {
    if (name.startsWith("/")) {
      return new java.io.File(name).canExecute();
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (new java.io.File(dir, name).canExecute()) {
        return true;
      }
    }
    for (String dir : List.of("/usr/sbin", "/sbin", "/usr/lib/frr", "/usr/bin")) {
      if (new java.io.File(dir, name).canExecute()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Fails (never skips) when a tool the interop test needs is missing or the test is not root: in CI a missing
   * peer is a failure. {@code .ci/run} installs the Debian packages.
   */
  public static void require(String... tools) {
    List<String> missing = new ArrayList<>();
    for (String tool : tools) {
      if (!available(tool)) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("interop test needs " + missing
          + " (Debian packages frr bird2 gobgpd exabgp tshark bgpdump iproute2 prometheus; .ci/run installs them)");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("interop tests create network namespaces and must run as root");
    }
  }

  private static CompletableFuture<String> readAsync(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "<" + e.getMessage() + ">";
      }
    });
  }
}
