package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;

/** LOCAL_PREF (RFC 4271 §5.1.5), well-known, type 5: a 4-octet unsigned preference, iBGP only (RFC 7606 §7.5: discarded when received from eBGP). */
public record LocalPref(long value) implements PathAttribute {

  public LocalPref {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("LocalPref: " + value + " (expected: 0-4294967295)");
    }
  }

  @Override
  public int typeCode() {
    return 5;
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
    out.writeInt((int) value);
  }
}
