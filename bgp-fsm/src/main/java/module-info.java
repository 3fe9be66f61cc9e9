/**
 * RFC 4271 BGP sessions: the sans-IO finite state machine ({@code io.speakerkit.bgp.fsm}), the compact Adj-RIB-Out
 * ({@code io.speakerkit.bgp.fsm.rib}), the Netty TCP transport ({@code io.speakerkit.bgp.fsm.transport}) and MRT
 * files of received routes ({@code io.speakerkit.bgp.fsm.mrt}).
 */
module io.speakerkit.bgp.fsm {
  requires transitive io.speakerkit.timers;
  requires transitive io.speakerkit.bgp.wire;
  requires transitive io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.unix.common;
  requires org.slf4j;

  exports io.speakerkit.bgp.fsm;
  exports io.speakerkit.bgp.fsm.mrt;
  exports io.speakerkit.bgp.fsm.rib;
  exports io.speakerkit.bgp.fsm.transport;
}
