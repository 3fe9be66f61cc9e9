package io.speakerkit.bfd.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import io.speakerkit.bfd.BfdDriver;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.DiscardReason;
import io.speakerkit.timers.EventLoopScheduler;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BFD over UDP with Netty's epoll transport: single-hop (RFC 5881, port 3784) and multihop (RFC 5883, port 4784),
 * IPv4 and IPv6, every session on one event loop.
 *
 * <p>Each session sends from its own socket, bound to a source port in 49152-65535 (RFC 5881 §4) and connected to
 * the peer, with IP_TTL / IPV6_UNICAST_HOPS 255 and DSCP CS6 (network control, as FRR and BIRD send BFD). Each local
 * address has one receiving socket per port with a BPF filter ({@link TtlFilter}) that lets only TTL 255 through
 * (single-hop) or at least the smallest minimumTtl of its multihop sessions; the filter is attached before the
 * socket is bound.
 *
 * <p>No allocation per packet on the steady path: packets are written into one reused buffer and sent with a
 * {@code send} on the session's socket (no Netty outbound buffer, no pooled buffer); once a session has
 * received a packet its peer's source port is known, and the session gets its own receiving socket connected to
 * the peer ({@link SessionReceiver}), read into one reused buffer, so that Netty's per-datagram
 * {@code DatagramPacket} and sender address are only made for the first packets of a session and for strangers.
 *
 * <pre>{@code
 * try (BfdEngine engine = BfdEngine.builder().build()) {
 *   BfdSession s = engine.createSession(BfdSessionConfig.builder()
 *       .localAddress(InetAddress.getByName("10.0.0.1"))
 *       .remoteAddress(InetAddress.getByName("10.0.0.2"))
 *       .profile(BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build())
 *       .build());
 *   s.subscribe(change -> { if (change.isUpToDown()) bgp.peerDown(); });
 * }
 * }</pre>
 */
public final class BfdEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BfdEngine.class);

  static final IntegerUnixChannelOption IP_TTL = new IntegerUnixChannelOption("IP_TTL", 0, 2);
  static final IntegerUnixChannelOption IPV6_UNICAST_HOPS = new IntegerUnixChannelOption("IPV6_UNICAST_HOPS", 41, 16);
  static final IntegerUnixChannelOption IP_TOS = new IntegerUnixChannelOption("IP_TOS", 0, 1);
  static final IntegerUnixChannelOption IPV6_TCLASS = new IntegerUnixChannelOption("IPV6_TCLASS", 41, 67);
  /**
   * DSCP CS6 (network control, RFC 4594 §3.2), as FRR's bfdd and BIRD mark BFD: queued ahead of bulk traffic on a
   * congested link, where a dropped control packet is a false Down. On Linux it also raises the socket's priority.
   */
  static final int NETWORK_CONTROL_TOS = 0xC0;

  private final EventLoopGroup ownedGroup;
  private final EventLoop loop;
  private final BfdDriver driver;
  private final ByteBufAllocator alloc;
  private final int singleHopPort;
  private final int multihopPort;
  private final int sourcePortLow;
  private final int sourcePortHigh;
  private final RandomGenerator portRandom;
  private final BfdTap tap;
  private final Map<ListenerKey, Listener> listeners = new HashMap<>();
  /** The loop as an epoll {@link IoEventLoop} for {@link SessionReceiver}s; null if it is not one. */
  private final IoEventLoop ioLoop;
  /** Every packet sent is written here and sent at once; release is a no-op (loop thread only). */
  private final ByteBuf txBuf = Unpooled.unreleasableBuffer(
      Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(io.speakerkit.bfd.ControlPacketCodec.MAX_LENGTH)).clear());
  /** Every packet read by a {@link SessionReceiver} lands here (loop thread only). */
  private final ByteBuf rxBuf = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(512)).clear();
  private final SessionReceiver.Sink sink = this::receivedOnSessionSocket;
  /**
   * Source ports in use, with how many sessions use each: RFC 5881 §4 wants them unique among sessions; once the range
   * is used up a port is shared by sessions of different local addresses, and it stays taken until the last of them
   * goes.
   */
  private final java.util.Map<Integer, Integer> sourcePorts = new java.util.HashMap<>();
  private volatile boolean closed;

  private BfdEngine(Builder b) {
    Epoll.ensureAvailability();
    if (b.eventLoop != null) {
      ownedGroup = null;
      loop = b.eventLoop;
    } else {
      ownedGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
      loop = ownedGroup.next();
    }
    alloc = b.allocator;
    ioLoop = loop instanceof IoEventLoop l && l.isCompatible(SessionReceiver.class) && rxBuf.hasMemoryAddress()
        && kernelPrefersConnected(System.getProperty("os.version", "")) ? l : null;
    singleHopPort = b.singleHopPort;
    multihopPort = b.multihopPort;
    sourcePortLow = b.sourcePortLow;
    sourcePortHigh = b.sourcePortHigh;
    RandomGenerator random = b.random != null ? b.random : new SplittableRandom();
    portRandom = random;
    tap = b.tap;
    driver = new BfdDriver(EventLoopScheduler.on(loop), random, new Io());
    java.time.Duration slack = b.timerSlack;
    call(() -> {
      driver.timerSlack(slack);
      return null;
    });
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The event loop every session runs on. */
  public EventLoop eventLoop() {
    return loop;
  }

  /** The socket-free engine underneath (demultiplexing, timers). Its methods run on {@link #eventLoop()}. */
  public BfdDriver driver() {
    return driver;
  }

  /**
   * Creates and starts a session. Its sockets are opened asynchronously on the event loop; failures to open them
   * are logged and the session then stays Down.
   */
  public BfdSession createSession(BfdSessionConfig config) {
    if (closed) {
      throw new IllegalStateException("engine closed");
    }
    BfdSession session;
    try {
      session = driver.createSession(config);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      throw new IllegalStateException("engine closed", stopped);
    }
    if (closed) {
      // close() ran meanwhile, and its sweep of the sessions may have come before this one was made (with a loop
      // the engine does not own, nothing else would ever stop it)
      session.close();
      throw new IllegalStateException("engine closed");
    }
    return session;
  }

  /** Runs {@code task} on the event loop and waits for it (not from the event loop). */
  public <T> T call(java.util.concurrent.Callable<T> task) {
    if (loop.inEventLoop()) {
      try {
        return task.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      return loop.submit(task).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Closes every session and socket; shuts the event loop down if the engine created it. Idempotent; may be called
   * from a listener (then it does not wait for the loop, which is the caller's own thread).
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (loop.inEventLoop()) {
      closeOnLoop();
      if (ownedGroup != null) {
        ownedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      try {
        closeOnLoop();
      } finally {
        done.complete(null);
      }
    });
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("closing BFD engine", e);
    }
    if (ownedGroup != null) {
      ownedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private void closeOnLoop() {
    for (BfdSession s : driver.sessions()) {
      s.close();
    }
    for (Listener l : listeners.values()) {
      l.channel.close();
    }
    listeners.clear();
  }

  // ------------------------------------------------------------------------------------------------------------

  /** A listening socket: the local address, its link for a link-local one (the address alone ignores it), the port. */
  private record ListenerKey(InetAddress local, int linkScope, boolean multihop) {
    static ListenerKey of(BfdSession session) {
      return new ListenerKey(session.localAddress(), BfdDriver.linkScope(session.localAddress()), session.multihop());
    }
  }

  /** One receiving socket: a local address and port 3784 or 4784. */
  private final class Listener {
    final ListenerKey key;
    Channel channel;
    TtlFilter filter;
    Map<InetAddress, Integer> filterSources;
    int sessions;
    volatile String failure;
    /** A bind is pending. */
    boolean binding;
    /** The wait before binding again after a failure (0: none yet). */
    long rebindDelayMillis;

    Listener(ListenerKey key) {
      this.key = key;
    }
  }

  /** Per-session transport state. */
  private static final class SessionIo {
    Channel channel;
    /** The socket's file descriptor, to send on without Netty's outbound path. */
    Socket socket;
    int port;
    boolean closed;
    /** The wait before binding the sending socket again, after the address refused it (0: no failure yet). */
    long rebindDelayMillis;
    /** The session's own receiving socket, once the peer's source port is known. */
    SessionReceiver receiver;
    long receiverOpenedNanos;
  }

  private final class Io implements BfdDriver.PacketIo {
    @Override
    public ByteBuf allocate() {
      return txBuf.clear();
    }

    /** Sends at once from {@link #txBuf} on the connected socket; if the socket buffer is full, the packet is lost. */
    @Override
    public void send(BfdSession session, ByteBuf packet) {
      SessionIo io = (SessionIo) BfdDriver.attachment(session);
      Channel ch = io == null ? null : io.channel;
      if (ch == null || !ch.isActive()) {
        packet.release();
        return;
      }
      if (tap != null) {
        showTap((InetSocketAddress) ch.localAddress(), (InetSocketAddress) ch.remoteAddress(), packet);
      }
      try {
        if (packet.hasMemoryAddress()) {
          io.socket.sendAddress(packet.memoryAddress(), packet.readerIndex(), packet.writerIndex());
        } else {
          ByteBuffer nio = packet.internalNioBuffer(packet.readerIndex(), packet.readableBytes());
          io.socket.send(nio, nio.position(), nio.limit());
        }
      } catch (IOException e) {
        // ECONNREFUSED: an ICMP port unreachable for an earlier packet (the peer does not listen yet).
        if (log.isTraceEnabled()) {
          log.trace("BFD session {}: send: {}", session, e.toString());
        }
      } finally {
        packet.release();
      }
    }

    @Override
    public void sessionAdded(BfdSession session) {
      SessionIo io = new SessionIo();
      BfdDriver.attach(session, io);
      openSender(session, io, 0);
      ListenerKey key = ListenerKey.of(session);
      Listener l = listeners.get(key);
      if (l == null) {
        l = new Listener(key);
        listeners.put(key, l);
        openListener(l);
      } else if (l.failure != null && !l.binding) {
        // its bind failed (the port was taken, the address not up yet): a new session tries again; the failure is
        // reported until a bind succeeds
        openListener(l);
      }
      l.sessions++;
      updateFilter(l);
    }

    @Override
    public void sessionRemoved(BfdSession session) {
      SessionIo io = (SessionIo) BfdDriver.attachment(session);
      if (io != null) {
        io.closed = true;
        if (io.port != 0) {
          releasePort(io.port);
        }
        if (io.channel != null) {
          io.channel.close();
        }
        if (io.receiver != null) {
          io.receiver.close();
          io.receiver = null;
        }
      }
      ListenerKey key = ListenerKey.of(session);
      Listener l = listeners.get(key);
      if (l != null && --l.sessions == 0) {
        listeners.remove(key);
        if (l.channel != null) {
          l.channel.close();
        }
      } else if (l != null) {
        updateFilter(l);
      }
    }

    @Override
    public void profileUpdated(BfdSession session) {
      Listener l = listeners.get(ListenerKey.of(session));
      if (l != null) {
        updateFilter(l);
      }
      SessionIo io = (SessionIo) BfdDriver.attachment(session);
      if (io != null && io.receiver != null && session.multihop()) {
        try {
          io.receiver.filter(receiverFilter(session));
        } catch (IOException e) {
          log.warn("BFD session {}: cannot update the TTL filter, closing its own socket: {}", session, e.toString());
          io.receiver.close();
          io.receiver = null;
        }
      }
    }
  }

  /**
   * Whether the kernel gives a datagram to the connected member of an SO_REUSEPORT group whose 4-tuple it matches,
   * and never to a connected member it does not match: Linux 5.4 and later (commit acdcecc61285, "udp: correct
   * reuseport selection with connected sockets"). Older kernels may hash any peer's datagram to a session's own
   * socket, so sessions there keep to the shared socket.
   */
  static boolean kernelPrefersConnected(String osVersion) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(osVersion);
    if (!m.find()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major > 5 || major == 5 && minor >= 4;
  }

  private static TtlFilter receiverFilter(BfdSession session) {
    boolean v6 = session.localAddress() instanceof Inet6Address;
    return session.multihop() ? TtlFilter.multihop(v6, session.profile().minimumTtl()) : TtlFilter.singleHop(v6);
  }

  /** A packet read on a session's own socket: the sender is the peer the socket is connected to. */
  private void receivedOnSessionSocket(SessionReceiver r, ByteBuf content) {
    BfdSession session = r.session;
    if (tap != null && content.readableBytes() != TtlFilter.REJECTED_PAYLOAD) {
      showTap(r.remote, r.local, content);
    }
    if (content.readableBytes() == TtlFilter.REJECTED_PAYLOAD) {
      driver.countDiscard(session, DiscardReason.TTL);
    } else {
      driver.receive(content, session.localAddress(), session.remoteAddress(), session.multihop());
    }
  }

  /**
   * {@code session} accepted a packet from {@code sender} on the shared socket: give it its own socket connected
   * to that address and port (RFC 5881 §4: the peer keeps its source port for the life of the session). A new
   * port (the peer restarted) moves the socket, at most once a second.
   */
  private void learnPeerPort(BfdSession session, InetSocketAddress sender) {
    SessionIo io = (SessionIo) BfdDriver.attachment(session);
    if (ioLoop == null || io == null || io.closed
        || io.receiver != null && io.receiver.remote.getPort() == sender.getPort()) {
      return;
    }
    long now = driver.scheduler().ticker().nanoTime();
    if (io.receiverOpenedNanos != 0 && now - io.receiverOpenedNanos < TimeUnit.SECONDS.toNanos(1)) {
      return;
    }
    io.receiverOpenedNanos = now;
    if (io.receiver != null) {
      io.receiver.close();
      io.receiver = null;
    }
    int port = session.multihop() ? multihopPort : singleHopPort;
    try {
      io.receiver = SessionReceiver.open(ioLoop, session, new InetSocketAddress(session.localAddress(), port),
          new InetSocketAddress(session.remoteAddress(), sender.getPort()), receiverFilter(session), rxBuf, sink);
    } catch (IOException e) {
      log.debug("BFD session {}: no own receiving socket, the shared one serves it: {}", session, e.toString());
    }
  }

  private Bootstrap bootstrap(InetAddress local, ChannelFactory<EpollDatagramChannel> factory,
      ChannelHandler handler) {
    boolean v6 = local instanceof Inet6Address;
    return new Bootstrap()
        .group(loop)
        .channelFactory(factory)
        .option(ChannelOption.ALLOCATOR, alloc)
        .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(512))
        .option(ChannelOption.SO_RCVBUF, 1 << 20)
        .option(v6 ? IPV6_UNICAST_HOPS : IP_TTL, 255)
        .option(v6 ? IPV6_TCLASS : IP_TOS, NETWORK_CONTROL_TOS)
        .handler(handler);
  }

  /** Opens the session's sending socket again after a wait that doubles with each failure (warned about once). */
  private void openSenderLater(BfdSession session, SessionIo io, String what, Throwable cause) {
    io.rebindDelayMillis = nextRebindDelay(io.rebindDelayMillis);
    (io.rebindDelayMillis == REBIND_FIRST_MILLIS ? log.atWarn() : log.atDebug()).log(
        "BFD session {}: cannot {} (trying again every {} s at most): {}", session, what, REBIND_MAX_MILLIS / 1000,
        cause.toString());
    loop.schedule(() -> {
      if (!io.closed && !closed) {
        openSender(session, io, 0);
      }
    }, io.rebindDelayMillis, TimeUnit.MILLISECONDS);
  }

  /** The first wait before a socket that could not be bound is bound again; it doubles up to the next. */
  static final long REBIND_FIRST_MILLIS = 1_000;
  static final long REBIND_MAX_MILLIS = 30_000;

  private static long nextRebindDelay(long previous) {
    return previous == 0 ? REBIND_FIRST_MILLIS : Math.min(REBIND_MAX_MILLIS, previous * 2);
  }

  private void releasePort(int port) {
    sourcePorts.computeIfPresent(port, (p, users) -> users == 1 ? null : users - 1);
  }

  /** RFC 5881 §4: a source port in 49152-65535, the same for the life of the session; retried on collision. */
  private void openSender(BfdSession session, SessionIo io, int attempt) {
    int range = sourcePortHigh - sourcePortLow + 1;
    int port = sourcePortLow + portRandom.nextInt(range);
    for (int i = 0; i < range && sourcePorts.containsKey(port); i++) {
      port = port == sourcePortHigh ? sourcePortLow : port + 1;
    }
    int chosen = port;
    sourcePorts.merge(chosen, 1, Integer::sum);
    int dstPort = session.multihop() ? multihopPort : singleHopPort;
    SocketProtocolFamily family = session.localAddress() instanceof Inet6Address
        ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    ChannelFuture f = bootstrap(session.localAddress(), () -> new EpollDatagramChannel(family), new SenderHandler())
        .bind(new InetSocketAddress(session.localAddress(), port));
    f.addListener(done -> {
      Channel ch = f.channel();
      if (!done.isSuccess()) {
        ch.close();
        releasePort(chosen);
        if (io.closed || closed) {
          return;
        }
        boolean portTaken = String.valueOf(done.cause().getMessage()).contains("already in use");
        if (portTaken && attempt < 64) {
          openSender(session, io, attempt + 1);
          return;
        }
        // The address cannot be bound (not configured yet, an IPv6 address still in duplicate address detection)
        // or no port was free: try again later, the session waits without sending until then.
        openSenderLater(session, io, "bind " + session.localAddress().getHostAddress(), done.cause());
        return;
      }
      if (io.closed) {
        ch.close();
        releasePort(chosen);
        return;
      }
      io.port = chosen;
      ch.connect(new InetSocketAddress(session.remoteAddress(), dstPort)).addListener(c -> {
        if (!c.isSuccess()) {
          // no route to the peer yet, say: as for a failed bind, a fresh socket later
          ch.close();
          releasePort(chosen);
          io.port = 0;
          if (!io.closed && !closed) {
            openSenderLater(session, io, "connect to " + session.remoteAddress().getHostAddress(), c.cause());
          }
        } else if (io.closed) {
          ch.close();
        } else {
          io.rebindDelayMillis = 0;
          io.channel = ch;
          io.socket = (Socket) ((UnixChannel) ch).fd();
        }
      });
    });
  }

  private void openListener(Listener l) {
    int port = l.key.multihop() ? multihopPort : singleHopPort;
    boolean v6 = l.key.local() instanceof Inet6Address;
    Map<InetAddress, Integer> sources = filterSources(l);
    TtlFilter filter = filterFor(l, sources);
    // The filter goes on in the channel factory, before the bind (see newListenerChannel). SO_REUSEPORT: the
    // sessions' own connected sockets (SessionReceiver) share the port.
    ChannelFuture f = bootstrap(l.key.local(), () -> newListenerChannel(v6, filter),
            new ReceiveHandler(l.key.local(), l.key.multihop()))
        .option(EpollChannelOption.SO_REUSEPORT, true)
        .bind(new InetSocketAddress(l.key.local(), port));
    l.channel = f.channel();
    l.filter = filter;
    l.filterSources = sources;
    l.binding = true;
    f.addListener(done -> {
      l.binding = false;
      if (!done.isSuccess()) {
        l.failure = "cannot listen on " + l.key.local().getHostAddress() + " port " + port + ": "
            + done.cause().getMessage();
        l.rebindDelayMillis = nextRebindDelay(l.rebindDelayMillis);
        (l.rebindDelayMillis == REBIND_FIRST_MILLIS ? log.atWarn() : log.atDebug()).log("BFD: {}", l.failure);
        // the address may come up later (or the port be freed): try again while sessions need the listener
        loop.schedule(() -> {
          if (!closed && listeners.get(l.key) == l && l.failure != null && !l.binding) {
            openListener(l);
          }
        }, l.rebindDelayMillis, TimeUnit.MILLISECONDS);
      } else {
        l.failure = null;
        l.rebindDelayMillis = 0;
        updateFilter(l); // multihop sessions added while the bind was pending
      }
    });
  }

  /**
   * A shared receive socket with its TTL filter already attached (RFC 5881 §5, RFC 5883 §2, RFC 5082). The kernel
   * runs a socket filter when it queues a datagram, so a filter attached after the bind would not check what
   * arrived in between, and Netty would read it later like any other; an unbound socket receives nothing, so with
   * the filter attached first no datagram is ever queued unchecked. If the filter cannot be attached the socket is
   * closed and the bind fails.
   */
  static EpollDatagramChannel newListenerChannel(boolean v6, TtlFilter filter) {
    EpollDatagramChannel ch = new EpollDatagramChannel(v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET);
    boolean ok = false;
    try {
      if (!ch.config().setOption(TtlFilter.OPTION, filter.optionValue())) {
        throw new ChannelException("SO_ATTACH_FILTER not supported by " + ch);
      }
      ok = true;
      return ch;
    } finally {
      if (!ok) {
        ch.unsafe().closeForcibly();
      }
    }
  }

  /** The sources and minimum TTLs {@code l}'s filter must accept: its multihop sessions' (none for single-hop). */
  private Map<InetAddress, Integer> filterSources(Listener l) {
    Map<InetAddress, Integer> bySource = new java.util.TreeMap<>(
        java.util.Comparator.comparing(InetAddress::getHostAddress));
    if (l.key.multihop()) {
      for (BfdSession s : driver.sessions()) {
        if (s.multihop() && ListenerKey.of(s).equals(l.key)) {
          bySource.put(s.remoteAddress(), s.profile().minimumTtl());
        }
      }
    }
    return bySource;
  }

  private static TtlFilter filterFor(Listener l, Map<InetAddress, Integer> sources) {
    boolean v6 = l.key.local() instanceof Inet6Address;
    return l.key.multihop() ? TtlFilter.multihopPerSource(v6, sources) : TtlFilter.singleHop(v6);
  }

  /** Replaces the TTL filter when the multihop sessions or their minimum TTLs changed. */
  private void updateFilter(Listener l) {
    if (l.channel == null || !l.channel.isOpen()) {
      return;
    }
    Map<InetAddress, Integer> bySource = filterSources(l);
    if (l.filter != null && bySource.equals(l.filterSources)) {
      return;
    }
    TtlFilter filter = filterFor(l, bySource);
    if (!l.channel.config().setOption(TtlFilter.OPTION, filter.optionValue())) {
      throw new IllegalStateException("SO_ATTACH_FILTER not supported by " + l.channel);
    }
    l.filter = filter;
    l.filterSources = bySource;
  }

  private void showTap(InetSocketAddress from, InetSocketAddress to, ByteBuf payload) {
    if (from == null || to == null) {
      return;
    }
    try {
      tap.udp(from, to, payload.slice());
    } catch (RuntimeException e) {
      log.warn("packet tap threw", e);
    }
  }

  /**
   * Why {@code session} cannot receive control packets, if it cannot: its receive socket could not be opened (the
   * port is taken, e.g. by another BFD daemon on this host, or the local address is gone). Empty when it receives.
   */
  public Optional<String> receiveProblem(BfdSession session) {
    return call(() -> {
      Listener l = listeners.get(ListenerKey.of(session));
      return Optional.ofNullable(l == null ? null : l.failure);
    });
  }

  /** The peer address and port {@code session}'s own receiving socket is connected to, if it has one (tests). */
  Optional<InetSocketAddress> ownSocketPeer(BfdSession session) {
    return call(() -> {
      SessionIo io = (SessionIo) BfdDriver.attachment(session);
      return Optional.ofNullable(io == null || io.receiver == null ? null : io.receiver.remote);
    });
  }

  /** The source port {@code session} sends from, 0 until its socket is open (tests). */
  int sourcePort(BfdSession session) {
    return call(() -> {
      SessionIo io = (SessionIo) BfdDriver.attachment(session);
      return io == null || io.channel == null ? 0 : io.port;
    });
  }

  /** Received control packets go to the driver; datagrams the TTL filter cut are counted as TTL drops. */
  private final class ReceiveHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final InetAddress local;
    private final boolean multihop;

    ReceiveHandler(InetAddress local, boolean multihop) {
      this.local = local;
      this.multihop = multihop;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
      ByteBuf content = msg.content();
      InetAddress from = msg.sender().getAddress();
      if (tap != null && content.readableBytes() != TtlFilter.REJECTED_PAYLOAD) {
        showTap(msg.sender(), msg.recipient(), content);
      }
      if (content.readableBytes() == TtlFilter.REJECTED_PAYLOAD) {
        driver.countDiscard(local, from, multihop, DiscardReason.TTL);
      } else {
        BfdSession s = driver.receive(content, local, from, multihop);
        if (s != null) {
          learnPeerPort(s, msg.sender());
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("BFD receive socket {}: {}", ctx.channel(), cause.toString());
    }
  }

  /** Sending sockets read nothing of interest; ICMP errors (peer not listening) are expected and ignored. */
  private static final class SenderHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.trace("BFD send socket {}: {}", ctx.channel(), cause.toString());
    }
  }

  /** Builds {@link BfdEngine}s. */
  public static final class Builder {
    private EventLoop eventLoop;
    private RandomGenerator random;
    private ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private int singleHopPort = 3784;
    private int multihopPort = 4784;
    private int sourcePortLow = 49152;
    private int sourcePortHigh = 65535;
    private java.time.Duration timerSlack = java.time.Duration.ofMillis(1);
    private BfdTap tap;

    private Builder() {}

    /** Shows every control packet sent and received to {@code v} (packet capture); optional. */
    public Builder tap(BfdTap v) {
      tap = v;
      return this;
    }

    /**
     * How late the engine's timer may fire to serve several sessions' deadlines with one wake-up (1 ms by
     * default, 0-10 ms); see {@link BfdDriver#timerSlack}.
     */
    public Builder timerSlack(java.time.Duration v) {
      Objects.requireNonNull(v, "timerSlack");
      if (v.isNegative() || v.toNanos() > 10_000_000) {
        throw new IllegalArgumentException("timerSlack: " + v + " (expected: 0-10 ms)");
      }
      timerSlack = v;
      return this;
    }

    /**
     * The epoll event loop to run on (hook for sharing a loop with other speakerkit engines); by default the
     * engine creates one thread and shuts it down on close.
     */
    public Builder eventLoop(EventLoop v) {
      eventLoop = Objects.requireNonNull(v, "eventLoop");
      return this;
    }

    /** Source of jitter, discriminators and source ports (hook for tests). */
    public Builder random(RandomGenerator v) {
      random = Objects.requireNonNull(v, "random");
      return this;
    }

    /** Buffer allocator for Netty's receive buffers on the shared receiving sockets (pooled direct by default). */
    public Builder allocator(ByteBufAllocator v) {
      allocator = Objects.requireNonNull(v, "allocator");
      return this;
    }

    /** Destination/listening port of single-hop sessions; 3784 (RFC 5881) unless testing. */
    public Builder singleHopPort(int v) {
      singleHopPort = checkPort("singleHopPort", v);
      return this;
    }

    /** Destination/listening port of multihop sessions; 4784 (RFC 5883) unless testing. */
    public Builder multihopPort(int v) {
      multihopPort = checkPort("multihopPort", v);
      return this;
    }

    /** Source port range; 49152-65535 (RFC 5881 §4) unless testing. */
    public Builder sourcePortRange(int low, int high) {
      checkPort("sourcePortRange low", low);
      checkPort("sourcePortRange high", high);
      if (low > high) {
        throw new IllegalArgumentException("sourcePortRange: " + low + "-" + high + " (expected: low <= high)");
      }
      sourcePortLow = low;
      sourcePortHigh = high;
      return this;
    }

    private static int checkPort(String field, int v) {
      if (v < 1 || v > 65535) {
        throw new IllegalArgumentException(field + ": " + v + " (expected: 1-65535)");
      }
      return v;
    }

    /** A started engine. */
    public BfdEngine build() {
      return new BfdEngine(this);
    }
  }
}
