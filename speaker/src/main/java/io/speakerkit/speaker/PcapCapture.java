package io.speakerkit.speaker;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bfd.transport.BfdTap;
import io.speakerkit.bgp.fsm.transport.BgpTap;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes every BGP and BFD packet a speaker sends and receives to a pcap file (libpcap format, link type RAW: IPv4
 * and IPv6 packets) that Wireshark and tshark open: the payloads as they crossed the sockets, with their real
 * addresses and ports, in IP and TCP/UDP headers rebuilt around them (TCP sequence numbers consecutive per
 * direction, so the dissector reassembles BGP messages split across reads). This replaces tcpdump on the node.
 *
 * <p>Thread-safe; each packet is flushed as it is written, so the file is readable while the speaker runs.
 */
final class PcapCapture implements BgpTap, BfdTap, AutoCloseable {

  private static final int LINKTYPE_RAW = 101;
  private static final int MAX_SEGMENT = 60_000;

  private final OutputStream out;
  private final Clock clock;
  private final Map<List<InetSocketAddress>, long[]> nextSeq = new HashMap<>();
  private int ipId;

  private PcapCapture(OutputStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  /** Opens {@code file}: a new capture, or appended to when {@code append} and the file already has a header. */
  static PcapCapture open(Path file, boolean append, Clock clock) {
    try {
      boolean writeHeader = !append || !Files.exists(file) || Files.size(file) == 0;
      OutputStream os = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, writeHeader ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND));
      PcapCapture c = new PcapCapture(os, clock);
      if (writeHeader) {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262_144)
            .putInt(LINKTYPE_RAW);
        os.write(h.array());
        os.flush();
      }
      return c;
    } catch (IOException e) {
      String why = e instanceof java.nio.file.NoSuchFileException ? "no such file or directory" // (the path alone)
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
      throw new UncheckedIOException("capture file " + file + ": " + why, e);
    }
  }

  @Override
  public void tcp(InetSocketAddress from, InetSocketAddress to, ByteBuf payload) {
    byte[] data = new byte[payload.readableBytes()];
    payload.getBytes(payload.readerIndex(), data);
    synchronized (this) {
      long[] seq = nextSeq.computeIfAbsent(List.of(from, to), k -> new long[] {1});
      long[] ack = nextSeq.get(List.of(to, from));
      for (int off = 0; off < data.length; off += MAX_SEGMENT) {
        int len = Math.min(MAX_SEGMENT, data.length - off);
        ByteBuffer tcp = ByteBuffer.allocate(20 + len);
        tcp.putShort((short) from.getPort()).putShort((short) to.getPort()).putInt((int) seq[0])
            .putInt(ack == null ? 0 : (int) ack[0]).put((byte) 0x50).put((byte) 0x18).putShort((short) 65535)
            .putShort((short) 0).putShort((short) 0).put(data, off, len);
        seq[0] += len;
        writePacket(from, to, 6, tcp.array(), 16);
      }
    }
  }

  /** The connection is gone: its sequence numbers go too (a capture left on would keep one pair per reconnect). */
  @Override
  public synchronized void tcpClosed(InetSocketAddress local, InetSocketAddress remote) {
    nextSeq.remove(List.of(local, remote));
    nextSeq.remove(List.of(remote, local));
  }

  /** How many TCP directions sequence numbers are kept for (tests). */
  synchronized int trackedDirections() {
    return nextSeq.size();
  }

  @Override
  public void udp(InetSocketAddress from, InetSocketAddress to, ByteBuf payload) {
    int len = payload.readableBytes();
    ByteBuffer udp = ByteBuffer.allocate(8 + len);
    udp.putShort((short) from.getPort()).putShort((short) to.getPort()).putShort((short) (8 + len)).putShort((short) 0);
    payload.getBytes(payload.readerIndex(), udp.array(), 8, len);
    synchronized (this) {
      writePacket(from, to, 17, udp.array(), 6);
    }
  }

  /** Wraps a transport segment in an IPv4 or IPv6 header, fills in its checksum and writes the pcap record. */
  private void writePacket(InetSocketAddress from, InetSocketAddress to, int protocol, byte[] segment,
      int checksumOffset) {
    byte[] src = from.getAddress().getAddress();
    byte[] dst = to.getAddress().getAddress();
    boolean v4 = from.getAddress() instanceof Inet4Address;
    int sum = pseudoHeaderSum(src, dst, protocol, segment.length) + onesSum(segment);
    int checksum = ~fold(sum) & 0xFFFF;
    if (protocol == 17 && checksum == 0) {
      checksum = 0xFFFF; // RFC 768: a computed zero is sent as all ones
    }
    segment[checksumOffset] = (byte) (checksum >>> 8);
    segment[checksumOffset + 1] = (byte) checksum;
    ByteBuffer ip;
    if (v4) {
      ip = ByteBuffer.allocate(20 + segment.length);
      ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + segment.length)).putShort((short) ipId++)
          .putShort((short) 0x4000).put((byte) 255).put((byte) protocol).putShort((short) 0).put(src).put(dst);
      int ipSum = ~fold(onesSum(java.util.Arrays.copyOf(ip.array(), 20))) & 0xFFFF;
      ip.putShort(10, (short) ipSum);
    } else {
      ip = ByteBuffer.allocate(40 + segment.length);
      ip.putInt(0x60000000).putShort((short) segment.length).put((byte) protocol).put((byte) 255).put(src).put(dst);
    }
    ip.put(segment);
    byte[] packet = ip.array();
    Instant now = clock.instant();
    ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    rec.putInt((int) now.getEpochSecond()).putInt(now.getNano() / 1000).putInt(packet.length).putInt(packet.length);
    try {
      out.write(rec.array());
      out.write(packet);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("capture: " + e.getMessage(), e);
    }
  }

  private static int pseudoHeaderSum(byte[] src, byte[] dst, int protocol, int length) {
    int sum = onesSum(src) + onesSum(dst) + protocol;
    return src.length == 4 ? sum + length : sum + (length >>> 16) + (length & 0xFFFF);
  }

  private static int onesSum(byte[] b) {
    int sum = 0;
    for (int i = 0; i + 1 < b.length; i += 2) {
      sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }
    if ((b.length & 1) != 0) {
      sum += (b[b.length - 1] & 0xFF) << 8;
    }
    return fold(sum);
  }

  private static int fold(int sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    return sum;
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("capture: " + e.getMessage(), e);
    }
  }
}
