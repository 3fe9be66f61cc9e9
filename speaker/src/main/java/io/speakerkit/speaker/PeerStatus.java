package io.speakerkit.speaker;

import java.time.Duration;
import java.util.Optional;

/**
 * One peer as the speaker sees it now.
 *
 * @param state RFC 4271 state name, or {@code Refused} when the speaker will not run the peering
 * @param uptime time since the session reached Established, when it is
 * @param negotiated the capabilities both sides agreed on, as text (families, 4-octet AS, ...), when Established
 * @param routesSent routes in the peer's Adj-RIB-Out: what the peer is to have, sent once Established (also
 *     counted while the session is down, where {@link PeerMetrics#prefixesAnnounced()} is 0)
 * @param routesReceived routes the peer currently announces to us
 * @param bfdState RFC 5880 state name of the BFD session, empty without BFD
 * @param explanation why the session is not Established, in plain language; empty when it is
 */
public record PeerStatus(
    String peer,
    String state,
    Optional<Duration> uptime,
    String negotiated,
    int routesSent,
    int routesReceived,
    Optional<String> bfdState,
    String explanation) {}
