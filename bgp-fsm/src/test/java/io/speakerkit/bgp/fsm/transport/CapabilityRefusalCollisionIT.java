package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.testing.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What one connection learned about the peer holds for the other connection of a collision (RFC 4271 §6.8), against
 * a raw-socket peer. Loopback addresses 127.253.0.102-127.253.0.103, ports 11240-11241.
 */
class CapabilityRefusalCollisionIT {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  /** The Optional Parameters Length of an OPEN read from {@code in} (the first message there). */
  private static int readOpenOptionalParametersLength(InputStream in) throws IOException {
    byte[] h = in.readNBytes(19);
    assertEquals(19, h.length, "a message");
    assertEquals(1, h[18], "an OPEN");
    byte[] body = in.readNBytes(((h[16] & 0xFF) << 8 | (h[17] & 0xFF)) - 19);
    return body[9] & 0xFF; // version 1, my AS 2, hold 2, id 4, then the length
  }

  private static void notify(Socket s, int code, int subcode) throws IOException {
    byte[] m = new byte[21];
    java.util.Arrays.fill(m, 0, 16, (byte) 0xFF);
    m[17] = 21;
    m[18] = 3;
    m[19] = (byte) code;
    m[20] = (byte) subcode;
    s.getOutputStream().write(m);
    s.getOutputStream().flush();
  }

  /**
   * RFC 5492 §3: once the peer answered an OPEN with OPEN Message Error / Unsupported Optional Parameter, "the
   * speaker SHOULD attempt to re-establish a BGP connection with the peer without sending to the peer the
   * Capabilities Optional Parameter". That is what we know about the peer, not about one TCP connection: FRR keeps
   * it in the peer's sflags (PEER_STATUS_CAPABILITY_OPEN, bgp_notify_receive), shared by both connections of a
   * collision. The second connection of a collision (the peer dialling us while our own connection is in OpenSent)
   * must not send the Capabilities parameter again: the peer would refuse that OPEN too.
   */
  @Test
  void capabilitiesRefused_secondConnectionOfCollision_opensWithoutCapabilities() throws Exception {
    InetAddress ours = InetAddress.getByName("127.253.0.102");
    InetAddress peer = InetAddress.getByName("127.253.0.103");
    int peerPort = 11240;
    int ourPort = 11241;
    FsmConfig config = FsmConfig.builder().localAs(64601).peerAs(64602)
        .bgpIdentifier(BgpIdentifier.parse("10.0.0.1")).backoff(Duration.ofMillis(50), Duration.ofMillis(100))
        .build();
    try (ServerSocket server = new ServerSocket();
        BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, ourPort)).build().start()) {
      server.bind(new InetSocketAddress(peer, peerPort));
      BgpSession s = BgpSession.builder().transport(t).peer(peer).peerPort(peerPort).localAddress(ours)
          .config(config).build();
      s.start();
      try (Socket first = server.accept()) {
        first.setSoTimeout(4000);
        assertEquals(true, readOpenOptionalParametersLength(first.getInputStream()) > 0, "capabilities at first");
        notify(first, 2, 4); // OPEN Message Error / Unsupported Optional Parameter
      }
      try (Socket second = server.accept()) {
        second.setSoTimeout(4000);
        assertEquals(0, readOpenOptionalParametersLength(second.getInputStream()),
            "the retry goes without capabilities (RFC 5492 §3)");
        Poll.until(LIMIT, "OpenSent", () -> s.state() == BgpState.OpenSent, () -> "" + s.lastChange());
        // the peer dials us too: a collision, the session's second connection
        try (Socket third = new Socket()) {
          third.bind(new InetSocketAddress(peer, 0));
          third.connect(new InetSocketAddress(ours, ourPort), 5000);
          third.setSoTimeout(4000);
          assertEquals(0, readOpenOptionalParametersLength(third.getInputStream()),
              "the second connection's OPEN: the peer refused capabilities already");
        }
      }
      s.close();
    }
  }
}
