package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;

/** Extended Message capability (RFC 8654 §3), code 6, no value: both sides advertising it raises the maximum message length to 65535. */
public record ExtendedMessageCapability() implements Capability {

  public static final ExtendedMessageCapability INSTANCE = new ExtendedMessageCapability();

  @Override
  public int code() {
    return 6;
  }

  @Override
  public int valueLength() {
    return 0;
  }

  @Override
  public void writeValue(ByteBuf out) {
  }
}
