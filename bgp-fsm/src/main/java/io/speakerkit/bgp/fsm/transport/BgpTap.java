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

  /**
   * The TCP connection between {@code local} and {@code remote} closed: nothing more is shown for it, so per-connection
   * state (sequence numbers, say) can go. Called once per connection that was shown.
   */
  default void tcpClosed(InetSocketAddress local, InetSocketAddress remote) {}
}
