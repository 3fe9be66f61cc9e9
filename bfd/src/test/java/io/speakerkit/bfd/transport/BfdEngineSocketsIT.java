package io.speakerkit.bfd.transport;

import static io.speakerkit.bfd.transport.CraftedPeer.packet;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.testing.Poll;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The sockets the engine holds: source ports (RFC 5881 §4) taken from the configured range and given back when a
 * session closes, receive sockets closed with the last session of their address, everything closed with the engine
 * even on an event loop it does not own. Loopback 127.0.13.30-59, ports 16230-16259 and source ports 16330-16359.
 */
class BfdEngineSocketsIT {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final BfdProfile SLOW = BfdEngineWireIT.SLOW;

  /** Picks the top of every source port range; jitter and discriminators stay random. */
  static final class TopPorts implements RandomGenerator {
    private final SplittableRandom r = new SplittableRandom();

    @Override
    public long nextLong() {
      return r.nextLong();
    }

    @Override
    public int nextInt(int bound) {
      return bound - 1;
    }
  }

  static BfdSession open(BfdEngine e, String local, String remote) throws Exception {
    BfdSession s = e.createSession(BfdSessionConfig.builder().localAddress(InetAddress.getByName(local))
        .remoteAddress(InetAddress.getByName(remote)).profile(SLOW).build());
    Poll.until(WAIT, "the source port of " + local, () -> e.sourcePort(s) != 0);
    return s;
  }

  /** Whether a plain socket (no SO_REUSEPORT) can bind the address: nothing else holds it. */
  @SuppressWarnings("try") // a resource held open for its side effect (the bound port), not read
  static boolean free(String address, int port) throws Exception {
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), port))) {
      return true;
    } catch (java.net.BindException taken) {
      return false;
    }
  }

  /** A range of one port: every session sends from it. */
  @Test
  void sourcePortRangeOfOnePort_everySessionSendsFromIt() throws Exception {
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16230).sourcePortRange(16330, 16330).build()) {
      BfdSession a = open(e, "127.0.13.30", "127.0.13.39");
      BfdSession b = open(e, "127.0.13.31", "127.0.13.39");
      assertEquals(16330, e.sourcePort(a));
      assertEquals(16330, e.sourcePort(b));
    }
  }

  /**
   * RFC 5881 §4 (a source port unique among the sessions): the ports of a range are taken in turn, wrapping at its
   * top, and come back when their sessions close, so that later sessions again get one each.
   */
  @Test
  void sourcePorts_takenInTurnWrappingAtTop_freedOnClose() throws Exception {
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16231).sourcePortRange(16331, 16332).random(new TopPorts())
        .build()) {
      BfdSession a = open(e, "127.0.13.32", "127.0.13.39");
      BfdSession b = open(e, "127.0.13.33", "127.0.13.39");
      assertEquals(16332, e.sourcePort(a));
      assertEquals(16331, e.sourcePort(b), "past the top of the range: its bottom");
      a.close();
      b.close();
      e.call(() -> null); // both closed on the loop
      BfdSession c = open(e, "127.0.13.34", "127.0.13.39");
      BfdSession d = open(e, "127.0.13.35", "127.0.13.39");
      assertEquals(Set.of(16331, 16332), Set.of(e.sourcePort(c), e.sourcePort(d)));
    }
  }

  /**
   * The receive socket of an address stays while a session uses it and is closed with the last one; a closed
   * session's sending socket is closed at once.
   */
  @Test
  void lastSessionOfAddressClosed_receiveAndSendSocketsClosed() throws Exception {
    InetSocketAddress engineAddr = new InetSocketAddress(InetAddress.getByName("127.0.13.40"), 16240);
    try (BfdEngine e = BfdEngine.builder().singleHopPort(16240).sourcePortRange(16340, 16349).build();
        CraftedPeer peer = new CraftedPeer(new InetSocketAddress(InetAddress.getByName("127.0.13.42"), 16240))) {
      BfdSession first = open(e, "127.0.13.40", "127.0.13.41");
      BfdSession second = open(e, "127.0.13.40", "127.0.13.42");
      int firstPort = e.sourcePort(first);
      first.close();
      e.call(() -> null);
      assertTrue(free("127.0.13.40", firstPort), "the closed session's source port");
      peer.send(packet(SessionState.Down, 0x5eed0002, 0), engineAddr);
      Poll.until(WAIT, "the other session still receives", () -> second.state() == SessionState.Init);

      int secondPort = e.sourcePort(second);
      second.close();
      e.call(() -> null);
      assertTrue(free("127.0.13.40", 16240), "the receive port");
      assertTrue(free("127.0.13.40", secondPort), "the source port");
    }
  }

  /**
   * close() on an engine that runs on a caller's event loop closes every socket: the loop goes on running (other
   * engines use it), so nothing else would.
   */
  @Test
  void engineClosedOnSharedLoop_socketsClosed() throws Exception {
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      EventLoop loop = group.next();
      BfdEngine e = BfdEngine.builder().eventLoop(loop).singleHopPort(16250).sourcePortRange(16350, 16359).build();
      BfdSession s = open(e, "127.0.13.50", "127.0.13.51");
      int port = e.sourcePort(s);
      assertFalse(free("127.0.13.50", 16250), "the engine listens");
      e.close();
      loop.submit(() -> null).get(10, TimeUnit.SECONDS);
      assertTrue(free("127.0.13.50", 16250), "the receive port");
      assertTrue(free("127.0.13.50", port), "the source port");
      assertDoesNotThrow(s::close);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
