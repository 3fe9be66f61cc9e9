package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Replays every saved input under {@code src/test/resources/fuzz} in each context. */
class FuzzRegressionTest {

  static Stream<Path> inputs() throws IOException, URISyntaxException {
    Path dir = Path.of(FuzzRegressionTest.class.getResource("/fuzz").toURI());
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".hex")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    return files.stream();
  }

  @ParameterizedTest
  @MethodSource("inputs")
  void savedInput_replays(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String expect = null;
    StringBuilder hex = new StringBuilder();
    for (String line : lines) {
      if (line.startsWith("# expect:")) {
        expect = line.substring("# expect:".length()).trim();
      } else if (!line.startsWith("#")) {
        hex.append(line).append(' ');
      }
    }
    byte[] bytes = Hex.bytes(hex.toString());
    for (CodecContext ctx : FuzzProperties.CONTEXTS) {
      String outcome = FuzzProperties.feed(bytes, ctx);
      if (expect != null && ctx == FuzzProperties.CONTEXTS.get(0)) {
        assertEquals(expect, outcome, file.getFileName().toString());
      }
    }
  }
}
