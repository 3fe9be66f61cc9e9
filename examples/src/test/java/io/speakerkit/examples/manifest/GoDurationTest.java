package io.speakerkit.examples.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

  @Test
  void parse_goSyntax() {
    assertEquals(Duration.ofSeconds(90), GoDuration.parse("90s"));
    assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
    assertEquals(Duration.ofMillis(300), GoDuration.parse("300ms"));
    assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
    assertEquals(Duration.ofNanos(1500), GoDuration.parse("1.5us"));
    assertEquals(Duration.ZERO, GoDuration.parse("0"));
    assertEquals(Duration.ofSeconds(-5), GoDuration.parse("-5s"));
  }

  @Test
  void parse_invalid_saysWhatIsExpected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5"));
    assertEquals("\"5\" (expected: a duration such as 90s, 1m30s or 500ms)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5d"));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("s"));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(""));
  }

  @Test
  void format_likeGo() {
    assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
    assertEquals("5s", GoDuration.format(Duration.ofSeconds(5)));
    assertEquals("1h0m0s", GoDuration.format(Duration.ofHours(1)));
    assertEquals("300ms", GoDuration.format(Duration.ofMillis(300)));
  }
}
