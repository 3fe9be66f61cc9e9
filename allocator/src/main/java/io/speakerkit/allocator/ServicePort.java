package io.speakerkit.allocator;

import java.util.Objects;

/**
 * A protocol/port pair a service exposes; two services can share an address only if none of their pairs collide.
 *
 * @param protocol transport protocol
 * @param port port number, 1 to 65535
 */
public record ServicePort(Protocol protocol, int port) implements Comparable<ServicePort> {
  public ServicePort {
    Objects.requireNonNull(protocol, "protocol");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
  }

  /** {@code TCP/port}. */
  public static ServicePort tcp(int port) {
    return new ServicePort(Protocol.TCP, port);
  }

  /** {@code UDP/port}. */
  public static ServicePort udp(int port) {
    return new ServicePort(Protocol.UDP, port);
  }

  @Override
  public int compareTo(ServicePort o) {
    int c = protocol.compareTo(o.protocol);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  @Override
  public String toString() {
    return protocol + "/" + port;
  }
}
