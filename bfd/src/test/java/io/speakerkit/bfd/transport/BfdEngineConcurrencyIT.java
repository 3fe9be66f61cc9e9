package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.speakerkit.bfd.BfdListener;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * BfdEngine and its session handles called from several threads at once, and from their own listeners: a session
 * created while the engine closes is never left running, callers see only IllegalStateException, a listener may
 * close the engine. Real sockets and threads on loopback (127.0.8.x, port 14700, source ports 14750-14799), so it
 * runs with the interop tests; every loop is bounded in iterations and time.
 */
class BfdEngineConcurrencyIT {

  static final int PORT = 14700;
  static final BfdProfile FAST = BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build();

  static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  static BfdEngine.Builder engine() {
    return BfdEngine.builder().singleHopPort(PORT).sourcePortRange(14750, 14799);
  }

  static BfdSessionConfig cfg(String local, String remote) throws Exception {
    return BfdSessionConfig.builder().localAddress(ip(local)).remoteAddress(ip(remote)).profile(FAST).build();
  }

  /** createSession racing close on a shared event loop: no session may be left in the driver after close(). */
  @Test
  void createSessionRacingClose_sharedLoop_noSessionLeftRunning() throws Exception {
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    EventLoop loop = group.next();
    int leaked = 0;
    int iterations = 0;
    List<Throwable> unexpected = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try {
      for (int i = 0; i < 300 && System.nanoTime() < deadline; i++) {
        iterations++;
        BfdEngine e = engine().eventLoop(loop).build();
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<BfdSession> created = new AtomicReference<>();
        Thread t = new Thread(() -> {
          try {
            start.await(5, TimeUnit.SECONDS);
            created.set(e.createSession(cfg("127.0.8.1", "127.0.8.2")));
          } catch (IllegalStateException expected) {
            // engine closed
          } catch (Throwable x) {
            synchronized (unexpected) {
              unexpected.add(x);
            }
          }
        });
        t.start();
        start.await(5, TimeUnit.SECONDS);
        e.close();
        t.join(10_000);
        int left = loop.submit(() -> e.driver().sessions().size()).get(5, TimeUnit.SECONDS);
        if (left > 0) {
          leaked++;
          BfdSession s = created.get();
          Poll.until(Duration.ofSeconds(5), "leaked session's socket", () -> s != null && e.sourcePort(s) != 0);
          System.out.println("leaked session " + s + " sends from port " + e.sourcePort(s) + " after close()");
          loop.submit(() -> e.driver().sessions().forEach(BfdSession::close)).get(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    System.out.println("sharedLoop: leaked " + leaked + " of " + iterations);
    assertEquals(List.of(), unexpected);
    assertEquals(0, leaked, "sessions left running after engine.close() in " + iterations + " iterations");
  }

  /** createSession racing close on the engine's own loop: only IllegalStateException may reach the caller. */
  @Test
  void createSessionRacingClose_ownLoop_onlyIllegalState() throws Exception {
    List<String> unexpected = new ArrayList<>();
    int iterations = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (int i = 0; i < 200 && System.nanoTime() < deadline && unexpected.isEmpty(); i++) {
      iterations++;
      BfdEngine e = engine().build();
      CyclicBarrier start = new CyclicBarrier(2);
      Thread t = new Thread(() -> {
        try {
          start.await(5, TimeUnit.SECONDS);
          // a few calls so that one lands after the loop stopped
          for (int k = 0; k < 20; k++) {
            e.createSession(cfg("127.0.8.1", "127.0.8." + (10 + k)));
          }
        } catch (IllegalStateException expected) {
          // engine closed
        } catch (Throwable x) {
          synchronized (unexpected) {
            unexpected.add(x.toString());
          }
        }
      });
      t.start();
      start.await(5, TimeUnit.SECONDS);
      e.close();
      t.join(40_000);
    }
    System.out.println("ownLoop: unexpected " + unexpected + " after " + iterations);
    assertEquals(List.of(), unexpected);
  }

  /** Handle methods after the engine closed: the javadoc allows any thread at any time; close() is a no-op. */
  @Test
  void sessionMethodsAfterEngineClose_doNotThrow() throws Exception {
    BfdEngine e = engine().build();
    BfdSession s = e.createSession(cfg("127.0.8.1", "127.0.8.2"));
    e.close();
    List<String> thrown = new ArrayList<>();
    Runnable[] calls = {s::adminDown, s::enable, () -> s.updateProfile(BfdProfile.DEFAULT), s::close};
    String[] names = {"adminDown", "enable", "updateProfile", "close"};
    for (int i = 0; i < calls.length; i++) {
      try {
        calls[i].run();
      } catch (Throwable x) {
        thrown.add(names[i] + ": " + x);
      }
    }
    assertEquals(List.of(), thrown);
  }

  /** Two threads closing one engine at once: neither may see an exception. */
  @Test
  void concurrentEngineClose_noException() throws Exception {
    List<String> unexpected = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int iterations = 0;
    for (int i = 0; i < 200 && System.nanoTime() < deadline && unexpected.isEmpty(); i++) {
      iterations++;
      BfdEngine e = engine().build();
      e.createSession(cfg("127.0.8.1", "127.0.8.2"));
      CyclicBarrier start = new CyclicBarrier(2);
      Thread t = new Thread(() -> {
        try {
          start.await(5, TimeUnit.SECONDS);
          e.close();
        } catch (Throwable x) {
          synchronized (unexpected) {
            unexpected.add(x.toString());
          }
        }
      });
      t.start();
      start.await(5, TimeUnit.SECONDS);
      try {
        e.close();
      } catch (Throwable x) {
        synchronized (unexpected) {
          unexpected.add(x.toString());
        }
      }
      t.join(20_000);
    }
    System.out.println("concurrentClose: " + unexpected + " after " + iterations);
    assertEquals(List.of(), unexpected);
  }

  /** A listener that closes the engine (on the loop thread, as the javadoc says listeners run). */
  @Test
  void listenerClosingEngine_doesNotBlockOrThrow() throws Exception {
    BfdEngine e = engine().build();
    BfdSession a = e.createSession(cfg("127.0.8.51", "127.0.8.52"));
    BfdSession b = e.createSession(cfg("127.0.8.52", "127.0.8.51"));
    Poll.until(Duration.ofSeconds(10), "Up", () -> a.state() == SessionState.Up && b.state() == SessionState.Up);
    AtomicReference<Thread> loopThread = new AtomicReference<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicInteger closeMillis = new AtomicInteger(-1);
    CountDownLatch done = new CountDownLatch(1);
    b.subscribe(change -> {
      if (change.newState() != SessionState.Up && done.getCount() > 0) {
        long t0 = System.nanoTime();
        loopThread.set(Thread.currentThread());
        try {
          e.close();
        } catch (Throwable x) {
          thrown.set(x);
        } finally {
          closeMillis.set((int) ((System.nanoTime() - t0) / 1_000_000));
          done.countDown();
        }
      }
    });
    a.adminDown();
    boolean returned = done.await(20, TimeUnit.SECONDS);
    if (!returned) {
      Thread t = loopThread.get();
      StringBuilder sb = new StringBuilder("loop thread " + t + " " + t.getState() + ":\n");
      for (StackTraceElement el : t.getStackTrace()) {
        sb.append("  at ").append(el).append('\n');
      }
      System.out.println(sb);
    }
    assertTrue(returned, "engine.close() from a listener never returned");
    System.out.println("close() from listener took " + closeMillis.get() + " ms, threw " + thrown.get());
    e.close();
    assertEquals(null, thrown.get());
  }

  /** Subscription.close() twice must not unsubscribe another registration of the same listener. */
  @Test
  void subscriptionCloseTwice_keepsOtherRegistration() throws Exception {
    try (BfdEngine e = engine().build()) {
      BfdSession a = e.createSession(cfg("127.0.8.61", "127.0.8.62"));
      BfdSession b = e.createSession(cfg("127.0.8.62", "127.0.8.61"));
      ConcurrentLinkedQueue<SessionState> seen = new ConcurrentLinkedQueue<>();
      BfdListener l = change -> seen.add(change.newState());
      BfdSession.Subscription first = b.subscribe(l);
      BfdSession.Subscription second = b.subscribe(l);
      first.close();
      first.close();
      Poll.until(Duration.ofSeconds(10), "the second subscription seeing Up", () -> seen.contains(SessionState.Up),
          () -> b.state() + ", seen " + seen);
      second.close();
    }
  }
}
