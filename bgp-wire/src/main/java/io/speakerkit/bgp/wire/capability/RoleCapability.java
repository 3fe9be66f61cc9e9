package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;

/**
 * BGP Role capability (RFC 9234 §4.1), code 9, length 1: the speaker's role on this session. Unknown role values
 * are kept as received.
 */
public record RoleCapability(int role) implements Capability {

  public static final int PROVIDER = 0;
  public static final int ROUTE_SERVER = 1;
  public static final int ROUTE_SERVER_CLIENT = 2;
  public static final int CUSTOMER = 3;
  public static final int PEER = 4;

  public RoleCapability {
    if (role < 0 || role > 255) {
      throw new IllegalArgumentException("role: " + role + " (expected: 0-255)");
    }
  }

  /** RFC 9234 §4.2: whether {@code peer} is the role that must face {@code this} (Provider-Customer, RS-RS-Client, Peer-Peer). */
  public boolean matches(RoleCapability peer) {
    return switch (role) {
      case PROVIDER -> peer.role == CUSTOMER;
      case CUSTOMER -> peer.role == PROVIDER;
      case ROUTE_SERVER -> peer.role == ROUTE_SERVER_CLIENT;
      case ROUTE_SERVER_CLIENT -> peer.role == ROUTE_SERVER;
      case PEER -> peer.role == PEER;
      default -> false;
    };
  }

  @Override
  public int code() {
    return 9;
  }

  @Override
  public int valueLength() {
    return 1;
  }

  @Override
  public void writeValue(ByteBuf out) {
    out.writeByte(role);
  }

  @Override
  public String toString() {
    String n = switch (role) {
      case PROVIDER -> "Provider";
      case ROUTE_SERVER -> "RS";
      case ROUTE_SERVER_CLIENT -> "RS-Client";
      case CUSTOMER -> "Customer";
      case PEER -> "Peer";
      default -> "Role(" + role + ")";
    };
    return "RoleCapability[" + n + "]";
  }
}
