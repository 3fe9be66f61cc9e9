package io.speakerkit.bgp.wire;

/** OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492 §5 Unsupported Capability, RFC 9234 §4.2 Role Mismatch). Open code point: {@link #valueOf(int)} returns an unnamed instance for other values. */
public record OpenMessageErrorSubcode(int value) {

  public static final OpenMessageErrorSubcode UNSPECIFIC = new OpenMessageErrorSubcode(0);
  public static final OpenMessageErrorSubcode UNSUPPORTED_VERSION_NUMBER = new OpenMessageErrorSubcode(1);
  public static final OpenMessageErrorSubcode BAD_PEER_AS = new OpenMessageErrorSubcode(2);
  public static final OpenMessageErrorSubcode BAD_BGP_IDENTIFIER = new OpenMessageErrorSubcode(3);
  public static final OpenMessageErrorSubcode UNSUPPORTED_OPTIONAL_PARAMETER = new OpenMessageErrorSubcode(4);
  public static final OpenMessageErrorSubcode AUTHENTICATION_FAILURE = new OpenMessageErrorSubcode(5);
  public static final OpenMessageErrorSubcode UNACCEPTABLE_HOLD_TIME = new OpenMessageErrorSubcode(6);
  public static final OpenMessageErrorSubcode UNSUPPORTED_CAPABILITY = new OpenMessageErrorSubcode(7);
  public static final OpenMessageErrorSubcode ROLE_MISMATCH = new OpenMessageErrorSubcode(11);

  public OpenMessageErrorSubcode {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("OpenMessageErrorSubcode: " + value + " (expected: 0-255)");
    }
  }

  public static OpenMessageErrorSubcode valueOf(int value) {
    return switch (value) {
      case 0 -> UNSPECIFIC;
      case 1 -> UNSUPPORTED_VERSION_NUMBER;
      case 2 -> BAD_PEER_AS;
      case 3 -> BAD_BGP_IDENTIFIER;
      case 4 -> UNSUPPORTED_OPTIONAL_PARAMETER;
      case 5 -> AUTHENTICATION_FAILURE;
      case 6 -> UNACCEPTABLE_HOLD_TIME;
      case 7 -> UNSUPPORTED_CAPABILITY;
      case 11 -> ROLE_MISMATCH;
      default -> new OpenMessageErrorSubcode(value);
    };
  }

  /** Whether this value has a name in the registry. */
  public boolean isKnown() {
    return name() != null;
  }

  /** The registry name, or null. */
  public String name() {
    return switch (value) {
      case 0 -> "Unspecific";
      case 1 -> "Unsupported Version Number";
      case 2 -> "Bad Peer AS";
      case 3 -> "Bad BGP Identifier";
      case 4 -> "Unsupported Optional Parameter";
      case 5 -> "Authentication Failure (deprecated)";
      case 6 -> "Unacceptable Hold Time";
      case 7 -> "Unsupported Capability";
      case 11 -> "Role Mismatch";
      default -> null;
    };
  }

  @Override
  public String toString() {
    String n = name();
    return n != null ? n : "Subcode " + value;
  }
}
