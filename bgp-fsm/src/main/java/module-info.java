/**
 * RFC 4271 BGP sessions: the sans-IO finite state machine ({@code io.speakerkit.bgp.fsm}), the compact Adj-RIB-Out
 * ({@code io.speakerkit.bgp.fsm.rib}) and the Netty TCP transport ({@code io.speakerkit.bgp.fsm.transport}).
 */
module io.speakerkit.bgp.fsm {
  requires transitive io.speakerkit.timers;
  requires transitive io.speakerkit.bgp.wire;
  requires transitive io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.unix.common;
  requires org.slf4j;

  exports io.speakerkit.bgp.fsm;
  exports io.speakerkit.bgp.fsm.rib;
  exports io.speakerkit.bgp.fsm.transport;
}
