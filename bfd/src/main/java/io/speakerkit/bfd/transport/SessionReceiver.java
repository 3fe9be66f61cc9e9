package io.speakerkit.bfd.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import io.speakerkit.bfd.BfdSession;
import java.net.InetSocketAddress;

/**
 * One session's own receiving socket: bound to the local address and port 3784/4784 with SO_REUSEPORT beside the
 * shared receive socket, and connected to the peer's address and source port (which RFC 5881 §4 keeps constant for
 * the life of the session). Linux delivers a datagram to the connected socket of an exact 4-tuple match in
 * preference to the unconnected one, so the sender is known without decoding an address: the read path is one
 * {@code recv} into a reused buffer and allocates nothing. The TTL filter ({@link TtlFilter}) is attached here too.
 *
 * <p>Registered directly with the epoll event loop through Netty's {@link EpollIoHandle} (level-triggered
 * EPOLLIN), not as a Netty channel, which would wrap each datagram in a {@code DatagramPacket}.
 */
final class SessionReceiver implements EpollIoHandle {

  /** Reads per readiness event before yielding to the rest of the loop (level-triggered: the rest comes next). */
  private static final int MAX_READS = 16;

  /** What the receiver hands datagrams to; on the event loop. */
  interface Sink {
    /** {@code buf} holds one datagram's payload; readable until the call returns. */
    void datagram(SessionReceiver receiver, ByteBuf buf);
  }

  final BfdSession session;
  final InetSocketAddress local;
  final InetSocketAddress remote;
  private final UdpSocket socket;
  private final ByteBuf buf;
  private final Sink sink;
  private IoRegistration registration;
  private boolean closed;

  private SessionReceiver(BfdSession session, InetSocketAddress local, InetSocketAddress remote,
      UdpSocket socket, ByteBuf buf, Sink sink) {
    this.session = session;
    this.local = local;
    this.remote = remote;
    this.socket = socket;
    this.buf = buf;
    this.sink = sink;
  }

  /**
   * Opens, filters, binds, connects and registers the socket.
   *
   * @param buf a direct buffer with a memory address, shared by all receivers of the loop
   */
  static SessionReceiver open(IoEventLoop loop, BfdSession session, InetSocketAddress local,
      InetSocketAddress remote, TtlFilter filter, ByteBuf buf, Sink sink) throws IOException {
    UdpSocket socket = UdpSocket.open(local.getAddress() instanceof java.net.Inet6Address);
    SessionReceiver r = new SessionReceiver(session, local, remote, socket, buf, sink);
    boolean ok = false;
    try {
      socket.setReusePort(true);
      // The filter before the bind, so that no datagram is queued unchecked (RFC 5881 §5, RFC 5883 §2).
      r.filter(filter);
      socket.bind(local);
      socket.connect(remote);
      // Between bind and connect the socket was an unconnected member of the port's SO_REUSEPORT group, and the
      // kernel may have queued on it datagrams from any peer: drop them (at most a packet or two, once).
      while (socket.recvAddress(buf.memoryAddress(), 0, buf.capacity()) != 0) {
        // drained
      }
      ok = true;
    } finally {
      if (!ok) {
        socket.close();
      }
    }
    loop.register(r).addListener(f -> {
      if (!f.isSuccess()) {
        r.close();
        return;
      }
      IoRegistration reg = (IoRegistration) f.getNow();
      if (r.closed) {
        reg.cancel();
        return;
      }
      r.registration = reg;
      reg.submit(EpollIoOps.EPOLLIN);
    });
    return r;
  }

  /** Attaches (or replaces) the TTL filter. */
  void filter(TtlFilter filter) throws IOException {
    socket.setRawOpt(TtlFilter.SOL_SOCKET, TtlFilter.SO_ATTACH_FILTER, filter.optionValue());
  }

  @Override
  public FileDescriptor fd() {
    return socket;
  }

  @Override
  public void handle(IoRegistration registration, IoEvent ioEvent) {
    for (int i = 0; i < MAX_READS && !closed; i++) {
      int n;
      try {
        n = socket.recvAddress(buf.memoryAddress(), 0, buf.capacity());
      } catch (IOException e) {
        return; // nothing is sent on this socket, so no ICMP error is expected; the next event retries
      }
      if (n == 0) {
        return; // EAGAIN
      }
      buf.setIndex(0, Math.max(0, n)); // -1: a zero-length datagram
      sink.datagram(this, buf);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (registration != null) {
      registration.cancel();
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
