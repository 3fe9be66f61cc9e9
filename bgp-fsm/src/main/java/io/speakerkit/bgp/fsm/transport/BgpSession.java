package io.speakerkit.bgp.fsm.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.speakerkit.bgp.fsm.BgpAction;
import io.speakerkit.bgp.fsm.BgpEvent;
import io.speakerkit.bgp.fsm.BgpFsm;
import io.speakerkit.bgp.fsm.BgpRole;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.BgpTimer;
import io.speakerkit.bgp.fsm.Capabilities;
import io.speakerkit.bgp.fsm.Collision;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.FsmDriver;
import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.fsm.Notification;
import io.speakerkit.bgp.fsm.OpenNegotiation;
import io.speakerkit.bgp.fsm.PeerAs;
import io.speakerkit.bgp.fsm.SessionListener;
import io.speakerkit.bgp.fsm.rib.AdjRibOut;
import io.speakerkit.bgp.fsm.rib.Ipv6Prefix;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpDecodeException;
import io.speakerkit.bgp.wire.BgpFrameDecoder;
import io.speakerkit.bgp.wire.BgpMessage;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.ErrorAction;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.KeepaliveMessage;
import io.speakerkit.bgp.wire.MessageHeaderErrorSubcode;
import io.speakerkit.bgp.wire.MessageType;
import io.speakerkit.bgp.wire.MpReachView;
import io.speakerkit.bgp.wire.MpUnreachView;
import io.speakerkit.bgp.wire.PeerType;
import io.speakerkit.bgp.wire.RouteRefreshMessage;
import io.speakerkit.bgp.wire.UpdateChecks;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.UpdateError;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.AsPathSegment;
import io.speakerkit.bgp.wire.attribute.AttributeType;
import io.speakerkit.bgp.wire.attribute.LocalPref;
import io.speakerkit.bgp.wire.attribute.OnlyToCustomer;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.timers.EventLoopScheduler;
import io.speakerkit.timers.Scheduler;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One BGP peering over TCP: the {@link BgpFsm} of RFC 4271 driven by Netty, the peer's Adj-RIB-Out, and the
 * connection handling around them (active connect with timeout and source address, passive accept through the
 * {@link BgpTransport}, collision detection of RFC 4271 §6.8 when both happen at once, TCP MD5, TTL security).
 *
 * <pre>{@code
 * BgpTransport transport = BgpTransport.builder().listen(new InetSocketAddress(179)).build().start();
 * BgpSession session = BgpSession.builder()
 *     .transport(transport)
 *     .peer(InetAddress.getByName("192.0.2.1"))
 *     .config(FsmConfig.builder().localAs(64512).peerAs(64513).bgpIdentifier(id).build())
 *     .build();
 * session.addListener(change -> log.info("{} -> {}: {}", change.from(), change.to(), change.cause()));
 * session.start();
 * session.announce(IpPrefix.parse("198.51.100.7/32"), attributes);
 * session.stop("maintenance");   // Cease / Administrative Shutdown with an RFC 9003 communication
 * }</pre>
 *
 * <p>Thread-safe: public methods hop onto the session's event loop. Many sessions share one event loop. Routes go
 * out only while the channel is writable, so a slow peer holds back our work instead of growing a queue.
 */
public final class BgpSession implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BgpSession.class);
  private static final int DRAIN_BATCH = 4096;
  /**
   * Attribute sets whose per-peer form (AS_PATH, LOCAL_PREF, next hop, OTC) each connection keeps, most recently used
   * first: routes mostly share a few sets; an application announcing ever new ones must not grow the session.
   */
  static final int OUTBOUND_CACHE_SIZE = 4096;
  /** RFC 5082: GTSM senders use TTL 255. */
  private static final int MAX_TTL = 255;
  private static final int IPPROTO_IP = 0;
  private static final int IPPROTO_IPV6 = 41;
  private static final int IP_TTL = 2;
  private static final int IP_MINTTL = 21;
  private static final int IPV6_UNICAST_HOPS = 16;
  private static final int IPV6_MINHOPCOUNT = 73;
  private static final int IP_TOS = 1;
  private static final int IPV6_TCLASS = 67;
  /** DSCP CS6, network control (RFC 4594 §3.2): how FRR's bgpd and BIRD mark BGP, ahead of bulk traffic. */
  static final int NETWORK_CONTROL_TOS = 0xC0;

  /** How long a channel closing gracefully may wait for its last write to leave before it is closed anyway. */
  static final int GRACEFUL_CLOSE_LIMIT_SECONDS = 3;

  private final BgpTransport transport;
  /** Replaced only by {@link #timers} (on the loop), for the OPENs to come. */
  private volatile FsmConfig config;
  private final InetAddress peerAddress;
  private final int peerPort;
  private final InetAddress localAddress;
  private final Duration connectTimeout;
  private final byte[] md5Key;
  private final int ttl;
  private final int gtsmHops;
  private final long maxPrefixes;
  private final Duration maxPrefixesRestart;
  /** Counts start() and stop() calls (on the loop): a restart after the prefix limit yields to either. */
  private long operatorCommands;
  private final boolean enforceFirstAs;
  private final int allowOwnAs;
  private final RouteListener routeListener;
  private final BgpTap tap;
  private final EventLoop loop;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
  private final AdjRibOut<PathAttributes> rib = new AdjRibOut<>();
  private final MessageCounters counters = new MessageCounters();
  /**
   * Channels this session has let go of that are still closing gracefully (the last NOTIFICATION leaving, then a
   * half-close): {@link BgpTransport#close()} closes what is left while the event loops still run. Any thread.
   */
  private final java.util.Set<Channel> closing = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Connection primary;
  private Connection secondary;
  /** {@link #pauseReading()} in force; loop only. */
  private boolean readingPaused;
  /** The fixed ConnectRetryTime of this session's machines: the config's until {@link #connectRetryTime(Optional)}. */
  private volatile Optional<Duration> connectRetryTime;
  private volatile BgpState state = BgpState.Idle;
  private volatile NegotiatedSession negotiated;
  private volatile BgpAction.StateChanged lastChange;
  private boolean closed;

  private BgpSession(Builder b) {
    transport = b.transport;
    config = b.config;
    peerAddress = b.peer;
    peerPort = b.peerPort;
    localAddress = b.localAddress;
    connectTimeout = b.connectTimeout;
    md5Key = b.md5Password == null ? null : b.md5Password.getBytes(StandardCharsets.UTF_8);
    ttl = b.ttl;
    gtsmHops = b.gtsmHops;
    maxPrefixes = b.maxPrefixes;
    maxPrefixesRestart = b.maxPrefixesRestart;
    enforceFirstAs = b.enforceFirstAs;
    allowOwnAs = b.allowOwnAs;
    routeListener = b.routeListener;
    tap = b.tap;
    loop = transport.group().next();
    scheduler = b.scheduler != null ? b.scheduler : EventLoopScheduler.on(loop);
    random = b.random;
    connectRetryTime = config.connectRetryTime();
    primary = newConnection(true);
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // public API

  public InetAddress peerAddress() {
    return peerAddress;
  }

  /** Our source address, if configured. */
  public InetAddress localAddress() {
    return localAddress;
  }

  public FsmConfig config() {
    return config;
  }

  /** The state of the session (of its current connection). */
  public BgpState state() {
    return state;
  }

  /** What the OPENs negotiated, while the session is in OpenConfirm or Established. */
  public Optional<NegotiatedSession> negotiated() {
    return Optional.ofNullable(negotiated);
  }

  /** The last state change and its cause: what an operator reads when the peering sits in Idle or Active. */
  public Optional<BgpAction.StateChanged> lastChange() {
    return Optional.ofNullable(lastChange);
  }

  /** Told about every state change with its cause, on the event loop; a throwing listener is logged, not propagated. */
  public void addListener(SessionListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(SessionListener listener) {
    listeners.remove(listener);
  }

  /** The fixed ConnectRetryTime in use (empty: the exponential backoff). */
  public Optional<Duration> connectRetryTime() {
    return connectRetryTime;
  }

  /**
   * Changes the hold and keepalive times this session proposes, for the OPENs to come, as FRR applies
   * {@code neighbor X timers}: the running session keeps what it negotiated and is not reset. Any thread.
   *
   * @param keepalive empty: a third of the negotiated hold time
   * @throws IllegalArgumentException for values the configuration refuses (checked on the caller's thread)
   */
  public void timers(Duration hold, Optional<Duration> keepalive) {
    synchronized (this) { // the checks, on the caller; the caller reads what it wrote; submission order = write order
      config = config.withTimers(hold, keepalive);
      run(() -> {
        primary.driver.fsm().timers(hold, keepalive);
        Connection s = secondary;
        if (s != null) {
          s.driver.fsm().timers(hold, keepalive);
        }
      });
    }
  }

  /**
   * Sets or clears the Restart State bit (RFC 4724 §4.1) in the OPENs this session sends from now on; the running
   * session is not touched. Any thread.
   */
  public void restartState(boolean restartState) {
    synchronized (this) {
      config = config.withRestartState(restartState);
      run(() -> {
        primary.driver.fsm().restartState(restartState);
        Connection s = secondary;
        if (s != null) {
          s.driver.fsm().restartState(restartState);
        }
      });
    }
  }

  /**
   * Changes the fixed ConnectRetryTime (MetalLB's {@code connectTime}; empty: the exponential backoff) in place, as
   * FRR applies {@code timers connect}: the next ConnectRetryTimer uses it, a running one keeps its deadline, and the
   * session is not reset. Any thread.
   */
  public void connectRetryTime(Optional<Duration> value) {
    value.ifPresent(d -> FsmConfig.builder().connectRetryTime(d)); // the builder's range check, on the caller
    synchronized (this) {
      connectRetryTime = value;
      run(() -> {
        primary.driver.fsm().connectRetryTime(value);
        Connection s = secondary;
        if (s != null) {
          s.driver.fsm().connectRetryTime(value);
        }
      });
    }
  }

  /** Starts the session (RFC 4271 ManualStart, or its passive form as configured). */
  public void start() {
    run(() -> {
      if (closed) {
        return;
      }
      operatorCommands++;
      primary.driver.fire(config.connectMode() == ConnectMode.ACTIVE ? new BgpEvent.ManualStart()
          : new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    });
  }

  /**
   * Stops the session: Cease / Administrative Shutdown carrying {@code shutdownCommunication} (RFC 9003; may be
   * empty), so the peer withdraws our routes at once even with graceful restart. No automatic restart follows.
   * Asynchronous: it returns at once and the session's event loop sends the NOTIFICATION; {@link
   * #awaitConnectionsClosed} waits until it has gone and the connection is closed.
   */
  public void stop(String shutdownCommunication) {
    Notification cease = Notification.administrativeShutdown(shutdownCommunication);
    run(() -> stopOnLoop(cease));
  }

  private void stopOnLoop(Notification cease) {
    operatorCommands++;
    Connection s = secondary;
    if (s != null) {
      s.driver.fire(new BgpEvent.ManualStop(cease));
    }
    primary.driver.fire(new BgpEvent.ManualStop(cease));
  }

  /**
   * Stops reading from the peer until {@link #resumeReading()}: TCP flow control then holds the peer's messages back
   * in its own send buffer. For a route listener that hands UPDATEs to slower work and would otherwise queue them
   * without bound (FRR stops reading likewise when its input queue is full, {@code bgp input-queue-limit}). The
   * peer's KEEPALIVEs wait too, so a pause longer than the hold time ends the session. Also applies to connections
   * made while paused.
   */
  public void pauseReading() {
    run(() -> reading(false));
  }

  /** Reads from the peer again after {@link #pauseReading()}. */
  public void resumeReading() {
    run(() -> reading(true));
  }

  private void reading(boolean on) {
    readingPaused = !on;
    for (Connection c : new Connection[] {primary, secondary}) {
      SocketChannel ch = c == null ? null : c.channel;
      if (ch != null) { // set with its pipeline (attach)
        ch.config().setAutoRead(on);
        if (on) {
          ch.read();
        }
      }
    }
  }

  /**
   * The path to the peer works again (BFD came Up, as FRR's bgpd reacts to it): the backoff starts over and a session
   * that waits to retry (its automatic restart pending in Idle, or Active until the ConnectRetryTimer) tries now
   * instead of after up to the maximum backoff. A session that is connecting, up, or stopped is left alone.
   */
  public void retryNow() {
    run(() -> {
      FsmDriver d = primary.driver;
      if (closed || d.disposed()) {
        return;
      }
      d.fsm().resetBackoff();
      BgpState st = d.fsm().state();
      if (st == BgpState.Idle && d.timerRunning(BgpTimer.IdleHoldTimer)) {
        d.fire(automaticStart());
      } else if (st == BgpState.Active && d.timerRunning(BgpTimer.ConnectRetryTimer)) {
        // the timer's own event: it restarts the timer, so the one running is replaced, not left behind
        d.fire(new BgpEvent.ConnectRetryTimer_Expires());
      }
    });
  }

  /** RFC 4271 §8.1.2 Event 3 or 5: the automatic start in the configured connect mode. */
  private BgpEvent automaticStart() {
    return config.connectMode() == ConnectMode.ACTIVE ? new BgpEvent.AutomaticStart()
        : new BgpEvent.AutomaticStart_with_PassiveTcpEstablishment();
  }

  /**
   * Stops the session for a restart of this speaker (RFC 4724 §4.1): when graceful restart was negotiated, the TCP
   * connection is closed without a NOTIFICATION, so the peer keeps our routes, stale, for our restart time, until
   * the restarted speaker's End-of-RIB. Otherwise it is {@link #stop(String)} with {@code shutdownCommunication}.
   * No automatic restart follows either way.
   */
  public void stopForRestart(String shutdownCommunication) {
    Notification cease = Notification.administrativeShutdown(shutdownCommunication);
    run(() -> {
      NegotiatedSession s = negotiated;
      if (s == null || s.peerGracefulRestart().isEmpty() || primary.driver.fsm().state() != BgpState.Established) {
        stopOnLoop(cease); // here, in this task: a stop() re-submitted would run after a start() called meanwhile
        return;
      }
      Connection other = secondary;
      if (other != null) {
        other.driver.fire(new BgpEvent.ManualStop(Notification.administrativeShutdown("")));
      }
      log.info("peer {}: closing without NOTIFICATION for a restart (graceful restart)", peerAddress);
      primary.driver.fire(new BgpEvent.TcpConnectionFails("stopped for a restart, no NOTIFICATION (RFC 4724 §4.1)"));
      // in Idle a ManualStop sends nothing and cancels the automatic restart
      primary.driver.fire(new BgpEvent.ManualStop(Notification.administrativeShutdown("")));
    });
  }

  /**
   * Tears the session down with Cease / {@code ceaseSubcode} (e.g. {@link Notification#BFD_DOWN}, RFC 9384, when BFD
   * declares the path dead); the session restarts by itself after the idle hold time.
   */
  public void teardown(int ceaseSubcode) {
    BgpEvent.AutomaticStop stop = BgpEvent.AutomaticStop.cease(ceaseSubcode);
    run(() -> {
      // the peer's second connection of a collision goes too: it would otherwise bring the session straight back
      Connection other = secondary;
      if (other != null) {
        other.driver.fire(BgpEvent.AutomaticStop.cease(ceaseSubcode));
      }
      primary.driver.fire(stop);
    });
  }

  /**
   * Asks the peer to send its routes of {@code family} again (ROUTE-REFRESH, RFC 2918 §3; FRR's {@code clear bgp ...
   * soft in}). With enhanced route refresh the peer brackets them with BoRR and EoRR (RFC 7313 §4), which reach the
   * route listener ({@link RouteListener#onRefreshBegin}); an {@link AdjRibIn} then drops the routes the peer no
   * longer has. (FRR answers with enhanced route refresh only once it has sent its End-of-RIB for the family, which
   * it sends to a peer with graceful restart; FRR 8.4 ignores a request that comes before. ExaBGP 4.2 resets the
   * session on any ROUTE-REFRESH it receives, Exa-Networks/exabgp#1237: do not ask it.)
   *
   * @throws IllegalStateException when the session is not Established, the peer did not advertise route refresh, or
   *     {@code family} was not negotiated
   */
  public void requestRouteRefresh(AddressFamily family) {
    NegotiatedSession s = negotiated;
    if (s == null || state() != BgpState.Established) {
      throw new IllegalStateException("peer " + peerAddress + ": route refresh needs an Established session");
    }
    if (!s.routeRefresh()) {
      throw new IllegalStateException("peer " + peerAddress + ": did not advertise route refresh (RFC 2918 §3)");
    }
    if (!s.families().contains(family)) {
      throw new IllegalStateException("peer " + peerAddress + ": " + family + " not negotiated (" + s.families() + ")");
    }
    loop.execute(() -> {
      if (primary.driver.fsm().state() == BgpState.Established) {
        primary.write(RouteRefreshMessage.of(family));
      }
    });
  }

  /** Announces {@code prefix} with {@code attributes} (next hop defaults to our address on the session). */
  public void announce(IpPrefix prefix, PathAttributes attributes) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(attributes, "attributes");
    run(() -> {
      if (prefix.isIpv4()) {
        rib.announceIpv4(prefix.ipv4Address(), prefix.length(), attributes);
      } else {
        rib.announceIpv6(new Ipv6Prefix(prefix.hi(), prefix.lo(), prefix.length()), attributes);
      }
      pump();
    });
  }

  /** Announces many prefixes sharing {@code attributes} in one hop onto the event loop. */
  public void announceAll(List<IpPrefix> prefixes, PathAttributes attributes) {
    List<IpPrefix> copy = List.copyOf(prefixes);
    Objects.requireNonNull(attributes, "attributes");
    run(() -> {
      for (IpPrefix p : copy) {
        if (p.isIpv4()) {
          rib.announceIpv4(p.ipv4Address(), p.length(), attributes);
        } else {
          rib.announceIpv6(new Ipv6Prefix(p.hi(), p.lo(), p.length()), attributes);
        }
      }
      pump();
    });
  }

  /** Withdraws {@code prefix}. */
  public void withdraw(IpPrefix prefix) {
    Objects.requireNonNull(prefix, "prefix");
    run(() -> {
      if (prefix.isIpv4()) {
        rib.withdrawIpv4(prefix.ipv4Address(), prefix.length());
      } else {
        rib.withdrawIpv6(new Ipv6Prefix(prefix.hi(), prefix.lo(), prefix.length()));
      }
      pump();
    });
  }

  /**
   * Stops (if needed) and releases the session; it can no longer be started. The transport lets go of the peer before
   * this returns, so a new session for the same peer can be built at once; the NOTIFICATION and the release of the
   * connections follow on the session's loop.
   */
  @Override
  public void close() {
    stop("");
    transport.unregister(this); // thread-safe; a connection the peer opens from now on is refused, not handed to us
    run(() -> {
      closed = true;
      if (secondary != null) {
        secondary.dispose();
      }
      primary.dispose();
    });
  }

  /**
   * Runs {@code task} on the loop. Once the transport is closed (its loops shut down) the session is closed too and
   * the call does nothing, instead of throwing RejectedExecutionException at the caller.
   */
  private void run(Runnable task) {
    try {
      loop.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      if (!loop.isShuttingDown()) {
        throw e;
      }
      log.debug("peer {}: transport closed, call ignored", peerAddress);
    }
  }

  /**
   * Waits, up to {@code timeout}, until the connections this session let go of are closed: after {@link #stop} or a
   * teardown, the peer closes its side once it has read our NOTIFICATION (or a second later we close anyway). A
   * caller that also runs BFD for the peer waits for this before closing the BFD session, so the router records our
   * Cease, not a BFD failure, as the reason. Must not be called on the session's event loop.
   *
   * @return true if every connection closed in time
   */
  public boolean awaitConnectionsClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    // the loop runs what was submitted before (the close of the connection the NOTIFICATION went on)
    if (!loop.submit(() -> { }).awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()),
        java.util.concurrent.TimeUnit.NANOSECONDS)) {
      return false;
    }
    for (ChannelFuture f : closingChannels()) {
      if (!f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    return true;
  }

  /** The close futures of the channels this session is still closing gracefully. */
  List<ChannelFuture> closingChannels() {
    List<ChannelFuture> futures = new ArrayList<>();
    for (Channel ch : closing) {
      futures.add(ch.closeFuture());
    }
    return futures;
  }

  /** Waits until the tasks submitted to the session's loop so far (e.g. by {@link #close()}) have run. */
  void runPendingTasks() {
    loop.submit(() -> { }).awaitUninterruptibly();
  }

  /**
   * Closes the channels this session is still closing gracefully (see {@link #close()}) and returns their close
   * futures. Called by the transport once every session's close has run, before the loops stop: a channel the loops
   * close while shutting down may keep the UPDATEs queued on it unreleased.
   */
  List<ChannelFuture> closeRemainingChannels() {
    List<ChannelFuture> futures = new ArrayList<>();
    for (Channel ch : closing) {
      futures.add(ch.close());
    }
    return futures;
  }

  /** Messages sent and received so far, by type; safe from any thread. */
  public BgpSessionCounters counters() {
    return counters.snapshot();
  }

  /**
   * The scheduler the session's timers run on: its event loop (or the builder's test scheduler). Listeners are
   * called there, so what they schedule here runs on the same thread as they do.
   */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** Runs {@code task} on the session's event loop (for diagnostics such as the Adj-RIB-Out size). */
  public void execute(Runnable task) {
    loop.execute(task);
  }

  /** A map of at most {@link #OUTBOUND_CACHE_SIZE} entries that drops the least recently used. */
  private static Map<PathAttributes, PathAttributes> outboundCache() {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<PathAttributes, PathAttributes> eldest) {
        return size() > OUTBOUND_CACHE_SIZE;
      }
    };
  }

  /** Attribute sets in the per-peer form cache of the session's connection; read on the loop (tests). */
  int outboundCacheSize() {
    return primary.outboundV4.size() + primary.outboundV6.size();
  }

  /** Whether the primary connection's channel runs on the session's event loop; read on the loop (tests). */
  boolean primaryChannelOnSessionLoop() {
    return primary.channel != null && primary.channel.eventLoop() == loop;
  }

  /** Whether a second connection of a collision is open (RFC 4271 §6.8); read on the loop (tests). */
  boolean hasSecondConnection() {
    return secondary != null;
  }

  /** Whether the session's connection is one this side dialled (for collision detection); read on the loop. */
  boolean primaryOutgoing() {
    return primary.outgoing;
  }

  /** A socket option of the session's connection, null without one; read on the loop (tests). */
  <T> T primarySocketOption(io.netty.channel.ChannelOption<T> option) {
    Channel ch = primary.channel;
    return ch == null ? null : ch.config().getOption(option);
  }

  /**
   * Time left on one of the session's connection timers in nanoseconds (on the session's clock), -1 when it is not
   * running; read on the loop (tests).
   */
  long primaryTimerRemainingNanos(BgpTimer timer) {
    return primary.driver.timerRunning(timer)
        ? Math.max(0, primary.driver.deadlineNanos(timer) - scheduler.ticker().nanoTime()) : -1;
  }

  /**
   * Bytes written to the channel that the socket has not taken yet (Netty's outbound buffer), 0 without a
   * connection: stays near the high water mark (1 MiB) however slow the peer, because routes are only encoded while
   * the channel is writable. Read on the event loop.
   */
  public long pendingOutboundBytes() {
    Connection c = primary;
    Channel ch = c == null ? null : c.channel;
    if (ch == null || ch.unsafe().outboundBuffer() == null) {
      return 0;
    }
    return ch.unsafe().outboundBuffer().totalPendingWriteBytes();
  }

  /** Routes in the Adj-RIB-Out; read on the event loop. */
  public AdjRibOut<PathAttributes> adjRibOut() {
    return rib;
  }

  /** RFC 5082 hop count, 0 when GTSM is off. */
  int gtsmHops() {
    return gtsmHops;
  }

  /** IP_MINTTL / IPV6_MINHOPCOUNT: the kernel drops TCP segments (also SYNs to a listener) below this TTL. */
  /** The TTL (IPv4) or unicast hop limit (IPv6) of the packets a socket sends. */
  static IntegerUnixChannelOption ttlOption(boolean v6) {
    return new IntegerUnixChannelOption("TTL", v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL);
  }

  static IntegerUnixChannelOption minTtlOption(boolean v6) {
    return new IntegerUnixChannelOption("MINTTL", v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MINHOPCOUNT : IP_MINTTL);
  }

  /**
   * Marks the socket's packets to peers of one family with {@link #NETWORK_CONTROL_TOS}: IP_TOS for IPv4 (also on
   * the dual-stack sockets Netty's epoll transport opens), IPV6_TCLASS for IPv6; Java's IP_TOS without epoll.
   */
  static void markNetworkControl(Channel ch, boolean v6) {
    IntegerUnixChannelOption tos = new IntegerUnixChannelOption("TOS", v6 ? IPPROTO_IPV6 : IPPROTO_IP,
        v6 ? IPV6_TCLASS : IP_TOS);
    if (!ch.config().setOption(tos, NETWORK_CONTROL_TOS)) {
      ch.config().setOption(ChannelOption.IP_TOS, NETWORK_CONTROL_TOS);
    }
  }

  byte[] md5Key() {
    return md5Key;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // connections

  private Connection newConnection(boolean outgoing) {
    Connection c = new Connection(outgoing);
    return c;
  }

  /** A connection accepted by the transport's listener for this peer (any thread). */
  void accepted(SocketChannel ch) {
    ch.config().setAutoRead(false);
    if (ch.eventLoop() == loop) {
      loop.execute(() -> adopt(ch));
      return;
    }
    // Accepted on another of the transport's loops: moved to the session's loop before it reads anything, so its
    // reads run where the session does, with no hand-off queue between loops that a fast peer could grow. (After
    // the registration in progress, which called us, has finished.)
    ch.eventLoop().execute(() -> ch.deregister().addListener(off -> {
      if (!off.isSuccess()) {
        log.warn("peer {}: cannot move an accepted connection to the session's event loop", peerAddress, off.cause());
        ch.unsafe().closeForcibly();
        return;
      }
      loop.register(ch).addListener(on -> {
        if (on.isSuccess()) {
          adopt(ch);
        } else {
          log.warn("peer {}: cannot move an accepted connection to the session's event loop", peerAddress,
              on.cause());
          ch.unsafe().closeForcibly();
        }
      });
    }));
  }

  private void adopt(SocketChannel ch) {
    BgpState ps = primary.driver.fsm().state();
    NegotiatedSession s = negotiated;
    if (!closed && ps == BgpState.Established && s != null && s.peerGracefulRestart().isPresent()) {
      // RFC 4724 §4.2: a new connection from a peer that can restart gracefully, while its session still looks
      // Established here, means the peer restarted before we saw the old connection go: that connection ends as if
      // it had failed (the peer's routes stay, stale), and the new one starts the next session at once.
      log.info("peer {}: new connection while Established; the peer restarted (graceful restart), ending the old "
          + "session", peerAddress);
      primary.driver.fire(new BgpEvent.TcpConnectionFails("peer restarted: new connection (RFC 4724 §4.2)"));
      // the automatic restart now instead of after the IdleHoldTimer (which it stops), in the configured mode
      primary.driver.fire(automaticStart());
      ps = primary.driver.fsm().state();
    }
    if (closed || ps == BgpState.Idle) {
      log.debug("peer {}: refusing connection in {}", peerAddress, ps);
      ch.close();
      return;
    }
    if (primary.channel == null) {
      // Connect (attempt in flight) or Active: take the peer's connection
      primary.cancelConnect();
      primary.outgoing = false;
      primary.attach(ch);
      primary.driver.fire(new BgpEvent.TcpConnectionConfirmed());
      return;
    }
    if (secondary == null) {
      // (colliding with an Established session it gets Cease / Connection Collision Resolution on its OPEN, §6.8)
      // RFC 4271 §6.8: a second connection; both run until an OPEN tells which one stays
      Connection c = newConnection(false);
      // what the first connection learned about the peer holds for this one: no capabilities once refused (RFC 5492)
      c.driver.fsm().learnPeerFrom(primary.driver.fsm());
      secondary = c;
      c.attach(ch);
      c.driver.fire(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
      c.driver.fire(new BgpEvent.TcpConnectionConfirmed());
      return;
    }
    // RFC 4271 §6.8: a connection colliding with an Established one is closed (at debug, as FRR: a peer's reconnect
    // loop would otherwise fill the log)
    log.debug("peer {}: closing colliding connection (session {})", peerAddress, ps);
    ch.close();
  }

  private void applyOptions(Channel ch) {
    boolean v6 = peerAddress instanceof Inet6Address;
    markNetworkControl(ch, v6);
    if (md5Key != null) {
      ch.config().setOption(EpollChannelOption.TCP_MD5SIG, Map.of(peerAddress, md5Key));
    }
    if (gtsmHops > 0) {
      ch.config().setOption(ttlOption(v6), MAX_TTL);
      ch.config().setOption(minTtlOption(v6), 256 - gtsmHops);
    } else {
      ch.config().setOption(ttlOption(v6), sendTtl());
    }
  }

  /**
   * The TTL without GTSM, as FRR's bgpd (bgpd.c peer_create, bgp_network.c bgp_set_socket_ttl on dialled and accepted
   * sockets): the configured eBGP multihop TTL, else 255 for iBGP and 1 for a (single-hop) eBGP peer.
   */
  private int sendTtl() {
    if (ttl > 0) {
      return ttl;
    }
    PeerAs p = config.peerAs();
    boolean internal = p instanceof PeerAs.AnyInternal
        || p instanceof PeerAs.Exact e && e.asn() == config.localAs();
    return internal ? MAX_TTL : 1;
  }

  private void startConnect(Connection c) {
    c.cancelConnect();
    Bootstrap b = new Bootstrap().group(loop).channel(transport.channelClass())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.AUTO_READ, false)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            // options that must be set before connect() sends the SYN
            applyOptions(ch);
          }
        });
    if (localAddress != null) {
      b.localAddress(new InetSocketAddress(localAddress, 0));
    }
    ChannelFuture f = b.connect(new InetSocketAddress(peerAddress, peerPort));
    c.connectFuture = f;
    f.addListener((ChannelFutureListener) done -> {
      if (c.connectFuture != done) {
        if (done.isSuccess()) {
          done.channel().close(); // abandoned attempt
        }
        return;
      }
      c.connectFuture = null;
      if (done.isSuccess()) {
        c.outgoing = true; // RFC 4271 §6.8 keeps the higher identifier's own connection: this one is ours
        c.attach((SocketChannel) done.channel());
        c.driver.fire(new BgpEvent.Tcp_CR_Acked());
      } else {
        Throwable t = done.cause();
        c.driver.fire(new BgpEvent.TcpConnectionFails(t == null ? "connect cancelled" : t.getMessage()));
      }
    });
  }

  /**
   * RFC 4271 §6.8 when an OPEN arrives on connection {@code c}, before its machine sees it: {@link Collision#onOpen}
   * decides which connection, if any, gets OpenCollisionDump. An OPEN that negotiation rejects decides nothing (the
   * machine answers it with its NOTIFICATION).
   *
   * @return whether {@code c} lost (its OPEN is then not processed)
   */
  private boolean lostCollision(Connection c, io.speakerkit.bgp.fsm.OpenMessage open) {
    Connection other = c == primary ? secondary : primary;
    if (other == null || other.driver.disposed() || !Collision.collides(other.driver.fsm().state())
        || !(OpenNegotiation.negotiate(config, c.driver.fsm().asNegotiated(open))
            instanceof OpenNegotiation.Accepted accepted)) {
      return false;
    }
    NegotiatedSession s = accepted.session();
    Collision.Close close = Collision.onOpen(other.driver.fsm().state(), c.outgoing, config.bgpIdentifier(),
        config.localAs(), s.peerIdentifier(), s.peerAs());
    Connection loser = close == Collision.Close.ARRIVED ? c : other;
    log.info("peer {}: connection collision, closing the {} connection", peerAddress,
        loser.outgoing ? "outgoing" : "incoming");
    if (close == Collision.Close.OTHER) {
      other.driver.fire(new BgpEvent.OpenCollisionDump());
    }
    return close == Collision.Close.ARRIVED;
  }

  private void onStateChanged(Connection c, BgpAction.StateChanged change) {
    if (change.to() == BgpState.OpenConfirm) {
      NegotiatedSession s = c.driver.fsm().session().orElseThrow();
      c.codec = s.codecContext(); // (the decoder switched already, on the channel's thread)
    }
    if (c == secondary && (change.to() == BgpState.Idle
        || change.from() != BgpState.Idle && (change.to() == BgpState.Active || change.to() == BgpState.Connect))) {
      // The second connection failed: its machine existed only to carry that connection (started passively, as the
      // connection was accepted: Idle -> Active -> OpenSent), so it goes, instead of waiting in Active for another
      // or dialling the peer itself.
      secondary = null;
      c.dispose();
      return;
    }
    if (c == secondary && change.to() == BgpState.Established) {
      // the second connection won (or the first is still waiting for an OPEN): it becomes the session
      Connection old = primary;
      primary = c;
      secondary = null;
      c.driver.fsm().inheritRestartState(old.driver.fsm());
      if (old.driver.fsm().state() != BgpState.Idle) {
        old.driver.fire(new BgpEvent.OpenCollisionDump());
      }
      old.dispose();
    } else if (c == primary && change.to() == BgpState.Established && secondary != null) {
      Connection s = secondary;
      secondary = null;
      s.driver.fire(new BgpEvent.OpenCollisionDump());
      s.dispose();
    }
    if (change.to() == BgpState.Idle) {
      c.detach();
      if (c == primary && secondary != null && change.cause().event().number() == 23) {
        // the first connection lost the collision: the second one carries on as the session
        Connection old = primary;
        primary = secondary;
        secondary = null;
        primary.driver.fsm().inheritRestartState(old.driver.fsm());
        old.dispose();
        publish(new BgpAction.StateChanged(change.from(), primary.driver.fsm().state(), change.cause()));
        return;
      }
    }
    if (c != primary) {
      return;
    }
    if (change.to() == BgpState.OpenConfirm || change.to() == BgpState.Established) {
      negotiated = c.driver.fsm().session().orElse(null);
    } else if (change.to() == BgpState.Idle) {
      negotiated = null;
    }
    if (change.to() == BgpState.Established) {
      state = change.to(); // a listener calling back (state(), requestRouteRefresh) sees the session up
      if (routeListener != null) {
        try {
          routeListener.onSessionUp(this, negotiated);
        } catch (RuntimeException e) {
          log.warn("route listener threw on session up", e);
        }
      }
      c.eorPending = true;
      // nothing owed from an earlier session of this connection: its BoRRs went to another session
      c.refreshEnds.clear();
      c.refreshesAfterEor.clear();
      rib.resendAll();
      pump();
    }
    publish(change);
  }

  private void publish(BgpAction.StateChanged change) {
    state = change.to();
    lastChange = change;
    if (change.to() == BgpState.Idle || change.from() == BgpState.Established) {
      log.info("peer {}: {} -> {}: {}", peerAddress, change.from(), change.to(), change.cause());
    } else {
      log.debug("peer {}: {} -> {}: {}", peerAddress, change.from(), change.to(), change.cause());
    }
    for (SessionListener l : listeners) {
      try {
        l.onStateChange(change);
      } catch (RuntimeException e) {
        log.warn("session listener {} threw on {}", l, change, e);
      }
    }
  }

  /** Sends pending Adj-RIB-Out changes while the channel takes them; End-of-RIB after the initial table. */
  private void pump() {
    Connection c = primary;
    if (c == null || c.channel == null || c.driver.fsm().state() != BgpState.Established) {
      return;
    }
    Channel ch = c.channel;
    boolean wrote = false;
    for (;;) {
      while (ch.isWritable() && rib.hasPending()) {
        rib.drain(DRAIN_BATCH, c.sink);
        wrote = true;
      }
      if (rib.hasPending()) {
        break;
      }
      if (c.eorPending) {
        c.eorPending = false;
        for (AddressFamily f : negotiated.families()) {
          ByteBuf buf = ch.alloc().buffer(32);
          UpdateEncoder.writeEndOfRib(buf, f);
          ch.write(buf, ch.voidPromise());
        }
        wrote = true;
        if (!c.refreshesAfterEor.isEmpty()) {
          // RFC 7313 §4: the refreshes asked for before our End-of-RIB are answered now, after it
          c.refreshesAfterEor.forEach(f -> beginRefresh(c, f));
          c.refreshesAfterEor.clear();
          continue;
        }
      }
      if (!c.refreshEnds.isEmpty()) {
        for (AddressFamily f : c.refreshEnds) {
          c.write(RouteRefreshMessage.end(f));
        }
        c.refreshEnds.clear();
      }
      break;
    }
    if (wrote) {
      ch.flush();
      c.driver.updateSent();
      checkSendHold(c);
    }
  }

  /**
   * RFC 9687 Send Hold Timer: once the session is negotiated, a connection whose queued messages have not moved for
   * twice the hold time (FRR's and BIRD's SendHoldTime) gets SendHoldTimer_Expires. Looked at whenever messages are
   * queued, so at least every keepalive interval (as FRR does); never with a hold time of 0.
   */
  private void checkSendHold(Connection c) {
    Channel ch = c.channel;
    Optional<NegotiatedSession> s = c.driver.fsm().session();
    if (ch == null || c.sendHold == null || s.isEmpty() || s.get().holdTime().isZero()) {
      return;
    }
    long limit = s.get().holdTime().toNanos() * 2;
    if (c.sendHold.stalled(ch, scheduler.ticker().nanoTime(), limit)) {
      log.warn("peer {}: nothing we sent has left for {} s, twice the hold time (RFC 9687 Send Hold Timer): the peer"
          + " is not reading", peerAddress, limit / 1_000_000_000L);
      c.driver.fire(new BgpEvent.SendHoldTimer_Expires());
    }
  }

  /**
   * Our attributes as this peer must see them: AS_PATH and LOCAL_PREF per eBGP/iBGP, next hop self by default, Only
   * to Customer per our BGP Role. Null when the route must not go to this peer at all (it is withdrawn instead).
   */
  private PathAttributes outbound(Connection c, PathAttributes a, boolean ipv6) {
    Optional<BgpRole> role = negotiated.peerType() == PeerType.EXTERNAL ? config.role() : Optional.empty();
    boolean hasOnlyToCustomer = a.get(OnlyToCustomer.class).isPresent();
    if (hasOnlyToCustomer && role.isPresent() && role.get().withholdsOnlyToCustomer()) {
      return null; // RFC 9234 §5: a route marked Only to Customer never goes to a provider, peer or route server
    }
    Map<PathAttributes, PathAttributes> cache = ipv6 ? c.outboundV6 : c.outboundV4;
    PathAttributes done = cache.get(a);
    if (done != null) {
      return done;
    }
    PathAttributes.Builder b = a.toBuilder();
    if (a.get(Origin.class).isEmpty()) {
      b.origin(Origin.IGP);
    }
    AsPath path = a.get(AsPath.class).orElse(AsPath.EMPTY);
    if (negotiated.peerType() == PeerType.EXTERNAL) {
      // RFC 4271 §5.1.2: our AS goes into the first AS_SEQUENCE (a new one when the path starts otherwise or is full)
      List<AsPathSegment> segs = new ArrayList<>(path.segments());
      if (!segs.isEmpty() && segs.get(0).type() == AsPathSegment.AS_SEQUENCE && segs.get(0).asns().size() < 255) {
        List<Long> asns = new ArrayList<>(segs.get(0).asns().size() + 1);
        asns.add(config.localAs());
        asns.addAll(segs.get(0).asns());
        segs.set(0, new AsPathSegment(AsPathSegment.AS_SEQUENCE, asns));
      } else {
        segs.add(0, AsPathSegment.sequence(config.localAs()));
      }
      b.add(new AsPath(segs));
      b.remove(AttributeType.LOCAL_PREF_CODE);
      if (!hasOnlyToCustomer && role.isPresent() && role.get().marksOnlyToCustomer()) {
        b.add(new OnlyToCustomer(config.localAs())); // RFC 9234 §5: to a customer, peer or RS client
      }
    } else {
      b.add(path);
      if (a.get(LocalPref.class).isEmpty()) {
        b.localPref(100);
      }
    }
    InetAddress local = c.channel == null ? null : c.channel.localAddress().getAddress();
    if (!ipv6 && !a.hasIpv4NextHop() && local instanceof Inet4Address) {
      b.nextHop(local);
    }
    if (ipv6 && !a.hasIpv6NextHop() && local instanceof Inet6Address) {
      b.nextHop(local);
    }
    if (!ipv6 && !a.hasIpv4NextHop() && !a.hasIpv6NextHop() && local instanceof Inet6Address
        && negotiated.extendedNextHop().contains(AddressFamily.IPV4_UNICAST)) {
      b.nextHop(local); // RFC 8950 §4: an IPv4 route over an IPv6 session, our IPv6 address as next hop
    }
    done = b.build();
    cache.put(a, done);
    return done;
  }

  private void onRouteRefresh(Connection c, RouteRefreshMessage rr) {
    if (c.driver.fsm().state() != BgpState.Established) {
      // RFC 6608 §3: an unexpected message, ROUTE-REFRESH among them: FSM Error with the state's subcode (OpenSent 1,
      // OpenConfirm 2), as the machine answers an unexpected UPDATE (Event 27); Connect/Active fall to Idle
      c.driver.fire(new BgpEvent.UpdateMsg());
      return;
    }
    Capabilities sent = c.driver.fsm().localOpen().capabilities();
    if (!sent.routeRefresh() && !sent.enhancedRouteRefresh()) {
      // RFC 2918 §4 obliges only a speaker that advertised the capability (our OPEN did not, or went without
      // capabilities, RFC 5492 §3): as FRR (bgp_route_refresh_receive, no PEER_CAP_REFRESH_ADV), a message type we
      // did not offer is Message Header Error / Bad Message Type, its data the erroneous Type field (RFC 4271 §6.1)
      log.info("peer {}: ROUTE-REFRESH received, but we did not advertise route refresh", peerAddress);
      c.driver.fire(new BgpEvent.BGPHeaderErr(new Notification(Notification.MESSAGE_HEADER_ERROR,
          MessageHeaderErrorSubcode.BAD_MESSAGE_TYPE.value(), new byte[] {(byte) MessageType.ROUTE_REFRESH.value()})));
      return;
    }
    if (c != primary) {
      return;
    }
    if (rr.subtype() != RouteRefreshMessage.NORMAL) {
      onRefreshMarker(rr);
      return;
    }
    if (!negotiated.families().contains(rr.family())) {
      // RFC 2918 §4: a request for an AFI/SAFI not advertised to the peer at session start is ignored.
      log.info("peer {}: ignoring ROUTE-REFRESH for {}, which is not negotiated", peerAddress, rr.family());
      return;
    }
    if (negotiated.enhancedRouteRefresh() && c.eorPending) {
      // RFC 7313 §4: no BoRR before our End-of-RIB for the family (FRR postpones the request the same way); the
      // refresh follows the End-of-RIB
      if (!c.refreshesAfterEor.contains(rr.family())) {
        c.refreshesAfterEor.add(rr.family());
      }
      return;
    }
    beginRefresh(c, rr.family());
    pump();
  }

  /** RFC 2918 §4 / RFC 7313 §4: re-sends the family's Adj-RIB-Out, bracketed by BoRR/EoRR when enhanced. */
  private void beginRefresh(Connection c, AddressFamily family) {
    if (negotiated.enhancedRouteRefresh()) {
      c.write(RouteRefreshMessage.beginning(family));
      c.refreshEnds.add(family);
    }
    if (family.equals(AddressFamily.IPV4_UNICAST)) {
      rib.resendIpv4();
    } else if (family.equals(AddressFamily.IPV6_UNICAST)) {
      rib.resendIpv6();
    }
  }

  /** The peer's BoRR or EoRR (RFC 7313 §4): they bracket its routes, so they go to the route listener. */
  private void onRefreshMarker(RouteRefreshMessage rr) {
    if (!negotiated.enhancedRouteRefresh() || !negotiated.families().contains(rr.family())) {
      log.info("peer {}: ignoring {}: enhanced route refresh for {} not negotiated", peerAddress, rr, rr.family());
      return;
    }
    if (routeListener == null) {
      return;
    }
    try {
      if (rr.subtype() == RouteRefreshMessage.BEGINNING_OF_ROUTE_REFRESH) {
        routeListener.onRefreshBegin(this, rr.family());
      } else if (rr.subtype() == RouteRefreshMessage.END_OF_ROUTE_REFRESH) {
        routeListener.onRefreshEnd(this, rr.family());
      }
    } catch (RuntimeException e) {
      log.warn("route listener threw on {}", rr, e);
    }
  }

  /** How often {@code as} appears in the route's AS_PATH, or in AS4_PATH on a session without 4-octet AS. */
  private static int ownAsOccurrences(io.speakerkit.bgp.wire.UpdateAttributes a, long as) {
    if (!a.hasAsPath()) {
      return 0;
    }
    int n = occurrences(a.asPath(), as);
    if (!a.fourOctetAs() && as > 0xFFFF && a.has(AttributeType.AS4_PATH_CODE)) {
      n = Math.max(n, occurrences(a.as4Path(), as)); // RFC 6793 §4.2.3: the real path of a 2-octet session
    }
    return n;
  }

  private static int occurrences(io.speakerkit.bgp.wire.attribute.AsPathView path, long as) {
    int n = 0;
    path.reset();
    while (path.nextSegment()) {
      for (int i = 0, len = path.segmentLength(); i < len; i++) {
        if (path.asn(i) == as) {
          n++;
        }
      }
    }
    path.reset();
    return n;
  }

  private void onUpdate(Connection c, UpdateMessage u) {
    Set<AddressFamily> families = negotiated.families();
    if (!hasNegotiatedFamily(c, u, families)) {
      return;
    }
    // RFC 4271 §6.3, RFC 7606 §7.2/§7.3: checks that need the configuration (first AS, no confederation segments on
    // eBGP, a host address as NEXT_HOP)
    List<UpdateError> found = UpdateChecks.check(u, negotiated.peerAs(), enforceFirstAs, false,
        peerAddress.isLoopbackAddress());
    Optional<BgpRole> role = negotiated.peerType() == PeerType.EXTERNAL ? config.role() : Optional.empty();
    long otc = u.attributes().onlyToCustomer();
    if (role.isPresent() && role.get().receivedLeak(otc, negotiated.peerAs())
        && (u.nlriLength() > 0 || u.attributes().hasMpReach())) {
      // RFC 9234 §5 ingress: a leak is ineligible; the session has no other way to say so than treat-as-withdraw
      found = new ArrayList<>(found);
      found.add(new UpdateError(ErrorAction.TREAT_AS_WITHDRAW, 0, 0, null, AttributeType.ONLY_TO_CUSTOMER_CODE, null,
          "route leak: Only to Customer " + otc + " from the peer of AS " + negotiated.peerAs() + ", which is our "
              + role.get().peerRelation() + " (RFC 9234 §5)"));
    }
    if (!found.isEmpty()) {
      u.addErrors(found);
    }
    if (u.errorAction() == ErrorAction.AFI_SAFI_DISABLE) {
      // RFC 4760 §7 / RFC 7606 §2: the disable concerns the family of the malformed MP attribute only. One the session
      // did not negotiate is ignored anyway (as FRR ignores "UPDATE for non-enabled AFI/SAFI"): it must not take the
      // UPDATE's routes of the other families with it.
      u.removeErrors(e -> e.action() == ErrorAction.AFI_SAFI_DISABLE && e.family() != null
          && !familyNegotiated(c, e.family(), families));
    }
    // what the decoder found (RFC 7606: a missing mandatory attribute, a malformed one) or the checks above; an
    // AFI/SAFI disable has its own warning below. FRR warns likewise.
    // The harshest problem is the one told (the UPDATE's action), once per connection and action: an attribute
    // discard logged first does not hide a later treat-as-withdraw, which loses routes.
    ErrorAction action = u.errorAction();
    if (action.ordinal() > c.checkLogged.ordinal() && action != ErrorAction.AFI_SAFI_DISABLE) {
      c.checkLogged = action;
      UpdateError worst = u.errors().stream().filter(e -> e.action() == action).findFirst().orElseThrow();
      log.warn("peer {}: UPDATE {}: {} (logged once per connection)", peerAddress,
          action == ErrorAction.ATTRIBUTE_DISCARD ? "attribute discarded" : "treated as withdraw", worst.reason());
    }
    if ((u.nlriLength() > 0 || u.attributes().hasMpReach())
        && ownAsOccurrences(u.attributes(), config.localAs()) > allowOwnAs) {
      // RFC 4271 §9.1.2: a route whose AS_PATH holds our AS is a loop and not used; FRR denies it ("as-path
      // contains our own AS", bgp_update) and drops what the peer announced before for the prefix. Routine (an
      // eBGP router sends our own routes back), so not a warning, as FRR only says it in its update debugging.
      u.addErrors(List.of(new UpdateError(ErrorAction.TREAT_AS_WITHDRAW, 0, 0, null, AttributeType.AS_PATH_CODE, null,
          "AS_PATH contains our own AS " + config.localAs() + " (a loop)")));
      log.debug("peer {}: routes with our own AS {} in AS_PATH treated as withdraw", peerAddress, config.localAs());
    }
    if (u.errorAction() == ErrorAction.AFI_SAFI_DISABLE) {
      // RFC 4760 §7 / RFC 7606 §2: the family's routes from this peer are unusable. This session does not run with a
      // family switched off; it closes with UPDATE Message Error (RFC 4760 §7 allows it, FRR does the same), which
      // also deletes the peer's routes of that family.
      for (UpdateError e : u.errors()) {
        if (e.action() == ErrorAction.AFI_SAFI_DISABLE && (e.family() == null || families.contains(e.family()))) {
          log.warn("peer {}: {} disabled by a malformed UPDATE ({}); closing the session", peerAddress, e.family(),
              e.reason());
          c.driver.fire(new BgpEvent.UpdateMsgErr(new Notification(e.code(), e.subcode(), e.data())));
          return;
        }
      }
    }
    if (maxPrefixes > 0) {
      // counted per family as FRR counts them: every ADD-PATH path is one (RFC 7911)
      for (RouteKey k : RouteKey.withdrawn(u, families)) {
        receivedOf(c, k).remove(k);
      }
      List<RouteKey> announced = RouteKey.announced(u, families);
      boolean withdrawn = u.errorAction().withdrawsRoutes();
      for (RouteKey k : announced) {
        if (withdrawn) {
          receivedOf(c, k).remove(k);
        } else {
          receivedOf(c, k).add(k);
        }
      }
      for (AddressFamily f : announced.stream().map(k -> k.prefix().family()).distinct().toList()) {
        int count = c.received.get(f).size();
        if (count <= maxPrefixes) {
          continue;
        }
        log.warn("peer {}: {} {} prefixes (maximum {})", peerAddress, count, f, maxPrefixes);
        // RFC 4486 §4: the data is AFI (2 octets), SAFI (1) and the prefix upper bound (4)
        byte[] data = {(byte) (f.afi().value() >> 8), (byte) f.afi().value(), (byte) f.safi().value(),
            (byte) (maxPrefixes >> 24), (byte) (maxPrefixes >> 16), (byte) (maxPrefixes >> 8), (byte) maxPrefixes};
        c.driver.fire(new BgpEvent.AutomaticStop(
            new Notification(Notification.CEASE, Notification.MAXIMUM_NUMBER_OF_PREFIXES_REACHED, data)));
        // and it stays down, as FRR keeps a peer over its maximum-prefix down (no automatic restart) until cleared:
        // start() brings it back, or the restart time of maxPrefixesRestart (FRR's "maximum-prefix N restart M")
        c.driver.fire(new BgpEvent.ManualStop());
        if (maxPrefixesRestart == null) {
          log.warn("peer {}: stays down after exceeding the prefix limit until start() is called", peerAddress);
        } else {
          log.warn("peer {}: down for {} s after exceeding the prefix limit", peerAddress,
              maxPrefixesRestart.toSeconds());
          long commands = operatorCommands;
          scheduler.schedule(() -> {
            if (!closed && operatorCommands == commands && primary.driver.fsm().state() == BgpState.Idle) {
              start();
            }
          }, maxPrefixesRestart);
        }
        return;
      }
    }
    if (routeListener != null) {
      try {
        routeListener.onUpdate(this, u);
      } catch (RuntimeException e) {
        log.warn("route listener threw on {}", u, e);
      }
    }
  }

  /**
   * RFC 4760 §7: NLRI of a family the OPENs did not negotiate are ignored, block by block as FRR does. False when the
   * UPDATE carries nothing else (it is then not passed on); each such family is logged once per connection.
   */
  private boolean hasNegotiatedFamily(Connection c, UpdateMessage u, Set<AddressFamily> families) {
    AddressFamily eor = u.endOfRib();
    if (eor != null) {
      return familyNegotiated(c, eor, families);
    }
    int blocks = 0;
    int ours = 0;
    if (u.withdrawnLength() > 0 || u.nlriLength() > 0) {
      blocks++;
      ours += familyNegotiated(c, AddressFamily.IPV4_UNICAST, families) ? 1 : 0;
    }
    MpReachView reach = u.attributes().mpReach();
    if (reach != null) {
      blocks++;
      ours += familyNegotiated(c, reach.family(), families) ? 1 : 0;
    }
    MpUnreachView unreach = u.attributes().mpUnreach();
    if (unreach != null) {
      blocks++;
      ours += familyNegotiated(c, unreach.family(), families) ? 1 : 0;
    }
    return blocks == 0 || ours > 0; // an UPDATE without NLRI has nothing to ignore
  }

  /** Whether {@code family} was negotiated; logs it once per connection when not. */
  private boolean familyNegotiated(Connection c, AddressFamily family, Set<AddressFamily> families) {
    if (families.contains(family)) {
      return true;
    }
    if (c.ignoredFamilies.add(family)) {
      log.info("peer {}: ignoring UPDATE NLRI for {}, which is not negotiated (RFC 4760 §7)", peerAddress, family);
    }
    return false;
  }

  private static Set<RouteKey> receivedOf(Connection c, RouteKey k) {
    return c.received.computeIfAbsent(k.prefix().family(), f -> new java.util.HashSet<>());
  }

  private void onRoutesDeleted(Connection c) {
    c.received.clear();
    if (routeListener == null) {
      return;
    }
    StateHint hint = c.lastEndHint;
    Set<AddressFamily> stale = hint.notificationExchanged ? Set.of() : hint.gracefulRestartFamilies;
    try {
      routeListener.onSessionDown(this, stale, Duration.ofSeconds(hint.restartTime));
    } catch (RuntimeException e) {
      log.warn("route listener threw on session down", e);
    }
  }

  private record StateHint(Set<AddressFamily> gracefulRestartFamilies, boolean notificationExchanged,
      int restartTime) {}

  /** RFC 8538 §2: both sides set the N bit in their graceful restart capabilities. */
  private boolean notificationGracefulRestart() {
    NegotiatedSession s = negotiated;
    return s != null && config.gracefulRestart().map(GracefulRestart::notification).orElse(false)
        && s.peerGracefulRestart().map(GracefulRestart::notification).orElse(false);
  }

  /**
   * RFC 8538 §5.1: the Cease subcodes that end a session for good (Maximum Number of Prefixes Reached, Administrative
   * Shutdown, Peer De-configured, Administrative Reset, and Hard Reset itself): with the N bit the first four go as
   * Hard Reset. The others (Other Configuration Change, Out of Resources, BFD Down, ...) and every other error leave
   * the session graceful.
   */
  private static boolean deletesRoutes(io.speakerkit.bgp.fsm.Notification n) {
    return n.code() == 6 && (n.subcode() >= 1 && n.subcode() <= 4 || n.subcode() == 9);
  }

  /** One TCP connection with its own state machine (two exist only during a collision). */
  private final class Connection implements AdjRibOut.Sink<PathAttributes> {
    final FsmDriver driver;
    final AdjRibOut.Sink<PathAttributes> sink = this;
    boolean outgoing;
    SocketChannel channel;
    ChannelFuture connectFuture;
    BgpFrameDecoder decoder;
    CodecContext codec = CodecContext.INITIAL;
    UpdateMessage current;
    boolean eorPending;
    final List<AddressFamily> refreshEnds = new ArrayList<>();
    /** Families whose refresh the peer asked for before our End-of-RIB (RFC 7313 §4: answered after it). */
    final List<AddressFamily> refreshesAfterEor = new ArrayList<>();
    final Map<PathAttributes, PathAttributes> outboundV4 = outboundCache();
    final Map<PathAttributes, PathAttributes> outboundV6 = outboundCache();
    /** The peer's routes by family, for the prefix limit (only with one). */
    final Map<AddressFamily, Set<RouteKey>> received = new HashMap<>();
    /** The harshest RFC 7606 action of an UPDATE logged on this connection (each once is enough). */
    ErrorAction checkLogged = ErrorAction.NONE;
    /** Families whose NLRI this connection ignored as not negotiated (logged once each). */
    final Set<AddressFamily> ignoredFamilies = new java.util.HashSet<>();
    StateHint lastEndHint = new StateHint(Set.of(), true, 0);
    boolean routesToDelete;
    /** RFC 9687: whether what this connection sends still moves. */
    SendHold sendHold;

    Connection(boolean outgoing) {
      this.outgoing = outgoing;
      BgpFsm fsm = new BgpFsm(config, scheduler.ticker(), random);
      fsm.connectRetryTime(connectRetryTime);
      this.driver = new FsmDriver(fsm, scheduler, this::perform);
    }

    void attach(SocketChannel ch) {
      channel = ch;
      decoder = new BgpFrameDecoder(CodecContext.INITIAL);
      codec = CodecContext.INITIAL;
      outboundV4.clear();
      outboundV6.clear();
      if (ch.eventLoop() != loop || !outgoing) {
        // accepted connections may live on another loop: run our handler on the session's loop
        try {
          applyAcceptedOptions(ch);
        } catch (RuntimeException e) {
          log.warn("peer {}: socket options failed", peerAddress, e);
        }
      }
      ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
      sendHold = new SendHold();
      ch.pipeline().addFirst("bgp-send-hold", sendHold);
      if (tap != null) {
        ch.pipeline().addLast("bgp-tap", new TapHandler(tap));
      }
      ch.pipeline().addLast("bgp-count-out", counters.outboundTap());
      ch.pipeline().addLast("bgp-decoder", decoder);
      ch.pipeline().addLast("bgp-count-in", counters.inboundTap());
      ch.pipeline().addLast("bgp-session", new Handler(this));
      if (!readingPaused) {
        ch.config().setAutoRead(true);
        ch.read();
      }
    }

    private void applyAcceptedOptions(SocketChannel ch) {
      if (!outgoing) {
        boolean v6 = peerAddress instanceof Inet6Address;
        markNetworkControl(ch, v6); // the listener's SYN-ACK was marked already (BgpTransport)
        if (gtsmHops > 0) {
          ch.config().setOption(ttlOption(v6), MAX_TTL);
          ch.config().setOption(minTtlOption(v6), 256 - gtsmHops);
        } else {
          ch.config().setOption(ttlOption(v6), sendTtl());
        }
      }
    }

    void cancelConnect() {
      ChannelFuture f = connectFuture;
      connectFuture = null;
      if (f != null) {
        f.cancel(false);
        f.channel().close();
      }
    }

    /** Forget the channel: events it still reports no longer reach the machine. */
    void detach() {
      cancelConnect();
      SocketChannel ch = channel;
      channel = null;
      if (ch != null && ch.isOpen()) {
        // Once the last write (often a NOTIFICATION) has left, half-close and keep reading (and discarding) until the
        // peer closes or a second passes: closing with unread input would send a RST, and a RST can make the peer's
        // kernel drop the NOTIFICATION before its BGP reads it.
        closing.add(ch);
        ch.closeFuture().addListener(f -> closing.remove(ch));
        ch.config().setAutoRead(true); // discarding, also when the session paused reading
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
          if (ch.isActive() && f.isSuccess()) {
            ch.shutdownOutput();
            ch.eventLoop().schedule(() -> {
              ch.close();
            }, 1, java.util.concurrent.TimeUnit.SECONDS);
          } else {
            ch.close();
          }
        });
        // A peer that stopped reading never lets the last write leave, and would keep the channel and the UPDATEs
        // queued on it forever: give up on it after a while.
        ch.eventLoop().schedule(() -> {
          ch.close();
        }, GRACEFUL_CLOSE_LIMIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      }
    }

    void dispose() {
      driver.dispose();
      detach();
    }

    void write(BgpMessage m) {
      Channel ch = channel;
      if (ch == null) {
        return;
      }
      ByteBuf buf = ch.alloc().buffer(64);
      try {
        BgpMessageEncoder.encode(m, buf, codec);
      } catch (RuntimeException e) {
        buf.release();
        throw e;
      }
      ch.writeAndFlush(buf, ch.voidPromise());
    }

    void perform(BgpAction a) {
      if (a instanceof BgpAction.ConnectTcp) {
        startConnect(this);
      } else if (a instanceof BgpAction.DropTcp) {
        detach();
      } else if (a instanceof BgpAction.SendOpen o) {
        write(WireAdapter.toWire(o.open()));
      } else if (a instanceof BgpAction.SendKeepalive) {
        write(KeepaliveMessage.INSTANCE);
        checkSendHold(this);
      } else if (a instanceof BgpAction.SendNotification n) {
        io.speakerkit.bgp.wire.Notification wire = WireAdapter.toWire(n.notification());
        if (notificationGracefulRestart() && deletesRoutes(n.notification()) && n.notification().subcode() != 9) {
          wire = io.speakerkit.bgp.wire.Notification.hardReset(wire); // RFC 8538 §3: what must not be graceful
        }
        write(wire);
      } else if (a instanceof BgpAction.ProcessUpdate) {
        if (current != null) {
          onUpdate(this, current);
        }
      } else if (a instanceof BgpAction.DeleteRoutes) {
        routesToDelete = true; // acted on with the state change that follows, which says whether a NOTIFICATION went
      } else if (a instanceof BgpAction.StateChanged c) {
        if (c.from() == BgpState.Established) {
          Optional<GracefulRestart> gr = negotiated == null ? Optional.empty() : negotiated.peerGracefulRestart();
          boolean notif = notificationGracefulRestart()
              // RFC 8538 §4: with the N bit only a Hard Reset, sent or received, ends the session without GR
              ? c.cause().sent().filter(BgpSession::deletesRoutes).isPresent()
                  || c.cause().received().filter(n -> n.code() == 6 && n.subcode() == 9).isPresent()
              : c.cause().sent().isPresent() || c.cause().received().isPresent();
          lastEndHint = new StateHint(gr.map(g -> g.forwardingState().keySet()).orElse(Set.of()), notif,
              gr.map(GracefulRestart::restartTimeSeconds).orElse(0));
        }
        if (routesToDelete) {
          routesToDelete = false;
          onRoutesDeleted(this);
        }
        onStateChanged(this, c);
      }
    }

    // -- Adj-RIB-Out sink: pack prefixes sharing attributes into full UPDATEs

    /** Only families both OPENs carry go out (RFC 4760 §7): an IPv6 route is not sent to an IPv4-only peer. */
    private boolean negotiated(AddressFamily family) {
      NegotiatedSession s = negotiated;
      return s != null && s.families().contains(family);
    }

    @Override
    public void withdrawIpv4(long[] keys, int count) {
      if (!negotiated(AddressFamily.IPV4_UNICAST)) {
        return;
      }
      List<IpPrefix> list = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        list.add(IpPrefix.ipv4(AdjRibOut.ipv4Address(keys[i]), AdjRibOut.ipv4Length(keys[i])));
      }
      writeOut(null, list);
    }

    @Override
    public void announceIpv4(PathAttributes attributes, long[] keys, int count) {
      if (!negotiated(AddressFamily.IPV4_UNICAST)) {
        return;
      }
      List<IpPrefix> list = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        list.add(IpPrefix.ipv4(AdjRibOut.ipv4Address(keys[i]), AdjRibOut.ipv4Length(keys[i])));
      }
      writeOut(outbound(this, attributes, false), list);
    }

    @Override
    public void withdrawIpv6(List<Ipv6Prefix> prefixes) {
      if (!negotiated(AddressFamily.IPV6_UNICAST)) {
        return;
      }
      writeOut(null, toIpPrefixes(prefixes));
    }

    @Override
    public void announceIpv6(PathAttributes attributes, List<Ipv6Prefix> prefixes) {
      if (!negotiated(AddressFamily.IPV6_UNICAST)) {
        return;
      }
      writeOut(outbound(this, attributes, true), toIpPrefixes(prefixes));
    }

    private List<IpPrefix> toIpPrefixes(List<Ipv6Prefix> prefixes) {
      List<IpPrefix> list = new ArrayList<>(prefixes.size());
      for (Ipv6Prefix p : prefixes) {
        list.add(IpPrefix.ipv6(p.hi(), p.lo(), p.length()));
      }
      return list;
    }

    private void writeOut(PathAttributes attrs, List<IpPrefix> prefixes) {
      Channel ch = channel;
      if (ch == null || prefixes.isEmpty()) {
        return;
      }
      ByteBuf buf = ch.alloc().buffer(Math.min(1 << 20, 64 + prefixes.size() * 8));
      boolean ok = false;
      try {
        if (attrs == null) {
          UpdateEncoder.writeAllWithdrawals(buf, prefixes, codec);
        } else {
          UpdateEncoder.writeAllAnnouncements(buf, attrs, prefixes, codec);
        }
        ok = true;
      } catch (RuntimeException e) {
        // e.g. an IPv6 route without an IPv6 next hop on an IPv4 session: say which, keep the session
        log.warn("peer {}: cannot send {} prefixes starting with {}: {}", peerAddress, prefixes.size(),
            prefixes.get(0), e.getMessage());
        if (attrs == null) {
          return;
        }
        // RFC 4271 §9.2: not advertised; the peer may still hold an earlier announcement of these prefixes
        buf.clear();
        UpdateEncoder.writeAllWithdrawals(buf, prefixes, codec);
        ok = true;
      } finally {
        if (!ok) {
          buf.release();
        }
      }
      ch.write(buf, ch.voidPromise());
    }
  }

  /** The per-channel handler; hops onto the session's event loop when the channel lives on another one. */
  private final class Handler extends ChannelInboundHandlerAdapter {
    private final Connection c;

    Handler(Connection c) {
      this.c = c;
    }

    private boolean onLoop(Runnable r) {
      if (loop.inEventLoop()) {
        return true;
      }
      loop.execute(r);
      return false;
    }


    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      BgpFrameDecoder d = ctx.pipeline().get(BgpFrameDecoder.class);
      if (msg instanceof io.speakerkit.bgp.wire.OpenMessage o && d != null && ctx.executor().inEventLoop()) {
        // Switch the decoder to the negotiated context here, on the channel's own thread, before anything else is
        // read: the peer's UPDATEs follow our KEEPALIVE, which the session sends only after this. (Not again when
        // this call is handed on to the session's loop: the decoder is the channel thread's alone.)
        OpenNegotiation.Result r =
            OpenNegotiation.negotiate(config, c.driver.fsm().asNegotiated(WireAdapter.fromWire(o)));
        if (r instanceof OpenNegotiation.Accepted a) {
          d.context(a.session().codecContext());
        }
      }
      if (!onLoop(() -> channelRead(ctx, msg))) {
        return;
      }
      if (ctx.channel() != c.channel) {
        ReferenceCountUtil.release(msg);
        return;
      }
      try {
        if (msg instanceof io.speakerkit.bgp.wire.OpenMessage o) {
          io.speakerkit.bgp.fsm.OpenMessage open = WireAdapter.fromWire(o);
          c.driver.fire(lostCollision(c, open) ? new BgpEvent.OpenCollisionDump() : new BgpEvent.BGPOpen(open));
        } else if (msg instanceof KeepaliveMessage) {
          c.driver.fire(new BgpEvent.KeepAliveMsg());
        } else if (msg instanceof UpdateMessage u) {
          c.current = u;
          c.driver.fire(new BgpEvent.UpdateMsg());
        } else if (msg instanceof io.speakerkit.bgp.wire.Notification n) {
          c.driver.fire(BgpEvent.notificationReceived(WireAdapter.fromWire(n)));
        } else if (msg instanceof RouteRefreshMessage rr) {
          onRouteRefresh(c, rr);
        }
      } finally {
        c.current = null;
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!onLoop(() -> exceptionCaught(ctx, cause))) {
        return;
      }
      if (ctx.channel() != c.channel) {
        return;
      }
      if (cause instanceof BgpDecodeException e) {
        log.info("peer {}: {}", peerAddress, e.getMessage());
        c.driver.fire(WireAdapter.eventFor(e));
      } else {
        if (!(cause instanceof java.io.IOException)) {
          // not the network: a fault of this library or of a handler added to the pipeline, with its stack
          log.warn("peer {}: connection dropped on an unexpected exception", peerAddress, cause);
        }
        // The connection is gone (a reset, say): let go of it first, so that its channelInactive does not report the
        // same failure again (in OpenSent that second event would take Active on to Idle, RFC 4271 §8.2.2).
        c.detach();
        c.driver.fire(new BgpEvent.TcpConnectionFails(cause.getMessage() != null ? cause.getMessage()
            : cause.getClass().getSimpleName()));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!onLoop(() -> channelInactive(ctx))) {
        return;
      }
      if (ctx.channel() == c.channel) {
        c.channel = null;
        c.driver.fire(new BgpEvent.TcpConnectionFails("connection closed by peer"));
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (!onLoop(() -> channelWritabilityChanged(ctx))) {
        return;
      }
      if (ctx.channel() == c.channel && ctx.channel().isWritable()) {
        pump();
      }
    }

  }

  /** Builds a {@link BgpSession}; the built session is registered with its transport (for passive accepts). */
  public static final class Builder {
    private BgpTransport transport;
    private FsmConfig config;
    private InetAddress peer;
    private int peerPort = 179;
    private InetAddress localAddress;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private String md5Password;
    private int ttl;
    private int gtsmHops;
    private long maxPrefixes;
    private Duration maxPrefixesRestart;
    private boolean enforceFirstAs = true;
    private int allowOwnAs;
    private RouteListener routeListener;
    private BgpTap tap;
    private Scheduler scheduler;
    private RandomGenerator random = RandomGenerator.getDefault();

    private Builder() {}

    /** The transport whose event loop runs the session and whose listeners accept the peer's connections. */
    public Builder transport(BgpTransport value) {
      transport = Objects.requireNonNull(value, "transport");
      return this;
    }

    /** AS numbers, identifier, timers, families and capabilities: what the OPENs carry and how the FSM runs. */
    public Builder config(FsmConfig value) {
      config = Objects.requireNonNull(value, "config");
      return this;
    }

    /** The peer's address: dialled, and what an accepted connection must come from to reach this session. */
    public Builder peer(InetAddress value) {
      peer = Objects.requireNonNull(value, "peer");
      return this;
    }

    /** The port dialled (179 by default); accepted connections come to the transport's listen ports instead. */
    public Builder peerPort(int value) {
      if (value < 1 || value > 65535) {
        throw new IllegalArgumentException("peer port: " + value + " (expected: 1-65535)");
      }
      peerPort = value;
      return this;
    }

    /** Source address of our connections (MetalLB's {@code sourceAddress}). */
    public Builder localAddress(InetAddress value) {
      localAddress = Objects.requireNonNull(value, "localAddress");
      return this;
    }

    /** How long the TCP handshake may take before the attempt counts as failed; default 5 s. */
    public Builder connectTimeout(Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("connect timeout: " + value + " (expected: > 0)");
      }
      connectTimeout = value;
      return this;
    }

    /**
     * RFC 2385 TCP MD5 signature password, keyed as its UTF-8 bytes (as FRR keys the string it is given): 1-80 octets,
     * Linux's TCP_MD5SIG_MAXKEYLEN. Needs the epoll transport.
     */
    public Builder md5Password(String value) {
      int octets = value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length;
      if (octets < 1 || octets > 80) {
        throw new IllegalArgumentException("MD5 password: " + octets + " octets (expected: 1-80 octets in UTF-8,"
            + " the Linux TCP MD5 key limit)");
      }
      md5Password = value;
      return this;
    }

    /** eBGP multihop: the TTL of our packets, 1-255. */
    public Builder ebgpMultihop(int value) {
      if (value < 1 || value > 255) {
        throw new IllegalArgumentException("TTL: " + value + " (expected: 1-255)");
      }
      ttl = value;
      return this;
    }

    /**
     * GTSM (RFC 5082) with the peer {@code hops} away (1 for a directly connected peer): we send with TTL 255 and the
     * kernel drops packets that arrive with a TTL below 256 - hops. Needs the epoll transport.
     */
    public Builder gtsm(int hops) {
      if (hops < 1 || hops > 254) {
        throw new IllegalArgumentException("GTSM hops: " + hops + " (expected: 1-254)");
      }
      gtsmHops = hops;
      return this;
    }

    /**
     * Cease / Maximum Number of Prefixes Reached when the peer announces more routes of one family (as FRR's
     * per-family maximum-prefix; the NOTIFICATION names that family, RFC 4486 §4), every ADD-PATH path counted; 0
     * (default) for no limit. The session then stays down until {@link BgpSession#start()}, as FRR keeps such a peer
     * down until it is cleared.
     */
    public Builder maxPrefixes(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("max prefixes: " + value + " (expected: >= 0)");
      }
      maxPrefixes = value;
      return this;
    }

    /**
     * After the prefix limit: start again by itself after {@code delay} instead of staying down until
     * {@link BgpSession#start()} (FRR's {@code maximum-prefix N restart M}).
     */
    public Builder maxPrefixesRestart(Duration delay) {
      if (delay.isNegative() || delay.isZero()) {
        throw new IllegalArgumentException("max prefixes restart: " + delay + " (expected: > 0)");
      }
      maxPrefixesRestart = delay;
      return this;
    }

    /**
     * How many times our own AS may appear in a received AS_PATH before the route is taken for a loop and treated as
     * withdraw (RFC 4271 §9.1.2); 0 by default, as FRR's {@code allowas-in} unset. (A route collector that wants
     * every route as sent can raise it.)
     */
    public Builder allowOwnAs(int occurrences) {
      if (occurrences < 0 || occurrences > 10) {
        throw new IllegalArgumentException("own AS occurrences: " + occurrences + " (expected: 0-10, as FRR's allowas-in)");
      }
      allowOwnAs = occurrences;
      return this;
    }

    /**
     * Whether routes from an eBGP peer must have the peer's AS leftmost in AS_PATH (RFC 4271 §6.3; FRR's
     * {@code enforce-first-as}, on by default there and here). An UPDATE that breaks it is treated as withdraw
     * (RFC 7606 §7.2). Turn it off toward a route server, which does not put its AS in the path.
     */
    public Builder enforceFirstAs(boolean value) {
      enforceFirstAs = value;
      return this;
    }

    /**
     * Receives every UPDATE from the peer on the session's event loop, after RFC 7606 handling and the receive
     * checks above; optional.
     */
    public Builder routeListener(RouteListener value) {
      routeListener = Objects.requireNonNull(value, "routeListener");
      return this;
    }

    /** Shows every byte of the session's connections to {@code value} (packet capture); optional. */
    public Builder tap(BgpTap value) {
      tap = value;
      return this;
    }

    /** Hook for tests: the scheduler timers run on (default: the session's event loop). */
    public Builder scheduler(Scheduler value) {
      scheduler = Objects.requireNonNull(value, "scheduler");
      return this;
    }

    /** Hook: the source of backoff jitter. */
    public Builder random(RandomGenerator value) {
      random = Objects.requireNonNull(value, "random");
      return this;
    }

    public BgpSession build() {
      if (transport == null) {
        throw new IllegalStateException("transport: unset");
      }
      if (config == null) {
        throw new IllegalStateException("config: unset");
      }
      if (peer == null) {
        throw new IllegalStateException("peer: unset");
      }
      if ((md5Password != null || gtsmHops > 0) && !transport.epoll()) {
        throw new IllegalStateException((md5Password != null ? "TCP MD5" : "GTSM")
            + " needs the epoll transport (Linux); this transport uses NIO, where the kernel options cannot be set");
      }
      if (gtsmHops > 0 && ttl > 0) {
        throw new IllegalStateException("GTSM and eBGP multihop: both set (expected: one of them)");
      }
      if (localAddress != null && (localAddress instanceof Inet6Address) != (peer instanceof Inet6Address)) {
        // the bind-then-connect of every attempt would fail, and no accepted connection would match
        throw new IllegalStateException("localAddress: " + localAddress.getHostAddress() + " (expected: the address"
            + " family of peer " + peer.getHostAddress() + ")");
      }
      if (peer instanceof Inet6Address p6 && p6.isLinkLocalAddress() && p6.getScopeId() == 0
          && !(localAddress instanceof Inet6Address l6 && l6.getScopeId() != 0)
          && config.connectMode() != ConnectMode.LISTEN_ONLY) {
        // Linux refuses to connect to a link-local address without an interface (EINVAL), as FRR needs one
        throw new IllegalStateException("peer: " + peer.getHostAddress() + " is link-local without a zone (expected:"
            + " the interface, e.g. fe80::1%eth0, or a localAddress with one)");
      }
      BgpSession s = new BgpSession(this);
      transport.register(s);
      return s;
    }
  }
}
