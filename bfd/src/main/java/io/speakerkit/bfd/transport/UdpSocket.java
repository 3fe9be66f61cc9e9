package io.speakerkit.bfd.transport;

import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Socket;

/**
 * A non-blocking UDP socket of one address family, through Netty's public {@code io.netty.channel.unix} API (no
 * JNI of our own). The family matters: the TTL filter reads the IPv4 or the IPv6 header, and a dual-stack IPv6
 * socket would see IPv4 datagrams too.
 */
final class UdpSocket extends Socket {

  private UdpSocket(int fd) {
    super(fd);
  }

  static UdpSocket open(boolean v6) {
    return new UdpSocket(newSocketDgram0(v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET));
  }
}
