package io.speakerkit.bfd;

/**
 * Receives a session's state changes, on the engine's scheduler thread, in order. It must not block. A listener
 * that throws is logged and otherwise ignored: the exception never reaches the engine or other listeners.
 */
@FunctionalInterface
public interface BfdListener {
  /** The session changed state. */
  void onStateChange(BfdStateChange change);
}
