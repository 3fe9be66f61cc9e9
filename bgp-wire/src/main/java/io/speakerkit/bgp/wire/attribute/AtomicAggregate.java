package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;

/** ATOMIC_AGGREGATE (RFC 4271 §5.1.6), well-known discretionary, type 6, no value. */
public record AtomicAggregate() implements PathAttribute {

  public static final AtomicAggregate INSTANCE = new AtomicAggregate();

  @Override
  public int typeCode() {
    return AttributeType.ATOMIC_AGGREGATE_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 0;
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
  }
}
