package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.IpPrefix;

/** ORIGINATOR_ID (RFC 4456 §8), optional non-transitive, type 9: the 4-octet router id of the originator. */
public record OriginatorId(int routerId) implements PathAttribute {

  @Override
  public int typeCode() {
    return AttributeType.ORIGINATOR_ID_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.OPTIONAL;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 4;
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    out.writeInt(routerId);
  }

  @Override
  public String toString() {
    return "OriginatorId[" + IpPrefix.formatIpv4(routerId) + "]";
  }
}
