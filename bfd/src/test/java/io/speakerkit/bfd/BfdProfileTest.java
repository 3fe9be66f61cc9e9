package io.speakerkit.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BfdProfileTest {

  @Test
  void defaults_areMetalLbs() {
    BfdProfile p = BfdProfile.DEFAULT;
    assertEquals(Duration.ofMillis(300), p.receiveInterval());
    assertEquals(Duration.ofMillis(300), p.transmitInterval());
    assertEquals(3, p.detectMultiplier());
    assertEquals(Duration.ofMillis(50), p.echoInterval());
    assertFalse(p.echoMode());
    assertFalse(p.passiveMode());
    assertEquals(254, p.minimumTtl());
  }

  @Test
  void receiveInterval_outOfRange() {
    assertMessage(() -> BfdProfile.builder().receiveIntervalMillis(9), "receiveInterval", "10-60000 ms");
    assertMessage(() -> BfdProfile.builder().receiveIntervalMillis(60001), "receiveInterval", "10-60000 ms");
  }

  @Test
  void transmitInterval_outOfRange() {
    assertMessage(() -> BfdProfile.builder().transmitIntervalMillis(0), "transmitInterval", "10-60000 ms");
  }

  @Test
  void echoInterval_outOfRange() {
    assertMessage(() -> BfdProfile.builder().echoInterval(Duration.ofMillis(5)), "echoInterval", "10-60000 ms");
  }

  @Test
  void detectMultiplier_outOfRange() {
    assertMessage(() -> BfdProfile.builder().detectMultiplier(1), "detectMultiplier", "2-255");
    assertMessage(() -> BfdProfile.builder().detectMultiplier(256), "detectMultiplier", "2-255");
  }

  @Test
  void minimumTtl_outOfRange() {
    assertMessage(() -> BfdProfile.builder().minimumTtl(0), "minimumTtl", "1-254");
    assertMessage(() -> BfdProfile.builder().minimumTtl(255), "minimumTtl", "1-254");
  }

  @Test
  void echoMode_true_refusedWithReason() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BfdProfile.builder().echoMode(true).build());
    assertTrue(e.getMessage().startsWith("echoMode: true"), e.getMessage());
    assertTrue(e.getMessage().contains("raw sockets"), e.getMessage());
  }

  @Test
  void edges_accepted() {
    BfdProfile p = BfdProfile.builder().receiveIntervalMillis(10).transmitIntervalMillis(60000).detectMultiplier(255)
        .minimumTtl(1).passiveMode(true).build();
    assertEquals(10_000, p.requiredMinRxMicros());
    assertEquals(60_000_000, p.desiredMinTxMicros());
    assertEquals(p, p.toBuilder().build());
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable e, String field, String range) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    assertTrue(x.getMessage().startsWith(field + ":"), x.getMessage());
    assertTrue(x.getMessage().contains(range), x.getMessage());
  }

  /** MetalLB gives the intervals in whole milliseconds: a fraction of one is refused, not rounded. */
  @Test
  void interval_fractionOfMillisecond_refused() {
    assertMessage(() -> BfdProfile.builder().receiveInterval(Duration.ofMillis(10).plusNanos(500_000)),
        "receiveInterval", "whole ms");
    assertMessage(() -> BfdProfile.builder().transmitInterval(Duration.ofMillis(300).plusNanos(1)),
        "transmitInterval", "whole ms");
  }
}
