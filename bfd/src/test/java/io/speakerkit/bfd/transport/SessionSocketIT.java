package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.testing.Poll;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A session moves to its own receiving socket, connected to the peer's source port, once it has accepted a packet
 * on the shared one, and follows the peer to a new source port after the peer restarts (RFC 5881 §4). Loopback
 * only.
 */
class SessionSocketIT {

  static final BfdProfile FAST = BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build();

  /**
   * Closing a session after its engine is a no-op: the speaker closes a session it took AdminDown two seconds later,
   * by which time the speaker, and the engine, may have stopped.
   */
  @Test
  void sessionClose_afterEngineClosed_noOp() throws Exception {
    InetAddress a = InetAddress.getByName("127.0.0.1");
    int port;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(a, 0))) {
      port = probe.getLocalPort();
    }
    BfdEngine engine = BfdEngine.builder().singleHopPort(port).build();
    BfdSession s = engine.createSession(BfdSessionConfig.builder().localAddress(a)
        .remoteAddress(InetAddress.getByName("127.0.0.3")).profile(FAST).build());
    engine.close();
    assertDoesNotThrow(s::close);
    assertDoesNotThrow(s::close);
  }

  @Test
  void ownSocket_connectedToPeerSourcePort_followsPeerRestart() throws Exception {
    Assumptions.assumeTrue(BfdEngine.kernelPrefersConnected(System.getProperty("os.version", "")));
    InetAddress a = InetAddress.getByName("127.0.0.1");
    InetAddress b = InetAddress.getByName("127.0.0.2");
    int port;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(a, 0))) {
      port = probe.getLocalPort();
    }
    try (BfdEngine ea = BfdEngine.builder().singleHopPort(port).build();
        BfdEngine eb = BfdEngine.builder().singleHopPort(port).build()) {
      BfdSession sa = ea.createSession(BfdSessionConfig.builder().localAddress(a).remoteAddress(b).profile(FAST)
          .build());
      BfdSession sb = eb.createSession(BfdSessionConfig.builder().localAddress(b).remoteAddress(a).profile(FAST)
          .build());
      Poll.until(Duration.ofSeconds(10), "both Up on their own sockets", () -> sa.state() == SessionState.Up
          && sb.state() == SessionState.Up && ea.ownSocketPeer(sa).isPresent() && eb.ownSocketPeer(sb).isPresent());
      assertEquals(new InetSocketAddress(b, eb.sourcePort(sb)), ea.ownSocketPeer(sa).orElseThrow());
      assertEquals(new InetSocketAddress(a, ea.sourcePort(sa)), eb.ownSocketPeer(sb).orElseThrow());
      long in = sa.counters().controlPacketsIn();
      Poll.until(Duration.ofSeconds(5), "packets keep arriving", () -> sa.counters().controlPacketsIn() > in + 20);

      // The peer restarts: a new session, a new source port.
      sb.close();
      BfdSession sb2 = eb.createSession(BfdSessionConfig.builder().localAddress(b).remoteAddress(a).profile(FAST)
          .build());
      Poll.until(Duration.ofSeconds(10), "the new peer session's port", () -> eb.sourcePort(sb2) != 0);
      int newPort = eb.sourcePort(sb2); // random: equal to oldPort once in 16,384 runs, which proves less but passes
      Poll.until(Duration.ofSeconds(10), "Up again, on a socket connected to the new port",
          () -> sa.state() == SessionState.Up && sb2.state() == SessionState.Up
              && ea.ownSocketPeer(sa).orElseThrow().getPort() == newPort);
      long in2 = sa.counters().controlPacketsIn();
      Poll.until(Duration.ofSeconds(5), "packets keep arriving", () -> sa.counters().controlPacketsIn() > in2 + 20);
      assertEquals(SessionState.Up, sa.state());
    }
  }

  /**
   * RFC 5881 §4 source ports, a range of two and three sessions: the third shares a port with a live session of
   * another local address; closing it leaves that port taken, so a new session gets the free one.
   */
  @Test
  void sourcePortRangeUsedUp_portSharedByTwo_staysTakenUntilBothGo() throws Exception {
    BfdProfile slow = BfdProfile.builder().receiveIntervalMillis(300).transmitIntervalMillis(300).build();
    try (BfdEngine e = BfdEngine.builder().singleHopPort(12060).sourcePortRange(12050, 12051).build()) {
      java.util.function.Function<String, BfdSession> open = local -> {
        try {
          BfdSession s = e.createSession(BfdSessionConfig.builder().localAddress(InetAddress.getByName(local))
              .remoteAddress(InetAddress.getByName("127.0.0.59")).profile(slow).build());
          Poll.until(java.time.Duration.ofSeconds(5), "source port of " + local, () -> e.sourcePort(s) != 0);
          return s;
        } catch (java.net.UnknownHostException ex) {
          throw new IllegalStateException(ex);
        }
      };
      BfdSession s1 = open.apply("127.0.0.50");
      BfdSession s2 = open.apply("127.0.0.51");
      BfdSession s3 = open.apply("127.0.0.52"); // the range is used up: it shares a port with s1 or s2
      BfdSession sharer = e.sourcePort(s1) == e.sourcePort(s3) ? s1 : s2;
      BfdSession other = sharer == s1 ? s2 : s1;
      s3.close();
      other.close();
      e.call(() -> null); // both closes done on the engine's loop
      BfdSession s4 = open.apply("127.0.0.53");
      assertNotEquals(e.sourcePort(sharer), e.sourcePort(s4), "the port the sharer still sends from");
    }
  }
}
