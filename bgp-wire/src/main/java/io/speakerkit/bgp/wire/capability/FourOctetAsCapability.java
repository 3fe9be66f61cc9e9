package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;

/**
 * Support for 4-octet AS numbers (RFC 6793 §3), code 65, length 4: the speaker's AS number as 4 octets. When the AS
 * does not fit 2 octets, the OPEN's My Autonomous System field carries {@link #AS_TRANS}.
 */
public record FourOctetAsCapability(long asNumber) implements Capability {

  /** RFC 6793 §9: AS_TRANS, 23456. */
  public static final int AS_TRANS = 23456;

  public FourOctetAsCapability {
    if (asNumber < 0 || asNumber > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("AS number: " + asNumber + " (expected: 0-4294967295)");
    }
  }

  @Override
  public int code() {
    return 65;
  }

  @Override
  public int valueLength() {
    return 4;
  }

  @Override
  public void writeValue(ByteBuf out) {
    out.writeInt((int) asNumber);
  }
}
