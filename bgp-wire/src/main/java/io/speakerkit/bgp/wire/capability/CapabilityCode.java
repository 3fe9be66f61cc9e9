package io.speakerkit.bgp.wire.capability;

/** Capability codes (IANA "Capability Codes" registry). Open code point. */
public record CapabilityCode(int value) {

  /** RFC 4760 §8. */
  public static final CapabilityCode MULTIPROTOCOL = new CapabilityCode(1);
  /** RFC 2918 §2. */
  public static final CapabilityCode ROUTE_REFRESH = new CapabilityCode(2);
  /** RFC 8950 §3 (formerly RFC 5549). */
  public static final CapabilityCode EXTENDED_NEXT_HOP = new CapabilityCode(5);
  /** RFC 8654 §3. */
  public static final CapabilityCode EXTENDED_MESSAGE = new CapabilityCode(6);
  /** RFC 9234 §4.1. */
  public static final CapabilityCode ROLE = new CapabilityCode(9);
  /** RFC 4724 §3. */
  public static final CapabilityCode GRACEFUL_RESTART = new CapabilityCode(64);
  /** RFC 6793 §3. */
  public static final CapabilityCode FOUR_OCTET_AS = new CapabilityCode(65);
  /** RFC 7911 §4. */
  public static final CapabilityCode ADD_PATH = new CapabilityCode(69);
  /** RFC 7313 §3.1. */
  public static final CapabilityCode ENHANCED_ROUTE_REFRESH = new CapabilityCode(70);
  /** RFC 9494 §2. */
  public static final CapabilityCode LONG_LIVED_GRACEFUL_RESTART = new CapabilityCode(71);
  /** draft-walton-bgp-hostname-capability, as FRR sends it. */
  public static final CapabilityCode FQDN = new CapabilityCode(73);

  public CapabilityCode {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("capability code: " + value + " (expected: 0-255)");
    }
  }

  public static CapabilityCode valueOf(int value) {
    return switch (value) {
      case 1 -> MULTIPROTOCOL;
      case 2 -> ROUTE_REFRESH;
      case 5 -> EXTENDED_NEXT_HOP;
      case 6 -> EXTENDED_MESSAGE;
      case 9 -> ROLE;
      case 64 -> GRACEFUL_RESTART;
      case 65 -> FOUR_OCTET_AS;
      case 69 -> ADD_PATH;
      case 70 -> ENHANCED_ROUTE_REFRESH;
      case 71 -> LONG_LIVED_GRACEFUL_RESTART;
      case 73 -> FQDN;
      default -> new CapabilityCode(value);
    };
  }

  @Override
  public String toString() {
    return switch (value) {
      case 1 -> "Multiprotocol";
      case 2 -> "Route Refresh";
      case 5 -> "Extended Next Hop";
      case 6 -> "Extended Message";
      case 9 -> "BGP Role";
      case 64 -> "Graceful Restart";
      case 65 -> "4-octet AS";
      case 69 -> "ADD-PATH";
      case 70 -> "Enhanced Route Refresh";
      case 71 -> "Long-Lived Graceful Restart";
      case 73 -> "FQDN";
      default -> "Capability(" + value + ")";
    };
  }
}
