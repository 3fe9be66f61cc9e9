package io.speakerkit.bgp.fsm.transport;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Sees every byte a session's TCP connections carry, in order, for packet capture. Called on the session's event
 * loop; must not block. {@code payload} is valid during the call only and must not be released or kept.
 */
@FunctionalInterface
public interface BgpTap {

  /** {@code payload} went from {@code from} to {@code to} on one TCP connection. */
  void tcp(InetSocketAddress from, InetSocketAddress to, ByteBuf payload);
}
