package io.speakerkit.bgp.fsm;

/**
 * Our BGP Role on an eBGP session (RFC 9234 §3.1), advertised in the BGP Role capability (code 9): which relation the
 * session has, so that both sides agree on it (§4.2) and the Only to Customer attribute marks routes that must not
 * leak back up (§5).
 */
public enum BgpRole {
  PROVIDER(0),
  ROUTE_SERVER(1),
  ROUTE_SERVER_CLIENT(2),
  CUSTOMER(3),
  PEER(4);

  private final int value;

  BgpRole(int value) {
    this.value = value;
  }

  /** The capability's value octet (RFC 9234 §3.1 table). */
  public int value() {
    return value;
  }

  /** RFC 9234 §4.2: whether a peer advertising {@code peerValue} is the role that faces this one. */
  public boolean pairsWith(int peerValue) {
    return switch (this) {
      case PROVIDER -> peerValue == CUSTOMER.value;
      case CUSTOMER -> peerValue == PROVIDER.value;
      case ROUTE_SERVER -> peerValue == ROUTE_SERVER_CLIENT.value;
      case ROUTE_SERVER_CLIENT -> peerValue == ROUTE_SERVER.value;
      case PEER -> peerValue == PEER.value;
    };
  }

  /**
   * RFC 9234 §5 egress rule 1: the peer is a Customer, a Peer or an RS-Client, so a route sent to it without the Only
   * to Customer attribute gets one carrying our AS.
   */
  public boolean marksOnlyToCustomer() {
    return this == PROVIDER || this == PEER || this == ROUTE_SERVER;
  }

  /**
   * RFC 9234 §5 egress rule 2: the peer is a Provider, a Peer or a route server, so a route that carries the Only to
   * Customer attribute is not sent to it.
   */
  public boolean withholdsOnlyToCustomer() {
    return this == CUSTOMER || this == PEER || this == ROUTE_SERVER_CLIENT;
  }

  /** What the peer is to us when we have this role: "customer" for {@link #PROVIDER}, and so on (for messages). */
  public String peerRelation() {
    return switch (this) {
      case PROVIDER -> "customer";
      case CUSTOMER -> "provider";
      case ROUTE_SERVER -> "route server client";
      case ROUTE_SERVER_CLIENT -> "route server";
      case PEER -> "peer";
    };
  }

  /**
   * RFC 9234 §5 ingress rules 1 and 2: whether a route received with the Only to Customer attribute {@code otc} (-1
   * when absent) is a route leak, to be considered ineligible: any OTC from a Customer or an RS-Client, or from a
   * Peer an OTC other than the peer's AS.
   */
  public boolean receivedLeak(long otc, long peerAs) {
    if (otc < 0) {
      return false;
    }
    return this == PROVIDER || this == ROUTE_SERVER || (this == PEER && otc != peerAs);
  }
}
