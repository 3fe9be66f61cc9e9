package io.speakerkit.bfd;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.speakerkit.timers.Scheduler;
import io.speakerkit.timers.Timeout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs any number of {@link BfdFsm}s on one {@link Scheduler} thread, without sockets: it demultiplexes received
 * packets (RFC 5880 §6.8.6: by Your Discriminator, or by addresses when it is zero), keeps every session's next
 * deadline in one heap behind a single scheduler timeout, and hands packets to send to a {@link PacketIo}. The
 * Netty transport ({@link io.speakerkit.bfd.transport.BfdEngine}) is one {@code PacketIo}; tests connect two
 * drivers back to back on a {@link io.speakerkit.timers.ManualScheduler}.
 *
 * <p>Every method except the {@link BfdSession} ones must be called on the scheduler thread.
 */
public final class BfdDriver {

  private static final Logger log = LoggerFactory.getLogger(BfdDriver.class);

  /** What the driver needs from a transport. */
  public interface PacketIo {
    /** A buffer for one outgoing packet (at most {@link ControlPacketCodec#MAX_LENGTH} bytes). */
    ByteBuf allocate();

    /** Sends {@code packet} for {@code session}; ownership of the buffer passes to the callee. */
    void send(BfdSession session, ByteBuf packet);

    /** A session was created (e.g. open its socket); called on the scheduler thread. */
    default void sessionAdded(BfdSession session) {}

    /** A session was closed; called on the scheduler thread. */
    default void sessionRemoved(BfdSession session) {}

    /** A session's profile changed (e.g. its minimumTtl); called on the scheduler thread. */
    default void profileUpdated(BfdSession session) {}
  }

  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final PacketIo io;
  private final IntObjectHashMap<DriverSession> byDiscr = new IntObjectHashMap<>();
  private final Map<PeerKey, DriverSession> byPeer = new HashMap<>();
  private final DeadlineHeap heap = new DeadlineHeap();
  private final BfdFsm.Output output = new FsmOutput();
  private Timeout timer;
  private long timerDeadline = Long.MAX_VALUE;
  private final Runnable onTimer = this::runDue;
  /** The periodic timer on the slack grid while deadlines are dense (see {@link #timerSlack}); or null. */
  private Timeout tick;
  private final Runnable onTick = this::onTick;
  private long unmatchedDiscarded;
  private long timerSlackNanos;

  /**
   * @param scheduler the one thread all sessions run on, and the source of time
   * @param random jitter, discriminators, initial auth sequence numbers (seed it in tests)
   * @param io the transport
   */
  public BfdDriver(Scheduler scheduler, RandomGenerator random, PacketIo io) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.io = Objects.requireNonNull(io, "io");
  }

  /**
   * Lets the driver's timer fire up to {@code slack} late, on a grid of that size, so that deadlines of many
   * sessions falling within it are served by one wake-up (0, the default, fires at each exact deadline). The
   * transport sets 1 ms: with 1,000 sessions at 50 ms that turns ~20,000 timer wake-ups a second into at most
   * 1,000, against a transmit jitter of 12.5 ms. Scheduler thread.
   *
   * <p>With slack, while the next deadline is never more than {@value #TICK_HORIZON} slack periods away, the
   * driver runs one periodic timer on that grid instead of one one-shot timer per wake-up: a scheduler's periodic
   * task is re-queued, not re-allocated, so the steady path of many sessions allocates nothing for its timers.
   * When deadlines thin out, it goes back to one-shots (one wake-up per deadline rather than one per period).
   */
  public void timerSlack(java.time.Duration slack) {
    long n = slack.toNanos();
    if (n < 0 || n > 10_000_000) {
      throw new IllegalArgumentException("timerSlack: " + slack + " (expected: 0-10 ms)");
    }
    timerSlackNanos = n;
    for (DriverSession s : byPeer.values()) {
      s.fsm.txSlack(n);
    }
    if (tick != null) {
      tick.cancel();
      tick = null;
      armTimer();
    }
  }

  /** The scheduler. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /**
   * Creates and starts a session. Fails if one exists for the same addresses and hop mode. Any thread; blocks
   * only in the sense that the session is created on the scheduler thread when called from elsewhere.
   */
  public BfdSession createSession(BfdSessionConfig config) {
    Objects.requireNonNull(config, "config");
    PeerKey key = PeerKey.of(config.localAddress(), config.remoteAddress(), config.multihop());
    if (!scheduler.inSchedulerThread()) {
      java.util.concurrent.CompletableFuture<BfdSession> f = new java.util.concurrent.CompletableFuture<>();
      scheduler.execute(() -> {
        try {
          f.complete(createOnLoop(config, key));
        } catch (Throwable t) {
          f.completeExceptionally(t);
        }
      });
      try {
        return f.get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(e.getCause());
      } catch (Exception e) {
        throw new IllegalStateException("creating " + key + ": " + e, e);
      }
    }
    return createOnLoop(config, key);
  }

  private DriverSession createOnLoop(BfdSessionConfig config, PeerKey key) {
    if (byPeer.containsKey(key)) {
      throw new IllegalArgumentException("session: " + key + " (expected: one session per address pair)");
    }
    int discr;
    // RFC 5880 §6.8.1 bfd.LocalDiscr: non-zero and unique among this system's sessions.
    do {
      discr = random.nextInt();
    } while (discr == 0 || byDiscr.containsKey(discr));
    DriverSession s = new DriverSession(this, config, key);
    s.fsm = new BfdFsm(discr, config.profile(), config.authentication(), random, output);
    s.fsm.txSlack(timerSlackNanos);
    s.fsm.start(now());
    byDiscr.put(discr, s);
    byPeer.put(key, s);
    io.sessionAdded(s);
    s.publish();
    reschedule(s);
    return s;
  }

  void profileUpdatedOnLoop(DriverSession s) {
    if (byDiscr.get(s.fsm.localDiscr()) == s) {
      io.profileUpdated(s);
    }
  }

  /** The transport's state for {@code session} (e.g. its socket), set with {@link #attach}. */
  public static Object attachment(BfdSession session) {
    return ((DriverSession) session).attachment;
  }

  /** Stores the transport's state for {@code session}. */
  public static void attach(BfdSession session, Object attachment) {
    ((DriverSession) session).attachment = attachment;
  }

  void removeOnLoop(DriverSession s) {
    if (byDiscr.get(s.fsm.localDiscr()) != s) {
      return;
    }
    byDiscr.remove(s.fsm.localDiscr());
    byPeer.remove(s.peer);
    heap.remove(s);
    io.sessionRemoved(s);
  }

  /** Runs {@code task} on the scheduler thread: now if already there. */
  void onLoop(Runnable task) {
    if (scheduler.inSchedulerThread()) {
      task.run();
    } else {
      try {
        scheduler.execute(task);
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        // the scheduler has stopped (its engine closed, which removed every session): nothing is left to change
      }
    }
  }

  long now() {
    return scheduler.ticker().nanoTime();
  }

  /** The sessions currently open. Scheduler thread. */
  public List<BfdSession> sessions() {
    return new ArrayList<>(byPeer.values());
  }

  /** Packets that matched no session at all (neither by discriminator nor by address). */
  public long unmatchedDiscarded() {
    return unmatchedDiscarded;
  }

  /**
   * A received datagram (RFC 5880 §6.8.6). Reads {@code pkt} without consuming it; the caller keeps ownership.
   * Scheduler thread.
   *
   * @param pkt the UDP payload
   * @param local the address it was received on
   * @param remote its source address
   * @param multihop whether it came in on the multihop port
   * @return the session that accepted the packet, {@code null} if it was discarded (a transport may learn the
   *     peer's source port from it)
   */
  public BfdSession receive(ByteBuf pkt, InetAddress local, InetAddress remote, boolean multihop) {
    long now = now();
    DriverSession s = null;
    if (pkt.readableBytes() >= ControlPacketCodec.MANDATORY_LENGTH) {
      int your = ControlPacketCodec.yourDiscriminator(pkt);
      if (your != 0) {
        s = byDiscr.get(your);
        if (s != null && !s.peer.matchesRemote(remote, multihop)) {
          s = null;
        }
      }
    }
    if (s == null) {
      // Your Discriminator 0 (or unknown): select by the addresses (RFC 5881 §3, RFC 5883 §3). The session then
      // applies the rest of §6.8.6 (Your Discriminator 0 only in Down/AdminDown, or it names no session).
      s = byPeer.get(PeerKey.of(local, remote, multihop));
      if (s == null) {
        unmatchedDiscarded++;
        return null;
      }
    }
    DiscardReason discarded = s.fsm.onPacket(pkt, now);
    reschedule(s);
    return discarded == null ? s : null;
  }

  /** A datagram from {@code remote} that the transport dropped (e.g. TTL): counted on the matching session. */
  public void countDiscard(InetAddress local, InetAddress remote, boolean multihop, DiscardReason reason) {
    DriverSession s = byPeer.get(PeerKey.of(local, remote, multihop));
    if (s == null) {
      unmatchedDiscarded++;
    } else {
      s.fsm.countDiscard(reason);
    }
  }

  /** A datagram for {@code session} that the transport dropped (e.g. TTL), when it knows the session. */
  public void countDiscard(BfdSession session, DiscardReason reason) {
    ((DriverSession) session).fsm.countDiscard(reason);
  }

  void reschedule(DriverSession s) {
    if (!registered(s)) {
      return; // closed (also from a listener of the event just handled): no timers any more
    }
    heap.update(s, s.fsm.nextDeadlineNanos());
    s.publish();
    armTimer();
  }

  boolean registered(DriverSession s) {
    return byDiscr.get(s.fsm.localDiscr()) == s;
  }

  /** The periodic timer runs while the next deadline is at most this many slack periods away. */
  static final int TICK_HORIZON = 4;

  /** The next deadline, rounded up to the slack grid. */
  private long nextDeadline() {
    DriverSession first = heap.peek();
    long deadline = first == null ? Long.MAX_VALUE : first.key;
    if (timerSlackNanos > 0 && deadline != Long.MAX_VALUE) {
      deadline = Math.floorDiv(deadline + timerSlackNanos - 1, timerSlackNanos) * timerSlackNanos;
    }
    return deadline;
  }

  private void armTimer() {
    if (tick != null) {
      return; // the tick comes at every grid point; onTick stops it when deadlines thin out
    }
    long deadline = nextDeadline();
    if (deadline >= timerDeadline) {
      return; // the armed timer fires first (or at the same time) and re-arms
    }
    if (timer != null) {
      timer.cancel();
    }
    timerDeadline = deadline;
    timer = scheduler.schedule(onTimer, Math.max(0, deadline - now()), TimeUnit.NANOSECONDS);
  }

  private void runDue() {
    timer = null;
    timerDeadline = Long.MAX_VALUE;
    long now = now();
    runDue(now);
    if (tick != null) {
      return; // a one-shot armed before the periodic timer started: the periodic timer runs the deadlines now
    }
    if (timerSlackNanos > 0 && nextDeadline() - now <= TICK_HORIZON * timerSlackNanos) {
      if (timer != null) {
        // a listener of the deadlines just run armed a one-shot (e.g. adminDown): the periodic timer replaces it
        timer.cancel();
        timer = null;
        timerDeadline = Long.MAX_VALUE;
      }
      // Dense deadlines: one periodic timer on the grid from the next grid point on.
      long first = Math.floorDiv(now, timerSlackNanos) * timerSlackNanos + timerSlackNanos;
      tick = scheduler.scheduleAtFixedRate(onTick, first - now, timerSlackNanos, TimeUnit.NANOSECONDS);
      return;
    }
    armTimer();
  }

  /** Whether the periodic timer runs (tests). */
  boolean ticking() {
    return tick != null;
  }

  private void onTick() {
    long now = now();
    runDue(now);
    long next = nextDeadline();
    if (next == Long.MAX_VALUE || next - now > TICK_HORIZON * timerSlackNanos) {
      tick.cancel();
      tick = null;
      armTimer();
    }
  }

  private void runDue(long now) {
    DriverSession s;
    while ((s = heap.peek()) != null && s.key <= now) {
      s.fsm.onTimer(now);
      if (!registered(s)) {
        heap.remove(s); // a listener closed it
        continue;
      }
      heap.update(s, s.fsm.nextDeadlineNanos());
      s.publish();
    }
  }

  private final class FsmOutput implements BfdFsm.Output {
    /** The live session of {@code fsm}; null once it is removed, also when a new session reuses its discriminator. */
    DriverSession current(BfdFsm fsm) {
      DriverSession s = byDiscr.get(fsm.localDiscr());
      return s != null && s.fsm == fsm ? s : null;
    }

    @Override
    public void transmit(BfdFsm fsm, boolean poll, boolean fin) {
      DriverSession s = current(fsm);
      if (s == null) {
        return;
      }
      ByteBuf buf = io.allocate();
      boolean ok = false;
      try {
        fsm.writeControlPacket(buf, poll, fin);
        ok = true;
      } finally {
        if (!ok) {
          buf.release();
        }
      }
      io.send(s, buf);
    }

    @Override
    public void stateChanged(BfdFsm fsm, SessionState oldState, SessionState newState, Diagnostic diag, long at) {
      DriverSession s = current(fsm);
      if (s == null) {
        return;
      }
      s.publish();
      BfdStateChange change = new BfdStateChange(s, oldState, newState, diag, at);
      for (BfdListener l : s.listeners) {
        try {
          l.onStateChange(change);
        } catch (Throwable t) {
          log.warn("BFD listener {} threw on {}", l, change, t);
        }
      }
    }
  }

  /**
   * The addresses that identify a session when Your Discriminator is zero. {@code InetAddress.equals} ignores IPv6
   * scope ids, so the link of a link-local pair is part of the key (RFC 5881 §3: the interface identifies the
   * session too): the local address's scope, or the remote's when only it names one; 0 for other addresses.
   */
  record PeerKey(InetAddress local, InetAddress remote, int scope, boolean multihop) {

    static PeerKey of(InetAddress local, InetAddress remote, boolean multihop) {
      int scope = BfdDriver.linkScope(local);
      return new PeerKey(local, remote, scope != 0 ? scope : BfdDriver.linkScope(remote), multihop);
    }

    /** Whether a packet from {@code remote} may belong to this session (its scope, when it has one, is ours). */
    boolean matchesRemote(InetAddress remote, boolean multihop) {
      int scope = BfdDriver.linkScope(remote);
      return this.multihop == multihop && this.remote.equals(remote) && (scope == 0 || scope == this.scope);
    }

    @Override
    public String toString() {
      return local.getHostAddress() + "->" + remote.getHostAddress() + (multihop ? " multihop" : " single-hop");
    }
  }

  /** The interface index of a scoped IPv6 link-local address, else 0. */
  public static int linkScope(InetAddress address) {
    return address instanceof Inet6Address a && a.isLinkLocalAddress() ? a.getScopeId() : 0;
  }
}
