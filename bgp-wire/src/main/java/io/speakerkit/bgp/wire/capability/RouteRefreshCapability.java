package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;

/** Route Refresh capability (RFC 2918 §2), code 2, no value. */
public record RouteRefreshCapability() implements Capability {

  public static final RouteRefreshCapability INSTANCE = new RouteRefreshCapability();

  @Override
  public int code() {
    return 2;
  }

  @Override
  public int valueLength() {
    return 0;
  }

  @Override
  public void writeValue(ByteBuf out) {
  }
}
