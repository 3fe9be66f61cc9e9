package io.speakerkit.allocator;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Unsigned 128-bit arithmetic on two {@code long}s, the allocator's internal address representation.
 *
 * <p>IPv6 addresses are their 128 bits; an IPv4 address {@code a.b.c.d} is stored as the IPv4-mapped IPv6 address
 * {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2). Java's {@link InetAddress} already turns {@code ::ffff:a.b.c.d} into an
 * {@link Inet4Address}, so the two families never collide in one 128-bit space.
 */
final class U128 {
  static final long V4_MAPPED_HI = 0L;
  static final long V4_MAPPED_PREFIX = 0x0000_ffff_0000_0000L;

  private U128() {}

  static int compare(long aHi, long aLo, long bHi, long bLo) {
    int c = Long.compareUnsigned(aHi, bHi);
    return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
  }

  static boolean isV4(long hi, long lo) {
    return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == V4_MAPPED_PREFIX;
  }

  /** High half of the raw bytes of an address (4 or 16 bytes, as {@link InetAddress#getAddress()} returns). */
  static long hi(byte[] b) {
    return b.length == 4 ? V4_MAPPED_HI : bytesToLong(b, 0);
  }

  /** Low half of the raw bytes of an address. */
  static long lo(byte[] b) {
    if (b.length == 4) {
      return V4_MAPPED_PREFIX | (((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL));
    }
    return bytesToLong(b, 8);
  }

  static long hi(InetAddress a) {
    if (a instanceof Inet4Address) {
      return V4_MAPPED_HI;
    }
    byte[] b = a.getAddress();
    return bytesToLong(b, 0);
  }

  static long lo(InetAddress a) {
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      return V4_MAPPED_PREFIX | (Integer.toUnsignedLong(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff)));
    }
    return bytesToLong(b, 8);
  }

  static InetAddress toInet(long hi, long lo) {
    try {
      if (isV4(hi, lo)) {
        int v = (int) lo;
        return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
      }
      byte[] b = new byte[16];
      longToBytes(hi, b, 0);
      longToBytes(lo, b, 8);
      return Inet6Address.getByAddress(null, b, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static BigInteger toBig(long hi, long lo) {
    byte[] b = new byte[17];
    longToBytes(hi, b, 1);
    longToBytes(lo, b, 9);
    return new BigInteger(b);
  }

  /** Number of addresses in {@code [start, end]}, exact (up to 2^128). */
  static BigInteger count(long sHi, long sLo, long eHi, long eLo) {
    return toBig(eHi, eLo).subtract(toBig(sHi, sLo)).add(BigInteger.ONE);
  }

  /** {@code end - start} as an unsigned 128-bit difference, returned as [hi, lo] via out. */
  static long bytesToLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xffL);
    }
    return v;
  }

  static void longToBytes(long v, byte[] b, int off) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  /** Mixes both halves into a well-spread 32-bit hash (murmur3 fmix64). */
  static int hash(long hi, long lo) {
    long h = hi * 0x9E3779B97F4A7C15L ^ lo;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }

  static String format(long hi, long lo) {
    return toInet(hi, lo).getHostAddress();
  }
}
