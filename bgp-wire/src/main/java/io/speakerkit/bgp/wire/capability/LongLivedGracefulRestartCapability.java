package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.AddressFamily;
import java.util.List;
import java.util.Objects;

/**
 * Long-Lived Graceful Restart capability (RFC 9494 §2), code 71, one 7-octet tuple per family:
 *
 * <pre>
 * +--------------------------------------------------+
 * | Address Family Identifier (16 bits)              |
 * +--------------------------------------------------+
 * | Subsequent Address Family Identifier (8 bits)    |
 * +--------------------------------------------------+
 * | Flags for Address Family (8 bits)                |
 * +--------------------------------------------------+
 * | Long-lived Stale Time (24 bits)                  |
 * +--------------------------------------------------+
 * </pre>
 */
public record LongLivedGracefulRestartCapability(List<Family> families) implements Capability {

  /** RFC 9494 §2: F bit, forwarding state preserved. */
  public static final int FORWARDING_STATE = 0x80;

  public record Family(AddressFamily family, int flags, int staleTime) {
    public Family {
      Objects.requireNonNull(family, "family");
      if (flags < 0 || flags > 255) {
        throw new IllegalArgumentException("LLGR flags: " + flags + " (expected: 0-255)");
      }
      if (staleTime < 0 || staleTime > 0xFF_FFFF) {
        throw new IllegalArgumentException("LLGR stale time: " + staleTime + " (expected: 0-16777215)");
      }
    }
  }

  public LongLivedGracefulRestartCapability {
    families = List.copyOf(families);
    if (families.size() > 36) {
      throw new IllegalArgumentException("LLGR families: " + families.size() + " (expected: <= 36)");
    }
  }

  @Override
  public int code() {
    return 71;
  }

  @Override
  public int valueLength() {
    return 7 * families.size();
  }

  @Override
  public void writeValue(ByteBuf out) {
    for (Family f : families) {
      out.writeShort(f.family.afi().value());
      out.writeByte(f.family.safi().value());
      out.writeByte(f.flags);
      out.writeMedium(f.staleTime);
    }
  }
}
