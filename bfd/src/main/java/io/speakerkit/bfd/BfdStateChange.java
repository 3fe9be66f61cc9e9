package io.speakerkit.bfd;

import java.util.Objects;

/**
 * A change of bfd.SessionState, as published to {@link BfdListener}s. Knows nothing of the protocol that uses the
 * session (BGP couples to it in the speaker module, RFC 5882).
 *
 * @param session the session
 * @param oldState the state before
 * @param newState the state after
 * @param diagnostic bfd.LocalDiag after the change (why the session went down, RFC 5880 §4.1)
 * @param atNanos when, as a reading of the engine's {@link io.speakerkit.timers.Ticker}
 */
public record BfdStateChange(
    BfdSession session, SessionState oldState, SessionState newState, Diagnostic diagnostic, long atNanos) {

  public BfdStateChange {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(oldState, "oldState");
    Objects.requireNonNull(newState, "newState");
    Objects.requireNonNull(diagnostic, "diagnostic");
  }

  /**
   * Whether this is the failure of an Up session: what RFC 5882 clients react to. Not when the session went
   * AdminDown here, nor when it went Down because the peer signals AdminDown (RFC 5882 §3.2: an administrative
   * action, not a path failure, so the client stays up). Read on the engine's thread, in a listener, where
   * {@link BfdSession#remoteState()} is the peer's state that caused this change.
   */
  public boolean isUpToDown() {
    return oldState == SessionState.Up && newState == SessionState.Down
        && session.remoteState() != SessionState.AdminDown;
  }
}
