package io.speakerkit.bgp.wire.golden;

import io.speakerkit.testing.pcap.PcapReader;
import io.speakerkit.testing.pcap.TcpConnection;
import io.speakerkit.testing.pcap.TcpEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden captures under {@code src/test/resources/golden/} (see the README there): each TCP direction of each
 * connection, split into BGP messages by the length in their headers, and named by the daemon that sent them.
 */
final class GoldenCaptures {

  /** The pcaps and the daemon on the spoke end of each (the hub, .1 / ::x:1, is always FRR). */
  static final Map<String, String> SPOKES = Map.of(
      "frr-gobgp.pcap", "gobgpd",
      "frr-bird.pcap", "bird2",
      "frr-exabgp.pcap", "exabgp");

  private GoldenCaptures() {}

  /**
   * The messages one daemon sent on one connection.
   *
   * @param pcap file name
   * @param connection the connection's index in the pcap
   * @param sender who sent them
   * @param daemon "frr 8.4.4-1.1~deb12u2" etc., from versions.txt
   * @param config the configuration file the daemon ran with (under golden/config/)
   * @param messages each message whole, header included, in the order sent
   * @param trailing octets after the last whole message (a message cut by the end of the capture)
   */
  record Direction(
      String pcap, int connection, TcpEndpoint sender, TcpEndpoint receiver, String daemon, String config,
      List<byte[]> messages, int trailing) {

    String describe() {
      return pcap + " connection #" + connection + ", " + daemon + " (" + config + ") " + sender + " -> "
          + receiver;
    }

    @Override
    public String toString() {
      return describe() + ", " + messages.size() + " messages";
    }
  }

  /** One connection: what each side sent. */
  record Session(String pcap, TcpConnection connection, Direction fromClient, Direction fromServer) {
    @Override
    public String toString() {
      return pcap + " " + connection;
    }
  }

  static Path directory() {
    URL url = GoldenCaptures.class.getResource("/golden/README.md");
    if (url == null) {
      throw new IllegalStateException("golden/README.md is not on the test class path");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** name -> version as recorded when the pcaps were captured. */
  static Map<String, String> versions(Path dir) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(dir.resolve("versions.txt"))) {
        if (!line.startsWith("#") && !line.isBlank()) {
          String[] parts = line.trim().split("\\s+");
          out.put(parts[0], parts[1]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static List<String> pcaps() {
    return SPOKES.keySet().stream().sorted().toList();
  }

  static List<Session> sessions(String pcap) {
    return sessions(directory(), pcap);
  }

  /** The sessions of {@code pcap} in {@code dir} (the committed set, or a fresh capture's output). */
  static List<Session> sessions(Path dir, String pcap) {
    Map<String, String> versions = versions(dir);
    List<Session> out = new ArrayList<>();
    for (TcpConnection c : PcapReader.readTcp(dir.resolve(pcap))) {
      out.add(new Session(pcap, c,
          direction(pcap, c, c.client(), c.server(), c.clientToServer(), versions),
          direction(pcap, c, c.server(), c.client(), c.serverToClient(), versions)));
    }
    return out;
  }

  static List<Session> allSessions() {
    return allSessions(directory());
  }

  static List<Session> allSessions(Path dir) {
    List<Session> out = new ArrayList<>();
    for (String pcap : pcaps()) {
      out.addAll(sessions(dir, pcap));
    }
    return out;
  }

  private static Direction direction(
      String pcap, TcpConnection c, TcpEndpoint sender, TcpEndpoint receiver, byte[] stream,
      Map<String, String> versions) {
    boolean hub = isHub(sender);
    String pkg = hub ? "frr" : SPOKES.get(pcap);
    String config = switch (pkg) {
      case "frr" -> "frr-hub.conf";
      case "gobgpd" -> "gobgpd.toml";
      case "bird2" -> "bird.conf";
      case "exabgp" -> "exabgp.conf";
      default -> throw new IllegalStateException(pkg);
    };
    List<byte[]> messages = new ArrayList<>();
    int off = 0;
    while (stream.length - off >= 19) {
      int length = ((stream[off + 16] & 0xFF) << 8) | (stream[off + 17] & 0xFF);
      if (length < 19 || off + length > stream.length) {
        break;
      }
      messages.add(Arrays.copyOfRange(stream, off, off + length));
      off += length;
    }
    return new Direction(pcap, c.index(), sender, receiver, pkg + " " + versions.get(pkg), config,
        List.copyOf(messages), stream.length - off);
  }

  /** The FRR hub has host address 1 on every link: 10.254.N.1 or fd00:254::N:1. */
  static boolean isHub(TcpEndpoint endpoint) {
    byte[] a = endpoint.address().getAddress();
    return a[a.length - 1] == 1;
  }
}
