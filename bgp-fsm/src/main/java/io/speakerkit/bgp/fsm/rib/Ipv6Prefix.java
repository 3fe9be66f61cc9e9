package io.speakerkit.bgp.fsm.rib;

/**
 * An IPv6 prefix as two longs and a length, host bits zero.
 *
 * @param hi the first 64 bits
 * @param lo the last 64 bits
 * @param length 0-128
 */
public record Ipv6Prefix(long hi, long lo, int length) {
  public Ipv6Prefix {
    if (length < 0 || length > 128) {
      throw new IllegalArgumentException("prefix length: " + length + " (expected: 0-128)");
    }
    long hiMask = length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
    long loMask = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    if ((hi & ~hiMask) != 0 || (lo & ~loMask) != 0) {
      throw new IllegalArgumentException("prefix: host bits set beyond /" + length);
    }
  }
}
