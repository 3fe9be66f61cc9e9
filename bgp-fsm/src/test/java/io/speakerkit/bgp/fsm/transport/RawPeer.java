package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.testing.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A peer spoken by hand on a plain socket, for the session socket tests: it listens at {@code b:port}, our session
 * (AS 64601, identifier 10.0.0.1) dials it from {@code a}, and the test writes bytes and reads what the session sends.
 * The peer speaks for AS 64602 with identifier 10.0.0.2 ({@link #config()}).
 */
final class RawPeer implements AutoCloseable {

  static final Duration LIMIT = Duration.ofSeconds(20);
  static final long OUR_AS = 64601;
  static final long PEER_AS = 64602;

  final InetAddress a;
  final InetAddress b;
  final BgpTransport transport;
  final BgpSession session;
  private final ServerSocket server;
  Socket socket;
  /** Our OPEN on the connection {@link #establish} took (type octet, then body). */
  byte[] ourOpen;

  /**
   * Builds (not starts) our session from {@code a} to the raw peer at {@code b:port}; {@code tweak} changes its
   * configuration, {@code session} its builder (route listener, limits).
   */
  RawPeer(String a, String b, int port, UnaryOperator<FsmConfig.Builder> tweak,
      Consumer<BgpSession.Builder> session) throws IOException {
    this.a = InetAddress.getByName(a);
    this.b = InetAddress.getByName(b);
    server = new ServerSocket();
    server.bind(new InetSocketAddress(this.b, port));
    server.setSoTimeout(10_000);
    transport = BgpTransport.builder().build();
    BgpSession.Builder builder = BgpSession.builder().transport(transport).peer(this.b).peerPort(port)
        .localAddress(this.a)
        .config(tweak.apply(FsmConfig.builder().localAs(OUR_AS).peerAs(PEER_AS)
            .bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))).build());
    session.accept(builder);
    this.session = builder.build();
  }

  /** The raw peer's configuration: AS 64602, identifier 10.0.0.2, facing AS 64601. */
  static FsmConfig.Builder config() {
    return FsmConfig.builder().localAs(PEER_AS).peerAs(OUR_AS).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"));
  }

  /** Waits for the session's next connection (reads time out after 10 s). */
  Socket accept() throws IOException {
    socket = server.accept();
    socket.setSoTimeout(10_000);
    return socket;
  }

  /**
   * Starts the session, takes its connection, reads our OPEN ({@link #ourOpen}) and answers with the OPEN of
   * {@code peer} and a KEEPALIVE.
   */
  RawPeer establish(FsmConfig peer) throws IOException {
    session.start();
    accept();
    ourOpen = nextIncludingKeepalives();
    assertEquals(1, ourOpen[0], "our OPEN first");
    openAndKeepalive(peer);
    Poll.until(LIMIT, "Established", () -> session.state() == BgpState.Established, () -> "" + session.lastChange());
    return this;
  }

  /** Writes the OPEN of {@code peer} and a KEEPALIVE on the current connection. */
  void openAndKeepalive(FsmConfig peer) throws IOException {
    ByteBuf out = Unpooled.buffer();
    BgpMessageEncoder.encode(WireAdapter.toWire(peer.localOpen()), out, CodecContext.INITIAL);
    BgpMessageEncoder.writeKeepalive(out);
    write(out);
  }

  /** Writes what {@code out} holds and releases it. */
  void write(ByteBuf out) throws IOException {
    DialingPeer.send(socket, out);
  }

  /** The next message from the session other than a KEEPALIVE: its type octet, then its body. */
  byte[] next() throws IOException {
    for (;;) {
      byte[] m = nextIncludingKeepalives();
      if (m[0] != 4) {
        return m;
      }
    }
  }

  /** The next message from the session: its type octet, then its body. */
  byte[] nextIncludingKeepalives() throws IOException {
    return DialingPeer.readMessage(socket.getInputStream(), "from the session");
  }

  /** Whether {@code m} (as {@link #next()} returns it) is an End-of-RIB (RFC 4724 §2; IPv4 or MP form). */
  static boolean endOfRib(byte[] m) {
    // no withdrawn routes, no NLRI, and no attribute or only an empty MP_UNREACH_NLRI (AFI 2 octets, SAFI 1)
    return m[0] == 2 && (m.length == 5 || m.length == 11 && m[6] == 15 && m[7] == 3);
  }

  /** Reads until the End-of-RIB of the initial table (one family); returns the number of UPDATEs before it. */
  int readInitialTable() throws IOException {
    int updates = 0;
    for (byte[] m = next(); !endOfRib(m); m = next()) {
      assertEquals(2, m[0], "an UPDATE of the initial table, got " + Arrays.toString(m));
      updates++;
    }
    return updates;
  }

  @Override
  public void close() throws IOException {
    try {
      transport.close();
    } finally {
      if (socket != null) {
        socket.close();
      }
      server.close();
    }
  }
}
