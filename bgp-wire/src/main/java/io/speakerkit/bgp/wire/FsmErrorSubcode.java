package io.speakerkit.bgp.wire;

/** Finite State Machine Error subcodes (RFC 6608 §3). Open code point: {@link #valueOf(int)} returns an unnamed instance for other values. */
public record FsmErrorSubcode(int value) {

  public static final FsmErrorSubcode UNSPECIFIED = new FsmErrorSubcode(0);
  public static final FsmErrorSubcode UNEXPECTED_MESSAGE_IN_OPENSENT = new FsmErrorSubcode(1);
  public static final FsmErrorSubcode UNEXPECTED_MESSAGE_IN_OPENCONFIRM = new FsmErrorSubcode(2);
  public static final FsmErrorSubcode UNEXPECTED_MESSAGE_IN_ESTABLISHED = new FsmErrorSubcode(3);

  public FsmErrorSubcode {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("FsmErrorSubcode: " + value + " (expected: 0-255)");
    }
  }

  public static FsmErrorSubcode valueOf(int value) {
    return switch (value) {
      case 0 -> UNSPECIFIED;
      case 1 -> UNEXPECTED_MESSAGE_IN_OPENSENT;
      case 2 -> UNEXPECTED_MESSAGE_IN_OPENCONFIRM;
      case 3 -> UNEXPECTED_MESSAGE_IN_ESTABLISHED;
      default -> new FsmErrorSubcode(value);
    };
  }

  /** Whether this value has a name in the registry. */
  public boolean isKnown() {
    return name() != null;
  }

  /** The registry name, or null. */
  public String name() {
    return switch (value) {
      case 0 -> "Unspecified Error";
      case 1 -> "Receive Unexpected Message in OpenSent State";
      case 2 -> "Receive Unexpected Message in OpenConfirm State";
      case 3 -> "Receive Unexpected Message in Established State";
      default -> null;
    };
  }

  @Override
  public String toString() {
    String n = name();
    return n != null ? n : "Subcode " + value;
  }
}
