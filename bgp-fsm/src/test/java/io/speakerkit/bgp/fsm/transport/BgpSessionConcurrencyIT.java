package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * BgpSession and BgpTransport called from several threads at once, as an application, a configuration watcher and a
 * shutdown path call them: the last call wins, callers never see RejectedExecutionException from a closing
 * transport, listeners see the state they are told about. Real threads and loopback sockets (127.0.7.x, ports
 * 14611-14619), so it runs with the interop tests; every loop is bounded in iterations and time.
 */
class BgpSessionConcurrencyIT {

  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(20);

  private static InetAddress addr(int last) {
    try {
      return InetAddress.getByName("127.0.7." + last);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static FsmConfig config(long local, long peer, String id) {
    return FsmConfig.builder().localAs(local).peerAs(peer).bgpIdentifier(BgpIdentifier.parse(id)).build();
  }

  /** Runs until every task queued on the session's loop so far, and every task those queued, has run. */
  private static void drainLoop(BgpSession s) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    s.execute(() -> s.execute(() -> s.execute(done::countDown)));
    assertTrue(done.await(5, TimeUnit.SECONDS));
  }

  /**
   * stopForRestart() without graceful restart stops the session; a start() the caller makes right after must win
   * (it once lost to a stop() that stopForRestart re-submitted from the loop).
   */
  @Test
  void startAfterStopForRestart_isTheLastWord() throws Exception {
    try (ServerSocket peer = new ServerSocket()) {
      peer.bind(new InetSocketAddress(addr(3), 14611), 4096);
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(peer.accept());
          }
        } catch (Exception e) {
          // closed
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      try (BgpTransport t = BgpTransport.builder().build()) {
        BgpSession s = BgpSession.builder().transport(t).peer(addr(3)).peerPort(14611).localAddress(addr(2))
            .config(config(64601, 64602, "10.0.0.1")).build();
        int iterations = 0;
        int lost = 0;
        long end = System.nanoTime() + BUDGET_NANOS;
        while (iterations < 500 && System.nanoTime() < end) {
          iterations++;
          s.stopForRestart("restart");
          s.start(); // the last command: the session must be starting
          drainLoop(s);
          if (s.state() == BgpState.Idle) {
            lost++;
          }
          s.stop("");
          drainLoop(s);
          for (Socket so : accepted) {
            so.close();
          }
          accepted.clear();
        }
        System.out.println("stopForRestart+start: start lost " + lost + "/" + iterations);
        assertEquals(0, lost, "start() after stopForRestart() lost in " + lost + " of " + iterations);
      } finally {
        for (Socket so : accepted) { // the server socket closes after them, with the try
          so.close();
        }
      }
    }
  }

  /** Calls on a session while and after its transport closes (own event loops) do nothing; close() twice is fine. */
  @Test
  void callsDuringAndAfterTransportClose_doNothing_closeTwiceHarmless() throws Exception {
    List<String> thrown = new CopyOnWriteArrayList<>();
    int rounds = 0;
    long end = System.nanoTime() + BUDGET_NANOS;
    while (rounds < 20 && System.nanoTime() < end) {
      rounds++;
      BgpTransport t = BgpTransport.builder().build();
      BgpSession s = BgpSession.builder().transport(t).peer(addr(5)).peerPort(14612).localAddress(addr(4))
          .config(config(64601, 64602, "10.0.0.1")).build();
      CountDownLatch started = new CountDownLatch(1);
      Thread app = new Thread(() -> {
        started.countDown();
        long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (int i = 0; i < 2_000 && System.nanoTime() < stop; i++) {
          try {
            IpPrefix p = IpPrefix.parse("198.51.100." + (i % 256) + "/32");
            s.announce(p, PathAttributes.builder().build());
            s.withdraw(p);
            s.state();
          } catch (RuntimeException e) {
            thrown.add("announce/withdraw: " + e);
            return;
          }
        }
      });
      app.start();
      started.await();
      t.close();
      app.join(5_000);
      try {
        s.close(); // e.g. a try-with-resources that closes the session after its transport
      } catch (RuntimeException e) {
        thrown.add("session.close() after transport.close(): " + e);
      }
      try {
        t.close(); // AutoCloseable.close twice
      } catch (RuntimeException e) {
        thrown.add("second transport.close(): " + e);
      }
    }
    System.out.println("after transport close (" + rounds + " rounds): " + thrown.stream().distinct().toList());
    assertTrue(thrown.isEmpty(), thrown.stream().distinct().toList().toString());
  }

  /** A session built, started and given routes on one thread while another closes the transport: no exception. */
  @Test
  void sessionBuiltWhileTransportCloses_noException() throws Exception {
    List<String> thrown = new CopyOnWriteArrayList<>();
    int rounds = 0;
    int notClosed = 0;
    long end = System.nanoTime() + BUDGET_NANOS;
    while (rounds < 30 && System.nanoTime() < end) {
      rounds++;
      BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(addr(6), 14613)).build().start();
      List<BgpSession> built = new CopyOnWriteArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      Thread creator = new Thread(() -> {
        go.countDown();
        for (int i = 0; i < 200; i++) {
          try {
            BgpSession s = BgpSession.builder().transport(t).peer(addr(20 + i)).peerPort(14614)
                .localAddress(addr(6)).config(config(64601, 64602, "10.0.0.1")).build();
            built.add(s);
            s.start();
            s.announce(IpPrefix.parse("198.51.100.1/32"), PathAttributes.builder().build());
          } catch (RuntimeException e) {
            thrown.add(e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
          }
        }
      });
      creator.start();
      go.await();
      t.close();
      creator.join(5_000);
    }
    System.out.println("build during close: " + thrown.stream().distinct().limit(5).toList() + " in " + rounds);
    assertTrue(thrown.isEmpty(), thrown.stream().distinct().limit(5).toList().toString());
  }

  /** Two threads calling BgpTransport.start() on one transport: both get it started, neither closes it. */
  @Test
  void concurrentTransportStart_bothReturnTheBoundTransport() throws Exception {
    int rounds = 0;
    List<String> failures = new ArrayList<>();
    long end = System.nanoTime() + BUDGET_NANOS;
    while (rounds < 30 && System.nanoTime() < end) {
      rounds++;
      BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(addr(7), 14615)).build();
      List<String> errs = new CopyOnWriteArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      Runnable r = () -> {
        try {
          go.await();
          t.start();
        } catch (Exception e) {
          errs.add(e.toString());
        }
      };
      Thread a = new Thread(r);
      Thread b = new Thread(r);
      a.start();
      b.start();
      go.countDown();
      a.join(5_000);
      b.join(5_000);
      if (!errs.isEmpty() || t.boundAddresses().isEmpty()) {
        failures.add(errs + " (bound: " + t.boundAddresses() + ")");
      }
      try {
        t.close();
      } catch (RuntimeException e) {
        errs.add("close after failed start: " + e); // reported with the round's failure above
      }
    }
    System.out.println("concurrent start: " + failures.size() + "/" + rounds + " " + failures.stream().limit(2).toList());
    assertTrue(failures.isEmpty(), failures.size() + "/" + rounds + ": " + failures.stream().limit(3).toList());
  }

  /** The route listener's onSessionUp sees the session Established, so a route refresh asked for there is sent. */
  @Test
  void onSessionUp_sessionAlreadyEstablished_routeRefreshAccepted() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(addr(8), 14616)).build().start();
        BgpTransport tb = BgpTransport.builder().build()) {
      BgpSession.builder().transport(ta).peer(addr(9))
          .config(config(64601, 64602, "10.0.0.1").toBuilder().connectMode(ConnectMode.LISTEN_ONLY).build())
          .build().start();
      BgpSession sb = BgpSession.builder().transport(tb).peer(addr(8)).peerPort(14616).localAddress(addr(9))
          .config(config(64602, 64601, "10.0.0.2"))
          .routeListener(new RouteListener() {
            @Override
            public void onUpdate(BgpSession session, UpdateMessage update) {}

            @Override
            public void onSessionUp(BgpSession session, NegotiatedSession negotiated) {
              seen.add("state=" + session.state());
              try {
                session.requestRouteRefresh(AddressFamily.IPV4_UNICAST);
                seen.add("refresh ok");
              } catch (RuntimeException e) {
                seen.add("refresh: " + e.getMessage());
              }
            }
          })
          .build();
      sb.start();
      Poll.until(LIMIT, "Established", () -> sb.state() == BgpState.Established && !seen.isEmpty(), seen::toString);
      System.out.println("onSessionUp: " + seen);
      assertEquals(List.of("state=Established", "refresh ok"), seen);
    }
  }

  /** timers(...) and connectRetryTime(x) read back at once by the caller that set them. */
  @Test
  void timersAndConnectRetryTime_readBackAtOnce() throws Exception {
    try (BgpTransport t = BgpTransport.builder().build()) {
      BgpSession s = BgpSession.builder().transport(t).peer(addr(11)).peerPort(14617).localAddress(addr(10))
          .config(config(64601, 64602, "10.0.0.1")).build();
      int stale = 0;
      int n = 0;
      long end = System.nanoTime() + BUDGET_NANOS;
      for (; n < 2_000 && System.nanoTime() < end; n++) {
        Optional<Duration> v = Optional.of(Duration.ofSeconds(1 + n % 50));
        s.connectRetryTime(v);
        if (!s.connectRetryTime().equals(v)) {
          stale++;
        }
        Duration hold = Duration.ofSeconds(3 + n % 50);
        s.timers(hold, Optional.empty());
        if (!s.config().holdTime().equals(hold)) {
          stale++;
        }
      }
      System.out.println("set-then-get stale reads: " + stale + "/" + (2 * n));
      assertEquals(0, stale);
    }
  }

  /** A state listener (on the event loop) closing the whole transport: no exception, and the loops stop. */
  @Test
  void listenerClosingTheTransport_returnsAndTheLoopsStop() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(addr(15), 14620)).build().start()) {
      BgpSession.builder().transport(ta).peer(addr(16))
          .config(config(64601, 64602, "10.0.0.1").toBuilder().connectMode(ConnectMode.LISTEN_ONLY).build())
          .build().start();
      BgpTransport tb = BgpTransport.builder().build();
      BgpSession sb = BgpSession.builder().transport(tb).peer(addr(15)).peerPort(14620).localAddress(addr(16))
          .config(config(64602, 64601, "10.0.0.2")).build();
      sb.addListener(change -> {
        if (change.to() == BgpState.Established) {
          try {
            tb.close();
            seen.add("closed");
          } catch (RuntimeException e) {
            seen.add(e.toString());
          }
        }
      });
      sb.start();
      Poll.until(LIMIT, "the listener's close()", () -> !seen.isEmpty(), seen::toString);
      assertEquals(List.of("closed"), seen);
      Poll.until(LIMIT, "the transport's loops stopped", () -> tb.group().isTerminated(), () -> "still running");
    }
  }

  /** Many sessions dialling a listener while its transport closes: no exception, no leak. */
  @Test
  void transportClosesWhileAcceptingAndConnecting_noExceptionNoLeak() throws Exception {
    List<String> thrown = new CopyOnWriteArrayList<>();
    AtomicInteger established = new AtomicInteger();
    int rounds = 0;
    long end = System.nanoTime() + BUDGET_NANOS;
    while (rounds < 15 && System.nanoTime() < end) {
      rounds++;
      BgpTransport tb = BgpTransport.builder().threads(2).build();
      try {
        BgpTransport ta = BgpTransport.builder().threads(2).listen(new InetSocketAddress(addr(14), 14619)).build()
            .start();
        List<BgpSession> remote = new ArrayList<>();
        for (int i = 0, n = 1 + rounds % 8; i < n; i++) { // where the close lands varies with the count
          BgpSession.builder().transport(ta).peer(addr(30 + i)).localAddress(addr(14))
              .config(config(64601, 64602, "10.0.0.1").toBuilder().connectMode(ConnectMode.LISTEN_ONLY).build())
              .build().start();
          BgpSession sb = BgpSession.builder().transport(tb).peer(addr(14)).peerPort(14619).localAddress(addr(30 + i))
              .config(config(64602, 64601, "10.0.0." + (2 + i))).build();
          sb.addListener(c -> {
            if (c.to() == BgpState.Established) {
              established.incrementAndGet();
            }
          });
          List<IpPrefix> many = new ArrayList<>();
          for (int k = 0; k < 2_000; k++) {
            many.add(IpPrefix.parse("10." + i + "." + (k / 256) + "." + (k % 256) + "/32"));
          }
          sb.announceAll(many, PathAttributes.builder().build());
          sb.start();
          remote.add(sb);
        }
        ta.close();
      } catch (RuntimeException e) {
        thrown.add(e.toString());
      } finally {
        tb.close();
      }
    }
    System.out.println("close while accepting: " + rounds + " rounds, " + established + " established, " + thrown);
    assertTrue(thrown.isEmpty(), thrown.toString());
  }
}
