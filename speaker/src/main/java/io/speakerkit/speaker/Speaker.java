package io.speakerkit.speaker;

import io.speakerkit.allocator.Allocation;
import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.AllocationStore;
import io.speakerkit.allocator.Allocator;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.PoolUsage;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bfd.BfdCounters;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.BfdStateChange;
import io.speakerkit.bfd.Diagnostic;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.bfd.transport.BfdEngine;
import io.speakerkit.bgp.fsm.BgpAction;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.fsm.PeerAs;
import io.speakerkit.bgp.fsm.mrt.MrtRibDump;
import io.speakerkit.bgp.fsm.mrt.MrtUpdateDump;
import io.speakerkit.bgp.fsm.transport.BgpSession;
import io.speakerkit.bgp.fsm.transport.BgpSessionCounters;
import io.speakerkit.bgp.fsm.transport.BgpTransport;
import io.speakerkit.bgp.fsm.transport.RouteKey;
import io.speakerkit.bgp.fsm.transport.RouteListener;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.CeaseSubcode;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MetalLB-equivalent BGP speaker to embed in any Java program: it allocates service addresses from pools, announces
 * them to every matching peer as MetalLB's BGP mode does, and, for peers with a BFD profile, takes the BGP session
 * down the moment a BFD session that was Up goes Down (RFC 5882; Cease / BFD Down, RFC 9384).
 *
 * <pre>{@code
 * Speaker speaker = Speaker.builder().config(config).node(new NodeIdentity("node-a", Map.of())).build();
 * speaker.start();
 * speaker.announce(ServiceRequest.builder("default/web").build());   // allocate and advertise
 * speaker.close();                                                      // Cease / Administrative Shutdown
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread; the speaker's own state lives on one worker thread,
 * BGP sessions on their Netty event loop and BFD on its own. {@link #start()} after {@link #stop(String)} starts
 * afresh with new sockets and threads; {@link #close()} is idempotent. Listeners (metrics, events) run on the worker
 * and may call back into the speaker, stop() included. Calls while the speaker is not started throw
 * IllegalStateException ("not started"), except {@link #apply} and {@link #setAnnounceable}, kept for the next start,
 * and {@link #subscribe}. A caller interrupted while it waits gets IllegalStateException ("interrupted"),
 * but what it asked for still takes effect on the worker; {@link #stop(String)} is not interruptible.
 */
public final class Speaker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Speaker.class);
  /** The counters of a peer that never ran (refused). */
  private static final BgpSessionCounters NO_MESSAGES = new BgpSessionCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  private static final BfdCounters NO_BFD_PACKETS =
      new BfdCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new long[BfdCounters.LATE_BUCKET_BOUNDS_NANOS.length + 1], 0, 0, 0);

  private final SpeakerConfig initialConfig;
  /** This node as the route plan sees it (without the exclusion label under ignoreExcludeLb); worker thread. */
  private NodeIdentity node;
  private final boolean ignoreExcludeLb;
  private final java.util.function.Supplier<AllocationStore> storeFactory;
  private final Clock clock;
  private final int bfdSingleHopPort;
  private final boolean allowLocalPeers;
  private final InetSocketAddress listen;
  private final boolean passive;
  private final EventHub<SpeakerEvent> events;
  private final PeerMetrics.Listener metricsListener;
  private final java.nio.file.Path capturePath;
  private PcapCapture capture;
  private boolean captureStarted;
  /**
   * Whether this speaker started less than the graceful restart time ago: its OPENs then set the Restart State bit
   * (RFC 4724 §4.1), as FRR's do while its startup timer runs. Worker thread.
   */
  private boolean restarting;
  private java.util.concurrent.ScheduledFuture<?> restartingEnd;
  private final java.nio.file.Path mrtPath;
  private final java.nio.file.Path mrtRibPath;
  private final Duration mrtRibInterval;
  private java.util.concurrent.ScheduledExecutorService mrtRibTimer;
  /** Read on the sessions' event loops. */
  private volatile MrtUpdateDump mrt;
  private boolean mrtStarted;

  // Worker-thread state.
  private static final long REFUSED_RETRY_SECONDS = 5;
  /** The Restart Time we advertise with graceful restart: FRR's default, as MetalLB's FRR sends it. */
  private static final int GRACEFUL_RESTART_SECONDS = 120;
  /** Set and cleared under the speaker's monitor (start, stop); read without it by calls from any thread. */
  private volatile ExecutorService worker;
  /** The worker's thread: a call made on it (from a listener) runs in place instead of waiting for itself. */
  private volatile Thread workerThread;
  /**
   * A stopped worker still running its queue and stopOnWorker, which session events still go to; a start() waits for
   * it. Set under the monitor.
   */
  private volatile ExecutorService retiring;
  /** The start task of {@link #worker}; a second start() waits for it too. Under the monitor. */
  private Future<?> starting;
  /** Checks the refused peers again: what refused them (no route, an address not yet up) may have changed. */
  private java.util.concurrent.ScheduledFuture<?> refusedRetry;
  private SpeakerConfig config;
  private Allocator allocator;
  private RoutePlan plan;
  /** Services this node does not announce now ({@link #setAnnounceable}); kept across stop and start. */
  private final Set<String> withheld = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** BFD sessions of peers whose profile was removed, held AdminDown for a while before they close. */
  private final Map<String, BfdSession> bfdClosing = new java.util.concurrent.ConcurrentHashMap<>();
  /** The labels each announced service was last given, for advertisements' serviceSelectors. Worker thread. */
  private final Map<String, Map<String, String>> serviceLabels = new HashMap<>();
  private BgpTransport transport;
  private BfdEngine bfd;
  private final Map<String, PeerRuntime> peers = new LinkedHashMap<>();
  private final Map<String, String> refused = new LinkedHashMap<>();
  /**
   * Running peers whose BFD session could not be made (a profile added or changed by apply(), resumeBfd), and why:
   * their BGP session runs on without BFD; retried with the refused peers (retryRefused). Worker thread.
   */
  private final Map<String, String> bfdRefused = new LinkedHashMap<>();
  /**
   * Peers whose BFD is held down by {@link #suspendBfd} until {@link #resumeBfd}, the peer's removal or stop():
   * neither apply() nor a session reset starts it again. Worker thread.
   */
  private final Set<String> bfdSuspended = new HashSet<>();
  private boolean running;

  /** A received route's attributes and when it arrived (epoch seconds), for the MRT RIB dump. */
  private record ReceivedRoute(PathAttributes attributes, long atSeconds) {}

  /** What the speaker keeps for one peer. */
  private static final class PeerRuntime {
    final PeerConfig config;
    final BgpSession session;
    /** Our address toward the peer, chosen when the session started: its source, router ID and BFD source. */
    InetAddress local;
    BfdSession bfd;
    BfdProfile bfdProfile;
    BfdSession.Subscription bfdSubscription;
    /** The BFD state the last bfd-state event reported (a session starts Down, RFC 5880 §6.8.1). */
    SessionState bfdReported = SessionState.Down;
    volatile String state = BgpState.Idle.name();
    volatile Instant establishedAt;
    volatile String lastCause = "";
    volatile NegotiatedSession negotiated;
    /** dualStackAddressFamily: our address of the other family, the next hop of routes of that family. */
    InetAddress otherFamilyNextHop;
    /** The link-local address added to the next hop of our IPv6 routes toward a peer on our network, or null. */
    java.net.Inet6Address linkLocalNextHop;
    final Set<IpPrefix> received = new HashSet<>();
    /** Received routes kept from a session that ended for a graceful restart (RFC 4724 §4.2), not yet refreshed. */
    final Set<IpPrefix> stale = new HashSet<>();
    /**
     * With an MRT RIB dump: the attributes of received routes, by prefix (entries for prefixes no longer in
     * {@link #received} are dropped at the next dump).
     */
    Map<IpPrefix, ReceivedRoute> ribIn;
    /** Drops what is still {@link #stale} when the peer's restart time runs out. */
    java.util.concurrent.ScheduledFuture<?> staleTimer;

    PeerRuntime(PeerConfig config, BgpSession session) {
      this.config = config;
      this.session = session;
    }

    /** The same live session and BFD session under a configuration whose session settings are unchanged. */
    PeerRuntime withConfig(PeerConfig next) {
      PeerRuntime r = new PeerRuntime(next, session);
      r.local = local;
      r.bfd = bfd;
      r.bfdProfile = bfdProfile;
      r.bfdSubscription = bfdSubscription;
      r.bfdReported = bfdReported;
      r.state = state;
      r.establishedAt = establishedAt;
      r.lastCause = lastCause;
      r.negotiated = negotiated;
      r.otherFamilyNextHop = otherFamilyNextHop;
      r.linkLocalNextHop = linkLocalNextHop;
      r.received.addAll(received);
      r.stale.addAll(stale);
      r.staleTimer = staleTimer;
      r.ribIn = ribIn;
      return r;
    }
  }

  private Speaker(Builder b) {
    this.initialConfig = b.config;
    this.ignoreExcludeLb = b.ignoreExcludeLb;
    this.node = b.ignoreExcludeLb ? b.node.ignoringExclusion() : b.node;
    this.storeFactory = b.storeFactory;
    this.clock = b.clock;
    this.bfdSingleHopPort = b.bfdSingleHopPort;
    this.allowLocalPeers = b.allowLocalPeers;
    this.listen = b.listen;
    this.passive = b.passive;
    this.events = new EventHub<>(this::snapshotEvents);
    this.metricsListener = b.metricsListener;
    this.capturePath = b.capturePath;
    this.mrtPath = b.mrtPath;
    this.mrtRibPath = b.mrtRibPath;
    this.mrtRibInterval = b.mrtRibInterval;
    this.config = b.config;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts every peering of this node and restores the allocations in the store (each is announced again). Peers
   * that cannot work (peer address one of ours, source address not on this host, no next hop of a family the peer
   * must carry) are refused with a message in {@link #status()} and a {@link SpeakerEvent.PeerRefused} event. A start
   * that fails (the listen address taken, a capture file not writable) throws and leaves nothing running.
   */
  public void start() {
    ExecutorService created = null;
    Future<?> started;
    while (true) {
      ExecutorService previous;
      synchronized (this) {
        if (worker != null) {
          if (Thread.currentThread() == workerThread) {
            return; // from a listener while started: it cannot wait for the worker it runs on
          }
          started = starting;
          break;
        }
        // A stopped worker runs what was queued before the stop first; one worker at a time (but for a start() from
        // a listener on the stopped worker, which cannot wait for itself).
        previous = retiring != null && Thread.currentThread() != workerThread ? retiring : null;
        if (previous == null) {
          retiring = null;
          created = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "speakerkit-speaker");
            t.setDaemon(true);
            workerThread = t;
            return t;
          });
          worker = created;
          started = starting = created.submit(() -> {
            startOnWorker();
            return null;
          });
          break;
        }
      }
      // Waited for outside the monitor: a listener on that worker may call stop() or start(), which take it.
      awaitTerminationUninterruptibly(previous);
      synchronized (this) {
        if (retiring == previous) {
          retiring = null;
        }
      }
    }
    // Also outside the monitor: a listener hearing the restored routes may stop the speaker meanwhile.
    try {
      await(started);
    } catch (RuntimeException e) {
      // A failed start (the listen address taken, a capture file not writable) leaves nothing running, and start()
      // can be called again once the problem is fixed. Only the start() that made this worker cleans it up, and only
      // if nobody stopped and started the speaker meanwhile.
      if (created != null) {
        try {
          stop("start failed", created);
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
  }

  private void startOnWorker() throws Exception {
    config = Objects.requireNonNullElse(config, initialConfig);
    plan = new RoutePlan(config, node);
    allocator = Allocator.builder().pools(config.pools()).store(storeFactory.get()).build();
    if (capturePath != null) {
      capture = PcapCapture.open(capturePath, captureStarted, clock);
      captureStarted = true;
    }
    if (mrtPath != null) {
      mrt = MrtUpdateDump.open(mrtPath, mrtStarted, clock);
      mrtStarted = true;
    }
    if (mrtRibPath != null) {
      // fail the start, as the update dump does, rather than the first snapshot an interval (2 h) later
      checkWritableDirectory(mrtRibPath);
      mrtRibTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "speakerkit-mrt-rib");
        t.setDaemon(true);
        return t;
      });
      long every = mrtRibInterval.toMillis();
      mrtRibTimer.scheduleWithFixedDelay(() -> {
        try {
          writeMrtRib(mrtRibPath);
        } catch (RuntimeException e) {
          log.warn("MRT RIB dump {} failed: {}", mrtRibPath, e.toString());
        }
      }, every, every, TimeUnit.MILLISECONDS);
    }
    BgpTransport.Builder tb = BgpTransport.builder().threads(1);
    if (listen != null) {
      tb.listen(listen);
    }
    transport = tb.build().start();
    boolean needsBfd = config.peers().stream().anyMatch(p -> p.bfdProfile().isPresent() && plan.peerActive(p));
    if (needsBfd) {
      bfd = newBfdEngine();
    }
    running = true;
    restarting = true;
    restartingEnd = transport.group().next().schedule(() -> onWorker(this::endRestartState),
        GRACEFUL_RESTART_SECONDS, TimeUnit.SECONDS);
    for (PeerConfig peer : config.peers()) {
      if (plan.peerActive(peer)) {
        startPeer(peer);
      }
    }
    refusedRetry = transport.group().next().scheduleAtFixedRate(() -> onWorker(this::retryRefused),
        REFUSED_RETRY_SECONDS, REFUSED_RETRY_SECONDS, TimeUnit.SECONDS);
    // Restored allocations are announced again before anything new is served; subscribers learn of them, and of
    // those the store held outside every pool now (released), as of any other allocation.
    for (Allocation a : allocator.restoreReport().released()) {
      events.publish(new SpeakerEvent.Released(clock.instant(), a.serviceKey(), a.addresses()));
    }
    for (Allocation a : allocator.allocations()) {
      events.publish(new SpeakerEvent.Allocated(clock.instant(), a.serviceKey(), a.addresses(), a.pool()));
      planAddresses(a.serviceKey(), a.pool(), a.addresses(), true);
    }
  }

  /**
   * Stops every session with Cease / Administrative Shutdown carrying {@code message} (RFC 9003), so routers
   * withdraw our routes at once, then frees sockets and threads. Allocations stay in the store. A peer with
   * {@code enableGracefulRestart} whose router negotiated graceful restart is instead left without a NOTIFICATION
   * (RFC 4724 §4.1): the router keeps our routes, stale, for the restart time (120 s), until the restarted speaker
   * sends them again, as a restarting MetalLB speaker's routes are kept.
   */
  public void stop(String message) {
    stop(message, null);
  }

  /** {@link #stop(String)}; with {@code only} not null, only if that is still the worker. */
  private void stop(String message, ExecutorService only) {
    ExecutorService stopping;
    Future<?> stopped;
    synchronized (this) {
      stopping = worker;
      if (stopping == null || (only != null && stopping != only)) {
        return;
      }
      worker = null;
      starting = null;
      retiring = stopping; // a start() from now on waits until the worker has run its queue, stopOnWorker last
      if (Thread.currentThread() == workerThread) {
        // from a listener: stop here, and let the worker end after the task it is running (this one)
        try {
          stopOnWorker(message);
        } finally {
          stopping.shutdown();
        }
        return;
      }
      // The worker shuts down after stopOnWorker: the session events it waits for are queued to it meanwhile.
      ExecutorService ending = stopping;
      stopped = ending.submit(() -> {
        try {
          stopOnWorker(message);
        } finally {
          ending.shutdown();
        }
      });
    }
    // Waited for outside the monitor (a listener on the worker may call stop() meanwhile: it finds the speaker
    // stopping and returns), and uninterruptibly: the caller learns that sockets and threads are free.
    boolean interrupted = false;
    try {
      while (true) {
        try {
          stopped.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
      }
    } finally {
      awaitTerminationUninterruptibly(stopping);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void stopOnWorker(String message) {
    running = false;
    if (mrtRibTimer != null) {
      mrtRibTimer.shutdownNow();
      mrtRibTimer = null;
    }
    if (restartingEnd != null) {
      restartingEnd.cancel(false);
      restartingEnd = null;
    }
    if (refusedRetry != null) {
      refusedRetry.cancel(false);
      refusedRetry = null;
    }
    for (PeerRuntime p : peers.values()) {
      if (p.config.enableGracefulRestart()) {
        p.session.stopForRestart(message); // Cease when the router did not negotiate graceful restart
      } else {
        p.session.stop(message);
      }
    }
    // Let the Cease NOTIFICATIONs leave and the routers read them (bounded) before BFD and the event loops stop:
    // a BFD session closed first can make the router take its session down for BFD, not for our Cease.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    for (PeerRuntime p : peers.values()) {
      while (p.session.state() != BgpState.Idle && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
    for (PeerRuntime p : peers.values()) {
      p.session.awaitConnectionsClosed(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    // A session's listeners hear its change to Idle in the loop task that made it, after state() already says Idle:
    // a task queued behind it on the loop runs once they have queued the bgp-state event here, so the event is
    // published before the worker shuts down.
    for (PeerRuntime p : peers.values()) {
      java.util.concurrent.CountDownLatch heard = new java.util.concurrent.CountDownLatch(1);
      p.session.execute(heard::countDown);
      try {
        heard.await(Math.max(0, deadline - System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(100),
            TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (PeerRuntime p : peers.values()) {
      forgetReceived(p);
      closePeer(p);
    }
    peers.clear();
    refused.clear();
    bfdRefused.clear();
    bfdSuspended.clear();
    if (bfd != null) {
      bfd.close();
      bfd = null;
    }
    if (transport != null) {
      transport.close();
      transport = null;
    }
    if (allocator != null) {
      allocator.close();
      allocator = null;
    }
    if (capture != null) {
      capture.close();
      capture = null;
    }
    if (mrt != null) {
      mrt.close();
      mrt = null;
    }
  }

  /** {@link #stop(String)} with a plain shutdown message; idempotent. */
  @Override
  public void close() {
    stop("speakerkit speaker shutting down");
  }

  /**
   * Allocates addresses for a service and announces them to every matching peer. Durable before this returns (the
   * store's contract), so an address is never announced before it is recorded. A changed request that the service's
   * addresses no longer fit, and that cannot be met anew, releases them and withdraws their routes, as MetalLB does
   * ({@link AllocationResult.Refused#released}).
   */
  public AllocationResult announce(ServiceRequest request) {
    return call(() -> {
      List<InetAddress> before = startedAllocator().allocation(request.serviceKey()).map(Allocation::addresses)
          .orElse(List.of());
      AllocationResult result = allocator.allocate(request);
      // a refused request changes nothing, its labels included: the plan keeps the labels it has
      Map<String, String> labelsBefore = result instanceof AllocationResult.Allocated
          ? serviceLabels.put(request.serviceKey(), request.serviceLabels())
          : serviceLabels.get(request.serviceKey());
      if (result instanceof AllocationResult.Allocated allocated) {
        Allocation a = allocated.allocation();
        if (!allocated.changed()) {
          if (!request.serviceLabels().equals(labelsBefore == null ? Map.of() : labelsBefore)
              && !withheld.contains(a.serviceKey())) {
            // new labels may select other advertisements (serviceSelectors)
            for (InetAddress address : a.addresses()) {
              apply(plan.relabel(address, a.serviceKey(), request.serviceLabels()));
            }
          }
          return result;
        }
        events.publish(new SpeakerEvent.Allocated(clock.instant(), a.serviceKey(), a.addresses(), a.pool()));
        planAddresses(a.serviceKey(), a.pool(),
            before.stream().filter(address -> !a.addresses().contains(address)).toList(), false);
        planAddresses(a.serviceKey(), a.pool(),
            a.addresses().stream().filter(address -> !before.contains(address)).toList(), true);
        if (!withheld.contains(a.serviceKey())) {
          for (InetAddress kept : a.addresses()) {
            if (before.contains(kept)) {
              apply(plan.relabel(kept, a.serviceKey(), request.serviceLabels()));
            }
          }
        }
      } else if (result instanceof AllocationResult.Refused refusedResult) {
        events.publish(new SpeakerEvent.AllocationRefused(clock.instant(), request.serviceKey(),
            refusedResult.message()));
        // the addresses the changed request no longer fits are gone, as MetalLB clears them
        refusedResult.released().ifPresent(a -> {
          events.publish(new SpeakerEvent.Released(clock.instant(), a.serviceKey(), a.addresses()));
          planAddresses(a.serviceKey(), a.pool(), a.addresses(), false);
        });
      }
      return result;
    });
  }

  /** Releases a service's addresses; routes no other service needs are withdrawn at once. */
  public Optional<Allocation> release(String serviceKey) {
    return call(() -> {
      Optional<Allocation> released = startedAllocator().release(serviceKey);
      released.ifPresent(a -> {
        events.publish(new SpeakerEvent.Released(clock.instant(), serviceKey, a.addresses()));
        planAddresses(serviceKey, a.pool(), a.addresses(), false);
      });
      withheld.remove(serviceKey);
      serviceLabels.remove(serviceKey);
      return released;
    });
  }

  /**
   * Whether this node announces the service's addresses: MetalLB's BGP speakers announce a service only while it
   * has a ready endpoint, on this node when its {@code externalTrafficPolicy} is Local, anywhere when it is Cluster.
   * The speaker has no view of endpoints, so the caller says: {@code false} withdraws the service's routes (its
   * allocation stays), {@code true} announces them again. An address several services share is announced while any
   * of them is announceable. Services are announceable unless told otherwise; {@link #release} forgets the setting.
   * May be called before {@link #start()}: restored allocations then start withheld.
   */
  public void setAnnounceable(String serviceKey, boolean announceable) {
    Objects.requireNonNull(serviceKey, "serviceKey");
    if (Thread.currentThread() == workerThread) {
      setAnnounceableOnWorker(serviceKey, announceable); // from a listener
      return;
    }
    // Not while start() or stop() runs: start() reads the set when it announces restored allocations. A stop() after
    // the task is queued leaves it to run on the stopped worker, which keeps the setting for the next start().
    submitThenAwait(() -> setAnnounceableOnWorker(serviceKey, announceable), () -> {
      if (announceable) {
        withheld.remove(serviceKey);
      } else {
        withheld.add(serviceKey);
      }
    });
  }

  /**
   * Runs {@code onWorker} on the worker, or {@code stopped} when the speaker is not started, deciding which under the
   * monitor but waiting outside it: a listener on the worker may call {@link #stop}, which takes the monitor, while
   * this thread waits. While a stopped worker still runs its queue, {@code stopped} waits for it, so that what the
   * queue does comes first.
   */
  private void submitThenAwait(Runnable onWorker, Runnable stopped) {
    while (true) {
      Future<?> f = null;
      ExecutorService previous;
      synchronized (this) {
        previous = retiring;
        if (worker != null) {
          f = worker.submit(onWorker); // a stop() clears worker before it shuts the executor down
        } else if (previous == null || Thread.currentThread() == workerThread) {
          stopped.run();
          return;
        }
      }
      if (f != null) {
        await(f);
        return;
      }
      awaitTerminationUninterruptibly(previous);
      synchronized (this) {
        if (retiring == previous) {
          retiring = null;
        }
      }
    }
  }

  private void setAnnounceableOnWorker(String serviceKey, boolean announceable) {
    if (allocator == null) {
      // stopped after this was queued: kept for the next start()
      if (announceable) {
        withheld.remove(serviceKey);
      } else {
        withheld.add(serviceKey);
      }
      return;
    }
    if (announceable == withheld.contains(serviceKey)) {
      Optional<Allocation> held = startedAllocator().allocation(serviceKey);
      // the addresses enter the plan once the service is no longer withheld, and leave it before it is
      if (announceable) {
        withheld.remove(serviceKey);
      }
      held.ifPresent(a -> planAddresses(serviceKey, a.pool(), a.addresses(), announceable));
      if (!announceable) {
        withheld.add(serviceKey);
      }
    }
  }

  /**
   * The services this node announces, each with its addresses an advertisement announces from this node: MetalLB's
   * desired state ({@code metallb_speaker_announced}), whichever peers the advertisement names and whether or not
   * any session is up. A withheld service, or an address no advertisement selects for this node, is left out.
   */
  public Map<String, List<InetAddress>> announced() {
    return call(() -> {
      List<Allocation> allocations = startedAllocator().allocations(); // before plan: null until the first start
      Set<InetAddress> carried = plan.desiredAddresses();
      Map<String, List<InetAddress>> out = new java.util.TreeMap<>();
      for (Allocation a : allocations) {
        if (withheld.contains(a.serviceKey())) {
          continue;
        }
        List<InetAddress> addresses = a.addresses().stream().filter(carried::contains).toList();
        if (!addresses.isEmpty()) {
          out.put(a.serviceKey(), addresses);
        }
      }
      return out;
    });
  }

  /** Whether the service is announceable ({@link #setAnnounceable}). */
  public boolean announceable(String serviceKey) {
    return !withheld.contains(serviceKey);
  }

  /**
   * Applies a new configuration, touching only what changed (MetalLB's reloads that flapped BGP and BFD are what this
   * avoids):
   *
   * <ul>
   *   <li>advertisements, communities, localPref, aggregation: UPDATEs only;
   *   <li>pools: allocations still inside a pool stay; those left outside are released (a {@code release} event each)
   *       and their routes withdrawn, for the caller to request again;
   *   <li>a peer's connectTime: used from its next connect retry, the session untouched (as FRR applies it);
   *   <li>a peer's holdTime and keepaliveTime: proposed in its next OPEN, the live session keeping what it
   *       negotiated (as FRR applies {@code neighbor X timers});
   *   <li>a peer's BFD profile: a BFD Poll Sequence on the live session (RFC 5880 §6.8.3), BGP untouched; BFD added
   *       or removed likewise (a removed BFD session first signals AdminDown, so the router leaves BGP alone); a
   *       BFD session that cannot be made refuses that peer's BFD alone (a {@link SpeakerEvent.PeerRefused} event
   *       and the reason in {@link #status()}, tried again every few seconds), the rest of the apply goes on;
   *   <li>myASN, peerASN, routerID, password, graceful restart, address families,
   *       eBGP multihop, address or port: that one session is reset with Cease / Other Configuration Change
   *       (RFC 4486) and started with the new settings;
   *   <li>a peer removed, or no longer selected for this node: Cease / Peer De-configured.
   * </ul>
   *
   * <p>Before {@link #start()}, or while stopped, the configuration is kept for the next start.
   */
  public void apply(SpeakerConfig next) {
    Objects.requireNonNull(next, "next");
    applyNow(next, null);
  }

  /**
   * {@link #apply(SpeakerConfig)} for a node whose labels changed as well, as MetalLB's speaker follows its Node
   * object: peers and advertisements whose {@code nodeSelectors} now select this node or no longer do start or end
   * (Cease / Peer De-configured) and their routes follow; gaining the exclude-from-external-load-balancers label
   * withdraws every route (unless built with {@code ignoreExcludeLb}).
   */
  public void apply(SpeakerConfig next, NodeIdentity nextNode) {
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(nextNode, "nextNode");
    applyNow(next, ignoreExcludeLb ? nextNode.ignoringExclusion() : nextNode);
  }

  /**
   * On the worker when started; otherwise kept for the next {@link #start()} (as {@link #setAnnounceable} is), so a
   * configuration that arrives while the speaker is stopped or restarting is not lost. {@code nextNode} null: the
   * node stays.
   */
  private void applyNow(SpeakerConfig next, NodeIdentity nextNode) {
    if (Thread.currentThread() == workerThread) {
      applyOnWorker(next, nextNode != null ? nextNode : node); // from a listener
      return;
    }
    submitThenAwait(() -> applyOnWorker(next, nextNode != null ? nextNode : node), () -> {
      config = next;
      if (nextNode != null) {
        node = nextNode;
      }
    });
  }

  private void applyOnWorker(SpeakerConfig next, NodeIdentity nextNode) {
    if (!running) {
      config = next;
      node = nextNode;
      return;
    }
    io.speakerkit.allocator.PoolUpdate update = allocator.updatePools(next.pools());
    for (Allocation a : update.released()) {
      events.publish(new SpeakerEvent.Released(clock.instant(), a.serviceKey(), a.addresses()));
      planAddresses(a.serviceKey(), a.pool(), a.addresses(), false);
    }
    RoutePlan.Reconfiguration r = plan.reconfigure(next, nextNode);
    config = next;
    node = nextNode;
    plan = r.plan();
    Set<String> restarted = new HashSet<>();
    Map<String, PeerConfig> wanted = new LinkedHashMap<>();
    for (PeerConfig peer : next.peers()) {
      if (plan.peerActive(peer)) {
        wanted.put(peer.name(), peer);
      }
    }
    for (String name : List.copyOf(peers.keySet())) {
      if (!wanted.containsKey(name)) {
        endPeer(peers.remove(name), CeaseSubcode.PEER_DECONFIGURED.value());
        restarted.add(name);
      }
    }
    refused.keySet().removeIf(name -> !wanted.containsKey(name));
    bfdSuspended.removeIf(name -> !wanted.containsKey(name)); // a peer removed: its suspension ends with it
    // Every session that ends goes before any starts: peers that trade addresses find them free.
    List<PeerConfig> starting = new ArrayList<>();
    for (PeerConfig peer : wanted.values()) {
      PeerRuntime current = peers.get(peer.name());
      if (current == null) {
        starting.add(peer); // one still refused for the same reason is not news again (startPeer)
        restarted.add(peer.name());
      } else if (!sessionSettings(current.config).equals(sessionSettings(peer))) {
        peers.remove(peer.name());
        endPeer(current, CeaseSubcode.OTHER_CONFIGURATION_CHANGE.value());
        starting.add(peer);
        restarted.add(peer.name());
      } else {
        if (!current.config.connectTime().equals(peer.connectTime())) {
          current.session.connectRetryTime(peer.connectTime()); // as FRR applies `timers connect`: in place
        }
        if (!current.config.holdTime().equals(peer.holdTime())
            || !current.config.keepaliveTime().equals(peer.keepaliveTime())) {
          // as FRR applies `neighbor X timers`: for the next OPEN, the live session kept
          current.session.timers(peer.holdTime(), peer.keepaliveTime().isZero() ? Optional.empty()
              : Optional.of(peer.keepaliveTime()));
        }
        reconfigureBfd(current, peer);
      }
    }
    starting.forEach(this::startPeer);
    List<RoutePlan.Change> changes = new ArrayList<>();
    for (RoutePlan.Change c : r.changes()) {
      if (!restarted.contains(c.peer())) {
        changes.add(c); // restarted peers were given their whole Adj-RIB-Out by startPeer
      }
    }
    apply(changes);
  }

  /** What a BGP session is built from; a difference means the session must be reset. */
  private static List<Object> sessionSettings(PeerConfig p) {
    return List.of(p.myAsn(), p.peerAsn(), p.dynamicAsn(), p.peerAddress(), p.peerPort(), p.sourceAddress(),
        p.routerId(), p.password(), p.ebgpMultiHop(),
        p.enableGracefulRestart(), p.dualStackAddressFamily());
  }

  private void reconfigureBfd(PeerRuntime p, PeerConfig next) {
    Optional<BfdProfile> before = p.config.bfdProfile().map(n -> p.bfdProfile);
    Optional<BfdProfile> after = next.bfdProfile().map(config.bfdProfiles()::get);
    PeerRuntime updated = p.withConfig(next);
    peers.put(next.name(), updated);
    if (after.isPresent() && p.bfd != null) {
      if (!after.get().equals(p.bfd.profile())) {
        p.bfd.updateProfile(after.get()); // RFC 5880 §6.8.3: a Poll Sequence on the live session
      }
      updated.bfdProfile = after.get();
    } else if (after.isPresent()) {
      if (bfdSuspended.contains(next.name())) {
        updated.bfdProfile = after.get(); // started with it by resumeBfd
      } else {
        startBfdOrRefuse(updated, after.get());
      }
    } else if (p.bfd != null) {
      // RFC 5882 §3.2: AdminDown first, so a router that follows it keeps BGP up while the BFD session goes away.
      // (FRR 8.4 does not: it takes BGP down with Cease / BFD Down on the peer's AdminDown as on a timeout. For the
      // same reason stop() sends the Cease first and leaves BFD without AdminDown: the router's BFD going down
      // after the Cease changes nothing.)
      BfdSession old = p.bfd;
      p.bfdSubscription.close();
      // closed by the BFD engine after the peer's Detection Time (at least 2 s) of AdminDown, or with the engine, or
      // at once when the profile comes back before (startBfd)
      old.adminDownThenClose();
      reportBfdRemoved(updated);
      updated.bfd = null;
      updated.bfdSubscription = null;
      bfdClosing.put(next.name(), old);
    }
    if (after.isEmpty()) {
      bfdRefused.remove(next.name()); // no BFD wanted: nothing refused any more
    }
    if (before.isPresent() != after.isPresent()) {
      log.info("peer {}: BFD {}", next.name(), after.isPresent() ? "added" : "removed");
    }
  }

  /** Tears a session down with a Cease subcode and frees it, waiting (bounded) for the NOTIFICATION to leave. */
  private void endPeer(PeerRuntime p, int ceaseSubcode) {
    if (p.session.state() == BgpState.Established || p.session.state() == BgpState.OpenConfirm
        || p.session.state() == BgpState.OpenSent) {
      p.session.teardown(ceaseSubcode);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (p.session.state() != BgpState.Idle && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      // the router reads our Cease before BFD stops (see stopOnWorker)
      p.session.awaitConnectionsClosed(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    forgetReceived(p);
    closePeer(p); // the transport lets go of the peer in close(): a new session may take the address at once
  }

  /**
   * Failover drill: stops sending BFD control packets to {@code peer} without telling it, exactly as a dead link
   * would look from the router, which then detects the failure within its detection time and (RFC 5882) takes BGP
   * down. The suspension lasts until {@link #resumeBfd}, which starts a fresh BFD session: {@link #apply} (a change
   * to this peer's BFD profile or session settings included) does not start BFD again. It ends with the peer
   * (removed from the configuration, no longer selecting this node) and with {@link #stop}.
   */
  public void suspendBfd(String peer) {
    call(() -> {
      PeerRuntime p = requirePeer(peer);
      bfdSuspended.add(peer);
      bfdRefused.remove(peer);
      if (p.bfd != null) {
        p.bfdSubscription.close();
        p.bfd.close();
        p.bfd = null;
      }
      return null;
    });
  }

  /**
   * Undoes {@link #suspendBfd}: a new BFD session to the peer, which comes Up again with the peer. One that cannot be
   * made is refused as in {@link #apply} (reason in {@link #status()}, tried again every few seconds).
   */
  public void resumeBfd(String peer) {
    call(() -> {
      PeerRuntime p = requirePeer(peer);
      bfdSuspended.remove(peer);
      if (p.bfd == null && p.config.bfdProfile().isPresent()) {
        startBfdOrRefuse(p, config.bfdProfiles().get(p.config.bfdProfile().get()));
      }
      return null;
    });
  }

  private PeerRuntime requirePeer(String peer) {
    PeerRuntime p = peers.get(peer);
    if (p == null) {
      throw new IllegalArgumentException("peer: \"" + peer + "\" (expected: a running peer of this node, one of "
          + peers.keySet() + ")");
    }
    return p;
  }

  /** The current allocation of a service. */
  public Optional<Allocation> allocation(String serviceKey) {
    return call(() -> startedAllocator().allocation(serviceKey));
  }

  /**
   * Addresses in use and in total per pool and family: what MetalLB's controller exports as
   * {@code metallb_allocator_addresses_in_use_total} and {@code metallb_allocator_addresses_total}.
   */
  public List<PoolUsage> poolUsage() {
    return call(() -> startedAllocator().usage());
  }

  /** The allocator, on the worker; a call that was queued behind stop() finds none. */
  private Allocator startedAllocator() {
    Allocator a = allocator;
    if (a == null) {
      throw new IllegalStateException("speaker not started (or stopped meanwhile)");
    }
    return a;
  }

  /**
   * Writes a snapshot of the routes every peer sent to {@code file} as MRT TABLE_DUMP_V2 (RFC 6396 §4.3), the RIB
   * files of RouteViews and RIS that bgpdump and BGPStream read; written to a temporary file and moved into place, so
   * readers never see half a dump. Needs {@link Builder#mrtRibDump}, which keeps the attributes of received routes.
   */
  public void writeMrtRib(java.nio.file.Path file) {
    if (mrtRibPath == null) {
      throw new IllegalStateException("received routes' attributes are kept only with Builder.mrtRibDump");
    }
    RibSnapshot snapshot = call(this::mrtRibSnapshot); // taken on the worker; the file is written on this thread
    if (snapshot == null) {
      return; // stopped meanwhile: the last snapshot stays, not an empty one
    }
    java.nio.file.Path parent = file.toAbsolutePath().getParent();
    java.nio.file.Path tmp = null;
    boolean moved = false;
    try {
      tmp = java.nio.file.Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(tmp,
          java.nio.file.StandardOpenOption.WRITE)) {
        java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel));
        MrtRibDump.write(out, snapshot.collectorId(), clock.instant().getEpochSecond(), snapshot.peers(),
            snapshot.rib());
        out.flush();
        channel.force(true); // on disk before the rename makes it the dump: a power cut leaves the old or the new one
      }
      try {
        // readable by the tools of other users, as a file written in place would be (a temporary file is 0600)
        java.nio.file.Files.setPosixFilePermissions(tmp,
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException notPosix) {
        // keep the platform's default
      }
      java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      moved = true;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("MRT RIB dump " + file, e);
    } finally {
      if (tmp != null && !moved) {
        try {
          java.nio.file.Files.deleteIfExists(tmp); // a full disk or a failed write: no half-written file left behind
        } catch (java.io.IOException ignored) {
          // the dump's own failure is what the caller sees
        }
      }
    }
  }

  /** Our BGP identifier, the peers that sent routes, and their routes by prefix. */
  private record RibSnapshot(int collectorId, List<MrtRibDump.Peer> peers,
      java.util.SortedMap<IpPrefix, List<MrtRibDump.Entry>> rib) {}

  /** On the worker; null once stopped. */
  private RibSnapshot mrtRibSnapshot() {
    if (!running) {
      return null;
    }
    List<MrtRibDump.Peer> peerList = new ArrayList<>();
    java.util.SortedMap<IpPrefix, List<MrtRibDump.Entry>> rib = new java.util.TreeMap<>();
    int collectorId = 0;
    for (PeerRuntime p : peers.values()) {
      if (p.ribIn == null) {
        continue;
      }
      if (collectorId == 0) {
        collectorId = routerId(p.config, p.local).value();
      }
      p.ribIn.keySet().retainAll(p.received);
      if (p.ribIn.isEmpty()) {
        continue;
      }
      int index = peerList.size();
      NegotiatedSession n = p.negotiated;
      peerList.add(new MrtRibDump.Peer(n == null ? 0 : n.peerIdentifier().value(), p.config.peerAddress(),
          n == null ? p.config.peerAsn().orElse(0L) : n.peerAs()));
      for (Map.Entry<IpPrefix, ReceivedRoute> e : p.ribIn.entrySet()) {
        rib.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
            .add(new MrtRibDump.Entry(index, e.getValue().atSeconds(), e.getValue().attributes()));
      }
    }
    return new RibSnapshot(collectorId, peerList, rib);
  }

  /** Every peer of this node, with a plain-language explanation when it is not Established. */
  public List<PeerStatus> status() {
    return call(() -> {
      List<PeerStatus> out = new ArrayList<>();
      for (PeerRuntime p : peers.values()) {
        out.add(statusOf(p));
      }
      for (Map.Entry<String, String> r : refused.entrySet()) {
        out.add(new PeerStatus(r.getKey(), "Refused", Optional.empty(), "", 0, 0, Optional.empty(), r.getValue()));
      }
      return out;
    });
  }

  /**
   * Per-peer counters equivalent to MetalLB's metrics; see {@link PeerMetrics}. A refused peer is listed too, down
   * and with zero counters.
   */
  public List<PeerMetrics> metrics() {
    return call(this::metricsOnWorker);
  }

  /**
   * The planned routes of the families the session negotiated: what went out. A route of a family the peer did not
   * take (dualStackAddressFamily toward an IPv4-only router) is never sent (RFC 4760 §7), and FRR's prefixes sent,
   * which MetalLB exports, counts only negotiated families.
   */
  private int routesOfNegotiatedFamilies(PeerRuntime p) {
    NegotiatedSession n = p.negotiated;
    if (n == null) {
      return 0;
    }
    int count = 0;
    for (PlannedRoute r : plan.routes(p.config.name())) {
      if (n.families().contains(r.prefix().family())) {
        count++;
      }
    }
    return count;
  }

  private List<PeerMetrics> metricsOnWorker() {
    List<PeerMetrics> out = new ArrayList<>();
    for (PeerRuntime p : peers.values()) {
      BfdSession b = p.bfd;
      boolean up = p.session.state() == BgpState.Established;
      // as FRR's prefixes sent, which MetalLB exports: none while the session is down
      out.add(new PeerMetrics(p.config.name(), p.config.peerAddress(), p.config.peerPort(), up, p.session.counters(),
          up ? routesOfNegotiatedFamilies(p) : 0, p.received.size(),
          b == null ? Optional.empty() : Optional.of(b.counters()), b != null && b.state() == SessionState.Up));
    }
    // A refused peer is down, not absent, as in MetalLB (whose FRR has every configured neighbor): alerts on
    // metallb_bgp_session_up == 0 must fire for it too.
    for (PeerConfig c : config.peers()) {
      // not when a running peer has its labels (a second BGPPeer of the same address): one series, one sample
      if (refused.containsKey(c.name()) && out.stream()
          .noneMatch(m -> m.peerAddress().equals(c.peerAddress()) && m.peerPort() == c.peerPort())) {
        out.add(new PeerMetrics(c.name(), c.peerAddress(), c.peerPort(), false, NO_MESSAGES, 0, 0,
            c.bfdProfile().isPresent() ? Optional.of(NO_BFD_PACKETS) : Optional.empty(), false));
      }
    }
    return out;
  }


  private void notifyMetrics() {
    if (metricsListener == null) {
      return;
    }
    try {
      metricsListener.onMetrics(metricsOnWorker());
    } catch (RuntimeException e) {
      log.warn("metrics listener threw", e);
    }
  }

  /**
   * Subscribes to events: the returned subscription starts with a snapshot (one {@code bgp-state} event per peer,
   * one {@code allocation} per service) and then receives every event in order through a queue of
   * {@code capacity} entries; if it falls behind it gets one {@link EventHub.Resync} with a fresh snapshot.
   */
  public EventHub.Subscription<SpeakerEvent> subscribe(int capacity) {
    // The snapshot reads the worker's state, and every event is published on the worker: taken there, it is
    // consistent and exactly continued by the events.
    if (worker != null) {
      try {
        return call(() -> events.subscribe(capacity));
      } catch (IllegalStateException e) {
        // stopped meanwhile
      }
    }
    // Not started: the state is at rest, unless a start() is filling it in right now; it holds the monitor until
    // it has finished, and then the snapshot is taken on the worker.
    synchronized (this) {
      if (worker == null) {
        return events.subscribe(capacity);
      }
    }
    return call(() -> events.subscribe(capacity));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Peers

  private void startPeer(PeerConfig peer) {
    String problem = checkPeer(peer);
    if (problem == null) {
      try {
        startCheckedPeer(peer);
        refused.remove(peer.name());
        return;
      } catch (RuntimeException e) {
        // What the checks did not foresee (a socket option the platform lacks, a BFD address pair still held) refuses
        // this peer alone, with the reason in status(); the others, and the rest of an apply(), go on. Retried as
        // every refused peer is (retryRefused).
        PeerRuntime partial = peers.remove(peer.name());
        if (partial != null) {
          try {
            closePeer(partial);
          } catch (RuntimeException cleanup) {
            e.addSuppressed(cleanup);
          }
        }
        log.warn("peer {}: could not start", peer.name(), e);
        problem = "could not start the session: " + e.getMessage() + " (tried again every few seconds)";
      }
    }
    // refused peers are checked again every few seconds (retryRefused): a repeat is not news
    if (!problem.equals(refused.put(peer.name(), problem))) {
      log.warn("peer {}: {}", peer.name(), problem);
      events.publish(new SpeakerEvent.PeerRefused(clock.instant(), peer.name(), problem));
    }
  }

  /** Starts a peer that {@link #checkPeer} passed; throws when the session or its BFD session cannot be made. */
  private void startCheckedPeer(PeerConfig peer) {
    InetAddress local = peer.sourceAddress().orElseGet(() -> localAddressToward(peer.peerAddress()).orElseThrow());
    Set<AddressFamily> families = new LinkedHashSet<>();
    boolean v4 = peer.peerAddress() instanceof Inet4Address;
    families.add(v4 ? AddressFamily.IPV4_UNICAST : AddressFamily.IPV6_UNICAST);
    if (peer.dualStackAddressFamily()) {
      families.add(v4 ? AddressFamily.IPV6_UNICAST : AddressFamily.IPV4_UNICAST);
    }
    FsmConfig.Builder fsm = FsmConfig.builder()
        .localAs(peer.myAsn())
        .peerAs(peer.peerAsn().map(PeerAs::of).orElseGet(() -> switch (peer.dynamicAsn().orElseThrow()) {
          case INTERNAL -> PeerAs.anyInternal();
          case EXTERNAL -> PeerAs.anyExternal();
          case ANY -> PeerAs.any();
        }))
        .bgpIdentifier(routerId(peer, local))
        .holdTime(peer.holdTime())
        .families(families)
        .activeOnConnectFailure(true); // as MetalLB's FRR shows it: a refused connect leaves the peer in Active
    if (passive) {
      fsm.connectMode(io.speakerkit.bgp.fsm.ConnectMode.LISTEN_ONLY);
    }
    if (!peer.keepaliveTime().isZero()) {
      fsm.keepaliveTime(peer.keepaliveTime()); // zero: hold time 0, no keepalives at all (RFC 4271 §4.2)
    }
    peer.connectTime().ifPresent(fsm::connectRetryTime);
    if (peer.enableGracefulRestart()) {
      Map<AddressFamily, Boolean> forwarding = new LinkedHashMap<>();
      families.forEach(f -> forwarding.put(f, true));
      // RFC 4724 §4.1: the Restarting Speaker MUST set the Restart State bit; as FRR (bgp->t_startup), for the
      // restart time after this speaker started (endRestartState clears it)
      fsm.gracefulRestart(new GracefulRestart(restarting, GRACEFUL_RESTART_SECONDS, forwarding));
    }
    BgpSession.Builder session = BgpSession.builder()
        .transport(transport)
        .peer(peer.peerAddress())
        .peerPort(peer.peerPort())
        .config(fsm.build())
        .routeListener(new Received(peer.name(), peer.myAsn(), peer.peerAddress(), local));
    if (capture != null) {
      session.tap(capture);
    }
    peer.sourceAddress().ifPresent(session::localAddress);
    peer.password().ifPresent(session::md5Password);
    if (peer.ebgpMultiHop()) {
      session.ebgpMultihop(255);
    }
    PeerRuntime runtime = new PeerRuntime(peer, session.build());
    runtime.local = local;
    runtime.ribIn = mrtRibPath == null ? null : new HashMap<>();
    if (peer.dualStackAddressFamily()) {
      runtime.otherFamilyNextHop = otherFamilyAddress(local, v4).orElse(null);
    }
    runtime.linkLocalNextHop = linkLocalToward(local, peer.peerAddress()).orElse(null);
    peers.put(peer.name(), runtime);
    // apply() replaces the PeerRuntime of a live session (withConfig): state changes go to the current one.
    // the peer's AS as last learnt from its OPEN: still named in the record of its session's end (FRR's peer->as)
    java.util.concurrent.atomic.AtomicLong knownPeerAs = new java.util.concurrent.atomic.AtomicLong(
        peer.peerAsn().orElse(0L));
    runtime.session.addListener(change -> {
      runtime.session.negotiated().ifPresent(n -> knownPeerAs.set(n.peerAs()));
      MrtUpdateDump dump = mrt;
      if (dump != null) { // here, on the session's loop, in order with the UPDATEs Received dumps
        long peerAs = knownPeerAs.get();
        dump.stateChange(peerAs, peer.myAsn(), peer.peerAddress(), local, change.from(), change.to());
      }
      onWorker(() -> {
        PeerRuntime current = peers.get(peer.name());
        onBgpState(current != null && current.session == runtime.session ? current : runtime, change);
      });
    });
    if (!bfdSuspended.contains(peer.name())) { // a suspended peer's session reset: its BFD stays suspended
      peer.bfdProfile().ifPresent(name -> startBfd(runtime, config.bfdProfiles().get(name), local));
    }
    runtime.session.start();
    // Routes already planned for this peer (a restart, a peer added by reconfiguration, a refused peer retried).
    Instant now = clock.instant();
    List<PlannedRoute> planned = plan.routes(peer.name());
    for (PlannedRoute route : planned) {
      runtime.session.announce(route.prefix(), attributes(route, runtime));
      events.publish(new SpeakerEvent.RouteSent(now, peer.name(), route));
    }
    if (!planned.isEmpty()) {
      notifyMetrics();
    }
  }

  /** The restart time after start is over: OPENs from now on say this speaker has not just restarted. */
  private void endRestartState() {
    if (!running) {
      return;
    }
    restarting = false;
    for (PeerRuntime p : peers.values()) {
      if (p.config.enableGracefulRestart()) {
        p.session.restartState(false);
      }
    }
  }

  /**
   * Starts the refused peers whose problem has gone, e.g. a route toward the router or a sourceAddress that came up
   * after the speaker (a speaker started before the node's network is the common case); still refused, a peer is not
   * reported again unless its problem changed.
   */
  private void retryRefused() {
    if (!running) {
      return;
    }
    for (PeerConfig peer : config.peers()) {
      if (refused.containsKey(peer.name()) && !peers.containsKey(peer.name()) && plan.peerActive(peer)) {
        startPeer(peer);
      }
    }
    for (String name : List.copyOf(bfdRefused.keySet())) {
      PeerRuntime p = peers.get(name);
      if (p == null || p.bfd != null || p.config.bfdProfile().isEmpty() || bfdSuspended.contains(name)) {
        bfdRefused.remove(name);
      } else {
        startBfdOrRefuse(p, config.bfdProfiles().get(p.config.bfdProfile().get()));
      }
    }
  }

  /**
   * Starts the BFD session of a running peer (a profile added by apply(), resumeBfd, a retry). When it cannot be made
   * (what the checks did not foresee: an address pair the engine refuses, a socket), that peer's BFD alone is
   * refused, as startPeer refuses a peer: the reason in status() and a PeerRefused event (not repeated while the
   * reason stays), tried again every few seconds (retryRefused). Its BGP session runs on, without BFD, as before the
   * profile came; the rest of an apply() goes on.
   */
  private void startBfdOrRefuse(PeerRuntime p, BfdProfile profile) {
    String name = p.config.name();
    String problem;
    try {
      startBfd(p, profile, p.local);
      bfdRefused.remove(name);
      return;
    } catch (RuntimeException e) {
      if (p.bfdSubscription != null) {
        p.bfdSubscription.close();
      }
      if (p.bfd != null) {
        try {
          p.bfd.close();
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      p.bfd = null;
      p.bfdSubscription = null;
      log.warn("peer {}: could not start BFD", name, e);
      problem = "BFD could not start: " + e.getMessage() + " (tried again every few seconds; BGP runs without BFD"
          + " meanwhile)";
    }
    if (!problem.equals(bfdRefused.put(name, problem))) {
      log.warn("peer {}: {}", name, problem);
      events.publish(new SpeakerEvent.PeerRefused(clock.instant(), name, problem));
    }
  }

  private void startBfd(PeerRuntime runtime, BfdProfile profile, InetAddress local) {
    if (bfd == null) {
      bfd = newBfdEngine();
    }
    BfdSession closing = bfdClosing.remove(runtime.config.name());
    if (closing != null) {
      closing.close(); // the AdminDown session of a profile removed moments ago still holds the address pair
    }
    // ... also when it was another BGPPeer's (a peer renamed: MetalLB deletes it and creates the new one)
    bfdClosing.values().removeIf(s -> {
      if (s.remoteAddress().equals(runtime.config.peerAddress()) && s.localAddress().equals(local)) {
        s.close();
        return true;
      }
      return false;
    });
    runtime.bfdProfile = profile;
    BfdSessionConfig cfg = BfdSessionConfig.builder()
        .localAddress(local)
        .remoteAddress(runtime.config.peerAddress())
        .multihop(bfdMultihop(runtime.config, local))
        .profile(profile)
        .build();
    runtime.bfd = bfd.createSession(cfg);
    runtime.bfdReported = SessionState.Down;
    runtime.bfdSubscription = runtime.bfd.subscribe(change -> {
      // RFC 5882 §3.2: only a session that was Up and failed takes BGP down; a peer signalling AdminDown
      // (a router being reconfigured) leaves BGP alone, and a session that never came Up changes nothing.
      boolean failed = change.isUpToDown();
      // The cause is queued before its effect: the BGP state change of the teardown reaches the worker through the
      // session's listener, which could otherwise overtake this event.
      String name = runtime.config.name();
      onWorker(() -> onBfdState(name, change));
      if (failed) {
        runtime.session.teardown(CeaseSubcode.BFD_DOWN.value());
      } else if (change.newState() == SessionState.Up && change.oldState() != SessionState.Up) {
        // The path works again: a BGP session that backed off while it was down dials now, as FRR's bgpd does on
        // BFD Up, instead of after up to two minutes.
        runtime.session.retryNow();
      }
    });
  }

  private BfdEngine newBfdEngine() {
    BfdEngine.Builder b = BfdEngine.builder().singleHopPort(bfdSingleHopPort);
    if (capture != null) {
      b.tap(capture);
    }
    return b.build();
  }

  /**
   * Adds a service's addresses to the route plan, or takes them out, and sends what changes; nothing for a withheld
   * service, whose addresses are not in the plan ({@link #setAnnounceable}). Worker thread.
   */
  private void planAddresses(String serviceKey, String pool, List<InetAddress> addresses, boolean add) {
    if (withheld.contains(serviceKey)) {
      return;
    }
    for (InetAddress address : addresses) {
      apply(add ? plan.add(address, pool, serviceKey, serviceLabels.getOrDefault(serviceKey, Map.of()))
          : plan.remove(address, serviceKey));
    }
  }

  /**
   * Drops what a closed peer had sent, reported as withdrawn: its session's end no longer finds the peer, and routes
   * kept stale for a graceful restart would otherwise never be reported gone.
   */
  private void forgetReceived(PeerRuntime p) {
    List<IpPrefix> gone = List.copyOf(p.received);
    p.received.clear();
    p.stale.clear();
    String peer = p.config.name();
    // Queued behind the BGP state change the teardown has queued already: the session ends, then its routes go.
    onWorker(() -> {
      Instant now = clock.instant();
      for (IpPrefix prefix : gone) {
        events.publish(new SpeakerEvent.RouteUnreachable(now, peer, prefix));
      }
    });
  }

  private void closePeer(PeerRuntime p) {
    bfdRefused.remove(p.config.name());
    if (p.staleTimer != null) {
      p.staleTimer.cancel(false);
    }
    if (p.bfdSubscription != null) {
      p.bfdSubscription.close();
    }
    if (p.bfd != null) {
      p.bfd.close();
      reportBfdRemoved(p);
    }
    p.session.close();
  }

  /**
   * A removed BFD session sends nothing more (FRR's bfdd does the same on deletion), but subscribers are told it
   * ended, as AdminDown: the state RFC 5880 §6.8.16 gives a session taken down by its own side.
   */
  private void reportBfdRemoved(PeerRuntime p) {
    SessionState last = p.bfdReported;
    if (last == SessionState.AdminDown) {
      return;
    }
    p.bfdReported = SessionState.AdminDown;
    String peer = p.config.name();
    // Queued behind the BGP state changes the teardown has queued already, so the events keep their order.
    onWorker(() -> events.publish(new SpeakerEvent.BfdStateChanged(clock.instant(), peer, last.name(),
        SessionState.AdminDown.name(), Diagnostic.ADMINISTRATIVELY_DOWN.toString())));
  }

  private void onBgpState(PeerRuntime p, BgpAction.StateChanged change) {
    p.state = change.to().name();
    p.lastCause = change.cause().toString();
    if (change.to() == BgpState.Established) {
      p.establishedAt = clock.instant();
      p.negotiated = p.session.negotiated().orElse(null);
    } else if (change.from() == BgpState.Established) {
      p.establishedAt = null;
    }
    change.cause().sent().ifPresent(n ->
        events.publish(new SpeakerEvent.NotificationEvent(clock.instant(), p.config.name(), true, n.toString())));
    change.cause().received().ifPresent(n ->
        events.publish(new SpeakerEvent.NotificationEvent(clock.instant(), p.config.name(), false, n.toString())));
    events.publish(new SpeakerEvent.BgpStateChanged(clock.instant(), p.config.name(), change.from().name(),
        change.to().name(), change.cause().toString()));
    notifyMetrics();
  }

  private void onBfdState(String peer, BfdStateChange change) {
    PeerRuntime p = peers.get(peer);
    if (p == null || p.bfd != change.session()) {
      return; // queued before the session was removed, whose end was reported then (reportBfdRemoved)
    }
    p.bfdReported = change.newState();
    events.publish(new SpeakerEvent.BfdStateChanged(clock.instant(), p.config.name(), change.oldState().name(),
        change.newState().name(), change.diagnostic().toString()));
    notifyMetrics();
  }

  /**
   * Receives the peer's routes (the optional Adj-RIB-In is the set of its prefixes, with their attributes when an
   * MRT RIB dump is kept). As a graceful restart helper (RFC 4724 §4.2) it keeps, after a session end without
   * NOTIFICATION, the prefixes of the families the peer's capability named, marked stale; they go with the peer's
   * End-of-RIB for their family, at once when the new session leaves their Forwarding State bit clear, when the
   * restart time runs out before the session is back, or 360 s after it is back, unless announced again.
   */
  private final class Received implements RouteListener {
    /** How long stale routes wait for the End-of-RIB once the peer is back (RFC 4724 §4.2 bound; FRR's default). */
    private static final Duration STALE_PATH_TIME = Duration.ofSeconds(360);
    /**
     * UPDATEs handed to the worker and not yet applied, above which the session stops reading until they fall to
     * {@link #RECEIVE_QUEUE_RESUME}: TCP then holds a flooding peer back, as FRR's input queue limit (10,000) does,
     * instead of the queue growing with what the peer sends while the worker is busy.
     */
    private static final int RECEIVE_QUEUE_PAUSE = 10_000;
    private static final int RECEIVE_QUEUE_RESUME = 2_000;
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();
    private final String peer;
    private final long localAs;
    private final InetAddress peerAddress;
    private final InetAddress localAddress;

    Received(String peer, long localAs, InetAddress peerAddress, InetAddress localAddress) {
      this.peer = peer;
      this.localAs = localAs;
      this.peerAddress = peerAddress;
      this.localAddress = localAddress;
    }

    @Override
    public void onUpdate(BgpSession session, UpdateMessage update) {
      MrtUpdateDump dump = mrt;
      if (dump != null) {
        NegotiatedSession n = session.negotiated().orElseThrow(); // Established
        // RFC 8050 §3: path identifiers in the NLRI when the session receives them for the message's family
        AddressFamily family = update.attributes().hasMpReach() ? update.attributes().mpReach().family()
            : update.attributes().hasMpUnreach() ? update.attributes().mpUnreach().family()
            : AddressFamily.IPV4_UNICAST;
        dump.message(n.peerAs(), localAs, peerAddress, localAddress, n.fourOctetAs(),
            n.addPathReceive().contains(family), update.content(), update.offset(), update.length());
      }
      AddressFamily endOfRib = update.endOfRib();
      if (endOfRib != null) {
        onWorker(() -> {
          PeerRuntime p = current(session);
          dropStale(p, prefix -> prefix.family().equals(endOfRib));
          if (p != null) {
            events.publish(new SpeakerEvent.EndOfRibReceived(clock.instant(), peer, endOfRib));
          }
        });
        return;
      }
      // NLRI of a family not negotiated are ignored (RFC 4760 §7)
      Set<AddressFamily> families = session.negotiated().map(NegotiatedSession::families).orElse(Set.of());
      List<IpPrefix> withdrawn = RouteKey.withdrawn(update, families).stream().map(RouteKey::prefix).toList();
      List<IpPrefix> announced = RouteKey.announced(update, families).stream().map(RouteKey::prefix).toList();
      boolean treatAsWithdraw = update.errorAction().withdrawsRoutes();
      // RFC 6793 §4.2.3: a 2-octet AS speaker's path is AS_PATH and AS4_PATH together, for the route-received event
      // as for the MRT RIB dump's records (4-octet AS numbers, RFC 6396 §4.3.4)
      PathAttributes attributes = announced.isEmpty() || treatAsWithdraw ? null
          : update.context().fourOctetAs() ? update.attributes().toPathAttributes()
          : update.attributes().toPathAttributes().withAs4AttributesMerged();
      PathAttributes ribAttributes = attributes;
      if (queued.incrementAndGet() >= RECEIVE_QUEUE_PAUSE && paused.compareAndSet(false, true)) {
        session.pauseReading();
      }
      onWorker(() -> {
        try {
          applyReceived(session, withdrawn, announced, treatAsWithdraw, attributes, ribAttributes);
        } finally {
          if (queued.decrementAndGet() <= RECEIVE_QUEUE_RESUME && paused.compareAndSet(true, false)) {
            session.resumeReading();
          }
        }
      });
    }

    private void applyReceived(BgpSession session, List<IpPrefix> withdrawn, List<IpPrefix> announced,
        boolean treatAsWithdraw, PathAttributes attributes, PathAttributes ribAttributes) {
      PeerRuntime p = current(session);
      if (p == null) {
        return;
      }
      Instant now = clock.instant();
      for (IpPrefix prefix : withdrawn) {
        p.stale.remove(prefix);
        if (p.ribIn != null) {
          p.ribIn.remove(prefix);
        }
        if (p.received.remove(prefix)) {
          events.publish(new SpeakerEvent.RouteUnreachable(now, peer, prefix));
        }
      }
      for (IpPrefix prefix : announced) {
        p.stale.remove(prefix);
        if (treatAsWithdraw) {
          if (p.ribIn != null) {
            p.ribIn.remove(prefix);
          }
          if (p.received.remove(prefix)) {
            events.publish(new SpeakerEvent.RouteUnreachable(now, peer, prefix));
          }
        } else {
          p.received.add(prefix);
          if (p.ribIn != null) {
            p.ribIn.put(prefix, new ReceivedRoute(ribAttributes, now.getEpochSecond()));
          }
          events.publish(new SpeakerEvent.RouteReceived(now, peer, prefix, attributes));
        }
      }
    }

    @Override
    public void onSessionDown(BgpSession session, Set<AddressFamily> staleFamilies, Duration restartTime) {
      onWorker(() -> {
        PeerRuntime p = current(session);
        if (p == null) {
          return;
        }
        // RFC 4724 §4.2: a route still stale from an earlier restart goes now ("previously marked as stale MUST be
        // deleted", consecutive restarts; FRR's bgp_clear_route_node does so)
        dropStale(p, prefix -> true);
        // every route is stale now; those not kept for a graceful restart go with the session, reported as withdrawn
        p.stale.addAll(p.received);
        dropStale(p, prefix -> !staleFamilies.contains(prefix.family()));
        staleFor(p, restartTime);
      });
    }

    /**
     * Back in Established: stale routes of families without the Forwarding State bit go now; the others wait for the
     * End-of-RIB up to the stale-path time (360 s, FRR's default), no longer the restart time.
     */
    @Override
    public void onSessionUp(BgpSession session, NegotiatedSession negotiated) {
      Map<AddressFamily, Boolean> forwarding = negotiated.peerGracefulRestart().map(GracefulRestart::forwardingState)
          .orElse(Map.of());
      onWorker(() -> {
        PeerRuntime p = current(session);
        dropStale(p, prefix -> !forwarding.getOrDefault(prefix.family(), false));
        if (p != null && p.staleTimer != null) {
          staleFor(p, STALE_PATH_TIME);
        }
      });
    }

    /**
     * The peer's runtime while {@code session} is still its session, else null: what a session queued before an
     * {@link #apply} replaced it under the same name must not land on its successor.
     */
    private PeerRuntime current(BgpSession session) {
      PeerRuntime p = peers.get(peer);
      return p != null && p.session == session ? p : null;
    }

    /** (Re)starts the timer that drops whatever is still stale after {@code time}. */
    private void staleFor(PeerRuntime p, Duration time) {
      if (p.staleTimer != null) {
        p.staleTimer.cancel(false);
        p.staleTimer = null;
      }
      if (p.stale.isEmpty()) {
        return;
      }
      try {
        p.staleTimer = transport.group().next().schedule(
            () -> onWorker(() -> dropStale(peers.get(peer), prefix -> true)), time.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        p.stale.clear(); // the speaker is stopping: its peers go with it
      }
    }

    /** Removes the stale prefixes {@code which} selects, each reported unreachable. */
    private void dropStale(PeerRuntime p, java.util.function.Predicate<IpPrefix> which) {
      if (p == null || p.stale.isEmpty()) {
        return;
      }
      Instant now = clock.instant();
      for (java.util.Iterator<IpPrefix> it = p.stale.iterator(); it.hasNext(); ) {
        IpPrefix prefix = it.next();
        if (which.test(prefix)) {
          it.remove();
          p.received.remove(prefix);
          if (p.ribIn != null) {
            p.ribIn.remove(prefix);
          }
          events.publish(new SpeakerEvent.RouteUnreachable(now, peer, prefix));
        }
      }
      if (p.stale.isEmpty() && p.staleTimer != null) {
        p.staleTimer.cancel(false);
        p.staleTimer = null;
      }
      notifyMetrics();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Routes

  private void apply(List<RoutePlan.Change> changes) {
    Instant now = clock.instant();
    for (RoutePlan.Change c : changes) {
      PeerRuntime p = peers.get(c.peer());
      if (p == null) {
        continue;
      }
      if (c.route().isPresent()) {
        p.session.announce(c.prefix(), attributes(c.route().get(), p));
        events.publish(new SpeakerEvent.RouteSent(now, c.peer(), c.route().get()));
      } else {
        p.session.withdraw(c.prefix());
        events.publish(new SpeakerEvent.RouteWithdrawn(now, c.peer(), c.prefix()));
      }
    }
    if (!changes.isEmpty()) {
      notifyMetrics();
    }
  }

  /**
   * ORIGIN IGP, MED 0, communities, LOCAL_PREF; the session adds AS_PATH (our AS to eBGP) and NEXT_HOP (its address)
   * for routes of its own family. MED 0 as MetalLB's FRR sends it: a prefix of a {@code network} statement gets
   * MULTI_EXIT_DISC 0 (bgp_static_update), kept toward eBGP peers too since the route is originated here. Routes of
   * the other family (dualStackAddressFamily) carry our address of that family on the interface toward the peer: the
   * session has none of its own to put there; without one, what FRR sends then ({@code ::ffff:<our IPv4>}, or the
   * router ID).
   */
  private static PathAttributes attributes(PlannedRoute route, PeerRuntime peer) {
    PathAttributes.Builder b = PathAttributes.builder().origin(Origin.IGP).med(0);
    boolean sessionV4 = peer.config.peerAddress() instanceof Inet4Address;
    InetAddress global = route.prefix().isIpv4() != sessionV4 ? peer.otherFamilyNextHop
        : route.prefix().isIpv4() ? null : peer.local;
    if (global == null && route.prefix().isIpv4() != sessionV4) {
      if (sessionV4) {
        // FRR (bpacket_reformat_for_peer): no IPv6 global toward the peer: ::ffff:<our IPv4>, link-local beside it
        byte[] nh = new byte[peer.linkLocalNextHop == null ? 16 : 32];
        nh[10] = (byte) 0xFF;
        nh[11] = (byte) 0xFF;
        System.arraycopy(peer.local.getAddress(), 0, nh, 12, 4);
        if (peer.linkLocalNextHop != null) {
          System.arraycopy(peer.linkLocalNextHop.getAddress(), 0, nh, 16, 16);
        }
        b.ipv6NextHop(nh);
      } else {
        // FRR (bgp_zebra_nexthop_set): no IPv4 on the interface: the router ID is the IPv4 next hop
        b.nextHop(routerId(peer.config, peer.local).toInetAddress());
      }
    } else if (global instanceof java.net.Inet6Address v6 && peer.linkLocalNextHop != null) {
      b.ipv6NextHop(v6, peer.linkLocalNextHop); // global and link-local, as FRR sends to a peer on its network
    } else if (global != null && route.prefix().isIpv4() != sessionV4) {
      b.nextHop(global);
    }
    if (!route.communities().isEmpty()) {
      b.communities(route.communities());
    }
    if (!route.largeCommunities().isEmpty()) {
      b.largeCommunities(route.largeCommunities().toArray(io.speakerkit.bgp.wire.attribute.LargeCommunity[]::new));
    }
    route.localPref().ifPresent(b::localPref);
    return b.build();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Checks that turn a peering stuck in Connect/Active into a plain message

  private String checkPeer(PeerConfig peer) {
    for (PeerRuntime other : peers.values()) {
      // Two BGPPeers of one address may both select this node (SpeakerConfig refuses it only without
      // nodeSelectors); MetalLB refuses the second (FRR has one neighbor per address, whatever the port), and the
      // transport carries one session per peer address and local address.
      if (other.config.peerAddress().equals(peer.peerAddress())) {
        return "peerAddress " + peer.peerAddress().getHostAddress() + " is already the address of BGPPeer "
            + other.config.name() + " on this node (port " + other.config.peerPort() + "); give one of them"
            + " nodeSelectors that do not select this node";
      }
    }
    if (!allowLocalPeers && isLocal(peer.peerAddress())) {
      return "peerAddress " + peer.peerAddress().getHostAddress() + " is an address of this host"
          + interfaceName(peer.peerAddress()) + ": a speaker cannot peer with itself; set peerAddress to the"
          + " router's address (for a lab router on this host: Speaker.Builder.allowLocalPeers, the"
          + " speaker command's --allow-local-peers)";
    }
    if (peer.sourceAddress().isPresent() && !isLocal(peer.sourceAddress().get())) {
      return "sourceAddress " + peer.sourceAddress().get().getHostAddress() + " is not an address of this host;"
          + " set it to one of this node's addresses or remove it";
    }
    InetAddress local = peer.sourceAddress().or(() -> localAddressToward(peer.peerAddress())).orElse(null);
    if (local == null) {
      return "no route toward " + peer.peerAddress().getHostAddress() + " on this host, so no address to speak"
          + " from (checked again every few seconds); is the node's network up?";
    }
    if (peer.routerId().isEmpty() && !(local instanceof Inet4Address) && hostRouterId().isEmpty()) {
      return "routerID is required: this host has no IPv4 address to use as BGP identifier toward "
          + peer.peerAddress().getHostAddress() + " (RFC 4271 §4.2)";
    }
    // dualStackAddressFamily without an address of the other family toward the peer: not refused; FRR sends
    // ::ffff:<IPv4> (IPv6 routes) or the router ID (IPv4 routes) as next hop then (attributes)
    return null;
  }

  private static boolean isLocal(InetAddress address) {
    if (address.isLoopbackAddress()) {
      return true; // all of 127.0.0.0/8 is this host's, though only 127.0.0.1 is assigned to lo
    }
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  private static String interfaceName(InetAddress address) {
    try {
      NetworkInterface nif = NetworkInterface.getByInetAddress(address);
      return nif == null ? "" : " (interface " + nif.getName() + ")";
    } catch (SocketException e) {
      return "";
    }
  }

  /**
   * Whether BFD to {@code peer} runs multihop (RFC 5883), as FRR decides for a BGP neighbor: eBGP multihop, or iBGP to
   * an address that is not on the network of the local address (a route reflector's loopback, say).
   */
  static boolean bfdMultihop(PeerConfig peer, InetAddress local) {
    return peer.internal() ? !sharesNetwork(local, peer.peerAddress()) : peer.ebgpMultiHop();
  }

  /** Whether {@code peer} lies in the subnet of the interface address {@code local}; true when that cannot be told. */
  static boolean sharesNetwork(InetAddress local, InetAddress peer) {
    if (local.isLoopbackAddress() && peer.isLoopbackAddress()) {
      return true;
    }
    try {
      NetworkInterface nif = NetworkInterface.getByInetAddress(local);
      if (nif == null) {
        return true;
      }
      for (java.net.InterfaceAddress ia : nif.getInterfaceAddresses()) {
        if (ia.getAddress().equals(local)) {
          return samePrefix(local.getAddress(), peer.getAddress(), ia.getNetworkPrefixLength());
        }
      }
      return true;
    } catch (SocketException e) {
      return true;
    }
  }

  static boolean samePrefix(byte[] a, byte[] b, int bits) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
      int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
      if (((a[i] ^ b[i]) & mask) != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The source address the kernel picks toward {@code peer} (a routing lookup; nothing is sent); empty when it has no
   * route there.
   */
  static Optional<InetAddress> localAddressToward(InetAddress peer) {
    try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
      probe.connect(new InetSocketAddress(peer, 179));
      InetAddress local = probe.getLocalAddress();
      return local == null || local.isAnyLocalAddress() ? Optional.empty() : Optional.of(local);
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  /**
   * The link-local address FRR adds to the next hop of an IPv6 route it originates (32 octets: global and
   * link-local, bgp_route.c subgroup_announce_check) toward a peer on a network of the interface holding
   * {@code local}: that interface's IPv6 link-local address. Empty toward a peer beyond that network, or without one.
   */
  static Optional<java.net.Inet6Address> linkLocalToward(InetAddress local, InetAddress peer) {
    try {
      NetworkInterface nif = NetworkInterface.getByInetAddress(local);
      if (nif == null || !sharesNetwork(local, peer)) {
        return Optional.empty();
      }
      for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
        if (a instanceof java.net.Inet6Address v6 && v6.isLinkLocalAddress()) {
          return Optional.of(v6);
        }
      }
      return Optional.empty();
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  private static Optional<InetAddress> otherFamilyAddress(InetAddress local, boolean wantV6) {
    try {
      NetworkInterface nif = NetworkInterface.getByInetAddress(local);
      if (nif == null) {
        return Optional.empty();
      }
      InetAddress linkLocal = null;
      for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
        boolean v4 = a instanceof Inet4Address;
        if (v4 == wantV6) {
          continue;
        }
        if (a.isLinkLocalAddress()) {
          linkLocal = a;
        } else {
          return Optional.of(a);
        }
      }
      return Optional.ofNullable(wantV6 ? null : linkLocal);
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  private static BgpIdentifier routerId(PeerConfig peer, InetAddress local) {
    if (peer.routerId().isPresent()) {
      return BgpIdentifier.of(peer.routerId().get());
    }
    return BgpIdentifier.of((Inet4Address) (local instanceof Inet4Address ? local
        : peer.sourceAddress().filter(a -> a instanceof Inet4Address).or(Speaker::hostRouterId).orElseThrow()));
  }

  /**
   * An IPv4 address of this host to identify an IPv6 session by, chosen as FRR's zebra chooses its router-id (what
   * MetalLB's FRR mode uses): the highest address on a loopback interface, else the highest on any other up
   * interface; never 127.0.0.0/8 or link-local. Empty on a host without IPv4.
   */
  static Optional<InetAddress> hostRouterId() {
    List<Map.Entry<Boolean, Inet4Address>> candidates = new ArrayList<>();
    try {
      for (NetworkInterface nif : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp()) {
          continue;
        }
        for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address v4) {
            candidates.add(Map.entry(nif.isLoopback(), v4));
          }
        }
      }
    } catch (SocketException e) {
      return Optional.empty();
    }
    return routerIdAmong(candidates).map(a -> a);
  }

  /** {@link #hostRouterId()}'s choice among (on a loopback interface, address) pairs. */
  static Optional<Inet4Address> routerIdAmong(List<Map.Entry<Boolean, Inet4Address>> candidates) {
    java.util.Comparator<Map.Entry<Boolean, Inet4Address>> order = java.util.Comparator
        .comparing((Map.Entry<Boolean, Inet4Address> e) -> e.getKey())
        .thenComparing(e -> Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(e.getValue().getAddress()).getInt()));
    return candidates.stream()
        .filter(e -> !e.getValue().isLoopbackAddress() && !e.getValue().isLinkLocalAddress()
            && !e.getValue().isAnyLocalAddress())
        .max(order)
        .map(Map.Entry::getValue);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Status and events

  private PeerStatus statusOf(PeerRuntime p) {
    String state = p.state;
    Optional<Duration> uptime = p.establishedAt == null ? Optional.empty()
        : Optional.of(Duration.between(p.establishedAt, clock.instant()));
    NegotiatedSession n = p.negotiated;
    String negotiated = n == null || !state.equals("Established") ? ""
        : "families " + n.families() + (n.fourOctetAs() ? ", 4-octet AS" : "") + (n.routeRefresh() ? ", route refresh"
            : "") + (n.extendedMessage() ? ", extended message" : "") + ", hold " + n.holdTime().toSeconds() + "s";
    Optional<String> bfdState = p.bfd == null ? Optional.empty() : Optional.of(p.bfd.state().name());
    Optional<String> bfdProblem = p.bfd == null || bfd == null ? Optional.empty() : bfd.receiveProblem(p.bfd);
    String explanation = explain(p, state, bfdState);
    String bfdRefusal = bfdRefused.get(p.config.name());
    if (bfdRefusal != null) {
      explanation = (explanation.isEmpty() ? "" : explanation + " ") + bfdRefusal + ".";
    }
    if (bfdProblem.isPresent()) {
      explanation = (explanation.isEmpty() ? "" : explanation + " ") + "BFD " + bfdProblem.get()
          + " (another BFD daemon on this host?): BFD cannot come Up.";
    }
    return new PeerStatus(p.config.name(), state, uptime, negotiated, plan.routes(p.config.name()).size(),
        p.received.size(), bfdState, explanation);
  }

  /** The operator's rules of thumb, applied to what the session saw. */
  private static String explain(PeerRuntime p, String state, Optional<String> bfdState) {
    String peer = p.config.peerAddress().getHostAddress() + " port " + p.config.peerPort();
    String cause = p.lastCause.isEmpty() ? "" : " Last change: " + p.lastCause + ".";
    String bfdNote = bfdState.filter(s -> !s.equals("Up")).map(s -> " BFD is " + s
        + ": if the router has no BFD configured this is expected and BGP is unaffected.").orElse("");
    return switch (state) {
      case "Established" -> bfdNote.trim();
      case "Idle" -> "Idle: the session is not trying to connect right now (it waits before retrying, or was"
          + " stopped). When a NOTIFICATION is named below, the two sides disagree on an OPEN parameter (AS"
          + " numbers, hold time, BGP identifier, capabilities): compare it with the router's configuration." + cause;
      case "Connect" -> "Connect: a TCP connection to " + peer + " is being attempted and nothing has come back;"
          + " packets may not be leaving this host (route, firewall, wrong peerAddress or sourceAddress)." + cause;
      case "Active" -> "Active: the TCP connection to " + peer + " failed or was refused; the router is reachable"
          + " but did not complete the handshake: check that it has this node as a neighbor, listens on the port,"
          + " and uses the same TCP MD5 password." + cause;
      case "OpenSent", "OpenConfirm" -> state + ": TCP is up and OPEN messages are being exchanged." + cause;
      default -> state + cause;
    };
  }

  private List<SpeakerEvent> snapshotEvents() {
    List<SpeakerEvent> out = new ArrayList<>();
    Instant now = clock.instant();
    for (PeerRuntime p : peers.values()) {
      out.add(new SpeakerEvent.BgpStateChanged(now, p.config.name(), p.state, p.state, "snapshot"));
      if (p.bfd != null) {
        out.add(new SpeakerEvent.BfdStateChanged(now, p.config.name(), p.bfd.state().name(), p.bfd.state().name(),
            "snapshot"));
      }
    }
    for (Map.Entry<String, String> r : refused.entrySet()) {
      out.add(new SpeakerEvent.PeerRefused(now, r.getKey(), r.getValue()));
    }
    for (Map.Entry<String, String> r : bfdRefused.entrySet()) {
      out.add(new SpeakerEvent.PeerRefused(now, r.getKey(), r.getValue()));
    }
    if (allocator != null) {
      for (Allocation a : allocator.allocations()) {
        out.add(new SpeakerEvent.Allocated(now, a.serviceKey(), a.addresses(), a.pool()));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Worker thread

  private void onWorker(Runnable task) {
    ExecutorService w = worker;
    if (w == null) {
      w = retiring; // stopping: what the sessions report while they close is still heard
    }
    if (w == null || w.isShutdown()) {
      return;
    }
    try {
      w.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.warn("speaker task failed", e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException ignored) {
      // stopping
    }
  }

  private static void awaitTerminationUninterruptibly(ExecutorService executor) {
    boolean interrupted = false;
    while (true) {
      try {
        if (executor.awaitTermination(10, TimeUnit.SECONDS)) {
          break;
        }
        log.warn("speaker worker still busy after stop; waiting");
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Throws unless a file can be created beside {@code file} (its snapshots are written there, then renamed). */
  private static void checkWritableDirectory(java.nio.file.Path file) {
    java.nio.file.Path dir = file.toAbsolutePath().getParent();
    try {
      java.nio.file.Files.delete(java.nio.file.Files.createTempFile(dir, ".speakerkit-probe", ".tmp"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("MRT RIB dump " + file + ": cannot write in " + dir, e);
    }
  }

  /** Runs {@code task} on the worker: the speaker's calls inside it see one state, nothing changing in between. */
  <T> T atOnce(Callable<T> task) {
    return call(task);
  }

  /** The BFD engine the peers' sessions run on, made if there is none yet (tests: an address pair held on it). */
  BfdEngine bfdEngine() {
    return call(() -> {
      if (bfd == null) {
        bfd = newBfdEngine();
      }
      return bfd;
    });
  }

  /** How many routes of {@code peer} the MRT RIB dump holds attributes for (tests: it must not outgrow the table). */
  int mrtRibRoutes(String peer) {
    return call(() -> {
      PeerRuntime p = peers.get(peer);
      return p == null || p.ribIn == null ? 0 : p.ribIn.size();
    });
  }

  private <T> T call(Callable<T> task) {
    ExecutorService w = worker;
    if (w == null) {
      throw new IllegalStateException("speaker not started");
    }
    if (Thread.currentThread() == workerThread) {
      // a listener (metrics, events) calling back into the speaker: the worker cannot wait for itself
      try {
        return task.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    Future<T> f;
    try {
      f = w.submit(task);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      throw new IllegalStateException("speaker not started (or stopped meanwhile)", stopping);
    }
    return await(f);
  }

  /** The task's result; what it threw is thrown here (a checked exception wrapped). */
  private static <T> T await(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Builds a {@link Speaker}. */
  public static final class Builder {
    private SpeakerConfig config;
    private SpeakerConfig.Builder parts;
    private NodeIdentity node = new NodeIdentity(hostName(), Map.of());
    private boolean ignoreExcludeLb;
    private java.util.function.Supplier<AllocationStore> storeFactory = inMemory();
    private Clock clock = Clock.systemUTC();
    private int bfdSingleHopPort = 3784;
    private boolean allowLocalPeers;
    private PeerMetrics.Listener metricsListener;
    private java.nio.file.Path capturePath;
    private java.nio.file.Path mrtPath;
    private java.nio.file.Path mrtRibPath;
    private Duration mrtRibInterval;
    private InetSocketAddress listen;
    private boolean passive;

    private Builder() {}

    /**
     * Also accepts BGP connections from configured peers on {@code address} (e.g. port 179). Connections from
     * anyone else are closed at once.
     */
    public Builder listen(InetSocketAddress address) {
      this.listen = address;
      return this;
    }

    /**
     * Never dials out: every peer must connect to {@link #listen} (a route collector, or a router-side lab).
     */
    public Builder passive(boolean passive) {
      this.passive = passive;
      return this;
    }

    /** The pools, peers, advertisements and BFD profiles; or give them one by one with {@link #pool} and the rest. */
    public Builder config(SpeakerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Adds a pool named {@code name} with these CIDRs and {@code start-end} ranges, MetalLB's defaults otherwise. */
    public Builder pool(String name, String... addresses) {
      return pool(IpAddressPool.builder().name(name).addresses(addresses).build());
    }

    /** Adds a pool to the configuration this builder collects (see {@link SpeakerConfig.Builder#pool}). */
    public Builder pool(IpAddressPool pool) {
      parts().pool(pool);
      return this;
    }

    /** Adds a peer to the configuration this builder collects. */
    public Builder peer(PeerConfig peer) {
      parts().peer(peer);
      return this;
    }

    /** Adds an advertisement (MetalLB announces nothing to a peer no advertisement selects). */
    public Builder advertisement(AdvertisementConfig advertisement) {
      parts().advertisement(advertisement);
      return this;
    }

    /** Adds a BFD profile that peers name with {@link PeerConfig.Builder#bfdProfile}. */
    public Builder bfdProfile(String name, BfdProfile profile) {
      parts().bfdProfile(name, profile);
      return this;
    }

    private SpeakerConfig.Builder parts() {
      if (parts == null) {
        parts = SpeakerConfig.builder();
      }
      return parts;
    }

    /**
     * The node this speaker stands for, matched by nodeSelectors (default: the host name, no labels). A node
     * labelled {@value NodeIdentity#EXCLUDE_FROM_LOAD_BALANCERS} announces no service, as with MetalLB.
     */
    public Builder node(NodeIdentity node) {
      this.node = Objects.requireNonNull(node, "node");
      return this;
    }

    /** Announce even from a node labelled to be excluded from load balancers (MetalLB's --ignore-exclude-lb). */
    public Builder ignoreExcludeLb(boolean value) {
      this.ignoreExcludeLb = value;
      return this;
    }

    /**
     * Where allocations are kept, opened on every {@link Speaker#start()} and closed on stop (default: one in-memory
     * store kept across restarts of this speaker). To survive process restarts use the allocator's journal:
     * {@code storeFactory(() -> FileAllocationStore.open(path))}.
     */
    public Builder storeFactory(java.util.function.Supplier<AllocationStore> factory) {
      this.storeFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    private static java.util.function.Supplier<AllocationStore> inMemory() {
      AllocationStore shared = AllocationStore.inMemory();
      return () -> shared;
    }

    /**
     * Writes every BGP and BFD packet sent and received, with their real addresses and ports, to a pcap file that
     * Wireshark and tshark open (created at the first start, appended to after a restart).
     */
    public Builder capture(java.nio.file.Path file) {
      this.capturePath = file;
      return this;
    }

    /**
     * Writes every UPDATE received and every session state change to an MRT file (RFC 6396, BGP4MP records, as FRR's
     * {@code dump bgp updates} does) that bgpdump and BGPStream read (created at the first start, appended to after a
     * restart). An UPDATE is written as received, once the session has taken it (RFC 7606 checks passed or treated as
     * withdraw).
     */
    public Builder mrtDump(java.nio.file.Path file) {
      this.mrtPath = file;
      return this;
    }

    /**
     * Writes a snapshot of the routes every peer sent to {@code file} every {@code interval} (RouteViews writes one
     * every two hours), as MRT TABLE_DUMP_V2 (RFC 6396 §4.3), replacing the previous one; keeps the attributes of
     * received routes for it. {@link Speaker#writeMrtRib} writes one at any time.
     */
    public Builder mrtRibDump(java.nio.file.Path file, Duration interval) {
      if (interval.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("MRT RIB dump interval: " + interval + " (expected: >= 1 ms)");
      }
      this.mrtRibPath = Objects.requireNonNull(file, "file");
      this.mrtRibInterval = interval;
      return this;
    }

    /**
     * Told every peer's {@link PeerMetrics} after each state change, BFD change and route change (on the speaker's
     * worker thread; must not block). {@link Speaker#metrics()} gives the same numbers on demand.
     */
    public Builder metricsListener(PeerMetrics.Listener listener) {
      this.metricsListener = listener;
      return this;
    }

    /** The wall clock for event timestamps and uptimes (a hook for tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The UDP port single-hop BFD uses on both ends (RFC 5881: 3784; another only for labs on one host). */
    public Builder bfdSingleHopPort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("bfdSingleHopPort: " + port + " (expected: 1-65535)");
      }
      this.bfdSingleHopPort = port;
      return this;
    }

    /**
     * Allows a peer address that belongs to this host (a lab where the router runs on the same machine). Off by
     * default: such a peering is refused with a message, because it is almost always a configuration mistake.
     */
    public Builder allowLocalPeers(boolean allow) {
      this.allowLocalPeers = allow;
      return this;
    }

    public Speaker build() {
      if (config != null && parts != null) {
        throw new IllegalStateException("config: set together with pool/peer/advertisement/bfdProfile"
            + " (expected: one or the other)");
      }
      if (parts != null) {
        config = parts.build();
      }
      if (config == null) {
        throw new IllegalStateException("config: unset (expected: config(...) or pool/peer/advertisement)");
      }
      if (passive && listen == null) {
        throw new IllegalStateException("passive: set, but no listen address (expected: listen(address) too)");
      }
      return new Speaker(this);
    }

    /** {@link #build()}, then {@link Speaker#start()}; close the speaker to stop it. */
    public Speaker start() {
      Speaker speaker = build();
      try {
        speaker.start();
      } catch (RuntimeException e) {
        speaker.close();
        throw e;
      }
      return speaker;
    }

    private static String hostName() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        return "localhost";
      }
    }
  }
}
