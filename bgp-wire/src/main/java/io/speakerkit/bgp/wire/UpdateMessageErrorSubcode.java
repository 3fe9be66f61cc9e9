package io.speakerkit.bgp.wire;

/** UPDATE Message Error subcodes (RFC 4271 §6.3). Open code point: {@link #valueOf(int)} returns an unnamed instance for other values. */
public record UpdateMessageErrorSubcode(int value) {

  public static final UpdateMessageErrorSubcode MALFORMED_ATTRIBUTE_LIST = new UpdateMessageErrorSubcode(1);
  public static final UpdateMessageErrorSubcode UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE = new UpdateMessageErrorSubcode(2);
  public static final UpdateMessageErrorSubcode MISSING_WELL_KNOWN_ATTRIBUTE = new UpdateMessageErrorSubcode(3);
  public static final UpdateMessageErrorSubcode ATTRIBUTE_FLAGS_ERROR = new UpdateMessageErrorSubcode(4);
  public static final UpdateMessageErrorSubcode ATTRIBUTE_LENGTH_ERROR = new UpdateMessageErrorSubcode(5);
  public static final UpdateMessageErrorSubcode INVALID_ORIGIN_ATTRIBUTE = new UpdateMessageErrorSubcode(6);
  public static final UpdateMessageErrorSubcode AS_ROUTING_LOOP = new UpdateMessageErrorSubcode(7);
  public static final UpdateMessageErrorSubcode INVALID_NEXT_HOP_ATTRIBUTE = new UpdateMessageErrorSubcode(8);
  public static final UpdateMessageErrorSubcode OPTIONAL_ATTRIBUTE_ERROR = new UpdateMessageErrorSubcode(9);
  public static final UpdateMessageErrorSubcode INVALID_NETWORK_FIELD = new UpdateMessageErrorSubcode(10);
  public static final UpdateMessageErrorSubcode MALFORMED_AS_PATH = new UpdateMessageErrorSubcode(11);

  public UpdateMessageErrorSubcode {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("UpdateMessageErrorSubcode: " + value + " (expected: 0-255)");
    }
  }

  public static UpdateMessageErrorSubcode valueOf(int value) {
    return switch (value) {
      case 1 -> MALFORMED_ATTRIBUTE_LIST;
      case 2 -> UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE;
      case 3 -> MISSING_WELL_KNOWN_ATTRIBUTE;
      case 4 -> ATTRIBUTE_FLAGS_ERROR;
      case 5 -> ATTRIBUTE_LENGTH_ERROR;
      case 6 -> INVALID_ORIGIN_ATTRIBUTE;
      case 7 -> AS_ROUTING_LOOP;
      case 8 -> INVALID_NEXT_HOP_ATTRIBUTE;
      case 9 -> OPTIONAL_ATTRIBUTE_ERROR;
      case 10 -> INVALID_NETWORK_FIELD;
      case 11 -> MALFORMED_AS_PATH;
      default -> new UpdateMessageErrorSubcode(value);
    };
  }

  /** Whether this value has a name in the registry. */
  public boolean isKnown() {
    return name() != null;
  }

  /** The registry name, or null. */
  public String name() {
    return switch (value) {
      case 1 -> "Malformed Attribute List";
      case 2 -> "Unrecognized Well-known Attribute";
      case 3 -> "Missing Well-known Attribute";
      case 4 -> "Attribute Flags Error";
      case 5 -> "Attribute Length Error";
      case 6 -> "Invalid ORIGIN Attribute";
      case 7 -> "AS Routing Loop (deprecated)";
      case 8 -> "Invalid NEXT_HOP Attribute";
      case 9 -> "Optional Attribute Error";
      case 10 -> "Invalid Network Field";
      case 11 -> "Malformed AS_PATH";
      default -> null;
    };
  }

  @Override
  public String toString() {
    String n = name();
    return n != null ? n : "Subcode " + value;
  }
}
