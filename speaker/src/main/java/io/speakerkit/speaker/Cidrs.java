package io.speakerkit.speaker;

import io.speakerkit.allocator.IpRange;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/** Splits an address range into the smallest list of CIDR prefix lengths covering it exactly. */
final class Cidrs {

  private Cidrs() {}

  /** The prefix lengths of the CIDR blocks that exactly cover {@code range}, in address order. */
  static List<Integer> prefixLengths(IpRange range) {
    int bits = range.start() instanceof Inet4Address ? 32 : 128;
    BigInteger start = new BigInteger(1, range.start().getAddress());
    BigInteger end = new BigInteger(1, range.end().getAddress());
    List<Integer> out = new ArrayList<>();
    while (start.compareTo(end) <= 0) {
      // Largest block aligned at start that does not pass end.
      int hostBits = start.signum() == 0 ? bits : Math.min(start.getLowestSetBit(), bits);
      BigInteger remaining = end.subtract(start).add(BigInteger.ONE);
      while (hostBits > 0 && BigInteger.ONE.shiftLeft(hostBits).compareTo(remaining) > 0) {
        hostBits--;
      }
      out.add(bits - hostBits);
      start = start.add(BigInteger.ONE.shiftLeft(hostBits));
    }
    return out;
  }
}
