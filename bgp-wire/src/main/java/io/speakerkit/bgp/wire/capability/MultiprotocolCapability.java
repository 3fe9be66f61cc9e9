package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.AddressFamily;
import java.util.Objects;

/**
 * Multiprotocol Extensions capability (RFC 4760 §8), code 1, length 4:
 *
 * <pre>
 *  0       7      15      23      31
 * +-------+-------+-------+-------+
 * |      AFI      | Res.  | SAFI  |
 * +-------+-------+-------+-------+
 * </pre>
 */
public record MultiprotocolCapability(AddressFamily family) implements Capability {

  public static final MultiprotocolCapability IPV4_UNICAST = new MultiprotocolCapability(AddressFamily.IPV4_UNICAST);
  public static final MultiprotocolCapability IPV6_UNICAST = new MultiprotocolCapability(AddressFamily.IPV6_UNICAST);

  public MultiprotocolCapability {
    Objects.requireNonNull(family, "family");
  }

  @Override
  public int code() {
    return 1;
  }

  @Override
  public int valueLength() {
    return 4;
  }

  @Override
  public void writeValue(ByteBuf out) {
    out.writeShort(family.afi().value());
    out.writeByte(0);
    out.writeByte(family.safi().value());
  }
}
