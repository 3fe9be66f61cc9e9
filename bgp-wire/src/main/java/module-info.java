/** Zero-copy BGP-4 codec (RFC 4271 and extensions) on Netty {@code ByteBuf}. No sockets, no threads. */
module io.speakerkit.bgp.wire {
  requires transitive io.netty.buffer;
  requires io.netty.common;
  requires io.netty.codec;

  exports io.speakerkit.bgp.wire;
}
