package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;

/** ORIGIN (RFC 4271 §5.1.1), well-known mandatory, type 1, one octet: 0 IGP, 1 EGP, 2 INCOMPLETE. */
public enum Origin implements PathAttribute {
  IGP,
  EGP,
  INCOMPLETE;

  /** The origin for a wire value 0-2, or null for any other value (malformed, RFC 7606 §7.1). */
  public static Origin valueOf(int value) {
    return switch (value) {
      case 0 -> IGP;
      case 1 -> EGP;
      case 2 -> INCOMPLETE;
      default -> null;
    };
  }

  @Override
  public int typeCode() {
    return AttributeType.ORIGIN_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 1;
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    out.writeByte(ordinal());
  }
}
