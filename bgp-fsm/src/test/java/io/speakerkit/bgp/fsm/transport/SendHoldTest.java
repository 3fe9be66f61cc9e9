package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The RFC 9687 Send Hold rule on plain numbers: looks at (time, waiting, left, head progress), limit 180 s. */
class SendHoldTest {

  private static final long S = 1_000_000_000L;
  private static final long LIMIT = 180 * S;

  @Test
  void messagesWaitingAndNotMoving_stalledOnceTheLimitHasPassed() {
    SendHold h = new SendHold();
    assertFalse(h.stalled(0, LIMIT, 3, 10, 100)); // first look: the quiet time starts
    assertFalse(h.stalled(60 * S, LIMIT, 4, 10, 100)); // a KEEPALIVE more waiting is no progress
    assertFalse(h.stalled(179 * S, LIMIT, 5, 10, 100));
    assertTrue(h.stalled(180 * S, LIMIT, 6, 10, 100));
  }

  @Test
  void anyMessageLeavingOrOctetWritten_startsTheQuietTimeOver() {
    SendHold h = new SendHold();
    h.stalled(0, LIMIT, 3, 10, 100);
    assertFalse(h.stalled(170 * S, LIMIT, 3, 11, 0)); // one message left
    assertFalse(h.stalled(340 * S, LIMIT, 3, 11, 1)); // one octet of the next written: a slow reader, not a dead one
    assertFalse(h.stalled(519 * S, LIMIT, 3, 11, 1));
    assertTrue(h.stalled(520 * S, LIMIT, 3, 11, 1));
  }

  @Test
  void nothingWaiting_neverStalled_andTheNextWaitCountsFromWhenItIsSeen() {
    SendHold h = new SendHold();
    assertFalse(h.stalled(0, LIMIT, 0, 10, 0));
    assertFalse(h.stalled(500 * S, LIMIT, 0, 10, 0));
    // the same count of messages left as at the last look, but that look saw nothing waiting: counting starts now
    assertFalse(h.stalled(600 * S, LIMIT, 1, 10, 0));
    assertFalse(h.stalled(779 * S, LIMIT, 1, 10, 0));
    assertTrue(h.stalled(780 * S, LIMIT, 1, 10, 0));
  }
}
