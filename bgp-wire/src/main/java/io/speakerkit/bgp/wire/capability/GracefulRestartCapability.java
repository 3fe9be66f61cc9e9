package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.AddressFamily;
import java.util.List;
import java.util.Objects;

/**
 * Graceful Restart capability (RFC 4724 §3, flags as updated by RFC 8538 §2), code 64:
 *
 * <pre>
 * +--------------------------------------------------+
 * | Restart Flags (4 bits)                           |
 * +--------------------------------------------------+
 * | Restart Time in seconds (12 bits)                |
 * +--------------------------------------------------+
 * | Address Family Identifier (16 bits)              |
 * +--------------------------------------------------+
 * | Subsequent Address Family Identifier (8 bits)    |
 * +--------------------------------------------------+
 * | Flags for Address Family (8 bits)                |
 * +--------------------------------------------------+
 * | ...                                              |
 * +--------------------------------------------------+
 * </pre>
 *
 * @param restartFlags the 4 restart flag bits (0x8 R: restarting, 0x4 N: notification / hard reset support)
 * @param restartTime seconds, 0-4095
 * @param families per family: the flags octet, whose 0x80 bit (F) says forwarding state was preserved
 */
public record GracefulRestartCapability(int restartFlags, int restartTime, List<Family> families)
    implements Capability {

  public static final int RESTART_STATE = 0x8;
  public static final int NOTIFICATION = 0x4;
  public static final int FORWARDING_STATE = 0x80;

  /** One (AFI, SAFI, flags) tuple. */
  public record Family(AddressFamily family, int flags) {
    public Family {
      Objects.requireNonNull(family, "family");
      if (flags < 0 || flags > 255) {
        throw new IllegalArgumentException("graceful restart family flags: " + flags + " (expected: 0-255)");
      }
    }

    public boolean forwardingPreserved() {
      return (flags & FORWARDING_STATE) != 0;
    }
  }

  public GracefulRestartCapability {
    if (restartFlags < 0 || restartFlags > 0xF) {
      throw new IllegalArgumentException("restart flags: " + restartFlags + " (expected: 0-15)");
    }
    if (restartTime < 0 || restartTime > 0xFFF) {
      throw new IllegalArgumentException("restart time: " + restartTime + " (expected: 0-4095)");
    }
    families = List.copyOf(families);
    if (families.size() > 63) {
      throw new IllegalArgumentException("graceful restart families: " + families.size() + " (expected: <= 63)");
    }
  }

  public boolean restarting() {
    return (restartFlags & RESTART_STATE) != 0;
  }

  public boolean notificationSupported() {
    return (restartFlags & NOTIFICATION) != 0;
  }

  @Override
  public int code() {
    return 64;
  }

  @Override
  public int valueLength() {
    return 2 + 4 * families.size();
  }

  @Override
  public void writeValue(ByteBuf out) {
    out.writeShort(restartFlags << 12 | restartTime);
    for (Family f : families) {
      out.writeShort(f.family.afi().value());
      out.writeByte(f.family.safi().value());
      out.writeByte(f.flags);
    }
  }
}
