package io.speakerkit.bgp.wire;

import io.speakerkit.bgp.wire.attribute.AttributeType;
import io.speakerkit.bgp.wire.attribute.OnlyToCustomer;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.capability.RoleCapability;

/**
 * The ONLY_TO_CUSTOMER procedures of RFC 9234 §5, given our role on the session (the {@link RoleCapability} value we
 * advertise; the peer's role is its counterpart). Pure functions over decoded attributes and pre-encoded
 * {@link PathAttributes}; policy, so kept apart from decoding.
 */
public final class RouteLeakPrevention {

  private RouteLeakPrevention() {
  }

  /** What to do with a received route. */
  public enum Ingress {
    /** Accept as is. */
    ACCEPT,
    /** Accept, adding ONLY_TO_CUSTOMER with the peer's AS (RFC 9234 §5, ingress rule 3). */
    ACCEPT_ADD_OTC,
    /** A route leak: the route is ineligible (RFC 9234 §5, ingress rules 1 and 2). */
    LEAK
  }

  /**
   * RFC 9234 §5 ingress procedure.
   *
   * @param localRole our role ({@link RoleCapability#PROVIDER} means the peer is our customer, and so on)
   * @param peerAs the peer's AS
   */
  public static Ingress ingress(UpdateAttributes attrs, int localRole, long peerAs) {
    boolean otc = attrs.hasOnlyToCustomer();
    switch (localRole) {
      case RoleCapability.PROVIDER, RoleCapability.ROUTE_SERVER -> {
        // RFC 9234 §5: OTC received from a Customer or an RS-Client: route leak.
        return otc ? Ingress.LEAK : Ingress.ACCEPT;
      }
      case RoleCapability.PEER -> {
        // RFC 9234 §5: OTC from a Peer must carry the Peer's AS; absent, it is added with the Peer's AS.
        if (otc) {
          return attrs.onlyToCustomer() == peerAs ? Ingress.ACCEPT : Ingress.LEAK;
        }
        return Ingress.ACCEPT_ADD_OTC;
      }
      case RoleCapability.CUSTOMER, RoleCapability.ROUTE_SERVER_CLIENT -> {
        // RFC 9234 §5: from a Provider or an RS without OTC: add it with the remote AS.
        return otc ? Ingress.ACCEPT : Ingress.ACCEPT_ADD_OTC;
      }
      default -> {
        return Ingress.ACCEPT;
      }
    }
  }

  /**
   * RFC 9234 §5 egress procedure: the attributes to send to the peer, or null when the route must not be sent.
   * Towards a Customer, a Peer or an RS-Client an absent ONLY_TO_CUSTOMER is added with our AS; a route that carries
   * it is not sent to a Provider, a Peer or an RS.
   *
   * @param localRole our role on the session to the peer
   */
  public static PathAttributes egress(PathAttributes attrs, int localRole, long localAs) {
    boolean otc = attrs.get(OnlyToCustomer.class).isPresent()
        || attrs.attributes().stream().anyMatch(a -> a.typeCode() == AttributeType.ONLY_TO_CUSTOMER_CODE);
    switch (localRole) {
      case RoleCapability.CUSTOMER, RoleCapability.ROUTE_SERVER_CLIENT -> {
        // to a Provider or an RS: never a route that carries OTC
        return otc ? null : attrs;
      }
      case RoleCapability.PEER -> {
        return otc ? null : attrs.toBuilder().onlyToCustomer(localAs).build();
      }
      case RoleCapability.PROVIDER, RoleCapability.ROUTE_SERVER -> {
        return otc ? attrs : attrs.toBuilder().onlyToCustomer(localAs).build();
      }
      default -> {
        return attrs;
      }
    }
  }
}
