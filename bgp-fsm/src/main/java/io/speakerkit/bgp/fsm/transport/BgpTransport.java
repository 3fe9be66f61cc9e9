package io.speakerkit.bgp.fsm.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP side shared by many {@link BgpSession}s: the event loops and the passive listener. The listener accepts
 * connections from configured peers only; a connection from any other address is closed and logged, nothing else.
 * Uses the epoll transport on Linux (needed for TCP MD5 and GTSM), NIO elsewhere.
 */
public final class BgpTransport implements AutoCloseable {

  /** How long {@link #close()} lets the sessions' channels close by themselves before it closes them. */
  static final long CLOSE_GRACE_MILLIS = 500;

  private static final Logger log = LoggerFactory.getLogger(BgpTransport.class);

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final boolean epoll;
  private final List<InetSocketAddress> listenAddresses;
  private final Map<InetAddress, List<BgpSession>> sessions = new ConcurrentHashMap<>();
  private final List<Channel> listeners = new CopyOnWriteArrayList<>();
  /** Held while the session set changes and the listeners' MD5 keys and TTLs are computed from it. */
  private final Object listenerLock = new Object();
  /** When a connection from each unconfigured address was last logged at info. */
  private final Map<InetAddress, Long> strangersLogged = new ConcurrentHashMap<>();
  /** Set by the first {@link #close()}; start() and close() hold the transport's monitor. */
  private boolean closed;

  private BgpTransport(Builder b) {
    this.epoll = b.useEpoll;
    if (b.group != null) {
      group = b.group;
      ownsGroup = false;
    } else {
      group = new MultiThreadIoEventLoopGroup(b.threads,
          epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
      ownsGroup = true;
    }
    listenAddresses = List.copyOf(b.listenAddresses);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether the epoll transport is in use (TCP MD5 and GTSM need it). */
  public boolean epoll() {
    return epoll;
  }

  public EventLoopGroup group() {
    return group;
  }

  Class<? extends SocketChannel> channelClass() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /**
   * Starts the listeners, if listen addresses were configured. Blocks until bound; a second call (also a concurrent
   * one) returns the started transport.
   *
   * @throws UncheckedIOException naming the address when one cannot be bound (in use, not an address of this host,
   *     port 179 without the privilege); the transport is closed then
   * @throws IllegalStateException once the transport is closed
   */
  public synchronized BgpTransport start() throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("transport closed");
    }
    if (listenAddresses.isEmpty() || !listeners.isEmpty()) {
      return this;
    }
    Class<? extends ServerChannel> serverClass = epoll ? EpollServerSocketChannel.class
        : NioServerSocketChannel.class;
    ServerBootstrap sb = new ServerBootstrap().group(group).channel(serverClass)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            accept(ch);
          }
        });
    InetSocketAddress binding = null;
    try {
      for (InetSocketAddress a : listenAddresses) {
        binding = a;
        ChannelFuture f = sb.bind(a).sync();
        listeners.add(f.channel());
        log.info("BGP listener on {}", f.channel().localAddress());
      }
    } catch (Exception e) { // also the IOException (address in use) Netty's sync() rethrows undeclared
      // `builder().build().start()` leaves the caller nothing to close: release the listeners bound so far and the
      // event loops this transport made
      close();
      if (e instanceof IOException io) {
        // Netty's message ("bind(..) failed with error(-98): Address already in use") does not say which address
        throw new UncheckedIOException("BGP listener on " + binding + ": " + io.getMessage(), io);
      }
      throw e;
    }
    synchronized (listenerLock) {
      updateMd5();
      updateListenerMinTtl();
    }
    for (Channel l : listeners) {
      // DSCP CS6 on the SYN-ACK (sent by the listening socket) and on what accepted sockets inherit
      try {
        for (boolean v6 : familiesServed(l)) {
          BgpSession.markNetworkControl(l, v6);
        }
      } catch (RuntimeException e) {
        log.warn("could not set DSCP CS6 on the listener {}", l.localAddress(), e);
      }
    }
    return this;
  }

  /** The bound listener addresses (with the real port when 0 was asked). */
  public List<InetSocketAddress> boundAddresses() {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Channel l : listeners) {
      out.add((InetSocketAddress) l.localAddress());
    }
    return out;
  }

  private void accept(SocketChannel ch) {
    InetAddress remote = ch.remoteAddress().getAddress();
    InetAddress local = ch.localAddress().getAddress();
    BgpSession s = null;
    List<BgpSession> candidates = sessions.getOrDefault(remote, List.of());
    for (BgpSession c : candidates) {
      if (c.localAddress() == null || c.localAddress().equals(local)) {
        s = c;
        break;
      }
    }
    if (s == null && candidates.size() == 1) {
      // as FRR's bgp_accept (peer_lookup by the remote address only): the source address is for our connects
      s = candidates.get(0);
    }
    if (s == null) {
      // At info once a minute per address (a router configured with the wrong neighbour address shows up), else at
      // debug as in FRR's bgp_accept: anyone who can reach the port could otherwise fill the log, a line per connect.
      if (strangerLogDue(remote)) {
        log.info("closing BGP connection from {}: not a configured peer (further ones from it this minute at debug)",
            ch.remoteAddress());
      } else {
        log.debug("closing BGP connection from {}: not a configured peer", ch.remoteAddress());
      }
      ch.close();
      return;
    }
    s.accepted(ch);
  }

  void register(BgpSession s) {
    // Sessions of several loops may come and go at once: each computes the listeners' options from the sessions it
    // sees, so the computation and the update of the session set happen under one lock, or an older view could be
    // written last and leave a listener without a peer's key.
    synchronized (listenerLock) {
      // RFC 2385, RFC 5082: the listeners hold the new peer's key and minimum TTL before accept() can find its session
      updateMd5(s);
      updateListenerMinTtl(s);
      try {
        add(s);
      } catch (IllegalStateException e) {
        updateMd5(); // not registered after all
        updateListenerMinTtl();
        throw e;
      }
    }
  }

  private void add(BgpSession s) {
    sessions.compute(s.peerAddress(), (k, list) -> {
      List<BgpSession> l = list == null ? new ArrayList<>() : new ArrayList<>(list);
      for (BgpSession o : l) {
        if (o.localAddress() == null || s.localAddress() == null || o.localAddress().equals(s.localAddress())) {
          throw new IllegalStateException("peer " + s.peerAddress() + ": already has a session"
              + (s.localAddress() == null ? "" : " from " + s.localAddress()));
        }
      }
      l.add(s);
      return List.copyOf(l);
    });
  }

  void unregister(BgpSession s) {
    synchronized (listenerLock) {
      sessions.computeIfPresent(s.peerAddress(), (k, list) -> {
        List<BgpSession> l = new ArrayList<>(list);
        l.remove(s);
        return l.isEmpty() ? null : List.copyOf(l);
      });
      updateMd5();
      updateListenerMinTtl();
    }
  }

  /** RFC 2385: the listener must know every peer's key before the SYN arrives. */
  private void updateMd5() {
    updateMd5(null);
  }

  /** The registered sessions, and {@code joining} (may be null) that is about to be. */
  private List<BgpSession> sessionsWith(BgpSession joining) {
    List<BgpSession> all = new ArrayList<>();
    sessions.values().forEach(all::addAll);
    if (joining != null) {
      all.add(joining);
    }
    return all;
  }

  private void updateMd5(BgpSession joining) {
    if (listeners.isEmpty() || !epoll) {
      return;
    }
    Map<InetAddress, byte[]> keys = new HashMap<>();
    for (BgpSession s : sessionsWith(joining)) {
      if (s.md5Key() != null) {
        keys.put(s.peerAddress(), s.md5Key());
      }
    }
    for (Channel l : listeners) {
      if (!l.isOpen()) {
        continue; // closing: a session that ends after the transport closed its listeners
      }
      Map<InetAddress, byte[]> sameFamily = new HashMap<>();
      InetAddress bound = ((InetSocketAddress) l.localAddress()).getAddress();
      keys.forEach((a, k) -> {
        if (takesConnectionsFrom(bound, a)) {
          sameFamily.put(a, k);
        }
      });
      try {
        l.config().setOption(EpollChannelOption.TCP_MD5SIG, sameFamily);
      } catch (RuntimeException e) {
        log.warn("could not set TCP MD5 keys on the listener {}", l.localAddress(), e);
      }
    }
  }

  /**
   * Whether a listener bound to {@code bound} takes connections from {@code peer}: one of its family, or any peer for
   * the IPv6 wildcard, which Linux makes dual-stack (IPv4 peers arrive IPv4-mapped).
   */
  private static boolean takesConnectionsFrom(InetAddress bound, InetAddress peer) {
    boolean v6Listener = bound instanceof java.net.Inet6Address;
    return (peer instanceof java.net.Inet6Address) == v6Listener || v6Listener && bound.isAnyLocalAddress();
  }

  /**
   * RFC 5082 §3 on the listeners. When every peer that can connect to a listener uses GTSM, the listener itself gets
   * the minimum TTL, so the kernel drops a SYN from too far away before any handshake (accepted sockets inherit it);
   * with a peer without GTSM on the same listener, each accepted connection gets its own minimum TTL instead. And
   * with any GTSM peer, the listener sends with TTL 255: the kernel answers a SYN from the listening socket, and a
   * GTSM peer that dials us drops a SYN-ACK that arrives with less. Per address family: the IPv6 wildcard listener
   * takes IPv4 connections too.
   */
  private void updateListenerMinTtl() {
    updateListenerMinTtl(null);
  }

  private void updateListenerMinTtl(BgpSession joining) {
    if (listeners.isEmpty() || !epoll) {
      return;
    }
    List<BgpSession> all = sessionsWith(joining);
    for (Channel l : listeners) {
      if (!l.isOpen()) {
        continue;
      }
      InetAddress bound = ((InetSocketAddress) l.localAddress()).getAddress();
      for (boolean v6 : familiesServed(l)) {
        boolean any = false;
        boolean allGtsm = true;
        int maxHops = 0;
        for (BgpSession s : all) {
          // (a peer that dials another listener than its session's source address is still accepted there, see
          // accept; its socket gets the session's minimum TTL then, only the listener's SYN-ACK is not filtered)
          boolean reaches = (s.peerAddress() instanceof java.net.Inet6Address) == v6
              && (bound.isAnyLocalAddress() || s.localAddress() == null || s.localAddress().equals(bound));
          if (reaches) {
            any = true;
            allGtsm &= s.gtsmHops() > 0;
            maxHops = Math.max(maxHops, s.gtsmHops());
          }
        }
        int minTtl = any && allGtsm ? 256 - maxHops : 0;
        int ttl = maxHops > 0 ? 255 : -1; // -1: the system's default
        try {
          l.config().setOption(BgpSession.minTtlOption(v6), minTtl);
          l.config().setOption(BgpSession.ttlOption(v6), ttl);
        } catch (RuntimeException e) {
          log.warn("could not set the TTL {} and minimum TTL {} ({}) on the listener {}", ttl, minTtl,
              v6 ? "IPv6" : "IPv4", l.localAddress(), e);
        }
      }
    }
  }

  /** The families a listener takes connections of (true: IPv6): its own, both for the dual-stack IPv6 wildcard. */
  private static boolean[] familiesServed(Channel listener) {
    InetAddress bound = ((InetSocketAddress) listener.localAddress()).getAddress();
    boolean v6 = bound instanceof java.net.Inet6Address;
    return v6 && bound.isAnyLocalAddress() ? new boolean[] {true, false} : new boolean[] {v6};
  }

  /**
   * Closes every session (Cease / Administrative Shutdown to established peers), the listeners and, when the
   * transport made them, its event loops. Idempotent. Calls on a session of a closed transport do nothing. Called
   * from a listener (on one of the loops) it does not wait for the loops, which finish the sessions' NOTIFICATIONs.
   */
  @Override
  public void close() {
    synchronized (this) { // start() and close() do not interleave
      if (closed) {
        return;
      }
      closed = true;
    }
    List<BgpSession> all = new ArrayList<>();
    for (List<BgpSession> l : sessions.values()) {
      all.addAll(l);
    }
    for (BgpSession s : all) {
      s.close();
    }
    if (onOwnLoop()) {
      // from a listener: this thread is one of the loops, which cannot wait for itself. The sessions' NOTIFICATIONs
      // go out as their tasks run; the loops finish them before they stop.
      listeners.forEach(Channel::close);
      if (ownsGroup) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      }
      return;
    }
    for (Channel l : listeners) {
      l.close().syncUninterruptibly();
    }
    // Each session's close has sent its NOTIFICATION and lets the channel close gracefully. Give that a moment, then
    // close what is left while the event loops still run, so UPDATEs queued for a peer that stopped reading are
    // failed and released here rather than dropped with the loops.
    for (BgpSession s : all) {
      s.runPendingTasks();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MILLIS);
    for (BgpSession s : all) {
      for (ChannelFuture f : s.closingChannels()) {
        f.awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    }
    List<ChannelFuture> forced = new ArrayList<>();
    for (BgpSession s : all) {
      forced.addAll(s.closeRemainingChannels());
    }
    for (ChannelFuture f : forced) {
      f.awaitUninterruptibly(2_000);
    }
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Whether a connection from {@code stranger} is to be logged at info: the first in a minute from it. */
  private boolean strangerLogDue(InetAddress stranger) {
    long now = System.nanoTime();
    if (strangersLogged.size() > 1024) {
      strangersLogged.clear(); // many sources: forget them rather than grow
    }
    Long last = strangersLogged.get(stranger);
    if (last != null && now - last < TimeUnit.MINUTES.toNanos(1)) {
      return false;
    }
    strangersLogged.put(stranger, now);
    return true;
  }

  private boolean onOwnLoop() {
    for (io.netty.util.concurrent.EventExecutor e : group) {
      if (e.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  /** Builds a {@link BgpTransport}. */
  public static final class Builder {
    private EventLoopGroup group;
    private int threads = 1;
    private boolean useEpoll = Epoll.isAvailable();
    private final List<InetSocketAddress> listenAddresses = new ArrayList<>();

    private Builder() {}

    /** Event loops to use (not shut down on close). Must match the transport type (epoll or NIO). */
    public Builder group(EventLoopGroup value) {
      group = Objects.requireNonNull(value, "group");
      return this;
    }

    /**
     * Threads of the group created when none is given; default 1 (many sessions on one event loop). With more, each
     * session lives on one of them, and a connection accepted on another is moved to its session's before it reads.
     */
    public Builder threads(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("threads: " + value + " (expected: >= 1)");
      }
      threads = value;
      return this;
    }

    /** Forces the NIO transport (no TCP MD5, no GTSM). */
    public Builder nio() {
      useEpoll = false;
      return this;
    }

    /** Listens for peers' connections on this address too (port 179 for BGP; 0 picks a free port). */
    public Builder listen(InetSocketAddress value) {
      listenAddresses.add(Objects.requireNonNull(value, "listenAddress"));
      return this;
    }

    public BgpTransport build() {
      return new BgpTransport(this);
    }
  }
}
