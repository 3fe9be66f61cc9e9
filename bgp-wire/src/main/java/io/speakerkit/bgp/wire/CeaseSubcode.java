package io.speakerkit.bgp.wire;

/** Cease subcodes (RFC 4486 §4, RFC 8538 §5 Hard Reset, RFC 9384 §3 BFD Down). Open code point: {@link #valueOf(int)} returns an unnamed instance for other values. */
public record CeaseSubcode(int value) {

  public static final CeaseSubcode MAXIMUM_NUMBER_OF_PREFIXES_REACHED = new CeaseSubcode(1);
  public static final CeaseSubcode ADMINISTRATIVE_SHUTDOWN = new CeaseSubcode(2);
  public static final CeaseSubcode PEER_DECONFIGURED = new CeaseSubcode(3);
  public static final CeaseSubcode ADMINISTRATIVE_RESET = new CeaseSubcode(4);
  public static final CeaseSubcode CONNECTION_REJECTED = new CeaseSubcode(5);
  public static final CeaseSubcode OTHER_CONFIGURATION_CHANGE = new CeaseSubcode(6);
  public static final CeaseSubcode CONNECTION_COLLISION_RESOLUTION = new CeaseSubcode(7);
  public static final CeaseSubcode OUT_OF_RESOURCES = new CeaseSubcode(8);
  public static final CeaseSubcode HARD_RESET = new CeaseSubcode(9);
  public static final CeaseSubcode BFD_DOWN = new CeaseSubcode(10);

  public CeaseSubcode {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("CeaseSubcode: " + value + " (expected: 0-255)");
    }
  }

  public static CeaseSubcode valueOf(int value) {
    return switch (value) {
      case 1 -> MAXIMUM_NUMBER_OF_PREFIXES_REACHED;
      case 2 -> ADMINISTRATIVE_SHUTDOWN;
      case 3 -> PEER_DECONFIGURED;
      case 4 -> ADMINISTRATIVE_RESET;
      case 5 -> CONNECTION_REJECTED;
      case 6 -> OTHER_CONFIGURATION_CHANGE;
      case 7 -> CONNECTION_COLLISION_RESOLUTION;
      case 8 -> OUT_OF_RESOURCES;
      case 9 -> HARD_RESET;
      case 10 -> BFD_DOWN;
      default -> new CeaseSubcode(value);
    };
  }

  /** Whether this value has a name in the registry. */
  public boolean isKnown() {
    return name() != null;
  }

  /** The registry name, or null. */
  public String name() {
    return switch (value) {
      case 1 -> "Maximum Number of Prefixes Reached";
      case 2 -> "Administrative Shutdown";
      case 3 -> "Peer De-configured";
      case 4 -> "Administrative Reset";
      case 5 -> "Connection Rejected";
      case 6 -> "Other Configuration Change";
      case 7 -> "Connection Collision Resolution";
      case 8 -> "Out of Resources";
      case 9 -> "Hard Reset";
      case 10 -> "BFD Down";
      default -> null;
    };
  }

  @Override
  public String toString() {
    String n = name();
    return n != null ? n : "Subcode " + value;
  }
}
