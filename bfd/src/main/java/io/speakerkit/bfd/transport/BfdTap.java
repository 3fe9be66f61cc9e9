package io.speakerkit.bfd.transport;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Sees every BFD control packet the engine sends and receives (TTL-filtered ones excluded), for packet capture.
 * Called on the engine's event loop; must not block. {@code payload} is valid during the call only and must not be
 * released or kept.
 */
@FunctionalInterface
public interface BfdTap {

  /** A UDP datagram with {@code payload} went from {@code from} to {@code to}. */
  void udp(InetSocketAddress from, InetSocketAddress to, ByteBuf payload);
}
