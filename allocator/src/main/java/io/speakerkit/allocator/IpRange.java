package io.speakerkit.allocator;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An inclusive range of addresses of one family, written as a CIDR ({@code 10.0.0.0/24}, {@code fd00::/64}) or as
 * {@code start-end} ({@code 10.0.0.10-10.0.0.20}), the two forms MetalLB's {@code IPAddressPool.spec.addresses}
 * accepts.
 *
 * @param start first address
 * @param end last address, same family, not below {@code start}
 */
public record IpRange(InetAddress start, InetAddress end) {
  private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  public IpRange {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (IpFamily.of(start) != IpFamily.of(end)) {
      throw new IllegalArgumentException(
          "range " + start.getHostAddress() + "-" + end.getHostAddress() + ": families differ (expected: both IPv4 or both IPv6)");
    }
    if (U128.compare(U128.hi(start), U128.lo(start), U128.hi(end), U128.lo(end)) > 0) {
      throw new IllegalArgumentException(
          "range " + start.getHostAddress() + "-" + end.getHostAddress() + ": start is above end (expected: start <= end)");
    }
  }

  /**
   * Parses a CIDR or a {@code start-end} range. As Go's {@code net.ParseCIDR} does for MetalLB, host bits in a CIDR
   * are cleared ({@code 10.0.0.5/24} is {@code 10.0.0.0/24}).
   *
   * @throws IllegalArgumentException with the offending text and the expected form
   */
  public static IpRange parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    int slash = s.indexOf('/');
    if (slash >= 0) {
      InetAddress base = literal(s.substring(0, slash), text);
      int max = base.getAddress().length * 8;
      int len;
      try {
        len = Integer.parseInt(s.substring(slash + 1).strip());
      } catch (NumberFormatException e) {
        len = -1;
      }
      if (len < 0 || len > max) {
        throw new IllegalArgumentException("address range \"" + text + "\": prefix length (expected: 0.." + max + ")");
      }
      return cidr(base, len);
    }
    int dash = s.indexOf('-');
    if (dash < 0) {
      throw new IllegalArgumentException("address range \"" + text + "\" (expected: a CIDR like 10.0.0.0/24 or a range like 10.0.0.10-10.0.0.20)");
    }
    return new IpRange(literal(s.substring(0, dash), text), literal(s.substring(dash + 1), text));
  }

  /** The CIDR {@code base/prefixLength}, host bits of {@code base} cleared. */
  public static IpRange cidr(InetAddress base, int prefixLength) {
    int bits = base.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException("prefix length: " + prefixLength + " (expected: 0.." + bits + ")");
    }
    long hi = U128.hi(base);
    long lo = U128.lo(base);
    int hostBits = bits - prefixLength;
    long mHi;
    long mLo;
    if (hostBits >= 64) {
      mLo = -1L;
      mHi = hostBits == 128 ? -1L : (1L << (hostBits - 64)) - 1;
    } else {
      mHi = 0;
      mLo = hostBits == 0 ? 0 : (1L << hostBits) - 1;
    }
    return new IpRange(U128.toInet(hi & ~mHi, lo & ~mLo), U128.toInet(hi | mHi, lo | mLo));
  }

  private static InetAddress literal(String part, String whole) {
    String p = part.strip();
    try {
      if (p.indexOf(':') >= 0) {
        return InetAddress.getByName(p); // an IPv6 literal is parsed, never resolved
      }
      if (V4.matcher(p).matches()) {
        for (String octet : p.split("\\.")) {
          if (Integer.parseInt(octet) > 255) {
            throw new UnknownHostException(p);
          }
        }
        return InetAddress.getByName(p);
      }
    } catch (UnknownHostException e) {
      // fall through
    }
    throw new IllegalArgumentException("address range \"" + whole + "\": \"" + p + "\" is not an IP address literal");
  }

  /** Family of both ends. */
  public IpFamily family() {
    return IpFamily.of(start);
  }

  /** Number of addresses, exact (a /64 is 2^64, a /0 of IPv6 is 2^128). */
  public BigInteger size() {
    return U128.count(U128.hi(start), U128.lo(start), U128.hi(end), U128.lo(end));
  }

  /** True if {@code address} lies in this range. */
  public boolean contains(InetAddress address) {
    long h = U128.hi(address);
    long l = U128.lo(address);
    return U128.compare(h, l, U128.hi(start), U128.lo(start)) >= 0 && U128.compare(h, l, U128.hi(end), U128.lo(end)) <= 0;
  }

  @Override
  public String toString() {
    return start.getHostAddress() + "-" + end.getHostAddress();
  }
}
