package io.speakerkit.bgp.fsm;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.PeerType;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the two OPENs agreed on (RFC 4271 §4.2, RFC 5492 and the capability RFCs); fixed for the life of the session.
 *
 * @param peerAs the peer's AS (4-octet if it advertised the capability)
 * @param peerIdentifier the peer's BGP Identifier
 * @param peerType iBGP or eBGP
 * @param holdTime the smaller of the two hold times; zero means no hold timer and no keepalives
 * @param keepaliveTime the keepalive interval; zero when the hold time is zero
 * @param families the families both sides advertised
 * @param fourOctetAs both sides advertised the 4-octet AS capability
 * @param addPathReceive families where the peer sends us path identifiers
 * @param addPathSend families where we send path identifiers
 * @param extendedMessage both sides advertised RFC 8654
 * @param extendedNextHop families whose NLRI may carry an IPv6 next hop: both sides advertised it (RFC 8950 §4)
 * @param routeRefresh the peer advertised route refresh
 * @param enhancedRouteRefresh both sides advertised RFC 7313
 * @param peerGracefulRestart the peer's graceful restart capability, present only when we advertised one too
 * @param peerOpen the peer's OPEN as received
 */
public record NegotiatedSession(
    long peerAs,
    BgpIdentifier peerIdentifier,
    PeerType peerType,
    Duration holdTime,
    Duration keepaliveTime,
    Set<AddressFamily> families,
    boolean fourOctetAs,
    Set<AddressFamily> addPathReceive,
    Set<AddressFamily> addPathSend,
    boolean extendedMessage,
    Set<AddressFamily> extendedNextHop,
    boolean routeRefresh,
    boolean enhancedRouteRefresh,
    Optional<GracefulRestart> peerGracefulRestart,
    OpenMessage peerOpen) {

  public NegotiatedSession {
    Objects.requireNonNull(peerIdentifier, "peerIdentifier");
    Objects.requireNonNull(peerType, "peerType");
    families = Set.copyOf(families);
    addPathReceive = Set.copyOf(addPathReceive);
    addPathSend = Set.copyOf(addPathSend);
    extendedNextHop = Set.copyOf(extendedNextHop);
    Objects.requireNonNull(peerGracefulRestart, "peerGracefulRestart");
    Objects.requireNonNull(peerOpen, "peerOpen");
  }

  /** The codec context for this session. */
  public CodecContext codecContext() {
    return new CodecContext(fourOctetAs, extendedMessage, addPathReceive, addPathSend, extendedNextHop, peerType);
  }
}
