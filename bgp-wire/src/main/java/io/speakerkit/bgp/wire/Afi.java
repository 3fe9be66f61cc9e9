package io.speakerkit.bgp.wire;

/**
 * Address Family Identifier (IANA "Address Family Numbers"), as carried in MP-BGP (RFC 4760 §3) and capabilities.
 * Open code point: {@link #valueOf(int)} returns an unknown instance rather than throwing.
 */
public record Afi(int value) {

  public static final Afi IPV4 = new Afi(1);
  public static final Afi IPV6 = new Afi(2);
  public static final Afi L2VPN = new Afi(25);
  public static final Afi BGP_LS = new Afi(16388);

  public Afi {
    if (value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException("afi: " + value + " (expected: 0-65535)");
    }
  }

  public static Afi valueOf(int value) {
    return switch (value) {
      case 1 -> IPV4;
      case 2 -> IPV6;
      case 25 -> L2VPN;
      case 16388 -> BGP_LS;
      default -> new Afi(value);
    };
  }

  /** Address length in octets for IPv4/IPv6, otherwise -1. */
  public int addressLength() {
    return value == 1 ? 4 : value == 2 ? 16 : -1;
  }

  @Override
  public String toString() {
    return switch (value) {
      case 1 -> "IPv4";
      case 2 -> "IPv6";
      case 25 -> "L2VPN";
      case 16388 -> "BGP-LS";
      default -> "AFI(" + value + ")";
    };
  }
}
