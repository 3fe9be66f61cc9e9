package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;

/** ONLY_TO_CUSTOMER (RFC 9234 §5), optional transitive, type 35: the 4-octet AS number that marked the route. */
public record OnlyToCustomer(long asNumber) implements PathAttribute {

  public OnlyToCustomer {
    if (asNumber < 0 || asNumber > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("OnlyToCustomer: " + asNumber + " (expected: 0-4294967295)");
    }
  }

  @Override
  public int typeCode() {
    return 35;
  }

  @Override
  public int flags() {
    return AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 4;
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    out.writeInt((int) asNumber);
  }
}
