package io.speakerkit.bgp.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.speakerkit.bgp.wire.AddressFamily;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Graceful Restart capability value (RFC 4724 §3, RFC 8538 §2) as configured and as received. */
class GracefulRestartTest {

  /** RFC 4724 §3: the Restart Time field is 12 bits, 0 to 4095 seconds; FRR's {@code restart-time} is 0-4095 too. */
  @Test
  void restartTime_twelveBits() {
    assertEquals(0, new GracefulRestart(false, 0, Map.of()).restartTimeSeconds());
    assertEquals(4095, new GracefulRestart(false, 4095, Map.of()).restartTimeSeconds());
    IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
        () -> new GracefulRestart(false, 4096, Map.of()));
    assertEquals("restart time: 4096 (expected: 0-4095)", high.getMessage());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
        () -> new GracefulRestart(false, -1, Map.of()));
    assertEquals("restart time: -1 (expected: 0-4095)", negative.getMessage());
  }

  /** Without the N bit unless asked for (RFC 8538 is opt-in, as FRR's {@code graceful-restart notification}). */
  @Test
  void threeArgumentForm_withoutNotificationBit() {
    assertFalse(new GracefulRestart(true, 120, Map.of(AddressFamily.IPV4_UNICAST, true)).notification());
  }

  /** The forwarding flags are a copy: a configuration built once does not change with the caller's map. */
  @Test
  void forwardingState_copied() {
    Map<AddressFamily, Boolean> flags = new HashMap<>(Map.of(AddressFamily.IPV4_UNICAST, true));
    GracefulRestart gr = new GracefulRestart(false, 120, flags);
    flags.put(AddressFamily.IPV6_UNICAST, false);
    assertEquals(Map.of(AddressFamily.IPV4_UNICAST, true), gr.forwardingState());
    assertThrows(UnsupportedOperationException.class, () -> gr.forwardingState().clear());
  }
}
