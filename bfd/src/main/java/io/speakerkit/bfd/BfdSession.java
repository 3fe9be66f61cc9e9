package io.speakerkit.bfd;

import java.net.InetAddress;

/**
 * A handle on one BFD session run by an engine ({@link BfdDriver}, or the Netty
 * {@link io.speakerkit.bfd.transport.BfdEngine} that wraps one).
 *
 * <p>Methods may be called from any thread: changes are carried out on the engine's scheduler thread; getters
 * return the latest value published by that thread.
 */
public interface BfdSession extends AutoCloseable {

  /** bfd.LocalDiscr: non-zero, unique in its engine. */
  int localDiscriminator();

  /** bfd.RemoteDiscr: 0 until the peer has been heard from, and again after a Detection Time of silence. */
  int remoteDiscriminator();

  /** The peer. */
  InetAddress remoteAddress();

  /** The local address the session sends from. */
  InetAddress localAddress();

  /** Whether this is an RFC 5883 multihop session (port 4784) rather than an RFC 5881 single-hop one (3784). */
  boolean multihop();

  /** bfd.SessionState. */
  SessionState state();

  /**
   * bfd.RemoteSessionState, as last received. RFC 5882 §3.2: a client must not take a session down when the peer
   * signals AdminDown; this tells that case apart from a real failure.
   */
  SessionState remoteState();

  /** bfd.LocalDiag. */
  Diagnostic localDiagnostic();

  /** The profile in force. */
  BfdProfile profile();

  /**
   * Replaces the profile of the live session; a change of the advertised intervals runs a Poll Sequence in any
   * state but AdminDown, and while Up a longer transmit or shorter receive interval waits for its Final (RFC 5880
   * §6.8.3).
   */
  void updateProfile(BfdProfile profile);

  /** Subscribes to state changes until the returned handle is closed. */
  Subscription subscribe(BfdListener listener);

  /** A snapshot of the counters. */
  BfdCounters counters();

  /** Holds the session AdminDown (RFC 5880 §6.8.16): the peer sees AdminDown, diagnostic 7. */
  void adminDown();

  /** Leaves AdminDown. */
  void enable();

  /**
   * Takes the session AdminDown and removes it once the peer has had time to hear so (RFC 5880 §6.8.16: AdminDown
   * packets for at least a Detection Time): after the Detection Time the peer runs on our packets (our Detect Mult
   * times the interval we were sending at) and never sooner than {@link #ADMIN_DOWN_HOLD_MIN}, so that one lost
   * AdminDown packet is followed by another before the peer's detection expires. {@link #close()} before then
   * removes it at once.
   */
  void adminDownThenClose();

  /** The shortest time {@link #adminDownThenClose()} keeps sending AdminDown. */
  java.time.Duration ADMIN_DOWN_HOLD_MIN = java.time.Duration.ofSeconds(2);

  /**
   * Removes the session: it stops transmitting and its discriminator is freed. Idempotent; once the engine is
   * closed, a no-op.
   */
  @Override
  void close();

  /** A listener registration. */
  interface Subscription extends AutoCloseable {
    /** Stops delivery to the listener. */
    @Override
    void close();
  }
}
