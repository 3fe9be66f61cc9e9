package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Reads a received MP_UNREACH_NLRI (RFC 4760 §4) in place:
 *
 * <pre>
 * +---------------------------------------------------------+
 * | Address Family Identifier (2 octets)                    |
 * +---------------------------------------------------------+
 * | Subsequent Address Family Identifier (1 octet)          |
 * +---------------------------------------------------------+
 * | Withdrawn Routes (variable)                             |
 * +---------------------------------------------------------+
 * </pre>
 *
 * Only AFI/SAFI with no withdrawn routes is the End-of-RIB marker of that family (RFC 4724 §2). Does not own the
 * buffer.
 */
public final class MpUnreachView {

  private final ByteBuf buf;
  private final int offset;
  private final int length;
  private final AddressFamily family;
  private final boolean addPath;

  MpUnreachView(ByteBuf buf, int offset, int length, AddressFamily family, boolean addPath) {
    this.buf = buf;
    this.offset = offset;
    this.length = length;
    this.family = family;
    this.addPath = addPath;
  }

  public AddressFamily family() {
    return family;
  }

  public boolean hasPrefixes() {
    return MpReachView.isPrefixFamily(family);
  }

  /** Whether the withdrawn routes field is empty. */
  public boolean isEmpty() {
    return length == 3;
  }

  /** A cursor over the withdrawn routes, for IPv4/IPv6 unicast or multicast; empty for other families. */
  public PrefixCursor prefixes() {
    if (!hasPrefixes()) {
      return PrefixCursor.empty(family.afi().value() == 2);
    }
    return new PrefixCursor(buf, offset + 3, offset + length, family.afi().value() == 2, addPath);
  }

  public List<IpPrefix> prefixList() {
    return prefixes().toList();
  }

  /** The withdrawn routes field as a slice (shares memory; not retained, do not release). */
  public ByteBuf withdrawnSlice() {
    return buf.slice(offset + 3, length - 3);
  }

  @Override
  public String toString() {
    return "MP_UNREACH_NLRI " + family + (hasPrefixes() ? " " + prefixList() : "");
  }
}
