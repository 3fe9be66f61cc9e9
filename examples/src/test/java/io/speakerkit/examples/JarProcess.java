package io.speakerkit.examples;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code java -jar target/speakerkit.jar ...} as a child process (the jar the package phase built), its stdout
 * collected line by line, its stderr in a file; {@link #close()} kills it if it is still running.
 */
final class JarProcess implements AutoCloseable {

  static final File JAR = new File("target/speakerkit.jar");

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final File stderr;
  private final Thread reader;

  private JarProcess(Process process, File stderr) {
    this.process = process;
    this.stderr = stderr;
    this.reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // process gone
      }
    }, "jar-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static JarProcess start(String... args) throws IOException {
    if (!JAR.isFile()) {
      throw new IllegalStateException(JAR.getAbsolutePath() + " missing (built by the package phase)");
    }
    List<String> cmd = new ArrayList<>(List.of(
        new File(System.getProperty("java.home"), "bin/java").getPath(), "-jar", JAR.getPath()));
    cmd.addAll(List.of(args));
    File err = File.createTempFile("speakerkit-jar", ".stderr");
    err.deleteOnExit();
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err);
    Process p = pb.start();
    p.getOutputStream().close();
    return new JarProcess(p, err);
  }

  Process process() {
    return process;
  }

  /** Every stdout line so far. */
  List<String> lines() {
    return lines;
  }

  String stdout() {
    return String.join("\n", lines);
  }

  String stderr() {
    try {
      return Files.readString(stderr.toPath());
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Waits for the process to exit and for its stdout to be read to the end; returns the exit code. */
  int await(Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still running after " + limit + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
    }
    reader.join(limit.toMillis());
    return process.exitValue();
  }

  /**
   * Parses one stdout line as a JSON object. JSON's object syntax is YAML flow syntax, so SnakeYAML (already a
   * dependency) reads it; the line must also start with '{' and end with '}' so plain YAML cannot pass as JSON.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> json(String line) {
    if (!line.startsWith("{") || !line.endsWith("}")) {
      throw new AssertionError("not a JSON object: " + line);
    }
    Object parsed = new Yaml(new LoaderOptions()).load(line);
    if (!(parsed instanceof Map)) {
      throw new AssertionError("not a JSON object: " + line);
    }
    return (Map<String, Object>) parsed;
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
