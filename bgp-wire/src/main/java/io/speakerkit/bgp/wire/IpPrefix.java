package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix: address plus length, host bits zero. The address is held in two longs ({@code hi} is the
 * first 64 bits of an IPv6 address, {@code lo} the last 64; an IPv4 address is the low 32 bits of {@code lo}), so a
 * prefix is one small object with no arrays.
 *
 * <p>On the wire (RFC 4271 §4.3, RFC 4760 §5) a prefix is its length in bits followed by the fewest octets that hold
 * it:
 *
 * <pre>
 * +---------------------------+
 * |   Length (1 octet)        |
 * +---------------------------+
 * |   Prefix (variable)       |
 * +---------------------------+
 * </pre>
 */
public final class IpPrefix implements Comparable<IpPrefix> {

  private final boolean ipv6;
  private final int length;
  private final long hi;
  private final long lo;

  private IpPrefix(boolean ipv6, int length, long hi, long lo) {
    this.ipv6 = ipv6;
    this.length = length;
    this.hi = hi;
    this.lo = lo;
  }

  /** An IPv4 prefix; {@code address} is the address as a big-endian int. Host bits must be zero. */
  public static IpPrefix ipv4(int address, int length) {
    if (length < 0 || length > 32) {
      throw new IllegalArgumentException("IPv4 prefix length: " + length + " (expected: 0-32)");
    }
    if ((address & ~ipv4Mask(length)) != 0) {
      throw new IllegalArgumentException(
          "host bits set in " + formatIpv4(address) + "/" + length + " (expected: " + formatIpv4(address & ipv4Mask(length))
              + "/" + length + ")");
    }
    return new IpPrefix(false, length, 0, address & 0xFFFF_FFFFL);
  }

  /** An IPv4 prefix with any host bits cleared (trailing bits on the wire are irrelevant, RFC 4271 §4.3). */
  public static IpPrefix ipv4Masked(int address, int length) {
    if (length < 0 || length > 32) {
      throw new IllegalArgumentException("IPv4 prefix length: " + length + " (expected: 0-32)");
    }
    return new IpPrefix(false, length, 0, (address & ipv4Mask(length)) & 0xFFFF_FFFFL);
  }

  /** An IPv6 prefix from the two halves of the address. Host bits must be zero. */
  public static IpPrefix ipv6(long hi, long lo, int length) {
    if (length < 0 || length > 128) {
      throw new IllegalArgumentException("IPv6 prefix length: " + length + " (expected: 0-128)");
    }
    if ((hi & ~hiMask(length)) != 0 || (lo & ~loMask(length)) != 0) {
      throw new IllegalArgumentException("host bits set in " + formatIpv6(hi, lo) + "/" + length + " (expected: "
          + formatIpv6(hi & hiMask(length), lo & loMask(length)) + "/" + length + ")");
    }
    return new IpPrefix(true, length, hi, lo);
  }

  /** An IPv6 prefix with any host bits cleared. */
  public static IpPrefix ipv6Masked(long hi, long lo, int length) {
    if (length < 0 || length > 128) {
      throw new IllegalArgumentException("IPv6 prefix length: " + length + " (expected: 0-128)");
    }
    return new IpPrefix(true, length, hi & hiMask(length), lo & loMask(length));
  }

  /** A prefix from an address; host bits must be zero. */
  public static IpPrefix of(InetAddress address, int length) {
    Objects.requireNonNull(address, "address");
    byte[] b = address.getAddress();
    if (b.length == 4) {
      return ipv4(toInt(b, 0), length);
    }
    return ipv6(toLong(b, 0), toLong(b, 8), length);
  }

  /** A host route: /32 or /128. */
  public static IpPrefix host(InetAddress address) {
    return of(address, address instanceof Inet4Address ? 32 : 128);
  }

  /**
   * Parses "10.0.0.0/8", "2001:db8::/32", or a bare address (a host route). Only literal addresses: never a DNS
   * lookup.
   */
  public static IpPrefix parse(String text) {
    Objects.requireNonNull(text, "text");
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    InetAddress address = parseLiteral(addr);
    int length;
    if (slash < 0) {
      length = address instanceof Inet4Address ? 32 : 128;
    } else {
      try {
        length = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("prefix: " + text + " (expected: address/length)");
      }
    }
    return of(address, length);
  }

  /**
   * An IPv4 or IPv6 address literal ({@code 192.0.2.1}, {@code 2001:db8::1}); never a host name, so nothing is ever
   * looked up in DNS.
   *
   * @throws IllegalArgumentException naming the text when it is not a literal
   */
  public static InetAddress parseAddress(String literal) {
    return parseLiteral(java.util.Objects.requireNonNull(literal, "literal").strip());
  }

  private static InetAddress parseLiteral(String s) {
    boolean v4 = s.indexOf(':') < 0;
    if (s.isEmpty()) {
      throw new IllegalArgumentException("address: empty (expected: an IPv4 or IPv6 literal)");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = v4 ? (c >= '0' && c <= '9') || c == '.'
          : Character.digit(c, 16) >= 0 || c == ':' || c == '.';
      if (!ok) {
        throw new IllegalArgumentException("address: " + s + " (expected: an IPv4 or IPv6 literal)");
      }
    }
    if (v4) {
      String[] parts = s.split("\\.", -1);
      if (parts.length != 4) {
        throw new IllegalArgumentException("address: " + s + " (expected: 4 dotted decimal octets)");
      }
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (parts[i].isEmpty() || parts[i].length() > 3) {
          throw new IllegalArgumentException("address: " + s + " (expected: octets 0-255)");
        }
        int v = Integer.parseInt(parts[i]);
        if (v > 255) {
          throw new IllegalArgumentException("address: " + s + " (expected: octets 0-255)");
        }
        b[i] = (byte) v;
      }
      try {
        return InetAddress.getByAddress(b);
      } catch (UnknownHostException e) {
        throw new AssertionError(e);
      }
    }
    try {
      // A literal with only hex digits, ':' and '.' never triggers a lookup.
      InetAddress a = InetAddress.getByName(s);
      if (!(a instanceof Inet6Address)) {
        // Java turns IPv4-mapped IPv6 literals (::ffff:a.b.c.d) into IPv4 addresses; keep them IPv6.
        byte[] mapped = a.getAddress();
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xFF;
        v6[11] = (byte) 0xFF;
        System.arraycopy(mapped, 0, v6, 12, 4);
        return Inet6Address.getByAddress(null, v6, -1);
      }
      return a;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("address: " + s + " (expected: an IPv4 or IPv6 literal)");
    }
  }

  public boolean isIpv4() {
    return !ipv6;
  }

  public boolean isIpv6() {
    return ipv6;
  }

  public Afi afi() {
    return ipv6 ? Afi.IPV6 : Afi.IPV4;
  }

  /** IPv4 or IPv6 unicast. */
  public AddressFamily family() {
    return ipv6 ? AddressFamily.IPV6_UNICAST : AddressFamily.IPV4_UNICAST;
  }

  /** Prefix length in bits. */
  public int length() {
    return length;
  }

  /** The IPv4 address as a big-endian int; only for IPv4 prefixes. */
  public int ipv4Address() {
    return (int) lo;
  }

  /** First 64 bits of an IPv6 address (0 for IPv4). */
  public long hi() {
    return hi;
  }

  /** Last 64 bits of an IPv6 address; for IPv4 the address in the low 32 bits. */
  public long lo() {
    return lo;
  }

  /** The address as a new {@link InetAddress}. */
  public InetAddress address() {
    byte[] b = new byte[ipv6 ? 16 : 4];
    copyAddress(b, 0);
    try {
      // Inet6Address.getByAddress keeps IPv4-mapped addresses IPv6 (InetAddress.getByAddress would not)
      return ipv6 ? Inet6Address.getByAddress(null, b, -1) : InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Copies the 4 or 16 address octets into {@code dst} at {@code offset}. */
  public void copyAddress(byte[] dst, int offset) {
    if (ipv6) {
      putLong(dst, offset, hi);
      putLong(dst, offset + 8, lo);
    } else {
      int a = (int) lo;
      dst[offset] = (byte) (a >>> 24);
      dst[offset + 1] = (byte) (a >>> 16);
      dst[offset + 2] = (byte) (a >>> 8);
      dst[offset + 3] = (byte) a;
    }
  }

  /** Whether {@code other} is of the same family and lies inside this prefix. */
  public boolean contains(IpPrefix other) {
    if (other.ipv6 != ipv6 || other.length < length) {
      return false;
    }
    if (ipv6) {
      return (other.hi & hiMask(length)) == hi && (other.lo & loMask(length)) == lo;
    }
    return (((int) other.lo) & ipv4Mask(length)) == (int) lo;
  }

  /** Octets this prefix occupies in NLRI, without a path identifier: 1 + ceil(length / 8). */
  public int nlriLength() {
    return 1 + ((length + 7) >>> 3);
  }

  /**
   * Writes the prefix in NLRI form (length octet + significant octets) at the writer index of {@code out}. The
   * caller keeps ownership of {@code out}.
   */
  public void writeNlri(ByteBuf out) {
    out.writeByte(length);
    int n = (length + 7) >>> 3;
    if (!ipv6) {
      int a = (int) lo;
      switch (n) {
        case 0 -> { }
        case 1 -> out.writeByte(a >>> 24);
        case 2 -> out.writeShort(a >>> 16);
        case 3 -> {
          out.writeShort(a >>> 16);
          out.writeByte(a >>> 8);
        }
        default -> out.writeInt(a);
      }
      return;
    }
    if (n == 16) {
      out.writeLong(hi);
      out.writeLong(lo);
      return;
    }
    if (n >= 8) {
      out.writeLong(hi);
      writeHigh(out, lo, n - 8);
    } else {
      writeHigh(out, hi, n);
    }
  }

  private static void writeHigh(ByteBuf out, long v, int octets) {
    for (int i = 0; i < octets; i++) {
      out.writeByte((int) (v >>> (56 - 8 * i)));
    }
  }

  static int ipv4Mask(int length) {
    return length == 0 ? 0 : -1 << (32 - length);
  }

  static long hiMask(int length) {
    return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
  }

  static long loMask(int length) {
    return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
  }

  private static int toInt(byte[] b, int o) {
    return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
  }

  private static long toLong(byte[] b, int o) {
    return (toInt(b, o) & 0xFFFF_FFFFL) << 32 | (toInt(b, o + 4) & 0xFFFF_FFFFL);
  }

  private static void putLong(byte[] b, int o, long v) {
    for (int i = 0; i < 8; i++) {
      b[o + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  /** Dotted-quad form of a big-endian IPv4 address. */
  public static String formatIpv4(int a) {
    return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
  }

  /** RFC 5952 text form of an IPv6 address (lower case, longest run of zero groups compressed). */
  public static String formatIpv6(long hi, long lo) {
    int[] g = new int[8];
    for (int i = 0; i < 4; i++) {
      g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
      g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  @Override
  public int compareTo(IpPrefix o) {
    if (ipv6 != o.ipv6) {
      return ipv6 ? 1 : -1;
    }
    int c = Long.compareUnsigned(hi, o.hi);
    if (c == 0) {
      c = Long.compareUnsigned(lo, o.lo);
    }
    return c != 0 ? c : Integer.compare(length, o.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpPrefix p && p.ipv6 == ipv6 && p.length == length && p.hi == hi && p.lo == lo;
  }

  @Override
  public int hashCode() {
    long h = hi * 31 + lo;
    return (int) (h ^ (h >>> 32)) * 31 + length + (ipv6 ? 1000 : 0);
  }

  @Override
  public String toString() {
    return (ipv6 ? formatIpv6(hi, lo) : formatIpv4((int) lo)) + "/" + length;
  }
}
