package io.speakerkit.bgp.wire;

/** BGP message type codes (RFC 4271 §4.1, RFC 2918 §3). Open code point. */
public record MessageType(int value) {

  public static final MessageType OPEN = new MessageType(1);
  public static final MessageType UPDATE = new MessageType(2);
  public static final MessageType NOTIFICATION = new MessageType(3);
  public static final MessageType KEEPALIVE = new MessageType(4);
  public static final MessageType ROUTE_REFRESH = new MessageType(5);

  public static MessageType valueOf(int value) {
    return switch (value) {
      case 1 -> OPEN;
      case 2 -> UPDATE;
      case 3 -> NOTIFICATION;
      case 4 -> KEEPALIVE;
      case 5 -> ROUTE_REFRESH;
      default -> new MessageType(value);
    };
  }

  public boolean isKnown() {
    return value >= 1 && value <= 5;
  }

  @Override
  public String toString() {
    return switch (value) {
      case 1 -> "OPEN";
      case 2 -> "UPDATE";
      case 3 -> "NOTIFICATION";
      case 4 -> "KEEPALIVE";
      case 5 -> "ROUTE-REFRESH";
      default -> "TYPE(" + value + ")";
    };
  }
}
