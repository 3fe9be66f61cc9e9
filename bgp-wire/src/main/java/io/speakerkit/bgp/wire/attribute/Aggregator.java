package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.IpPrefix;

/**
 * AGGREGATOR (RFC 4271 §5.1.7), optional transitive, type 7: the AS (2 octets, or 4 with RFC 6793 §4.1) and the
 * IPv4 address of the speaker that aggregated. On a 2-octet session an AS above 65535 is sent as AS_TRANS and
 * {@link PathAttributes} adds {@link As4Aggregator}.
 */
public record Aggregator(long asNumber, int address) implements PathAttribute {

  public Aggregator {
    if (asNumber < 0 || asNumber > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("aggregator AS: " + asNumber + " (expected: 0-4294967295)");
    }
  }

  @Override
  public int typeCode() {
    return AttributeType.AGGREGATOR_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return fourOctetAs ? 8 : 6;
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    if (fourOctetAs) {
      out.writeInt((int) asNumber);
    } else {
      out.writeShort(asNumber > 0xFFFF ? 23456 : (int) asNumber);
    }
    out.writeInt(address);
  }

  @Override
  public String toString() {
    return "Aggregator[" + asNumber + " " + IpPrefix.formatIpv4(address) + "]";
  }
}
