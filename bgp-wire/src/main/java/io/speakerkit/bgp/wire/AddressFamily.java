package io.speakerkit.bgp.wire;

import java.util.Objects;

/** An (AFI, SAFI) pair: the unit of MP-BGP negotiation, ADD-PATH, graceful restart and End-of-RIB. */
public record AddressFamily(Afi afi, Safi safi) {

  public static final AddressFamily IPV4_UNICAST = new AddressFamily(Afi.IPV4, Safi.UNICAST);
  public static final AddressFamily IPV6_UNICAST = new AddressFamily(Afi.IPV6, Safi.UNICAST);

  public AddressFamily {
    Objects.requireNonNull(afi, "afi");
    Objects.requireNonNull(safi, "safi");
  }

  public static AddressFamily of(int afi, int safi) {
    if (afi == 1 && safi == 1) {
      return IPV4_UNICAST;
    }
    if (afi == 2 && safi == 1) {
      return IPV6_UNICAST;
    }
    return new AddressFamily(Afi.valueOf(afi), Safi.valueOf(safi));
  }

  @Override
  public String toString() {
    return afi + "/" + safi;
  }
}
