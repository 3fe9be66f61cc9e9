package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.RouteRefreshMessage;
import io.speakerkit.testing.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a session says to a peer that breaks the rules around the OPEN exchange: a raw socket plays the peer.
 * Loopback addresses 127.253.0.91-96, ports 11227-11230.
 */
class CollisionAndUnexpectedMessageIT {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  private static FsmConfig.Builder ours() {
    return FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"));
  }

  private static FsmConfig rawPeer() {
    return FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.2")).build();
  }

  private static void write(Socket s, ByteBuf out) throws IOException {
    byte[] b = new byte[out.readableBytes()];
    out.readBytes(b);
    out.release();
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
  }

  private static ByteBuf open() {
    ByteBuf out = Unpooled.buffer();
    BgpMessageEncoder.encode(WireAdapter.toWire(rawPeer().localOpen()), out, CodecContext.INITIAL);
    return out;
  }

  /** Code/subcode of the NOTIFICATION read before the connection ends, [-1,-1] if none (or none within 4 s). */
  private static List<Integer> notificationBeforeEnd(InputStream in) throws IOException {
    int code = -1;
    int sub = -1;
    try {
      while (true) {
        byte[] h = in.readNBytes(19);
        if (h.length < 19) {
          break;
        }
        byte[] body = in.readNBytes(((h[16] & 0xFF) << 8 | (h[17] & 0xFF)) - 19);
        if (h[18] == 3) {
          code = body[0] & 0xFF;
          sub = body[1] & 0xFF;
        }
      }
    } catch (SocketTimeoutException e) {
      // still open, nothing more said
    } catch (java.net.SocketException e) {
      // reset
    }
    return List.of(code, sub);
  }

  /** Reads our OPEN (the first message) from the session. */
  private static void readOpen(InputStream in) throws IOException {
    byte[] h = in.readNBytes(19);
    assertEquals(1, h[18], "our OPEN first");
    in.readNBytes(((h[16] & 0xFF) << 8 | (h[17] & 0xFF)) - 19);
  }

  /**
   * RFC 6608 §3: "If a BGP speaker receives an unexpected message (e.g., KEEPALIVE/UPDATE/ROUTE-REFRESH message) on a
   * session in OpenSent state, it MUST send to the neighbor a NOTIFICATION message with the Error Code Finite State
   * Machine Error and the Error Subcode 'Receive Unexpected Message in OpenSent State'." FRR's
   * bgp_route_refresh_receive does so (bgp_fsm_error_subcode(status)).
   */
  @Test
  void openSent_routeRefreshReceived_sendsFsmError5_1() throws Exception {
    assertEquals(List.of(5, 1), notificationForRouteRefresh(false, "127.253.0.91", "127.253.0.92", 11227));
  }

  /** As above in OpenConfirm: RFC 6608 subcode 2, "Receive Unexpected Message in OpenConfirm State". */
  @Test
  void openConfirm_routeRefreshReceived_sendsFsmError5_2() throws Exception {
    assertEquals(List.of(5, 2), notificationForRouteRefresh(true, "127.253.0.93", "127.253.0.94", 11228));
  }

  /**
   * The NOTIFICATION our session sends for a ROUTE-REFRESH that comes in OpenSent, or, {@code afterPeerOpen}, in
   * OpenConfirm.
   */
  private static List<Integer> notificationForRouteRefresh(boolean afterPeerOpen, String local, String remote,
      int port) throws Exception {
    InetAddress a = InetAddress.getByName(local);
    InetAddress b = InetAddress.getByName(remote);
    try (ServerSocket server = new ServerSocket(); BgpTransport t = BgpTransport.builder().build()) {
      server.bind(new InetSocketAddress(b, port));
      BgpSession s = BgpSession.builder().transport(t).peer(b).peerPort(port).localAddress(a).config(ours().build())
          .build();
      s.start();
      try (Socket peer = server.accept()) {
        peer.setSoTimeout(4000);
        readOpen(peer.getInputStream());
        if (afterPeerOpen) {
          write(peer, open());
          Poll.until(LIMIT, "OpenConfirm", () -> s.state() == BgpState.OpenConfirm, () -> "" + s.lastChange());
        }
        ByteBuf out = Unpooled.buffer();
        BgpMessageEncoder.encode(RouteRefreshMessage.of(AddressFamily.IPV4_UNICAST), out,
            afterPeerOpen ? CodecContext.FOUR_OCTET_AS : CodecContext.INITIAL);
        write(peer, out);
        return notificationBeforeEnd(peer.getInputStream());
      }
    }
  }

  /**
   * RFC 4271 §6.8: "a connection collision with an existing BGP connection that is in the Established state causes
   * closing of the newly created connection" and "Closing the BGP connection (that results from the collision
   * resolution procedure) is accomplished by sending the NOTIFICATION message with the Error Code Cease." FRR's
   * bgp_collision_detect: an Established session's doppelganger gets Cease / Connection Collision Resolution.
   */
  @Test
  void established_newConnectionFromPeer_closedWithCease6_7() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.95");
    InetAddress b = InetAddress.getByName("127.253.0.96");
    int peerPort = 11229;
    int ourPort = 11230;
    try (ServerSocket server = new ServerSocket();
        BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(a, ourPort)).build().start()) {
      server.bind(new InetSocketAddress(b, peerPort));
      BgpSession s = BgpSession.builder().transport(t).peer(b).peerPort(peerPort).localAddress(a)
          .config(ours().build()).build();
      s.start();
      try (Socket peer = server.accept()) {
        peer.setSoTimeout(4000);
        ByteBuf out = open();
        BgpMessageEncoder.writeKeepalive(out);
        write(peer, out);
        Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established, () -> "" + s.lastChange());
        try (Socket second = new Socket()) {
          second.bind(new InetSocketAddress(b, 0));
          second.connect(new InetSocketAddress(a, ourPort), 5000);
          second.setSoTimeout(4000);
          try {
            write(second, open());
          } catch (IOException closedAlready) {
            // the session closed it at once
          }
          assertEquals(List.of(6, 7), notificationBeforeEnd(second.getInputStream()));
        }
        assertEquals(BgpState.Established, s.state());
      }
    }
  }
}
