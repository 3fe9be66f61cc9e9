package io.speakerkit.bgp.fsm;

/**
 * Told about every state change of a session, with its cause. Called on the session's event loop thread, in order.
 * A listener that throws is logged and otherwise ignored: it never changes the session.
 */
@FunctionalInterface
public interface SessionListener {

  /** The session went from {@code change.from()} to {@code change.to()} because of {@code change.cause()}. */
  void onStateChange(BgpAction.StateChanged change);
}
