package io.speakerkit.testing.pcap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a capture file (libpcap, either byte order, micro- or nanosecond timestamps; or pcapng) and reassembles
 * the TCP connections in it: per direction, the payload byte stream as the receiving application read it.
 *
 * <p>Segments are ordered by sequence number relative to the SYN (or to the lowest sequence number seen when the
 * handshake was not captured); a retransmitted or duplicated segment contributes only the octets not seen before.
 * A hole in a stream (a segment that was never captured) is an error: a golden vector with a hole would silently
 * test less than it claims.
 *
 * <p>Link types: Ethernet (with 802.1Q tags), Linux cooked capture v1 and v2, raw IP. Network: IPv4 (with
 * options; fragments are rejected) and IPv6 (hop-by-hop, routing and destination options headers skipped).
 */
public final class PcapReader {

  private static final int LINKTYPE_ETHERNET = 1;
  private static final int LINKTYPE_RAW = 101;
  private static final int LINKTYPE_LINUX_SLL = 113;
  private static final int LINKTYPE_IPV4 = 228;
  private static final int LINKTYPE_IPV6 = 229;
  private static final int LINKTYPE_LINUX_SLL2 = 276;

  private PcapReader() {}

  /** One captured frame: its link type and bytes. */
  public record Frame(int number, int linkType, long timestampNanos, byte[] data) {}

  /** Reads every frame of {@code file}, numbered from 1 as Wireshark numbers them. */
  public static List<Frame> readFrames(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return readFrames(bytes, file.toString());
  }

  /** Reads every frame of a capture held in memory; {@code name} is used in error messages. */
  public static List<Frame> readFrames(byte[] bytes, String name) {
    if (bytes.length < 24) {
      throw new IllegalArgumentException(name + ": " + bytes.length + " octets (expected: a pcap or pcapng file)");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int magic = buf.getInt(0);
    if (magic == 0x0A0D0D0A) {
      return readPcapng(buf, name);
    }
    return readPcap(buf, name);
  }

  /** Reads and reassembles every TCP connection in {@code file}, in the order their first packets appear. */
  public static List<TcpConnection> readTcp(Path file) {
    return reassemble(readFrames(file), file.toString());
  }

  /** Reassembles every TCP connection in a capture held in memory. */
  public static List<TcpConnection> readTcp(byte[] capture, String name) {
    return reassemble(readFrames(capture, name), name);
  }

  private static List<Frame> readPcap(ByteBuffer buf, String name) {
    int magic = buf.getInt(0);
    boolean nanos;
    switch (magic) {
      case 0xA1B2C3D4 -> nanos = false;
      case 0xA1B23C4D -> nanos = true;
      default -> {
        buf.order(ByteOrder.BIG_ENDIAN);
        magic = buf.getInt(0);
        if (magic == 0xA1B2C3D4) {
          nanos = false;
        } else if (magic == 0xA1B23C4D) {
          nanos = true;
        } else {
          throw new IllegalArgumentException(
              name + ": magic 0x" + Integer.toHexString(magic) + " (expected: pcap or pcapng)");
        }
      }
    }
    int linkType = buf.getInt(20) & 0x0FFFFFFF;
    List<Frame> frames = new ArrayList<>();
    int pos = 24;
    while (pos + 16 <= buf.limit()) {
      long sec = buf.getInt(pos) & 0xFFFFFFFFL;
      long frac = buf.getInt(pos + 4) & 0xFFFFFFFFL;
      int capLen = buf.getInt(pos + 8);
      if (capLen < 0 || pos + 16 + capLen > buf.limit()) {
        throw new IllegalArgumentException(name + ": record at offset " + pos + " is truncated");
      }
      byte[] data = Arrays.copyOfRange(buf.array(), pos + 16, pos + 16 + capLen);
      long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
      frames.add(new Frame(frames.size() + 1, linkType, ts, data));
      pos += 16 + capLen;
    }
    if (pos != buf.limit()) {
      throw new IllegalArgumentException(name + ": " + (buf.limit() - pos) + " trailing octets");
    }
    return frames;
  }

  private static List<Frame> readPcapng(ByteBuffer buf, String name) {
    List<Frame> frames = new ArrayList<>();
    List<Integer> interfaces = new ArrayList<>();
    int pos = 0;
    while (pos + 12 <= buf.limit()) {
      int type = buf.getInt(pos);
      if (type == 0x0A0D0D0A) {
        // Section header: the byte-order magic decides the order of everything in this section.
        buf.order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt(pos + 8) != 0x1A2B3C4D) {
          buf.order(ByteOrder.BIG_ENDIAN);
        }
        interfaces.clear();
      }
      int length = buf.getInt(pos + 4);
      if (length < 12 || pos + length > buf.limit()) {
        throw new IllegalArgumentException(name + ": pcapng block at offset " + pos + " has length " + length);
      }
      switch (type) {
        case 1 -> interfaces.add(buf.getShort(pos + 8) & 0xFFFF);
        case 6 -> {
          int iface = buf.getInt(pos + 8);
          long ts = ((buf.getInt(pos + 12) & 0xFFFFFFFFL) << 32) | (buf.getInt(pos + 16) & 0xFFFFFFFFL);
          int capLen = buf.getInt(pos + 20);
          byte[] data = Arrays.copyOfRange(buf.array(), pos + 28, pos + 28 + capLen);
          // Default resolution is microseconds; good enough for ordering, which is all we use it for.
          frames.add(new Frame(frames.size() + 1, interfaces.get(iface), ts * 1000, data));
        }
        case 3 -> {
          int origLen = buf.getInt(pos + 8);
          int capLen = Math.min(origLen, length - 16);
          byte[] data = Arrays.copyOfRange(buf.array(), pos + 12, pos + 12 + capLen);
          frames.add(new Frame(frames.size() + 1, interfaces.get(0), 0, data));
        }
        default -> {
          // other blocks (name resolution, statistics, custom) carry no packets
        }
      }
      pos += length;
    }
    return frames;
  }

  // ---- packet parsing --------------------------------------------------------------------------------------

  /** A TCP segment as captured. */
  private record Segment(
      int frame, TcpEndpoint src, TcpEndpoint dst, long seq, boolean syn, boolean ack, byte[] payload) {}

  private static Segment parse(Frame frame, String name) {
    byte[] d = frame.data();
    int off;
    int etherType;
    switch (frame.linkType()) {
      case LINKTYPE_ETHERNET -> {
        off = 12;
        etherType = u16(d, off);
        off += 2;
        while (etherType == 0x8100 || etherType == 0x88A8) {
          etherType = u16(d, off + 2);
          off += 4;
        }
      }
      case LINKTYPE_LINUX_SLL -> {
        etherType = u16(d, 14);
        off = 16;
      }
      case LINKTYPE_LINUX_SLL2 -> {
        etherType = u16(d, 0);
        off = 20;
      }
      case LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 -> {
        etherType = (d[0] & 0xF0) == 0x60 ? 0x86DD : 0x0800;
        off = 0;
      }
      default -> throw new IllegalArgumentException(
          name + ": frame " + frame.number() + " has link type " + frame.linkType() + " (expected: Ethernet, "
              + "Linux cooked or raw IP)");
    }
    InetAddress src;
    InetAddress dst;
    int tcpOff;
    int tcpEnd;
    if (etherType == 0x0800) {
      int ihl = (d[off] & 0x0F) * 4;
      int total = u16(d, off + 2);
      int flagsFrag = u16(d, off + 6);
      if (d[off + 9] != 6) {
        return null;
      }
      if ((flagsFrag & 0x3FFF) != 0) {
        throw new IllegalArgumentException(name + ": frame " + frame.number() + " is an IPv4 fragment");
      }
      src = address(d, off + 12, 4);
      dst = address(d, off + 16, 4);
      tcpOff = off + ihl;
      // The IP length, not the frame length: Ethernet pads short frames.
      tcpEnd = off + total;
    } else if (etherType == 0x86DD) {
      int payloadLength = u16(d, off + 4);
      int next = d[off + 6] & 0xFF;
      src = address(d, off + 8, 16);
      dst = address(d, off + 24, 16);
      tcpOff = off + 40;
      tcpEnd = tcpOff + payloadLength;
      while (next == 0 || next == 43 || next == 60) {
        int nextNext = d[tcpOff] & 0xFF;
        tcpOff += ((d[tcpOff + 1] & 0xFF) + 1) * 8;
        next = nextNext;
      }
      if (next == 44) {
        throw new IllegalArgumentException(name + ": frame " + frame.number() + " is an IPv6 fragment");
      }
      if (next != 6) {
        return null;
      }
    } else {
      return null;
    }
    if (tcpEnd > d.length) {
      throw new IllegalArgumentException(
          name + ": frame " + frame.number() + " was truncated by the capture's snap length");
    }
    int srcPort = u16(d, tcpOff);
    int dstPort = u16(d, tcpOff + 2);
    long seq = u32(d, tcpOff + 4);
    int dataOffset = ((d[tcpOff + 12] & 0xF0) >> 4) * 4;
    int flags = d[tcpOff + 13] & 0xFF;
    byte[] payload = Arrays.copyOfRange(d, tcpOff + dataOffset, tcpEnd);
    return new Segment(frame.number(), new TcpEndpoint(src, srcPort), new TcpEndpoint(dst, dstPort), seq,
        (flags & 0x02) != 0, (flags & 0x10) != 0, payload);
  }

  // ---- reassembly ------------------------------------------------------------------------------------------

  /** One direction of one connection. */
  private static final class Direction {
    final TcpEndpoint sender;
    long base = -1; // sequence number of the first payload octet
    final List<Segment> segments = new ArrayList<>();

    Direction(TcpEndpoint sender) {
      this.sender = sender;
    }

    void add(Segment s) {
      if (s.syn()) {
        base = (s.seq() + 1) & 0xFFFFFFFFL;
        return;
      }
      if (s.payload().length > 0) {
        segments.add(s);
      }
    }

    byte[] bytes(String name, int connection) {
      if (segments.isEmpty()) {
        return new byte[0];
      }
      long origin = base;
      if (origin < 0) {
        // Handshake not captured: start at the earliest segment (sequence numbers compared modulo 2^32).
        origin = segments.get(0).seq();
        for (Segment s : segments) {
          if (relative(s.seq(), origin) < 0) {
            origin = s.seq();
          }
        }
      }
      final long o = origin;
      List<Segment> sorted = new ArrayList<>(segments);
      sorted.sort(Comparator.comparingLong(s -> relative(s.seq(), o)));
      byte[] out = new byte[0];
      int length = 0;
      for (Segment s : sorted) {
        long start = relative(s.seq(), o);
        long end = start + s.payload().length;
        if (start > length) {
          throw new IllegalStateException(name + ": connection #" + connection + ", data from " + sender
              + " has a hole at stream offset " + length + " (next segment, frame " + s.frame() + ", starts at "
              + start + ")");
        }
        if (start < 0 || end <= length) {
          continue; // retransmission or duplicate of data already taken
        }
        int skip = (int) (length - start);
        int add = s.payload().length - skip;
        if (length + add > out.length) {
          out = Arrays.copyOf(out, Math.max(out.length * 2, length + add));
        }
        System.arraycopy(s.payload(), skip, out, length, add);
        length += add;
      }
      return Arrays.copyOf(out, length);
    }
  }

  private static long relative(long seq, long origin) {
    return (int) (seq - origin); // signed 32-bit distance
  }

  private static final class Connection {
    final int firstFrame;
    TcpEndpoint client;
    TcpEndpoint server;
    final Map<TcpEndpoint, Direction> directions = new HashMap<>();
    long clientIsn = -1;

    Connection(int firstFrame) {
      this.firstFrame = firstFrame;
    }

    Direction direction(TcpEndpoint sender) {
      return directions.computeIfAbsent(sender, Direction::new);
    }
  }

  private static List<TcpConnection> reassemble(List<Frame> frames, String name) {
    Map<List<TcpEndpoint>, Connection> current = new HashMap<>();
    List<Connection> all = new ArrayList<>();
    for (Frame frame : frames) {
      Segment s = parse(frame, name);
      if (s == null) {
        continue;
      }
      List<TcpEndpoint> key = key(s.src(), s.dst());
      Connection c = current.get(key);
      boolean pureSyn = s.syn() && !s.ack();
      if (c == null || (pureSyn && c.clientIsn >= 0 && c.clientIsn != s.seq())
          || (pureSyn && c.clientIsn < 0 && !c.directions.isEmpty())) {
        c = new Connection(frame.number());
        current.put(key, c);
        all.add(c);
      }
      if (pureSyn) {
        c.clientIsn = s.seq();
        c.client = s.src();
        c.server = s.dst();
      } else if (s.syn() && c.client == null) {
        c.client = s.dst();
        c.server = s.src();
      } else if (c.client == null) {
        c.client = s.src();
        c.server = s.dst();
      }
      c.direction(s.src()).add(s);
    }
    List<TcpConnection> out = new ArrayList<>();
    for (Connection c : all) {
      int index = out.size();
      byte[] up = c.directions.containsKey(c.client) ? c.direction(c.client).bytes(name, index) : new byte[0];
      byte[] down = c.directions.containsKey(c.server) ? c.direction(c.server).bytes(name, index) : new byte[0];
      out.add(new TcpConnection(index, c.client, c.server, up, down));
    }
    return out;
  }

  private static List<TcpEndpoint> key(TcpEndpoint a, TcpEndpoint b) {
    String sa = a.toString();
    String sb = b.toString();
    return sa.compareTo(sb) <= 0 ? List.of(a, b) : List.of(b, a);
  }

  private static int u16(byte[] d, int off) {
    return ((d[off] & 0xFF) << 8) | (d[off + 1] & 0xFF);
  }

  private static long u32(byte[] d, int off) {
    return ((long) u16(d, off) << 16) | u16(d, off + 2);
  }

  private static InetAddress address(byte[] d, int off, int len) {
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(d, off, off + len));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
