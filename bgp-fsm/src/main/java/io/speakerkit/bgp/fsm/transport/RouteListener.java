package io.speakerkit.bgp.fsm.transport;

import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.UpdateMessage;
import java.time.Duration;
import java.util.Set;

/**
 * Receives what a peer announces (the speaker's optional Adj-RIB-In lives behind this). Called on the session's
 * event loop. A listener that throws is logged; the session goes on.
 */
public interface RouteListener {

  /**
   * An UPDATE from the peer in Established, after RFC 7606 checks and those needing the peer's AS
   * ({@link io.speakerkit.bgp.wire.UpdateChecks}, see {@link BgpSession.Builder#enforceFirstAs}):
   * {@link UpdateMessage#errorAction()} says whether its NLRI are to be treated as withdrawn. (One that calls for AFI/SAFI disable closes the session with UPDATE
   * Message Error instead and does not come here.) NLRI of a family the OPENs did not negotiate are to be ignored
   * (RFC 4760 §7): an UPDATE carrying only those does not come here; one that mixes them with negotiated families
   * does, and {@link RouteKey#announced(UpdateMessage, Set)} and {@link RouteKey#withdrawn(UpdateMessage, Set)} with
   * the session's negotiated families leave them out. The message is valid during the call only
   * ({@link UpdateMessage#copy()} to keep it); the session releases it.
   */
  void onUpdate(BgpSession session, UpdateMessage update);

  /**
   * The session left Established. Keep the peer's routes of {@code staleFamilies} marked stale for up to
   * {@code restartTime}, until the peer's End-of-RIB for the family, and delete the others now (RFC 4724 §4.2). The
   * set holds the families of the peer's graceful restart capability when graceful restart was negotiated and no
   * NOTIFICATION was exchanged; otherwise it is empty.
   */
  default void onSessionDown(BgpSession session, Set<AddressFamily> staleFamilies, Duration restartTime) {}

  /**
   * The session reached Established with what {@code negotiated} says. A listener keeping stale routes deletes now
   * those of every family for which the peer's new graceful restart capability does not set the Forwarding State
   * bit, or of all families when the capability is absent (RFC 4724 §4.2).
   */
  default void onSessionUp(BgpSession session, NegotiatedSession negotiated) {}

  /**
   * The peer begins re-sending the routes of {@code family} (BoRR, RFC 7313 §4), in answer to
   * {@link BgpSession#requestRouteRefresh} or of its own accord. A listener keeping routes marks the family's stale.
   * Comes only when enhanced route refresh and the family were negotiated.
   */
  default void onRefreshBegin(BgpSession session, AddressFamily family) {}

  /**
   * The peer has re-sent every route of {@code family} (EoRR, RFC 7313 §4): a listener keeping routes deletes those
   * of the family still stale since {@link #onRefreshBegin}.
   */
  default void onRefreshEnd(BgpSession session, AddressFamily family) {}
}
