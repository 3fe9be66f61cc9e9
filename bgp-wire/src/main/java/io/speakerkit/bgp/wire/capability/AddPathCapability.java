package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.AddressFamily;
import java.util.List;
import java.util.Objects;

/**
 * ADD-PATH capability (RFC 7911 §4), code 69, one tuple per family:
 *
 * <pre>
 * +------------------------------------------------+
 * | Address Family Identifier (2 octets)           |
 * +------------------------------------------------+
 * | Subsequent Address Family Identifier (1 octet) |
 * +------------------------------------------------+
 * | Send/Receive (1 octet)                         |
 * +------------------------------------------------+
 * </pre>
 */
public record AddPathCapability(List<Family> families) implements Capability {

  public static final int RECEIVE = 1;
  public static final int SEND = 2;
  public static final int BOTH = 3;

  /** One tuple; {@code sendReceive} is 1 receive, 2 send, 3 both (other values are kept as received). */
  public record Family(AddressFamily family, int sendReceive) {
    public Family {
      Objects.requireNonNull(family, "family");
      if (sendReceive < 0 || sendReceive > 255) {
        throw new IllegalArgumentException("send/receive: " + sendReceive + " (expected: 0-255)");
      }
    }

    /** Whether the value is 1, 2 or 3: RFC 7911 §4 has any other ignored. */
    public boolean isValid() {
      return sendReceive >= RECEIVE && sendReceive <= BOTH;
    }

    /** Receive or both; false for a value {@link #isValid() other than 1-3}. */
    public boolean canReceive() {
      return isValid() && (sendReceive & RECEIVE) != 0;
    }

    /** Send or both; false for a value {@link #isValid() other than 1-3}. */
    public boolean canSend() {
      return isValid() && (sendReceive & SEND) != 0;
    }
  }

  public AddPathCapability {
    families = List.copyOf(families);
    if (families.size() > 63) {
      throw new IllegalArgumentException("ADD-PATH families: " + families.size() + " (expected: <= 63)");
    }
  }

  @Override
  public int code() {
    return 69;
  }

  @Override
  public int valueLength() {
    return 4 * families.size();
  }

  @Override
  public void writeValue(ByteBuf out) {
    for (Family f : families) {
      out.writeShort(f.family.afi().value());
      out.writeByte(f.family.safi().value());
      out.writeByte(f.sendReceive);
    }
  }
}
