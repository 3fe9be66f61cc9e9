/**
 * RFC 4271 BGP session: the sans-IO finite state machine ({@code io.speakerkit.bgp.fsm}) and, on top of it, the
 * Netty TCP transport.
 */
module io.speakerkit.bgp.fsm {
  requires transitive io.speakerkit.timers;
  requires transitive io.speakerkit.bgp.wire;
  requires org.slf4j;

  exports io.speakerkit.bgp.fsm;
  exports io.speakerkit.bgp.fsm.rib;
}
