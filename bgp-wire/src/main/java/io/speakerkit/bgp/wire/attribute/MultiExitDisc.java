package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;

/** MULTI_EXIT_DISC (RFC 4271 §5.1.4), optional non-transitive, type 4: a 4-octet unsigned metric. */
public record MultiExitDisc(long value) implements PathAttribute {

  public MultiExitDisc {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("MultiExitDisc: " + value + " (expected: 0-4294967295)");
    }
  }

  @Override
  public int typeCode() {
    return 4;
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
    out.writeInt((int) value);
  }
}
