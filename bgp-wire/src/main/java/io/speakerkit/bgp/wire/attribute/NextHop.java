package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.IpPrefix;

/** NEXT_HOP (RFC 4271 §5.1.3), well-known, type 3: a 4-octet IPv4 address, here as a big-endian int. */
public record NextHop(int address) implements PathAttribute {

  @Override
  public int typeCode() {
    return AttributeType.NEXT_HOP_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 4;
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    out.writeInt(address);
  }

  @Override
  public String toString() {
    return "NextHop[" + IpPrefix.formatIpv4(address) + "]";
  }
}
