package io.speakerkit.speaker;

import io.speakerkit.bfd.BfdCounters;
import io.speakerkit.bgp.fsm.transport.BgpSessionCounters;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The numbers MetalLB exports per peer ({@code metallb_bgp_session_up}, {@code metallb_bgp_updates_total},
 * {@code metallb_bgp_announced_prefixes_total}, {@code metallb_bfd_control_packet_input/output},
 * {@code metallb_bfd_session_up_events/down_events}, ...), as plain values any metrics library can bind to.
 *
 * @param peer the peer's name
 * @param peerAddress the peer's address
 * @param peerPort the peer's TCP port (MetalLB labels BGP metrics {@code peer="address:port"})
 * @param sessionUp the BGP session is Established
 * @param bgp messages sent and received by type
 * @param prefixesAnnounced routes in the peer's Adj-RIB-Out while the session is Established, else 0 (as FRR's
 *     prefixes sent, which MetalLB exports)
 * @param prefixesReceived routes the peer announces to us
 * @param bfd BFD counters (packets in/out, up/down transitions, discards by reason), empty without BFD
 * @param bfdSessionUp the BFD session is Up
 */
public record PeerMetrics(
    String peer,
    InetAddress peerAddress,
    int peerPort,
    boolean sessionUp,
    BgpSessionCounters bgp,
    int prefixesAnnounced,
    int prefixesReceived,
    Optional<BfdCounters> bfd,
    boolean bfdSessionUp) {

  /** Told the metrics of every peer after anything that changes them; must not block. */
  @FunctionalInterface
  public interface Listener {
    void onMetrics(java.util.List<PeerMetrics> metrics);
  }
}
