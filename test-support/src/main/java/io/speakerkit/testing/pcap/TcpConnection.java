package io.speakerkit.testing.pcap;

import java.util.Objects;

/**
 * One TCP connection reassembled from a capture: the payload each side sent, in sequence-number order, with
 * retransmitted and duplicated segments counted once.
 *
 * @param index the connection's position in the capture (0 = the first one whose first packet was seen)
 * @param client the side that sent the SYN (or, if the handshake was not captured, the sender of the first packet)
 * @param server the other side
 * @param clientToServer every payload byte the client sent
 * @param serverToClient every payload byte the server sent
 */
public record TcpConnection(
    int index, TcpEndpoint client, TcpEndpoint server, byte[] clientToServer, byte[] serverToClient) {

  public TcpConnection {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(clientToServer, "clientToServer");
    Objects.requireNonNull(serverToClient, "serverToClient");
  }

  /** The bytes {@code sender} sent. */
  public byte[] sentBy(TcpEndpoint sender) {
    if (sender.equals(client)) {
      return clientToServer;
    }
    if (sender.equals(server)) {
      return serverToClient;
    }
    throw new IllegalArgumentException(sender + " is not an end of " + this);
  }

  @Override
  public String toString() {
    return "TCP connection #" + index + " " + client + " -> " + server + " (" + clientToServer.length + " + "
        + serverToClient.length + " octets)";
  }
}
