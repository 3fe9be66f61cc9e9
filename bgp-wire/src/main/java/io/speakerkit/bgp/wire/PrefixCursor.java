package io.speakerkit.bgp.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * A forward cursor over an NLRI or withdrawn-routes field that the decoder has already validated, reading prefixes
 * in place from the received buffer (RFC 4271 §4.3, RFC 4760 §5, with the RFC 7911 §3 path identifier when ADD-PATH
 * is negotiated for the family):
 *
 * <pre>
 * +--------------------------------+
 * | Path Identifier (4 octets)     |   only with ADD-PATH
 * +--------------------------------+
 * | Length (1 octet)               |
 * +--------------------------------+
 * | Prefix (variable)              |
 * +--------------------------------+
 * </pre>
 *
 * <p>Usage: {@code while (c.next()) { c.length(); c.ipv4(); c.pathId(); }}. The cursor does not own the buffer: it
 * is valid while the message it came from is. A message hands out one cursor per field, rewound on every call, so
 * finish one walk of a field before starting another ({@link #toList()} and {@link #count()} do not move it). Host bits present on the wire are masked off (RFC 4271 §4.3: trailing
 * bits are irrelevant).
 */
public final class PrefixCursor {

  private MessageBytes bytes;
  /** The generation of {@link #bytes} this cursor was handed out in. */
  private int generation;
  private int start;
  private int end;
  private boolean ipv6;
  private boolean addPath;
  private int pos;
  private int pathId;
  private int length;
  private long hi;
  private long lo;

  PrefixCursor(MessageBytes bytes, int generation, int start, int end, boolean ipv6, boolean addPath) {
    this.bytes = bytes;
    this.generation = generation;
    this.start = start;
    this.end = end;
    this.ipv6 = ipv6;
    this.addPath = addPath;
    this.pos = start;
  }

  /** {@code cursor} re-pointed at another field and rewound, or a new cursor when it is null. */
  static PrefixCursor reuse(PrefixCursor cursor, MessageBytes bytes, int generation, int start, int end,
      boolean ipv6, boolean addPath) {
    if (cursor == null) {
      return new PrefixCursor(bytes, generation, start, end, ipv6, addPath);
    }
    cursor.bytes = bytes;
    cursor.generation = generation;
    cursor.pathId = 0; // pathId() is 0 without ADD-PATH, also after a message with it
    cursor.start = start;
    cursor.end = end;
    cursor.ipv6 = ipv6;
    cursor.addPath = addPath;
    cursor.pos = start;
    return cursor;
  }

  /** Advances to the next prefix; false at the end. */
  public boolean next() {
    int p = pos;
    int e = end;
    if (p >= e) {
      return false;
    }
    MessageBytes b = bytes;
    b.checkGeneration(generation);
    if (addPath) {
      pathId = b.getInt(p);
      p += 4;
    }
    // One read for the length octet and the next seven: the field was validated, so the prefix ends by e.
    long w = word(b, p, e);
    int len = (int) (w >>> 56);
    int n = (len + 7) >>> 3;
    length = len;
    if (!ipv6) {
      lo = ((int) (w >>> 24) & IpPrefix.ipv4Mask(len)) & 0xFFFF_FFFFL;
    } else {
      // Octets past the prefix (and, for ::/0, the whole word) are masked off.
      hi = word(b, p + 1, e) & IpPrefix.hiMask(len);
      lo = n > 8 ? word(b, p + 9, e) & IpPrefix.loMask(len) : 0;
    }
    pos = p + 1 + n;
    return true;
  }

  /**
   * The eight octets at {@code p < e} as a big-endian long, octets at or beyond {@code e} read as zero. Near the end
   * of the field it reads the eight octets ending at {@code e} instead, which lie inside the message (every field the
   * cursor walks ends at least 23 octets after the message start), so nothing outside the message is read. No branch:
   * where the field ends is different in every message.
   */
  private static long word(MessageBytes b, int p, int e) {
    int q = Math.min(p, e - 8);
    return b.getLong(q) << ((p - q) << 3);
  }

  /** Rewinds to the first prefix. */
  public void reset() {
    pos = start;
  }

  public boolean isIpv6() {
    return ipv6;
  }

  /** Whether prefixes carry RFC 7911 path identifiers. */
  public boolean hasPathId() {
    return addPath;
  }

  /** The RFC 7911 path identifier of the current prefix (0 without ADD-PATH). */
  public int pathId() {
    return pathId;
  }

  /** Prefix length in bits of the current prefix. */
  public int length() {
    return length;
  }

  /** The current IPv4 prefix's address as a big-endian int (host bits zero). */
  public int ipv4() {
    return (int) lo;
  }

  /** First 64 bits of the current IPv6 prefix. */
  public long ipv6Hi() {
    return hi;
  }

  /** Last 64 bits of the current IPv6 prefix. */
  public long ipv6Lo() {
    return lo;
  }

  /** Copies the address octets (4 or 16, host bits zero) into {@code dst} at {@code offset}. */
  public void copyAddress(byte[] dst, int offset) {
    if (ipv6) {
      for (int i = 0; i < 8; i++) {
        dst[offset + i] = (byte) (hi >>> (56 - 8 * i));
        dst[offset + 8 + i] = (byte) (lo >>> (56 - 8 * i));
      }
    } else {
      int a = (int) lo;
      dst[offset] = (byte) (a >>> 24);
      dst[offset + 1] = (byte) (a >>> 16);
      dst[offset + 2] = (byte) (a >>> 8);
      dst[offset + 3] = (byte) a;
    }
  }

  /** The current prefix as a new {@link IpPrefix} (the path identifier is not part of it). */
  public IpPrefix prefix() {
    return ipv6 ? IpPrefix.ipv6(hi, lo, length) : IpPrefix.ipv4((int) lo, length);
  }

  /** Number of prefixes in the field (walks it; does not move this cursor). */
  public int count() {
    int c = 0;
    int p = start;
    while (p < end) {
      if (addPath) {
        p += 4;
      }
      p += 1 + ((bytes.getUnsignedByte(generation, p) + 7) >>> 3);
      c++;
    }
    return c;
  }

  /** All prefixes from the start as a new list (convenience; allocates). Does not move this cursor. */
  public List<IpPrefix> toList() {
    PrefixCursor c = new PrefixCursor(bytes, generation, start, end, ipv6, addPath);
    List<IpPrefix> out = new ArrayList<>();
    while (c.next()) {
      out.add(c.prefix());
    }
    return out;
  }

  /**
   * Checks that {@code [from, to)} of {@code buf} holds whole prefixes of valid length.
   *
   * @return the number of prefixes, or -1 if the field is malformed (RFC 7606 §5.3: a prefix length larger than the
   *     address, or a prefix overrunning the field)
   */
  static int validate(MessageBytes buf, int from, int to, boolean ipv6, boolean addPath) {
    int max = ipv6 ? 128 : 32;
    int p = from;
    int c = 0;
    while (p < to) {
      if (addPath) {
        p += 4;
        if (p >= to) {
          return -1;
        }
      }
      int len = buf.getUnsignedByte(p);
      if (len > max) {
        return -1;
      }
      p += 1 + ((len + 7) >>> 3);
      c++;
    }
    return p == to ? c : -1;
  }
}
