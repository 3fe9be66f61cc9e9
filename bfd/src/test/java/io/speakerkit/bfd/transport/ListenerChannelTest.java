package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared receive socket carries its TTL filter (RFC 5881 §5, RFC 5082) from before it is bound: a datagram that
 * arrives the moment the socket is bound is already checked. Loopback, no root: an unprivileged socket may send
 * with any TTL, and loopback delivers it unchanged.
 */
class ListenerChannelTest {

  private static final int IPPROTO_IP = 0;
  private static final int IP_TTL = 2;
  private static final int IPPROTO_IPV6 = 41;
  private static final int IPV6_UNICAST_HOPS = 16;
  private static final int BFD_MIN_LENGTH = 24;

  @Test
  void newListenerChannel_datagramArrivingRightAfterBind_ttlFiltered() throws Exception {
    Epoll.ensureAvailability(); // loads the native library, as the engine does
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    EpollDatagramChannel ch = BfdEngine.newListenerChannel(false, TtlFilter.singleHop(false));
    UdpSocket sender = UdpSocket.open(false);
    try {
      Socket rx = (Socket) ch.fd();
      // Bound by hand and sent to at once: nothing of the engine runs between the bind and the datagrams, so
      // whatever filters them was attached before the bind.
      rx.bind(new InetSocketAddress(loopback, 0));
      int port = rx.localAddress().getPort();
      sender.setIntOpt(IPPROTO_IP, IP_TTL, 64);
      send(sender, loopback, port);
      sender.setIntOpt(IPPROTO_IP, IP_TTL, 255);
      send(sender, loopback, port);
      assertEquals(TtlFilter.REJECTED_PAYLOAD, receive(rx), "TTL 64: cut by the filter");
      assertEquals(BFD_MIN_LENGTH, receive(rx), "TTL 255: whole");
    } finally {
      sender.close();
      ch.unsafe().closeForcibly();
    }
  }

  /**
   * RFC 5881 §5 / RFC 5082 (GTSM): single-hop packets are accepted only with TTL exactly 255. TTL 254 is one router
   * away (or a spoofer one hop off) and must be cut: a filter that merely rejects "low" TTLs would let it in.
   */
  @Test
  void singleHopFilter_ttl254_cut() throws Exception {
    Epoll.ensureAvailability();
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    EpollDatagramChannel ch = BfdEngine.newListenerChannel(false, TtlFilter.singleHop(false));
    UdpSocket sender = UdpSocket.open(false);
    try {
      Socket rx = (Socket) ch.fd();
      rx.bind(new InetSocketAddress(loopback, 0));
      int port = rx.localAddress().getPort();
      sender.setIntOpt(IPPROTO_IP, IP_TTL, 254);
      send(sender, loopback, port);
      sender.setIntOpt(IPPROTO_IP, IP_TTL, 255);
      send(sender, loopback, port);
      assertEquals(TtlFilter.REJECTED_PAYLOAD, receive(rx), "TTL 254: cut by the filter");
      assertEquals(BFD_MIN_LENGTH, receive(rx), "TTL 255: whole");
    } finally {
      sender.close();
      ch.unsafe().closeForcibly();
    }
  }

  /** The same check on IPv6 (RFC 5881 §5: hop limit 255), which reads another header byte than IPv4's TTL. */
  @Test
  void singleHopFilter_ipv6_hopLimit255Only() throws Exception {
    Epoll.ensureAvailability();
    InetAddress loopback = InetAddress.getByName("::1");
    EpollDatagramChannel ch = BfdEngine.newListenerChannel(true, TtlFilter.singleHop(true));
    UdpSocket sender = UdpSocket.open(true);
    try {
      Socket rx = (Socket) ch.fd();
      rx.bind(new InetSocketAddress(loopback, 0));
      int port = rx.localAddress().getPort();
      sender.setIntOpt(IPPROTO_IPV6, IPV6_UNICAST_HOPS, 254);
      send(sender, loopback, port);
      sender.setIntOpt(IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
      send(sender, loopback, port);
      assertEquals(TtlFilter.REJECTED_PAYLOAD, receive(rx), "hop limit 254: cut by the filter");
      assertEquals(BFD_MIN_LENGTH, receive(rx), "hop limit 255: whole");
    } finally {
      sender.close();
      ch.unsafe().closeForcibly();
    }
  }

  private static void send(Socket s, InetAddress to, int port) throws IOException {
    ByteBuffer b = ByteBuffer.allocateDirect(BFD_MIN_LENGTH);
    assertEquals(BFD_MIN_LENGTH, s.sendTo(b, 0, BFD_MIN_LENGTH, to, port));
  }

  /** The length of the next datagram; loopback delivers at once, the deadline only bounds a broken run. */
  private static int receive(Socket s) throws IOException {
    ByteBuffer b = ByteBuffer.allocateDirect(512);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      int n = s.recv(b, 0, b.capacity());
      if (n != 0) {
        return Math.max(0, n);
      }
      assertTrue(System.nanoTime() < deadline, "no datagram arrived");
      Thread.onSpinWait();
    }
  }
}
