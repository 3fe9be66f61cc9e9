package io.speakerkit.bgp.fsm.transport;

import io.speakerkit.bgp.wire.UpdateMessage;
import java.time.Duration;

/**
 * Receives what a peer announces (the speaker's optional Adj-RIB-In lives behind this). Called on the session's
 * event loop. A listener that throws is logged; the session goes on.
 */
public interface RouteListener {

  /**
   * An UPDATE from the peer in Established, after RFC 7606 checks: {@link UpdateMessage#errorAction()} says whether
   * its NLRI are to be treated as withdrawn. (One that calls for AFI/SAFI disable closes the session with UPDATE
   * Message Error instead and does not come here.) The message is valid during the call only
   * ({@link UpdateMessage#copy()} to keep it); the session releases it.
   */
  void onUpdate(BgpSession session, UpdateMessage update);

  /**
   * The session left Established. With {@code stale} (graceful restart negotiated and no NOTIFICATION exchanged,
   * RFC 4724 §4.2) keep the peer's routes marked stale for up to {@code restartTime}, until its End-of-RIB;
   * otherwise delete them now.
   */
  default void onSessionDown(BgpSession session, boolean stale, Duration restartTime) {}
}
