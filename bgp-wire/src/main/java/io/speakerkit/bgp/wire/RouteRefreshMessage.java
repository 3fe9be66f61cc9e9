package io.speakerkit.bgp.wire;

import java.util.Objects;

/**
 * ROUTE-REFRESH (RFC 2918 §3, with the RFC 7313 §3.2 Message Subtype in the formerly reserved octet):
 *
 * <pre>
 *  0       7      15      23      31
 * +-------+-------+-------+-------+
 * |      AFI      | Subtype | SAFI |
 * +-------+-------+-------+-------+
 * </pre>
 *
 * @param family the address family to refresh
 * @param subtype 0 normal route refresh, 1 BoRR, 2 EoRR (RFC 7313); other values are kept (RFC 7313 §5 says to
 *     ignore such a message, which is the caller's decision)
 */
public record RouteRefreshMessage(AddressFamily family, int subtype) implements BgpMessage {

  public static final int NORMAL = 0;
  /** RFC 7313 §3.2: Beginning of Route Refresh. */
  public static final int BEGINNING_OF_ROUTE_REFRESH = 1;
  /** RFC 7313 §3.2: End of Route Refresh. */
  public static final int END_OF_ROUTE_REFRESH = 2;

  public RouteRefreshMessage {
    Objects.requireNonNull(family, "family");
    if (subtype < 0 || subtype > 255) {
      throw new IllegalArgumentException("route refresh subtype: " + subtype + " (expected: 0-255)");
    }
  }

  public static RouteRefreshMessage of(AddressFamily family) {
    return new RouteRefreshMessage(family, NORMAL);
  }

  public static RouteRefreshMessage beginning(AddressFamily family) {
    return new RouteRefreshMessage(family, BEGINNING_OF_ROUTE_REFRESH);
  }

  public static RouteRefreshMessage end(AddressFamily family) {
    return new RouteRefreshMessage(family, END_OF_ROUTE_REFRESH);
  }

  @Override
  public MessageType type() {
    return MessageType.ROUTE_REFRESH;
  }

  @Override
  public String toString() {
    String s = switch (subtype) {
      case NORMAL -> "";
      case BEGINNING_OF_ROUTE_REFRESH -> " BoRR";
      case END_OF_ROUTE_REFRESH -> " EoRR";
      default -> " subtype " + subtype;
    };
    return "ROUTE-REFRESH " + family + s;
  }
}
