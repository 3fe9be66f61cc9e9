package io.speakerkit.bgp.wire;

/** Message Header Error subcodes (RFC 4271 §4.5, §6.1). Open code point: {@link #valueOf(int)} returns an unnamed instance for other values. */
public record MessageHeaderErrorSubcode(int value) {

  public static final MessageHeaderErrorSubcode CONNECTION_NOT_SYNCHRONIZED = new MessageHeaderErrorSubcode(1);
  public static final MessageHeaderErrorSubcode BAD_MESSAGE_LENGTH = new MessageHeaderErrorSubcode(2);
  public static final MessageHeaderErrorSubcode BAD_MESSAGE_TYPE = new MessageHeaderErrorSubcode(3);

  public MessageHeaderErrorSubcode {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("MessageHeaderErrorSubcode: " + value + " (expected: 0-255)");
    }
  }

  public static MessageHeaderErrorSubcode valueOf(int value) {
    return switch (value) {
      case 1 -> CONNECTION_NOT_SYNCHRONIZED;
      case 2 -> BAD_MESSAGE_LENGTH;
      case 3 -> BAD_MESSAGE_TYPE;
      default -> new MessageHeaderErrorSubcode(value);
    };
  }

  /** Whether this value has a name in the registry. */
  public boolean isKnown() {
    return name() != null;
  }

  /** The registry name, or null. */
  public String name() {
    return switch (value) {
      case 1 -> "Connection Not Synchronized";
      case 2 -> "Bad Message Length";
      case 3 -> "Bad Message Type";
      default -> null;
    };
  }

  @Override
  public String toString() {
    String n = name();
    return n != null ? n : "Subcode " + value;
  }
}
