/** Zero-copy BGP-4 codec (RFC 4271 and extensions) on Netty {@code ByteBuf}. No sockets, no threads. */
module io.speakerkit.bgp.wire {
  requires transitive io.netty.buffer;
  requires transitive io.netty.common;
  requires transitive io.netty.codec;
  requires io.netty.transport;

  exports io.speakerkit.bgp.wire;
  exports io.speakerkit.bgp.wire.attribute;
  exports io.speakerkit.bgp.wire.capability;
}
