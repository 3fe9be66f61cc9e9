package io.speakerkit.bgp.fsm;

import java.util.Objects;
import java.util.Optional;

/**
 * Why the session changed state: the RFC 4271 §8.1 event, the NOTIFICATION we sent or received with it (decoded to
 * names, with an RFC 9003 shutdown communication if any), and a human-readable detail such as the failed OPEN check
 * or the TCP error. This is what an operator reads when a peering sits in Idle or Active.
 *
 * @param event the event that caused the change
 * @param sent the NOTIFICATION we sent, if any
 * @param received the NOTIFICATION the peer sent, if any
 * @param detail free text, may be empty
 */
public record StateChangeCause(
    EventType event, Optional<Notification> sent, Optional<Notification> received, String detail) {

  public StateChangeCause {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(sent, "sent");
    Objects.requireNonNull(received, "received");
    detail = detail == null ? "" : detail;
  }

  /** E.g. {@code NotifMsg (Event 25), received Cease / Administrative Shutdown "maintenance"}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(event.toString());
    sent.ifPresent(n -> sb.append(", sent ").append(n));
    received.ifPresent(n -> sb.append(", received ").append(n));
    if (!detail.isEmpty()) {
      sb.append(": ").append(detail);
    }
    return sb.toString();
  }
}
