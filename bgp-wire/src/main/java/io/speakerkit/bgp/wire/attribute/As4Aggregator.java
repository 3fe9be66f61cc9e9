package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.IpPrefix;

/** AS4_AGGREGATOR (RFC 6793 §3), optional transitive, type 18: 4-octet AS and IPv4 address, 8 octets. */
public record As4Aggregator(long asNumber, int address) implements PathAttribute {

  public As4Aggregator {
    if (asNumber < 0 || asNumber > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("aggregator AS: " + asNumber + " (expected: 0-4294967295)");
    }
  }

  @Override
  public int typeCode() {
    return AttributeType.AS4_AGGREGATOR_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 8;
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    out.writeInt((int) asNumber);
    out.writeInt(address);
  }

  @Override
  public String toString() {
    return "As4Aggregator[" + asNumber + " " + IpPrefix.formatIpv4(address) + "]";
  }
}
