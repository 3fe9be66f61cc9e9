package io.speakerkit.bgp.wire.attribute;

/**
 * A community (RFC 1997): 4 octets, conventionally written {@code AS:value}. Well-known values carry names
 * (IANA "BGP Well-known Communities").
 */
public record Community(int value) {

  /** RFC 1997: 65535:65281. */
  public static final Community NO_EXPORT = new Community(0xFFFFFF01);
  /** RFC 1997: 65535:65282. */
  public static final Community NO_ADVERTISE = new Community(0xFFFFFF02);
  /** RFC 1997: 65535:65283. */
  public static final Community NO_EXPORT_SUBCONFED = new Community(0xFFFFFF03);
  /** RFC 3765: 65535:65284. */
  public static final Community NOPEER = new Community(0xFFFFFF04);
  /** RFC 8326: 65535:0. */
  public static final Community GRACEFUL_SHUTDOWN = new Community(0xFFFF0000);
  /** RFC 7611: 65535:1. */
  public static final Community ACCEPT_OWN = new Community(0xFFFF0001);
  /** RFC 9494: 65535:6. */
  public static final Community LLGR_STALE = new Community(0xFFFF0006);
  /** RFC 9494: 65535:7. */
  public static final Community NO_LLGR = new Community(0xFFFF0007);
  /** RFC 7999: 65535:666. */
  public static final Community BLACKHOLE = new Community(0xFFFF029A);

  public static Community of(int asn, int value) {
    if (asn < 0 || asn > 0xFFFF || value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException("community: " + asn + ":" + value + " (expected: 0-65535:0-65535)");
    }
    return new Community(asn << 16 | value);
  }

  /** Parses "65000:100" or a well-known name such as "no-advertise" / "NO_ADVERTISE". */
  public static Community parse(String text) {
    String t = text.trim();
    int colon = t.indexOf(':');
    if (colon < 0) {
      return switch (t.toUpperCase(java.util.Locale.ROOT).replace('-', '_')) {
        case "NO_EXPORT" -> NO_EXPORT;
        case "NO_ADVERTISE" -> NO_ADVERTISE;
        case "NO_EXPORT_SUBCONFED", "LOCAL_AS" -> NO_EXPORT_SUBCONFED;
        case "NOPEER", "NO_PEER" -> NOPEER;
        case "GRACEFUL_SHUTDOWN" -> GRACEFUL_SHUTDOWN;
        case "ACCEPT_OWN" -> ACCEPT_OWN;
        case "LLGR_STALE" -> LLGR_STALE;
        case "NO_LLGR" -> NO_LLGR;
        case "BLACKHOLE" -> BLACKHOLE;
        default -> throw new IllegalArgumentException("community: " + text + " (expected: AS:value or a well-known name)");
      };
    }
    try {
      return of(Integer.parseInt(t.substring(0, colon)), Integer.parseInt(t.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("community: " + text + " (expected: AS:value)");
    }
  }

  public int asn() {
    return value >>> 16;
  }

  public int localValue() {
    return value & 0xFFFF;
  }

  /** The well-known name, or null. */
  public String wellKnownName() {
    return switch (value) {
      case 0xFFFFFF01 -> "NO_EXPORT";
      case 0xFFFFFF02 -> "NO_ADVERTISE";
      case 0xFFFFFF03 -> "NO_EXPORT_SUBCONFED";
      case 0xFFFFFF04 -> "NOPEER";
      case 0xFFFF0000 -> "GRACEFUL_SHUTDOWN";
      case 0xFFFF0001 -> "ACCEPT_OWN";
      case 0xFFFF0006 -> "LLGR_STALE";
      case 0xFFFF0007 -> "NO_LLGR";
      case 0xFFFF029A -> "BLACKHOLE";
      default -> null;
    };
  }

  /** "65535:65282"; {@link #wellKnownName()} gives the name. */
  @Override
  public String toString() {
    return asn() + ":" + localValue();
  }
}
