package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.speaker.SpeakerEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonEventsTest {

  /** Lines stay ASCII whatever the console's charset (System.out is ASCII under LANG=C): é as \u00e9. */
  @Test
  void nonAsciiName_escaped() {
    String line = JsonEvents.toJson(new SpeakerEvent.Released(Instant.EPOCH, "default/caf\u00e9", List.of()));
    assertTrue(line.contains("\"default/caf\\u00e9\""), line);
    assertTrue(line.chars().allMatch(c -> c < 0x80), line);
  }
}
