package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A receive port already taken (another BFD daemon on the host) is reported, not silently left Down. */
class ReceiveProblemIT {

  @Test
  void receivePortTaken_reportedPerSession() throws Exception {
    InetAddress local = InetAddress.getByName("127.0.0.1");
    try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(local, 0));
        BfdEngine engine = BfdEngine.builder().singleHopPort(squatter.getLocalPort()).build()) {
      BfdSession session = engine.createSession(BfdSessionConfig.builder().localAddress(local)
          .remoteAddress(InetAddress.getByName("127.0.0.9")).profile(BfdProfile.DEFAULT).build());
      Poll.until(Duration.ofSeconds(10), "the bind failure reported", () -> engine.receiveProblem(session).isPresent());
      String problem = engine.receiveProblem(session).orElseThrow();
      assertTrue(problem.startsWith("cannot listen on 127.0.0.1 port " + squatter.getLocalPort() + ": "), problem);
      session.close();
    }
  }

  /** The port freed again, the next session on that address binds the receive socket: the problem is gone. */
  @Test
  void receivePortTakenThenFreed_nextSessionListens() throws Exception {
    InetAddress local = InetAddress.getByName("127.0.0.1");
    DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(local, 0));
    try (BfdEngine engine = BfdEngine.builder().singleHopPort(squatter.getLocalPort()).build()) {
      BfdSession first = engine.createSession(BfdSessionConfig.builder().localAddress(local)
          .remoteAddress(InetAddress.getByName("127.0.0.9")).profile(BfdProfile.DEFAULT).build());
      Poll.until(Duration.ofSeconds(10), "the bind failure reported", () -> engine.receiveProblem(first).isPresent());
      squatter.close();
      BfdSession second = engine.createSession(BfdSessionConfig.builder().localAddress(local)
          .remoteAddress(InetAddress.getByName("127.0.0.10")).profile(BfdProfile.DEFAULT).build());
      Poll.until(Duration.ofSeconds(10), "the receive socket bound", () -> engine.receiveProblem(second).isEmpty(),
          () -> engine.receiveProblem(second).toString());
      assertEquals(Optional.empty(), engine.receiveProblem(first), "one socket for both");
      first.close();
      second.close();
    } finally {
      squatter.close();
    }
  }

  @Test
  void receivePortFree_noProblem() throws Exception {
    InetAddress local = InetAddress.getByName("127.0.0.1");
    int port;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(local, 0))) {
      port = probe.getLocalPort();
    }
    try (BfdEngine engine = BfdEngine.builder().singleHopPort(port).build()) {
      BfdSession session = engine.createSession(BfdSessionConfig.builder().localAddress(local)
          .remoteAddress(InetAddress.getByName("127.0.0.9")).profile(BfdProfile.DEFAULT).build());
      assertEquals(Optional.empty(), engine.receiveProblem(session));
      session.close();
    }
  }

  /** The port freed again, the receive socket is bound by itself (a retry after 1 s), no new session needed. */
  @Test
  void receivePortTakenThenFreed_listenerBindsAgainByItself() throws Exception {
    InetAddress local = InetAddress.getByName("127.0.0.1");
    DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(local, 0));
    try (BfdEngine engine = BfdEngine.builder().singleHopPort(squatter.getLocalPort()).build()) {
      BfdSession session = engine.createSession(BfdSessionConfig.builder().localAddress(local)
          .remoteAddress(InetAddress.getByName("127.0.0.9")).profile(BfdProfile.DEFAULT).build());
      Poll.until(Duration.ofSeconds(10), "the bind failure reported", () -> engine.receiveProblem(session).isPresent());
      squatter.close();
      Poll.until(Duration.ofSeconds(10), "the receive socket bound", () -> engine.receiveProblem(session).isEmpty(),
          () -> engine.receiveProblem(session).toString());
      session.close();
    } finally {
      squatter.close();
    }
  }

  /**
   * A session whose local address is not configured yet (an interface still coming up, an IPv6 address in duplicate
   * address detection) binds its sockets once the address is there, and sends: it was left without a sending
   * socket for good.
   */
  @Test
  void localAddressConfiguredLater_sessionBindsAndSends() throws Exception {
    try (Netns ns = Netns.create("skbfdlate", "10.252.40.1/24", "10.252.40.2/24");
        BfdEngine engine = BfdEngine.builder().build()) {
      BfdSession session = engine.createSession(BfdSessionConfig.builder()
          .localAddress(InetAddress.getByName("10.252.41.1")).remoteAddress(InetAddress.getByName("10.252.41.2"))
          .profile(BfdProfile.DEFAULT).build());
      Poll.until(Duration.ofSeconds(10), "the bind failure reported", () -> engine.receiveProblem(session).isPresent());
      assertEquals(0, engine.sourcePort(session));
      long before = session.counters().controlPacketsOut();
      ns.addAddresses("10.252.41.1/24", "10.252.41.2/24");
      Poll.until(Duration.ofSeconds(15), "sockets bound and packets sent", () -> engine.sourcePort(session) != 0
          && engine.receiveProblem(session).isEmpty() && session.counters().controlPacketsOut() > before,
          () -> engine.receiveProblem(session) + " " + session.counters());
      session.close();
    }
  }
}
