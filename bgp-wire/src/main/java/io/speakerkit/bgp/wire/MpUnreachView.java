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

  private MessageBytes bytes;
  private int generation;
  private int offset;
  private int length;
  private AddressFamily family;
  private boolean addPath;
  private PrefixCursor cursor;

  MpUnreachView(MessageBytes bytes, int generation, int offset, int length, AddressFamily family, boolean addPath) {
    over(bytes, generation, offset, length, family, addPath);
  }

  /** Re-points this view at another MP_UNREACH_NLRI (the view a message hands out is reused). */
  MpUnreachView over(MessageBytes bytes, int generation,
      int offset, int length, AddressFamily family, boolean addPath) {
    this.bytes = bytes;
    this.generation = generation;
    this.offset = offset;
    this.length = length;
    this.family = family;
    this.addPath = addPath;
    return this;
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

  /**
   * The view's cursor over the withdrawn routes, rewound (the same instance on every call), for IPv4/IPv6 unicast
   * or multicast; empty for other families.
   */
  public PrefixCursor prefixes() {
    int end = offset + length;
    return cursor = PrefixCursor.reuse(cursor, bytes, generation, hasPrefixes() ? offset + 3 : end, end,
        family.afi().value() == 2, addPath);
  }

  public List<IpPrefix> prefixList() {
    return prefixes().toList();
  }

  /** The withdrawn routes field as a slice (shares memory; not retained, do not release). */
  public ByteBuf withdrawnSlice() {
    return bytes.buffer(generation).slice(offset + 3, length - 3);
  }

  @Override
  public String toString() {
    return "MP_UNREACH_NLRI " + family + (hasPrefixes() ? " " + prefixList() : "");
  }
}
