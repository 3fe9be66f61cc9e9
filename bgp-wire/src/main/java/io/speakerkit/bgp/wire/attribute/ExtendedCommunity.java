package io.speakerkit.bgp.wire.attribute;

/**
 * An extended community (RFC 4360 §2): 8 octets, here one long. The first octet is the type (0x80 IANA authority,
 * 0x40 transitive bit inverted), the second the subtype for the regular types.
 */
public record ExtendedCommunity(long value) {

  /** RFC 4360 §4: transitive two-octet-AS route target, {@code AS:value}. */
  public static ExtendedCommunity routeTarget(int asn, long value) {
    if (asn < 0 || asn > 0xFFFF || value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("route target: " + asn + ":" + value + " (expected: 0-65535:0-4294967295)");
    }
    return new ExtendedCommunity(0x0002L << 48 | (long) asn << 32 | value);
  }

  public int typeHigh() {
    return (int) (value >>> 56) & 0xFF;
  }

  public int subtype() {
    return (int) (value >>> 48) & 0xFF;
  }

  /** RFC 4360 §2: the T bit is 0 for transitive communities. */
  public boolean isTransitive() {
    return (typeHigh() & 0x40) == 0;
  }

  @Override
  public String toString() {
    return String.format("0x%016x", value);
  }
}
