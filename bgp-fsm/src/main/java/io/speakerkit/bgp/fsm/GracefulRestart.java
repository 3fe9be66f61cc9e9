package io.speakerkit.bgp.fsm;

import io.speakerkit.bgp.wire.AddressFamily;
import java.util.Map;

/**
 * The Graceful Restart capability (RFC 4724 §3) as advertised by one side.
 *
 * @param restartState the R bit: the sender has restarted and its peer should not wait for its End-of-RIB before
 *     advertising routes
 * @param restartTimeSeconds how long the sender asks to keep its routes after the session drops, 0-4095 s
 * @param forwardingState per family the sender preserves forwarding for, the F bit
 * @param notification the N bit (RFC 8538 §2): when both sides set it, a session ended by a NOTIFICATION other than
 *     Cease / Hard Reset keeps its routes too, and a session end meant to delete them sends Hard Reset
 */
public record GracefulRestart(boolean restartState, int restartTimeSeconds, Map<AddressFamily, Boolean> forwardingState,
    boolean notification) {

  /** RFC 4724 §3: the Restart Time field is 12 bits. */
  public static final int MAX_RESTART_TIME = 4095;

  public GracefulRestart {
    if (restartTimeSeconds < 0 || restartTimeSeconds > MAX_RESTART_TIME) {
      throw new IllegalArgumentException(
          "restart time: " + restartTimeSeconds + " (expected: 0-" + MAX_RESTART_TIME + ")");
    }
    forwardingState = Map.copyOf(forwardingState);
  }

  /** Without the N bit (RFC 4724 alone). */
  public GracefulRestart(boolean restartState, int restartTimeSeconds, Map<AddressFamily, Boolean> forwardingState) {
    this(restartState, restartTimeSeconds, forwardingState, false);
  }
}
