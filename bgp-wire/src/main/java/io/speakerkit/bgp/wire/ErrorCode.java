package io.speakerkit.bgp.wire;

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313 §5, RFC 9687 §4). Open code point: {@link #valueOf(int)} returns an unnamed instance for other values. */
public record ErrorCode(int value) {

  public static final ErrorCode MESSAGE_HEADER_ERROR = new ErrorCode(1);
  public static final ErrorCode OPEN_MESSAGE_ERROR = new ErrorCode(2);
  public static final ErrorCode UPDATE_MESSAGE_ERROR = new ErrorCode(3);
  public static final ErrorCode HOLD_TIMER_EXPIRED = new ErrorCode(4);
  public static final ErrorCode FSM_ERROR = new ErrorCode(5);
  public static final ErrorCode CEASE = new ErrorCode(6);
  public static final ErrorCode ROUTE_REFRESH_MESSAGE_ERROR = new ErrorCode(7);
  public static final ErrorCode SEND_HOLD_TIMER_EXPIRED = new ErrorCode(8);

  public ErrorCode {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("ErrorCode: " + value + " (expected: 0-255)");
    }
  }

  public static ErrorCode valueOf(int value) {
    return switch (value) {
      case 1 -> MESSAGE_HEADER_ERROR;
      case 2 -> OPEN_MESSAGE_ERROR;
      case 3 -> UPDATE_MESSAGE_ERROR;
      case 4 -> HOLD_TIMER_EXPIRED;
      case 5 -> FSM_ERROR;
      case 6 -> CEASE;
      case 7 -> ROUTE_REFRESH_MESSAGE_ERROR;
      case 8 -> SEND_HOLD_TIMER_EXPIRED;
      default -> new ErrorCode(value);
    };
  }

  /** Whether this value has a name in the registry. */
  public boolean isKnown() {
    return name() != null;
  }

  /** The registry name, or null. */
  public String name() {
    return switch (value) {
      case 1 -> "Message Header Error";
      case 2 -> "OPEN Message Error";
      case 3 -> "UPDATE Message Error";
      case 4 -> "Hold Timer Expired";
      case 5 -> "Finite State Machine Error";
      case 6 -> "Cease";
      case 7 -> "ROUTE-REFRESH Message Error";
      case 8 -> "Send Hold Timer Expired";
      default -> null;
    };
  }

  @Override
  public String toString() {
    String n = name();
    return n != null ? n : "Error code " + value;
  }
}
