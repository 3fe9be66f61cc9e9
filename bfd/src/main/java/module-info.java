/**
 * BFD (RFC 5880) for speakerkit: a sans-IO session state machine ({@link io.speakerkit.bfd.BfdFsm}), the control
 * packet codec, MetalLB's {@code BFDProfile} as {@link io.speakerkit.bfd.BfdProfile}, and a Netty epoll UDP
 * transport for single-hop (RFC 5881) and multihop (RFC 5883) sessions ({@link io.speakerkit.bfd.transport.BfdEngine}).
 */
module io.speakerkit.bfd {
  requires io.speakerkit.timers;
  requires io.netty.common;
  requires io.netty.buffer;
  requires io.netty.transport;
  requires io.netty.transport.unix.common;
  requires io.netty.transport.classes.epoll;
  requires org.slf4j;

  exports io.speakerkit.bfd;
  exports io.speakerkit.bfd.transport;
}
