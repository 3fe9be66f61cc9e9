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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP side shared by many {@link BgpSession}s: the event loops and the passive listener. The listener accepts
 * connections from configured peers only; a connection from any other address is closed and logged, nothing else.
 * Uses the epoll transport on Linux (needed for TCP MD5 and GTSM), NIO elsewhere.
 */
public final class BgpTransport implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BgpTransport.class);

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final boolean epoll;
  private final InetSocketAddress listenAddress;
  private final Map<InetAddress, BgpSession> sessions = new ConcurrentHashMap<>();
  private volatile Channel listener;

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
    listenAddress = b.listenAddress;
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

  /** Starts the listener, if a listen address was configured. Blocks until bound. */
  public BgpTransport start() throws InterruptedException {
    if (listenAddress == null || listener != null) {
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
    ChannelFuture f = sb.bind(listenAddress).sync();
    listener = f.channel();
    updateMd5();
    log.info("BGP listener on {}", listener.localAddress());
    return this;
  }

  /** The bound listener address (with the real port when 0 was asked), or null. */
  public InetSocketAddress boundAddress() {
    Channel l = listener;
    return l == null ? null : (InetSocketAddress) l.localAddress();
  }

  private void accept(SocketChannel ch) {
    InetAddress remote = ch.remoteAddress().getAddress();
    BgpSession s = sessions.get(remote);
    if (s == null) {
      log.info("closing BGP connection from {}: not a configured peer", ch.remoteAddress());
      ch.close();
      return;
    }
    s.accepted(ch);
  }

  void register(BgpSession s) {
    BgpSession old = sessions.putIfAbsent(s.peerAddress(), s);
    if (old != null) {
      throw new IllegalStateException("peer " + s.peerAddress() + ": already has a session");
    }
    updateMd5();
  }

  void unregister(BgpSession s) {
    sessions.remove(s.peerAddress(), s);
    updateMd5();
  }

  /** RFC 2385: the listener must know every peer's key before the SYN arrives. */
  private void updateMd5() {
    Channel l = listener;
    if (l == null || !epoll) {
      return;
    }
    Map<InetAddress, byte[]> keys = new HashMap<>();
    for (BgpSession s : sessions.values()) {
      if (s.md5Key() != null) {
        keys.put(s.peerAddress(), s.md5Key());
      }
    }
    try {
      l.config().setOption(EpollChannelOption.TCP_MD5SIG, keys);
    } catch (RuntimeException e) {
      log.warn("could not set TCP MD5 keys on the listener", e);
    }
  }

  @Override
  public void close() {
    for (BgpSession s : sessions.values()) {
      s.close();
    }
    Channel l = listener;
    if (l != null) {
      l.close().syncUninterruptibly();
    }
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Builds a {@link BgpTransport}. */
  public static final class Builder {
    private EventLoopGroup group;
    private int threads = 1;
    private boolean useEpoll = Epoll.isAvailable();
    private InetSocketAddress listenAddress;

    private Builder() {}

    /** Event loops to use (not shut down on close). Must match the transport type (epoll or NIO). */
    public Builder group(EventLoopGroup value) {
      group = Objects.requireNonNull(value, "group");
      return this;
    }

    /** Threads of the group created when none is given; default 1 (many sessions on one event loop). */
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

    /** Listens for peers' connections on this address (port 179 for BGP; 0 picks a free port). */
    public Builder listen(InetSocketAddress value) {
      listenAddress = Objects.requireNonNull(value, "listenAddress");
      return this;
    }

    public BgpTransport build() {
      return new BgpTransport(this);
    }
  }
}
