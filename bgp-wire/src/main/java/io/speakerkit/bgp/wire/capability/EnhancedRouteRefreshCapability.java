package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;

/** Enhanced Route Refresh capability (RFC 7313 §3.1), code 70, no value. */
public record EnhancedRouteRefreshCapability() implements Capability {

  public static final EnhancedRouteRefreshCapability INSTANCE = new EnhancedRouteRefreshCapability();

  @Override
  public int code() {
    return 70;
  }

  @Override
  public int valueLength() {
    return 0;
  }

  @Override
  public void writeValue(ByteBuf out) {
  }
}
