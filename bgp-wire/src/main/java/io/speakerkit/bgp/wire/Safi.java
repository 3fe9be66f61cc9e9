package io.speakerkit.bgp.wire;

/** Subsequent Address Family Identifier (RFC 4760 §6, IANA registry). Open code point. */
public record Safi(int value) {

  public static final Safi UNICAST = new Safi(1);
  public static final Safi MULTICAST = new Safi(2);
  public static final Safi MPLS_LABEL = new Safi(4);
  public static final Safi EVPN = new Safi(70);
  public static final Safi MPLS_VPN = new Safi(128);
  public static final Safi FLOWSPEC = new Safi(133);

  public Safi {
    if (value < 0 || value > 0xFF) {
      throw new IllegalArgumentException("safi: " + value + " (expected: 0-255)");
    }
  }

  public static Safi valueOf(int value) {
    return switch (value) {
      case 1 -> UNICAST;
      case 2 -> MULTICAST;
      case 4 -> MPLS_LABEL;
      case 70 -> EVPN;
      case 128 -> MPLS_VPN;
      case 133 -> FLOWSPEC;
      default -> new Safi(value);
    };
  }

  @Override
  public String toString() {
    return switch (value) {
      case 1 -> "unicast";
      case 2 -> "multicast";
      case 4 -> "labeled-unicast";
      case 70 -> "evpn";
      case 128 -> "vpn";
      case 133 -> "flowspec";
      default -> "SAFI(" + value + ")";
    };
  }
}
