package io.speakerkit.testing.pcap;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a libpcap file (Ethernet link type) of synthesised TCP connections, so that a dissector sees what it
 * would see on the wire: a three-way handshake, data segments of at most one MSS with consistent sequence and
 * acknowledgement numbers, ACKs from the receiver, a FIN exchange, and correct IPv4 header and TCP checksums.
 * Both IPv4 and IPv6 connections are supported (by the addresses' type); several connections may share a file.
 *
 * <pre>{@code
 * try (PcapWriter pcap = PcapWriter.create(path)) {
 *   PcapWriter.Tcp tcp = pcap.tcp(clientAddress, 40179, serverAddress, 179);
 *   tcp.clientSends(openBytes);
 *   tcp.serverSends(openBytes2);
 *   tcp.close();
 * }
 * }</pre>
 *
 * <p>The output is deterministic: timestamps start at 2026-01-01T00:00:00Z and advance 10 µs per packet; initial
 * sequence numbers are fixed per connection.
 */
public final class PcapWriter implements AutoCloseable {

  private static final long START_MICROS = 1_767_225_600_000_000L; // 2026-01-01T00:00:00Z
  private static final int WINDOW = 65535;
  /** Unacknowledged data is acknowledged at least this often, so the window never fills. */
  private static final int ACK_EVERY = 16 * 1024;

  private final OutputStream out;
  private long micros = START_MICROS;
  private int ipId = 1;
  private int connections;

  private PcapWriter(OutputStream out) throws IOException {
    this.out = out;
    ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144)
        .putInt(1);
    out.write(header.array());
  }

  /** Creates (or replaces) {@code file}. */
  public static PcapWriter create(Path file) {
    try {
      return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes to {@code out}, which {@link #close()} closes. */
  public static PcapWriter to(OutputStream out) {
    try {
      return new PcapWriter(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a connection from {@code client} to {@code server} (both IPv4 or both IPv6) and writes its
   * handshake.
   */
  public Tcp tcp(InetAddress client, int clientPort, InetAddress server, int serverPort) {
    if ((client instanceof Inet4Address) != (server instanceof Inet4Address)) {
      throw new IllegalArgumentException(client + " and " + server + " (expected: the same address family)");
    }
    return new Tcp(new TcpEndpoint(client, clientPort), new TcpEndpoint(server, serverPort), connections++);
  }

  /**
   * Writes one raw Ethernet frame as it is, e.g. a frame of another capture (to reorder or duplicate packets in a
   * test of a reader).
   */
  public void frame(byte[] ethernetFrame) {
    writeRecord(ethernetFrame);
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One synthesised connection. Not thread-safe. */
  public final class Tcp {
    private final TcpEndpoint client;
    private final TcpEndpoint server;
    private final byte[] clientMac;
    private final byte[] serverMac;
    private final int mss;
    private long clientSeq;
    private long serverSeq;
    private boolean closed;

    private Tcp(TcpEndpoint client, TcpEndpoint server, int n) {
      this.client = client;
      this.server = server;
      this.clientMac = new byte[] {0x02, 0x53, 0x4b, 0x00, (byte) n, 0x01};
      this.serverMac = new byte[] {0x02, 0x53, 0x4b, 0x00, (byte) n, 0x02};
      this.mss = client.address() instanceof Inet6Address ? 1440 : 1460;
      long clientIsn = 0x10000000L + n * 0x01000000L;
      long serverIsn = 0x80000000L + n * 0x01000000L;
      // SYN, SYN+ACK, ACK
      packet(true, clientIsn, 0, SYN, new byte[0], 0, 0);
      packet(false, serverIsn, clientIsn + 1, SYN | ACK, new byte[0], 0, 0);
      clientSeq = (clientIsn + 1) & 0xFFFFFFFFL;
      serverSeq = (serverIsn + 1) & 0xFFFFFFFFL;
      packet(true, clientSeq, serverSeq, ACK, new byte[0], 0, 0);
    }

    /** The client's end. */
    public TcpEndpoint client() {
      return client;
    }

    /** The server's end. */
    public TcpEndpoint server() {
      return server;
    }

    /** Writes {@code data} from the client in segments of at most one MSS, acknowledged by the server. */
    public Tcp clientSends(byte[] data) {
      send(true, data);
      return this;
    }

    /** Writes {@code data} from the server in segments of at most one MSS, acknowledged by the client. */
    public Tcp serverSends(byte[] data) {
      send(false, data);
      return this;
    }

    /** Closes the connection: FIN from the client, FIN+ACK from the server, ACK. */
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      packet(true, clientSeq, serverSeq, FIN | ACK, new byte[0], 0, 0);
      clientSeq = (clientSeq + 1) & 0xFFFFFFFFL;
      packet(false, serverSeq, clientSeq, FIN | ACK, new byte[0], 0, 0);
      serverSeq = (serverSeq + 1) & 0xFFFFFFFFL;
      packet(true, clientSeq, serverSeq, ACK, new byte[0], 0, 0);
    }

    private void send(boolean fromClient, byte[] data) {
      if (closed) {
        throw new IllegalStateException("connection closed");
      }
      int unacked = 0;
      for (int off = 0; off < data.length; ) {
        int len = Math.min(mss, data.length - off);
        boolean last = off + len == data.length;
        if (fromClient) {
          packet(true, clientSeq, serverSeq, ACK | (last ? PSH : 0), data, off, len);
          clientSeq = (clientSeq + len) & 0xFFFFFFFFL;
        } else {
          packet(false, serverSeq, clientSeq, ACK | (last ? PSH : 0), data, off, len);
          serverSeq = (serverSeq + len) & 0xFFFFFFFFL;
        }
        off += len;
        unacked += len;
        if (last || unacked >= ACK_EVERY) {
          if (fromClient) {
            packet(false, serverSeq, clientSeq, ACK, new byte[0], 0, 0);
          } else {
            packet(true, clientSeq, serverSeq, ACK, new byte[0], 0, 0);
          }
          unacked = 0;
        }
      }
    }

    private void packet(boolean fromClient, long seq, long ack, int flags, byte[] data, int off, int len) {
      TcpEndpoint src = fromClient ? client : server;
      TcpEndpoint dst = fromClient ? server : client;
      byte[] tcp = tcpSegment(src, dst, seq, ack, flags, data, off, len);
      byte[] ip = src.address() instanceof Inet4Address ? ipv4(src, dst, tcp) : ipv6(src, dst, tcp);
      ByteBuffer frame = ByteBuffer.allocate(14 + ip.length);
      frame.put(fromClient ? serverMac : clientMac).put(fromClient ? clientMac : serverMac);
      frame.putShort((short) (src.address() instanceof Inet4Address ? 0x0800 : 0x86DD));
      frame.put(ip);
      writeRecord(frame.array());
    }
  }

  private static final int FIN = 0x01;
  private static final int SYN = 0x02;
  private static final int PSH = 0x08;
  private static final int ACK = 0x10;

  private static byte[] tcpSegment(
      TcpEndpoint src, TcpEndpoint dst, long seq, long ack, int flags, byte[] data, int off, int len) {
    ByteBuffer b = ByteBuffer.allocate(20 + len);
    b.putShort((short) src.port()).putShort((short) dst.port());
    b.putInt((int) seq).putInt((flags & ACK) != 0 ? (int) ack : 0);
    b.put((byte) (5 << 4)).put((byte) flags).putShort((short) WINDOW);
    b.putShort((short) 0).putShort((short) 0);
    b.put(data, off, len);
    byte[] segment = b.array();
    // RFC 9293 §3.1: checksum over the pseudo-header and the segment.
    byte[] s = src.address().getAddress();
    byte[] d = dst.address().getAddress();
    long sum = sum(s, 0, s.length) + sum(d, 0, d.length) + 6 + segment.length;
    sum += sum(segment, 0, segment.length);
    int checksum = fold(sum);
    segment[16] = (byte) (checksum >> 8);
    segment[17] = (byte) checksum;
    return segment;
  }

  private byte[] ipv4(TcpEndpoint src, TcpEndpoint dst, byte[] tcp) {
    ByteBuffer b = ByteBuffer.allocate(20 + tcp.length);
    b.put((byte) 0x45).put((byte) 0xC0).putShort((short) (20 + tcp.length));
    b.putShort((short) ipId++).putShort((short) 0x4000); // DF
    b.put((byte) 64).put((byte) 6).putShort((short) 0);
    b.put(src.address().getAddress()).put(dst.address().getAddress());
    byte[] packet = b.array();
    int checksum = fold(sum(packet, 0, 20));
    packet[10] = (byte) (checksum >> 8);
    packet[11] = (byte) checksum;
    System.arraycopy(tcp, 0, packet, 20, tcp.length);
    return packet;
  }

  private static byte[] ipv6(TcpEndpoint src, TcpEndpoint dst, byte[] tcp) {
    ByteBuffer b = ByteBuffer.allocate(40 + tcp.length);
    b.putInt(0x6C000000); // version 6, traffic class 0xC0 (internetwork control)
    b.putShort((short) tcp.length).put((byte) 6).put((byte) 64);
    b.put(src.address().getAddress()).put(dst.address().getAddress());
    b.put(tcp);
    return b.array();
  }

  private static long sum(byte[] b, int off, int len) {
    long sum = 0;
    int i = off;
    for (; i + 1 < off + len; i += 2) {
      sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }
    if (i < off + len) {
      sum += (b[i] & 0xFF) << 8;
    }
    return sum;
  }

  private static int fold(long sum) {
    while ((sum >> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return (int) (~sum & 0xFFFF);
  }

  private void writeRecord(byte[] frame) {
    ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    rec.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(frame.length)
        .putInt(frame.length);
    micros += 10;
    try {
      out.write(rec.array());
      out.write(frame);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
