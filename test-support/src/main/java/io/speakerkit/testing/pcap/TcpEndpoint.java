package io.speakerkit.testing.pcap;

import java.net.InetAddress;
import java.util.Objects;

/** One end of a TCP connection seen in a capture. */
public record TcpEndpoint(InetAddress address, int port) {

  public TcpEndpoint {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
  }

  @Override
  public String toString() {
    String host = address.getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
