package io.speakerkit.bgp.fsm.transport;

/**
 * BGP messages sent and received by one session since it was built, by type (RFC 4271 §4.1, RFC 2918): what
 * MetalLB exports as {@code metallb_bgp_opens_sent}, {@code metallb_bgp_updates_total} and the like.
 */
public record BgpSessionCounters(
    long opensSent,
    long opensReceived,
    long updatesSent,
    long updatesReceived,
    long notificationsSent,
    long notificationsReceived,
    long keepalivesSent,
    long keepalivesReceived,
    long routeRefreshesSent,
    long routeRefreshesReceived) {}
