package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The speaker called from several threads at once, as a controller, a config watcher and a shutdown hook call it:
 * callers only ever see the documented IllegalStateException while it starts or stops, and an interrupted stop()
 * still leaves one worker, not two. Real threads, so it runs with the interop tests; sessions to nothing
 * (127.0.5.x, ports 14300-14339, nobody listens). Every loop is bounded in iterations and time.
 */
class SpeakerConcurrencyIT {

  private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(20);

  static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static SpeakerConfig config(int peers) {
    SpeakerConfig.Builder b = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.5.0.0/24").build())
        .advertisement(AdvertisementConfig.builder("a").build());
    for (int i = 0; i < peers; i++) {
      b.peer(PeerConfig.builder().name("r" + i).myAsn(64512).peerAsn(64512).peerAddress(ip("127.0.5." + (10 + i)))
          .peerPort(14300 + i).sourceAddress(ip("127.0.5.1")).build());
    }
    return b.build();
  }

  /** announced() (a polled call) while the first start() runs: the call may land before startOnWorker. */
  @Test
  void announcedDuringFirstStart_onlyIllegalState() throws Exception {
    List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
    long deadline = System.nanoTime() + LIMIT_NANOS;
    int iterations = 0;
    for (; iterations < 300 && System.nanoTime() < deadline; iterations++) {
      try (Speaker speaker = Speaker.builder().config(config(1)).allowLocalPeers(true).build()) {
        AtomicBoolean done = new AtomicBoolean();
        Thread poller = new Thread(() -> {
          for (int i = 0; i < 200_000 && !done.get(); i++) {
            try {
              speaker.announced();
            } catch (IllegalStateException expected) {
              // not started
            } catch (Throwable t) {
              unexpected.add(t);
              return;
            }
          }
        });
        poller.start();
        speaker.start();
        done.set(true);
        poller.join(5_000);
      }
      if (!unexpected.isEmpty()) {
        break;
      }
    }
    assertTrue(unexpected.isEmpty(), () -> "after " + unexpected.size() + " failures: " + unexpected.get(0) + "\n"
        + stack(unexpected.get(0)));
  }

  /** status()/announce() polled while stop() runs: only IllegalStateException ("not started") is documented. */
  @Test
  void callsDuringStop_onlyIllegalState() throws Exception {
    List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
    long deadline = System.nanoTime() + LIMIT_NANOS;
    int iterations = 0;
    try (Speaker speaker = Speaker.builder().config(config(1)).allowLocalPeers(true).build()) {
      for (; iterations < 300 && System.nanoTime() < deadline && unexpected.isEmpty(); iterations++) {
        speaker.start();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(2);
        List<Thread> pollers = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
          int kind = k;
          Thread poller = new Thread(() -> {
            started.countDown();
            for (int i = 0; i < 200_000 && !done.get(); i++) {
              try {
                if (kind == 0) {
                  speaker.status();
                } else {
                  speaker.announce(ServiceRequest.builder("ns/s" + (i % 8)).build());
                }
              } catch (IllegalStateException expected) {
                // not started / stopped meanwhile
              } catch (Throwable t) {
                unexpected.add(t);
                return;
              }
            }
          });
          pollers.add(poller);
          poller.start();
        }
        started.await(5, TimeUnit.SECONDS);
        speaker.stop("test");
        done.set(true);
        for (Thread t : pollers) {
          t.join(5_000);
        }
      }
    }
    int n = iterations;
    assertTrue(unexpected.isEmpty(), () -> "iteration " + n + ": " + unexpected.get(0) + "\n"
        + stack(unexpected.get(0)));
  }

  /** subscribe() (from a UI/metrics thread) while another thread start()s: never a snapshot of half-started state. */
  @Test
  void subscribeDuringStart_noException() throws Exception {
    List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
    long deadline = System.nanoTime() + LIMIT_NANOS;
    AtomicInteger iterations = new AtomicInteger();
    try (Speaker speaker = Speaker.builder().config(config(40)).allowLocalPeers(true).build()) {
      for (; iterations.get() < 300 && System.nanoTime() < deadline && unexpected.isEmpty();
          iterations.incrementAndGet()) {
        AtomicBoolean done = new AtomicBoolean();
        Thread subscriber = new Thread(() -> {
          for (int i = 0; i < 100_000 && !done.get(); i++) {
            try {
              speaker.subscribe(10).close();
            } catch (Throwable t) {
              unexpected.add(t);
              return;
            }
          }
        });
        subscriber.start();
        speaker.start();
        done.set(true);
        subscriber.join(5_000);
        speaker.stop("test");
      }
    }
    assertTrue(unexpected.isEmpty(), () -> "iteration " + iterations + ": " + unexpected.get(0) + "\n"
        + stack(unexpected.get(0)));
  }

  static long threads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }

  /**
   * stop() from a thread that is interrupted (an executor being shut down, a hook thread interrupted) must still wait
   * for the worker to finish stopping; returning early let a start() right after run a second worker over the same
   * state. Afterwards, with the speaker closed, no speaker or event-loop thread may be left.
   */
  @Test
  void interruptedStopThenStart_noLeakedThreads_peerRunning() throws Exception {
    long baseWorkers = threads("speakerkit-speaker");
    long baseLoops = threads("multiThreadIoEventLoopGroup");
    List<String> problems = new ArrayList<>();
    long deadline = System.nanoTime() + LIMIT_NANOS;
    int iterations = 0;
    try (Speaker speaker = Speaker.builder().config(config(2)).allowLocalPeers(true).build()) {
      for (; iterations < 50 && System.nanoTime() < deadline; iterations++) {
        String it = "iteration " + iterations + " ";
        attempt(problems, it + "first start", speaker::start);
        Thread.currentThread().interrupt();
        try {
          speaker.stop("interrupted");
        } catch (IllegalStateException expected) {
          // "interrupted"
        } finally {
          Thread.interrupted();
        }
        attempt(problems, it + "restart", () -> {
          speaker.start();
          int peers = speaker.status().size();
          if (peers != 2) {
            throw new AssertionError("status after restart has " + peers + " peers");
          }
        });
        attempt(problems, it + "stop", () -> speaker.stop("again"));
      }
      attempt(problems, "close", speaker::close);
    } catch (RuntimeException e) {
      problems.add("close: " + e);
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < end && (threads("speakerkit-speaker") > baseWorkers
        || threads("multiThreadIoEventLoopGroup") > baseLoops)) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    long leakedWorkers = threads("speakerkit-speaker") - baseWorkers;
    long leakedLoops = threads("multiThreadIoEventLoopGroup") - baseLoops;
    int n = iterations;
    assertTrue(problems.isEmpty() && leakedWorkers <= 0 && leakedLoops <= 0, () -> n + " iterations; leaked workers "
        + leakedWorkers + ", leaked event-loop threads " + leakedLoops + "; " + problems.size() + " problems: "
        + problems.subList(0, Math.min(5, problems.size())));
  }

  static void attempt(List<String> problems, String what, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | AssertionError e) {
      problems.add(what + ": " + e);
    }
  }

  static String stack(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }
}
