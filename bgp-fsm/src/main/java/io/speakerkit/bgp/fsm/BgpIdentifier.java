package io.speakerkit.bgp.fsm;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A 4-octet BGP Identifier (RFC 4271 §4.2, RFC 6286), shown as a dotted quad. Compared as an unsigned 32-bit
 * integer, which is how collision detection (§6.8) compares them.
 */
public record BgpIdentifier(int value) implements Comparable<BgpIdentifier> {

  /** From a dotted quad IPv4 address. */
  public static BgpIdentifier of(Inet4Address address) {
    byte[] b = address.getAddress();
    return new BgpIdentifier(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
  }

  /** Parses a dotted quad, e.g. {@code "192.0.2.1"}. */
  public static BgpIdentifier parse(String dottedQuad) {
    String[] parts = dottedQuad.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("BGP identifier: " + dottedQuad + " (expected: a dotted quad)");
    }
    int v = 0;
    for (String p : parts) {
      int octet;
      try {
        octet = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("BGP identifier: " + dottedQuad + " (expected: a dotted quad)", e);
      }
      if (octet < 0 || octet > 255) {
        throw new IllegalArgumentException("BGP identifier: " + dottedQuad + " (expected: octets 0-255)");
      }
      v = (v << 8) | octet;
    }
    return new BgpIdentifier(v);
  }

  /** As an IPv4 address. */
  public Inet4Address toInetAddress() {
    try {
      return (Inet4Address) InetAddress.getByAddress(
          new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The identifier as an unsigned number. */
  public long unsigned() {
    return Integer.toUnsignedLong(value);
  }

  @Override
  public int compareTo(BgpIdentifier o) {
    return Integer.compareUnsigned(value, o.value);
  }

  @Override
  public String toString() {
    return (value >>> 24) + "." + ((value >>> 16) & 0xFF) + "." + ((value >>> 8) & 0xFF) + "." + (value & 0xFF);
  }
}
