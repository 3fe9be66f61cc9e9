package io.speakerkit.bgp.wire;

/** ROUTE-REFRESH Message Error subcodes (RFC 7313 §5). Open code point: {@link #valueOf(int)} returns an unnamed instance for other values. */
public record RouteRefreshErrorSubcode(int value) {

  public static final RouteRefreshErrorSubcode INVALID_MESSAGE_LENGTH = new RouteRefreshErrorSubcode(1);

  public RouteRefreshErrorSubcode {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("RouteRefreshErrorSubcode: " + value + " (expected: 0-255)");
    }
  }

  public static RouteRefreshErrorSubcode valueOf(int value) {
    return switch (value) {
      case 1 -> INVALID_MESSAGE_LENGTH;
      default -> new RouteRefreshErrorSubcode(value);
    };
  }

  /** Whether this value has a name in the registry. */
  public boolean isKnown() {
    return name() != null;
  }

  /** The registry name, or null. */
  public String name() {
    return switch (value) {
      case 1 -> "Invalid Message Length";
      default -> null;
    };
  }

  @Override
  public String toString() {
    String n = name();
    return n != null ? n : "Subcode " + value;
  }
}
