package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DatagramSocketAddress;
import io.speakerkit.bfd.ControlPacket;
import io.speakerkit.bfd.Diagnostic;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.testing.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven BFD peer on loopback: a plain IPv4 UDP socket that sends crafted control packets with a chosen TTL
 * (an unprivileged socket may, and loopback delivers the TTL unchanged) and reads what the engine sends to it.
 */
final class CraftedPeer implements AutoCloseable {

  private static final int IPPROTO_IP = 0;
  private static final int IP_TTL = 2;

  /** Desired Min TX 10 s, Detect Mult 3: the engine's Detection Time is 30 s, so one packet keeps a session Up. */
  static final long SLOW_MICROS = 10_000_000;
  /** Required Min RX 1 s: the engine sends about once a second. */
  static final long RX_MICROS = 1_000_000;

  final InetSocketAddress address;
  private final UdpSocket socket;
  private final ByteBuffer rx = ByteBuffer.allocateDirect(512);

  /** Binds {@code address}; sends with TTL 255 until told otherwise. */
  CraftedPeer(InetSocketAddress address) throws IOException {
    Epoll.ensureAvailability(); // the native library
    this.address = address;
    socket = UdpSocket.open(false);
    boolean ok = false;
    try {
      socket.bind(address);
      ttl(255);
      ok = true;
    } finally {
      if (!ok) {
        socket.close();
      }
    }
  }

  /** Sends what follows with this TTL. */
  CraftedPeer ttl(int ttl) throws IOException {
    socket.setIntOpt(IPPROTO_IP, IP_TTL, ttl);
    return this;
  }

  /** Cuts every datagram read from now on to one byte unless it came with TTL 255, as the engine's filter does. */
  CraftedPeer acceptOnlyTtl255() throws IOException {
    socket.setRawOpt(TtlFilter.SOL_SOCKET, TtlFilter.SO_ATTACH_FILTER, TtlFilter.singleHop(false).optionValue());
    return this;
  }

  /** A packet without authentication, Detect Mult 3, {@link #SLOW_MICROS} / {@link #RX_MICROS}. */
  static ControlPacket packet(SessionState state, int myDiscr, int yourDiscr) {
    return ControlPacket.of(state, Diagnostic.NO_DIAGNOSTIC, false, false, 3, myDiscr, yourDiscr, SLOW_MICROS, RX_MICROS);
  }

  void send(ControlPacket p, InetSocketAddress to) throws IOException {
    ByteBuf b = Unpooled.buffer();
    try {
      p.encode(b);
      sendBytes(ByteBufUtil.getBytes(b), to);
    } finally {
      b.release();
    }
  }

  void sendBytes(byte[] payload, InetSocketAddress to) throws IOException {
    ByteBuffer d = ByteBuffer.allocateDirect(Math.max(1, payload.length));
    d.put(payload).flip();
    assertEquals(payload.length, socket.sendTo(d, 0, payload.length, to.getAddress(), to.getPort()));
  }

  /** One datagram read, with its sender. */
  record Datagram(InetSocketAddress sender, byte[] payload) {
    ControlPacket packet() {
      return ControlPacket.decode(Unpooled.wrappedBuffer(payload));
    }
  }

  /** The next datagram; waits at most 10 s (the engine sends about once a second before Up). */
  Datagram receive() {
    Datagram[] got = new Datagram[1];
    Poll.until(Duration.ofSeconds(10), "a datagram at " + address, () -> (got[0] = poll()) != null);
    return got[0];
  }

  /** A datagram waiting on the non-blocking socket, or null. */
  private Datagram poll() {
    try {
      DatagramSocketAddress from = socket.recvFrom(rx, 0, rx.capacity());
      if (from == null) {
        return null;
      }
      byte[] payload = new byte[Math.max(0, from.receivedAmount())];
      rx.get(0, payload);
      return new Datagram(new InetSocketAddress(from.getAddress(), from.getPort()), payload);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next datagram that is a control packet in {@code state}. */
  ControlPacket receive(SessionState state) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      ControlPacket p = receive().packet();
      assertNotNull(p);
      if (p.state() == state) {
        return p;
      }
      assertTrue(System.nanoTime() < deadline, "no " + state + " packet at " + address + ", last " + p);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
