package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The engine builder's setters check their values at once, with the field, the value and the expected range. */
class BfdEngineBuilderTest {

  @Test
  void singleHopPort_outOfRange() {
    assertEquals("singleHopPort: 0 (expected: 1-65535)", assertThrows(IllegalArgumentException.class,
        () -> BfdEngine.builder().singleHopPort(0)).getMessage());
    assertEquals("singleHopPort: 65536 (expected: 1-65535)", assertThrows(IllegalArgumentException.class,
        () -> BfdEngine.builder().singleHopPort(65536)).getMessage());
    assertDoesNotThrow(() -> BfdEngine.builder().singleHopPort(1).singleHopPort(65535));
  }

  @Test
  void multihopPort_outOfRange() {
    assertEquals("multihopPort: 0 (expected: 1-65535)", assertThrows(IllegalArgumentException.class,
        () -> BfdEngine.builder().multihopPort(0)).getMessage());
    assertDoesNotThrow(() -> BfdEngine.builder().multihopPort(1).multihopPort(65535));
  }

  @Test
  void sourcePortRange_lowAboveHighOrOutOfRange() {
    assertEquals("sourcePortRange: 50001-50000 (expected: low <= high)", assertThrows(IllegalArgumentException.class,
        () -> BfdEngine.builder().sourcePortRange(50001, 50000)).getMessage());
    assertEquals("sourcePortRange low: 0 (expected: 1-65535)", assertThrows(IllegalArgumentException.class,
        () -> BfdEngine.builder().sourcePortRange(0, 50000)).getMessage());
    assertEquals("sourcePortRange high: 65536 (expected: 1-65535)", assertThrows(IllegalArgumentException.class,
        () -> BfdEngine.builder().sourcePortRange(50000, 65536)).getMessage());
    assertDoesNotThrow(() -> BfdEngine.builder().sourcePortRange(50000, 50000).sourcePortRange(1, 65535));
  }

  @Test
  void timerSlack_negativeOrAboveTenMillis() {
    assertEquals("timerSlack: PT-0.000001S (expected: 0-10 ms)", assertThrows(IllegalArgumentException.class,
        () -> BfdEngine.builder().timerSlack(Duration.ofNanos(-1000))).getMessage());
    assertEquals("timerSlack: PT0.010000001S (expected: 0-10 ms)", assertThrows(IllegalArgumentException.class,
        () -> BfdEngine.builder().timerSlack(Duration.ofNanos(10_000_001))).getMessage());
    assertDoesNotThrow(() -> BfdEngine.builder().timerSlack(Duration.ZERO).timerSlack(Duration.ofMillis(10)));
  }

  @Test
  void hooks_null() {
    assertEquals("eventLoop", assertThrows(NullPointerException.class, () -> BfdEngine.builder().eventLoop(null))
        .getMessage());
    assertEquals("random", assertThrows(NullPointerException.class, () -> BfdEngine.builder().random(null))
        .getMessage());
    assertEquals("allocator", assertThrows(NullPointerException.class, () -> BfdEngine.builder().allocator(null))
        .getMessage());
    assertEquals("timerSlack", assertThrows(NullPointerException.class, () -> BfdEngine.builder().timerSlack(null))
        .getMessage());
  }
}
