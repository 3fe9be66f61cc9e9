package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Reads a received MP_REACH_NLRI (RFC 4760 §3) in place:
 *
 * <pre>
 * +---------------------------------------------------------+
 * | Address Family Identifier (2 octets)                    |
 * +---------------------------------------------------------+
 * | Subsequent Address Family Identifier (1 octet)          |
 * +---------------------------------------------------------+
 * | Length of Next Hop Network Address (1 octet)            |
 * +---------------------------------------------------------+
 * | Network Address of Next Hop (variable)                  |
 * +---------------------------------------------------------+
 * | Reserved (1 octet)                                      |
 * +---------------------------------------------------------+
 * | Network Layer Reachability Information (variable)       |
 * +---------------------------------------------------------+
 * </pre>
 *
 * For IPv6 the next hop is 16 octets (global) or 32 (global + link-local, RFC 2545 §3); for IPv4 NLRI it is 4, or
 * 16/32 with RFC 8950 extended next hop. Does not own the buffer: valid while the message is.
 */
public final class MpReachView {

  private MessageBytes bytes;
  private int generation;
  private int offset;
  private int length;
  private AddressFamily family;
  /** The family's AFI and SAFI numbers, taken out of {@link #family} once per message. */
  private int afi;
  private int safi;
  private boolean addPath;
  private int nextHopLength;
  private PrefixCursor cursor;

  MpReachView(MessageBytes bytes, int generation,
      int offset, int length, AddressFamily family, boolean addPath, int nextHopLength) {
    over(bytes, generation, offset, length, family, addPath, nextHopLength);
  }

  /** Re-points this view at another MP_REACH_NLRI (the view a message hands out is reused). */
  MpReachView over(MessageBytes bytes, int generation,
      int offset, int length, AddressFamily family, boolean addPath, int nextHopLength) {
    this.bytes = bytes;
    this.generation = generation;
    this.offset = offset;
    this.length = length;
    this.family = family;
    this.afi = family.afi().value();
    this.safi = family.safi().value();
    this.addPath = addPath;
    this.nextHopLength = nextHopLength;
    return this;
  }

  public AddressFamily family() {
    return family;
  }

  public int afi() {
    return afi;
  }

  public int safi() {
    return safi;
  }

  /** Length of the next hop field in octets. */
  public int nextHopLength() {
    return nextHopLength;
  }

  /** Copies the whole next-hop field into a new array. */
  public byte[] nextHopBytes() {
    byte[] b = new byte[nextHopLength()];
    bytes.buffer(generation).getBytes(offset + 4, b);
    return b;
  }

  /** The next hop field as a ByteBuf slice (shares the message's memory; not retained, do not release). */
  public ByteBuf nextHopSlice() {
    return bytes.buffer(generation).slice(offset + 4, nextHopLength());
  }

  /** A 4-octet IPv4 next hop as a big-endian int; only when {@link #nextHopLength()} is 4. */
  public int nextHopIpv4() {
    checkNextHopLength(4);
    return bytes.getInt(generation, offset + 4);
  }

  /** First 64 bits of the global IPv6 next hop (next hop length 16 or 32). */
  public long nextHopIpv6Hi() {
    checkNextHopLength(16);
    return bytes.getLong(generation, offset + 4);
  }

  /** Last 64 bits of the global IPv6 next hop. */
  public long nextHopIpv6Lo() {
    checkNextHopLength(16);
    return bytes.getLong(generation, offset + 12);
  }

  /** Whether a link-local IPv6 next hop follows the global one (next hop length 32, RFC 2545 §3). */
  public boolean hasLinkLocalNextHop() {
    // RFC 2545 §3: the second address is the link-local one; a second that is not in fe80::/10 is ignored, as FRR
    // (bgp_mp_reach_parse) does
    return nextHopLength() == 32 && (linkLocalNextHopHi() & 0xFFC0_0000_0000_0000L) == 0xFE80_0000_0000_0000L;
  }

  public long linkLocalNextHopHi() {
    checkNextHopLength(32);
    return bytes.getLong(generation, offset + 20);
  }

  public long linkLocalNextHopLo() {
    checkNextHopLength(32);
    return bytes.getLong(generation, offset + 28);
  }

  private void checkNextHopLength(int min) {
    int n = nextHopLength();
    if (n < min || (min == 4 && n != 4)) {
      throw new IllegalStateException("next hop length: " + n + " (expected: " + (min == 4 ? "4" : ">= " + min) + ")");
    }
  }

  /** The (global) next hop as an address (allocates); null when its length is neither 4, 16 nor 32. */
  public InetAddress nextHop() {
    int n = nextHopLength();
    if (n != 4 && n != 16 && n != 32) {
      return null;
    }
    byte[] b = new byte[n == 4 ? 4 : 16];
    bytes.buffer(generation).getBytes(offset + 4, b);
    try {
      return b.length == 16 ? java.net.Inet6Address.getByAddress(null, b, -1) : InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Whether {@link #prefixes()} can read the NLRI: IPv4 or IPv6 unicast/multicast. */
  public boolean hasPrefixes() {
    return isPrefixFamily(afi, safi);
  }

  /**
   * The view's cursor over the NLRI, rewound (the same instance on every call), for IPv4/IPv6 unicast or multicast;
   * empty for other families.
   */
  public PrefixCursor prefixes() {
    boolean ipv6 = afi == 2;
    int end = offset + length;
    int nlri = hasPrefixes() ? offset + 5 + nextHopLength() : end;
    return cursor = PrefixCursor.reuse(cursor, bytes, generation, nlri, end, ipv6, addPath);
  }

  /** The NLRI as a list (allocates). */
  public List<IpPrefix> prefixList() {
    return prefixes().toList();
  }

  /** The NLRI field as a slice (shares the message's memory; not retained, do not release): for other families. */
  public ByteBuf nlriSlice() {
    int nlri = offset + 5 + nextHopLength();
    return bytes.buffer(generation).slice(nlri, offset + length - nlri);
  }

  static boolean isPrefixFamily(AddressFamily f) {
    return isPrefixFamily(f.afi().value(), f.safi().value());
  }

  private static boolean isPrefixFamily(int afi, int safi) {
    return (afi == 1 || afi == 2) && (safi == 1 || safi == 2);
  }

  @Override
  public String toString() {
    return "MP_REACH_NLRI " + family + " next hop " + nextHop() + (hasPrefixes() ? " " + prefixList() : "");
  }
}
