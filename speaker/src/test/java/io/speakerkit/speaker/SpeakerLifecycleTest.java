package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.FileAllocationStore;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.LabelSelector;
import io.speakerkit.allocator.ServiceRequest;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speaker's bookkeeping across requests, restarts and reloads, with sessions to nothing (127.0.0.40-43, ports
 * 13200-13203, nobody listens): only the plan, the status and the events are looked at.
 */
class SpeakerLifecycleTest {

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static PeerConfig peer(String name, String address, int port) {
    return PeerConfig.builder().name(name).myAsn(64512).peerAsn(64512).peerAddress(ip(address)).peerPort(port)
        .sourceAddress(ip("127.0.0.1")).build();
  }

  /**
   * A service selected by a serviceSelectors advertisement is relabelled (no longer selected) in a request refused
   * for its shape; the same labels then come in a valid request. The route must be withdrawn: no advertisement
   * selects the service any more.
   */
  @Test
  void labelsOfRefusedRequest_notKept_laterRelabelWithdrawsRoute() {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("r", "127.0.0.40", 13200))
        .advertisement(AdvertisementConfig.builder("web").serviceSelectors(
            List.of(LabelSelector.matchLabels(Map.of("app", "web")))).build())
        .build();
    try (Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).build()) {
      speaker.start();
      speaker.announce(ServiceRequest.builder("ns/svc").serviceLabels(Map.of("app", "web")).build());
      assertEquals(1, speaker.status().get(0).routesSent());

      // labels changed together with an unreadable request (two IPv4 addresses): refused, nothing released
      AllocationResult refused = speaker.announce(ServiceRequest.builder("ns/svc")
          .serviceLabels(Map.of("app", "db")).addresses(ip("10.0.0.10"), ip("10.0.0.11")).build());
      assertInstanceOf(AllocationResult.Refused.class, refused);
      // the service is fixed: same new labels, valid request
      AllocationResult ok = speaker.announce(ServiceRequest.builder("ns/svc").serviceLabels(Map.of("app", "db"))
          .build());
      assertInstanceOf(AllocationResult.Allocated.class, ok);

      assertEquals(0, speaker.status().get(0).routesSent(), "no advertisement selects app=db");
      assertEquals(Map.of(), speaker.announced());
    }
  }

  /**
   * A subscriber that subscribes before start() (as the example CLI does) with a file store holding an allocation:
   * the restored allocation's routes are reported, but never the allocation itself.
   */
  @Test
  void restoredAllocation_reportedAsAllocatedToEarlySubscriber(@TempDir Path dir) {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("r", "127.0.0.41", 13201))
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    Path journal = dir.resolve("alloc");
    try (Speaker first = Speaker.builder().config(config).allowLocalPeers(true)
        .storeFactory(() -> FileAllocationStore.open(journal)).build()) {
      first.start();
      first.announce(ServiceRequest.builder("ns/svc").build());
    }
    // a new process
    try (Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true)
        .storeFactory(() -> FileAllocationStore.open(journal)).build()) {
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1000);
      speaker.start();
      assertEquals(1, speaker.status().get(0).routesSent());
      List<Object> seen = new ArrayList<>(events.drain());
      assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.RouteSent), seen::toString);
      assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.Allocated a && a.service().equals("ns/svc")),
          "routes of ns/svc sent, but its allocation never reported: " + seen);
    }
  }

  /**
   * A peer refused for a problem that has not changed: a config reload that changes nothing for it (here: another
   * peer's holdTime) reports it refused again, although retryRefused treats "a repeat is not news".
   */
  @Test
  void refusedPeer_sameProblem_notReportedAgainOnApply() {
    PeerConfig bad = PeerConfig.builder().name("bad").myAsn(64512).peerAsn(64512).peerAddress(ip("127.0.0.42"))
        .peerPort(13202).sourceAddress(ip("203.0.113.9")).build(); // not an address of this host
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(bad).peer(peer("r", "127.0.0.43", 13203))
        .build();
    SpeakerConfig reloaded = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(bad).peer(PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(ip("127.0.0.43"))
            .peerPort(13203).sourceAddress(ip("127.0.0.1")).holdTime(java.time.Duration.ofSeconds(30)).build())
        .build();
    try (Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).build()) {
      speaker.start();
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1000);
      events.drain();
      speaker.apply(reloaded);
      speaker.status();
      List<Object> seen = events.drain();
      assertTrue(seen.stream().noneMatch(e -> e instanceof SpeakerEvent.PeerRefused), seen::toString);
    }
  }

  /** A configuration applied while the speaker is stopped (or before its first start) is the one the next start runs. */
  @Test
  void applyWhileStopped_keptForTheNextStart() {
    SpeakerConfig first = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("r", "127.0.0.40", 13200)).build();
    SpeakerConfig second = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("r2", "127.0.0.41", 13201)).build();
    try (Speaker speaker = Speaker.builder().config(first).allowLocalPeers(true).build()) {
      speaker.apply(second); // before the first start
      speaker.start();
      assertEquals(List.of("r2"), speaker.status().stream().map(PeerStatus::peer).toList());
      speaker.stop("reload");
      speaker.apply(first); // while stopped
      speaker.start();
      assertEquals(List.of("r"), speaker.status().stream().map(PeerStatus::peer).toList());
    }
  }

  /**
   * A metrics listener runs on the speaker's worker; one that calls back into the speaker (as MetalLbMetrics.of
   * does) gets its answer there instead of waiting for the worker, which is itself.
   */
  @Test
  void metricsListenerCallingBack_answeredOnTheWorker() throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("r", "127.0.0.40", 13200)).build();
    java.util.concurrent.atomic.AtomicReference<Speaker> self = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CompletableFuture<Integer> answered = new java.util.concurrent.CompletableFuture<>();
    try (Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true)
        .metricsListener(metrics -> answered.complete(self.get().status().size())).build()) {
      self.set(speaker);
      speaker.start();
      speaker.announce(ServiceRequest.builder("ns/svc").build());
      // a listener waiting for itself would never answer (nor would stop() afterwards)
      assertEquals(1, answered.get(30, java.util.concurrent.TimeUnit.SECONDS));
    }
  }

  /**
   * A listener on the worker may also stop the speaker, and set a service's announceability, without waiting for
   * itself; a start() afterwards runs once the stopped worker is done.
   */
  @Test
  void listenerStoppingTheSpeaker_stops() throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        // nobody listens there: the session goes Connect -> Active every second, and each change calls the listener
        .peer(PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(ip("127.0.0.40"))
            .peerPort(13200).sourceAddress(ip("127.0.0.1")).connectTime(java.time.Duration.ofSeconds(1)).build())
        .build();
    java.util.concurrent.atomic.AtomicReference<Speaker> self = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CompletableFuture<String> stopped = new java.util.concurrent.CompletableFuture<>();
    try (Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).metricsListener(metrics -> {
      Speaker s = self.get();
      if (s != null && !stopped.isDone()) {
        s.setAnnounceable("ns/svc", false);
        s.stop("from a listener");
        stopped.complete("stopped");
      }
    }).build()) {
      speaker.start();
      speaker.announce(ServiceRequest.builder("ns/svc").build());
      self.set(speaker); // armed only now: a listener call before announce() would make announce() fail
      assertEquals("stopped", stopped.get(30, java.util.concurrent.TimeUnit.SECONDS));
      IllegalStateException notStarted = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          speaker::status);
      assertTrue(notStarted.getMessage().contains("not started"), notStarted::toString);
      assertTrue(!speaker.announceable("ns/svc"));
      speaker.start(); // after the stopped worker has finished what was queued on it
      assertEquals(1, speaker.status().size());
    }
  }

  /**
   * A listener may stop the speaker while start() runs: start() announces the allocations the store holds again, the
   * listener hears the routes and calls stop(). Neither may wait for the other forever; start() returns and the
   * speaker is stopped, ready for another start().
   */
  @Test
  void listenerStoppingTheSpeaker_duringStart_noDeadlock() throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("r", "127.0.0.40", 13200))
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Speaker> self = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CompletableFuture<String> stopped = new java.util.concurrent.CompletableFuture<>();
    Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).metricsListener(metrics -> {
      if (armed.compareAndSet(true, false)) {
        try {
          self.get().stop("from a listener");
          stopped.complete("stopped");
        } catch (RuntimeException e) {
          stopped.completeExceptionally(e);
        }
      }
    }).build();
    self.set(speaker);
    speaker.start();
    speaker.announce(ServiceRequest.builder("ns/svc").build());
    speaker.stop("restart");
    armed.set(true);
    java.util.concurrent.CompletableFuture<String> started = new java.util.concurrent.CompletableFuture<>();
    Thread starter = new Thread(() -> {
      try {
        speaker.start(); // announces ns/svc's restored address: the listener runs and stops the speaker
        started.complete("returned");
      } catch (RuntimeException e) {
        started.completeExceptionally(e);
      }
    });
    starter.setDaemon(true);
    starter.start();
    starter.join(15_000);
    // on a deadlock the speaker cannot be closed either (close() waits for the same monitor): left to the JVM
    assertFalse(starter.isAlive(), "start() and the listener's stop() wait for each other: deadlock");
    assertEquals("stopped", stopped.get(5, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals("returned", started.get(5, java.util.concurrent.TimeUnit.SECONDS));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, speaker::status);
    speaker.start();
    assertEquals(List.of(ip("10.0.0.10")), speaker.announced().get("ns/svc"));
    speaker.close();
  }

  /**
   * A listener may stop the speaker while another thread is in stop(), waiting for the worker the listener runs on:
   * neither may wait for the other forever.
   */
  @Test
  void listenerStoppingTheSpeaker_whileAnotherThreadStops_noDeadlock() throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("r", "127.0.0.40", 13200))
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    Speaker speaker = listenerStopsWhileAnotherThreadWaits(config, s -> s.stop("from another thread"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, speaker::status);
    speaker.start();
    assertEquals(1, speaker.status().size());
    speaker.close();
  }

  /**
   * Starts a speaker on {@code config} (a pool, one peer, an advertisement) whose metrics listener, on the worker,
   * waits until another thread doing {@code other} (a call that waits for the worker: stop, apply) is waiting, and then
   * stops the speaker; the listener runs on a route change (a service announced). Asserts that neither waits for the
   * other forever and that the listener's stop() returned; returns the speaker, stopped (the caller closes it).
   */
  static Speaker listenerStopsWhileAnotherThreadWaits(SpeakerConfig config,
      java.util.function.Consumer<Speaker> other) throws Exception {
    java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Speaker> self = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<Thread> waiter = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CountDownLatch inListener = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CompletableFuture<String> stopped = new java.util.concurrent.CompletableFuture<>();
    Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).metricsListener(metrics -> {
      if (!armed.compareAndSet(true, false)) {
        return;
      }
      inListener.countDown();
      try {
        // wait until the other thread is inside its call, waiting for this worker
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while ((waiter.get() == null || waiter.get().getState() != Thread.State.WAITING)
            && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        self.get().stop("from a listener");
        stopped.complete("stopped");
      } catch (RuntimeException e) {
        stopped.completeExceptionally(e);
      }
    }).build();
    self.set(speaker);
    speaker.start();
    armed.set(true);
    Thread announcer = new Thread(() -> {
      try {
        speaker.announce(ServiceRequest.builder("ns/svc").build()); // a route change: the listener runs
      } catch (RuntimeException ignored) {
        // stopped meanwhile
      }
    });
    announcer.setDaemon(true);
    announcer.start();
    assertTrue(inListener.await(10, java.util.concurrent.TimeUnit.SECONDS));
    Thread t = new Thread(() -> other.accept(speaker));
    t.setDaemon(true);
    waiter.set(t);
    t.start();
    t.join(15_000);
    // on a deadlock the speaker cannot be closed either: left to the JVM
    assertFalse(t.isAlive(), "the other thread's call and the listener's stop() wait for each other: deadlock");
    assertEquals("stopped", stopped.get(5, java.util.concurrent.TimeUnit.SECONDS));
    return speaker;
  }

  // ------------------------------------------------------------------ Cease subcodes (RFC 4486) on reconfiguration

  /** The scripted router of these tests listens on 127.0.5.61:14360; the speaker dials from 127.0.5.60. */
  private static ScriptedRouter scriptedRouter() throws IOException {
    return new ScriptedRouter(ip("127.0.5.61"), 14360);
  }

  private static PeerConfig.Builder scriptedPeer() {
    return PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(ip("127.0.5.61")).peerPort(14360)
        .sourceAddress(ip("127.0.5.60"));
  }

  /**
   * Brings the scripted peer's session to Established, applies {@code next} and returns the code and subcode of the
   * NOTIFICATION the router then receives.
   */
  private static List<Integer> ceaseAfterApply(SpeakerConfig next) throws Exception {
    try (ScriptedRouter router = scriptedRouter();
        Speaker speaker = Speaker.builder().config(withPeers(scriptedPeer().build())).allowLocalPeers(true).build()) {
      speaker.start();
      router.establish();
      speaker.apply(next);
      return Arrays.stream(router.notification()).boxed().toList();
    }
  }

  private static SpeakerConfig withPeers(PeerConfig... peers) {
    SpeakerConfig.Builder b = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build());
    for (PeerConfig p : peers) {
      b.peer(p);
    }
    return b.build();
  }

  /** MetalLB's BGPPeer deleted: the established session ends with Cease / Peer De-configured (RFC 4486 §4, 6/3). */
  @Test
  void peerRemoved_ceasePeerDeconfigured() throws Exception {
    assertEquals(List.of(6, 3), ceaseAfterApply(withPeers()));
  }

  /**
   * A setting the session is built from changes (here the router ID): the session is reset with Cease / Other
   * Configuration Change (RFC 4486 §4, 6/6), not Peer De-configured: the peer is still configured.
   */
  @Test
  void peerSessionSettingChanged_ceaseOtherConfigurationChange() throws Exception {
    assertEquals(List.of(6, 6),
        ceaseAfterApply(withPeers(scriptedPeer().routerId((Inet4Address) ip("10.8.8.8")).build())));
  }

  /** A new TCP MD5 password (RFC 2385) is a session setting too: reset with Cease / Other Configuration Change. */
  @Test
  void peerPasswordChanged_ceaseOtherConfigurationChange() throws Exception {
    assertEquals(List.of(6, 6), ceaseAfterApply(withPeers(scriptedPeer().password("s3cret").build())));
  }
}
