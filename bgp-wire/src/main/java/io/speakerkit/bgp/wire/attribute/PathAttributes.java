package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.capability.FourOctetAsCapability;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An immutable set of path attributes, encoded once when built so that announcing a prefix only copies bytes
 * (RFC 4271 §4.3, §5). Built with {@link #builder()}; at most one attribute per type, written in ascending type
 * order.
 *
 * <p>The encoding is kept in two forms: for sessions with 4-octet AS numbers (RFC 6793) and without, where AS
 * numbers above 65535 become AS_TRANS and AS4_PATH / AS4_AGGREGATOR are added as RFC 6793 §4.2.2 says (and
 * AS4_PATH / AS4_AGGREGATOR given explicitly are left out of the 4-octet form, RFC 6793 §4.1).
 *
 * <p>Next hops: an IPv4 next hop becomes the NEXT_HOP attribute (used for IPv4 NLRI); an IPv6 next hop (global,
 * optionally with link-local, RFC 2545 §3) goes into MP_REACH_NLRI, which the encoder writes per message before
 * these attributes (RFC 7606 §5.1); an MRT RIB entry places it in type order instead
 * ({@link #writeBeforeMpReach}, {@link #writeAfterMpReach}).
 */
public final class PathAttributes {

  private static final byte[] EMPTY = new byte[0];

  private final List<PathAttribute> attributes;
  private final int ipv4NextHop;
  private final boolean hasIpv4NextHop;
  private final byte[] ipv6NextHop;
  /**
   * Types of known optional transitive attributes received with the Partial bit, written with it again (RFC 4271 §5:
   * once set, it is never cleared on the way). Unknown attributes keep their own flags.
   */
  private final Set<Integer> partial;
  private final Encoded four;
  private final Encoded two;

  /** One encoded form: attributes before NEXT_HOP, NEXT_HOP, between NEXT_HOP and MP_REACH_NLRI, after. */
  private record Encoded(byte[] head, byte[] nextHop, byte[] mid, byte[] tail) {
  }

  private PathAttributes(List<PathAttribute> attributes, byte[] ipv6NextHop, Set<Integer> partial) {
    this.attributes = List.copyOf(attributes);
    this.partial = Set.copyOf(partial);
    NextHop nh = null;
    for (PathAttribute a : this.attributes) {
      if (a instanceof NextHop n) {
        nh = n;
      }
    }
    this.hasIpv4NextHop = nh != null;
    this.ipv4NextHop = nh == null ? 0 : nh.address();
    this.ipv6NextHop = ipv6NextHop;
    this.four = encode(this.attributes, true, this.partial);
    this.two = encode(this.attributes, false, this.partial);
  }

  /** Attributes as given (e.g. materialised from a received UPDATE), plus an optional IPv6 next hop (16 or 32). */
  public static PathAttributes of(Collection<? extends PathAttribute> attributes, byte[] ipv6NextHop) {
    return of(attributes, ipv6NextHop, Set.of());
  }

  /** As {@link #of(Collection, byte[])}, the attributes of {@code partial} types written with the Partial bit. */
  public static PathAttributes of(Collection<? extends PathAttribute> attributes, byte[] ipv6NextHop,
      Collection<Integer> partial) {
    Builder b = builder();
    for (PathAttribute a : attributes) {
      b.add(a);
    }
    if (ipv6NextHop != null) {
      b.ipv6NextHop(ipv6NextHop);
    }
    partial.forEach(b::partial);
    return b.build();
  }

  private static Encoded encode(List<PathAttribute> attrs, boolean fourOctetAs, Set<Integer> partial) {
    List<PathAttribute> list = new ArrayList<>(attrs.size() + 2);
    AsPath asPath = null;
    Aggregator aggregator = null;
    boolean hasAs4Path = false;
    boolean hasAs4Aggregator = false;
    for (PathAttribute a : attrs) {
      if (a instanceof As4Path p4) {
        hasAs4Path = true;
        if (fourOctetAs) {
          continue;
        }
        // RFC 6793 §3: no confederation segments in AS4_PATH (also one given, or kept from a received UPDATE)
        List<AsPathSegment> segs = AsPathSegment.withoutConfederation(p4.segments());
        if (segs.isEmpty()) {
          continue;
        }
        if (segs.size() != p4.segments().size()) {
          a = new As4Path(segs);
        }
      }
      if (a instanceof As4Aggregator) {
        hasAs4Aggregator = true;
        if (fourOctetAs) {
          continue;
        }
      }
      if (a instanceof AsPath p) {
        asPath = p;
      }
      if (a instanceof Aggregator g) {
        aggregator = g;
      }
      list.add(a);
    }
    if (!fourOctetAs) {
      // RFC 6793 §4.2.2: towards a 2-octet speaker, carry the real path in AS4_PATH (without confederation
      // segments) and the real aggregator in AS4_AGGREGATOR.
      List<AsPathSegment> segs = asPath == null ? List.of() : AsPathSegment.withoutConfederation(asPath.segments());
      // only when a 4-octet AS outside the confederation segments needs it (§4.2.2: not when it adds nothing)
      if (!hasAs4Path && segs.stream().anyMatch(s -> s.asns().stream().anyMatch(asn -> asn > 0xFFFF))) {
        list.add(new As4Path(segs));
      }
      if (aggregator != null && !hasAs4Aggregator && aggregator.asNumber() > 0xFFFF) {
        list.add(new As4Aggregator(aggregator.asNumber(), aggregator.address()));
      }
      list.sort((x, y) -> Integer.compare(x.typeCode(), y.typeCode()));
    }
    ByteBuf head = Unpooled.buffer();
    ByteBuf nh = Unpooled.buffer();
    ByteBuf mid = Unpooled.buffer();
    ByteBuf tail = Unpooled.buffer();
    try {
      for (PathAttribute a : list) {
        int t = a.typeCode();
        ByteBuf dst = t < AttributeType.NEXT_HOP_CODE ? head : t == AttributeType.NEXT_HOP_CODE ? nh
            : t < AttributeType.MP_REACH_NLRI_CODE ? mid : tail;
        boolean optionalTransitive = (a.flags() & (AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE))
            == (AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE);
        PathAttribute.write(dst, a, fourOctetAs, false,
            optionalTransitive && partial.contains(t) ? AttributeFlags.PARTIAL : 0);
      }
      return new Encoded(bytes(head), bytes(nh), bytes(mid), bytes(tail));
    } finally {
      head.release();
      nh.release();
      mid.release();
      tail.release();
    }
  }

  private static byte[] bytes(ByteBuf b) {
    if (!b.isReadable()) {
      return EMPTY;
    }
    byte[] out = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), out);
    return out;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these attributes. */
  public Builder toBuilder() {
    Builder b = builder();
    for (PathAttribute a : attributes) {
      b.add(a);
    }
    if (ipv6NextHop != null) {
      b.ipv6NextHop(ipv6NextHop);
    }
    partial.forEach(b::partial);
    return b;
  }

  /** The attributes in type order (not including the derived AS4_* of the 2-octet form). */
  public List<PathAttribute> attributes() {
    return attributes;
  }

  /** The attribute of the given class, if present. */
  public <A extends PathAttribute> Optional<A> get(Class<A> type) {
    for (PathAttribute a : attributes) {
      if (type.isInstance(a)) {
        return Optional.of(type.cast(a));
      }
    }
    return Optional.empty();
  }

  public boolean hasIpv4NextHop() {
    return hasIpv4NextHop;
  }

  /** The IPv4 NEXT_HOP as a big-endian int (0 when absent). */
  public int ipv4NextHop() {
    return ipv4NextHop;
  }

  public boolean hasIpv6NextHop() {
    return ipv6NextHop != null;
  }

  /** The MP_REACH_NLRI next hop octets for IPv6 (16, or 32 with link-local), a copy; null when absent. */
  public byte[] ipv6NextHop() {
    return ipv6NextHop == null ? null : ipv6NextHop.clone();
  }

  /** Octets of the IPv6 next hop, 0 when absent. */
  public int ipv6NextHopLength() {
    return ipv6NextHop == null ? 0 : ipv6NextHop.length;
  }

  /** Writes the IPv6 next hop octets (no length); the caller owns {@code out}. */
  public void writeIpv6NextHop(ByteBuf out) {
    out.writeBytes(ipv6NextHop);
  }

  private Encoded form(boolean fourOctetAs) {
    return fourOctetAs ? four : two;
  }

  /**
   * Octets of the encoded attributes without MP_REACH_NLRI.
   *
   * @param withNextHop whether to include the NEXT_HOP attribute (IPv4 NLRI in the NLRI field: yes; IPv6: no)
   */
  public int encodedLength(boolean fourOctetAs, boolean withNextHop) {
    Encoded e = form(fourOctetAs);
    return e.head.length + (withNextHop ? e.nextHop.length : 0) + e.mid.length + e.tail.length;
  }

  /** Writes the attributes that come before MP_REACH_NLRI (type {@literal <} 14). Allocates nothing; caller owns {@code out}. */
  public void writeBeforeMpReach(ByteBuf out, boolean fourOctetAs, boolean withNextHop) {
    Encoded e = form(fourOctetAs);
    out.writeBytes(e.head);
    if (withNextHop) {
      out.writeBytes(e.nextHop);
    }
    out.writeBytes(e.mid);
  }

  /** Writes the attributes that come after MP_REACH_NLRI (type > 15). Allocates nothing. */
  public void writeAfterMpReach(ByteBuf out, boolean fourOctetAs) {
    out.writeBytes(form(fourOctetAs).tail);
  }

  /** Writes all attributes (no MP_REACH_NLRI). Allocates nothing; the caller owns {@code out}. */
  public void writeTo(ByteBuf out, boolean fourOctetAs, boolean withNextHop) {
    writeBeforeMpReach(out, fourOctetAs, withNextHop);
    writeAfterMpReach(out, fourOctetAs);
  }

  /**
   * These attributes, received on a 2-octet AS session, as a 4-octet AS speaker takes them (RFC 6793 §4.2.3): the AS
   * path rebuilt from AS_PATH and AS4_PATH, the aggregator's AS from AS4_AGGREGATOR, and neither AS4 attribute kept;
   * when AGGREGATOR names an AS other than AS_TRANS, both AS4 attributes are ignored. This is the form MRT RIB
   * records carry (RFC 6396 §4.3.4). Returns this when neither AS4 attribute is present.
   */
  public PathAttributes withAs4AttributesMerged() {
    Optional<As4Path> as4Path = get(As4Path.class);
    Optional<As4Aggregator> as4Aggregator = get(As4Aggregator.class);
    if (as4Path.isEmpty() && as4Aggregator.isEmpty()) {
      return this;
    }
    Builder b = toBuilder().remove(AttributeType.AS4_PATH_CODE).remove(AttributeType.AS4_AGGREGATOR_CODE);
    Optional<Aggregator> aggregator = get(Aggregator.class);
    if (aggregator.isPresent() && aggregator.get().asNumber() != FourOctetAsCapability.AS_TRANS) {
      return b.build();
    }
    if (aggregator.isPresent() && as4Aggregator.isPresent()) {
      b.add(new Aggregator(as4Aggregator.get().asNumber(), as4Aggregator.get().address()));
    }
    Optional<AsPath> asPath = get(AsPath.class);
    if (asPath.isPresent() && as4Path.isPresent()) {
      b.asPath(asPath.get().withAs4Path(as4Path.get().segments()));
    }
    return b.build();
  }

  /**
   * These attributes as they should be passed on to another peer (RFC 4271 §5, §9.1.4): unknown optional transitive
   * attributes get the Partial bit; unknown non-transitive ones are dropped.
   */
  public PathAttributes forPropagation() {
    List<PathAttribute> out = new ArrayList<>(attributes.size());
    boolean changed = false;
    for (PathAttribute a : attributes) {
      if (a instanceof UnknownAttribute u) {
        if (!u.isTransitive() || !u.isOptional()) {
          changed = true;
          continue;
        }
        if ((u.flags() & AttributeFlags.PARTIAL) == 0) {
          out.add(u.withPartial());
          changed = true;
          continue;
        }
      }
      out.add(a);
    }
    return changed ? new PathAttributes(out, ipv6NextHop, partial) : this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathAttributes p && p.attributes.equals(attributes) && Arrays.equals(p.ipv6NextHop, ipv6NextHop)
        && p.partial.equals(partial);
  }

  @Override
  public int hashCode() {
    return (attributes.hashCode() * 31 + Arrays.hashCode(ipv6NextHop)) * 31 + partial.hashCode();
  }

  @Override
  public String toString() {
    return "PathAttributes" + attributes + (ipv6NextHop == null ? "" : " ipv6NextHop=" + nextHopText());
  }

  private String nextHopText() {
    try {
      String g = InetAddress.getByAddress(Arrays.copyOf(ipv6NextHop, 16)).getHostAddress();
      return ipv6NextHop.length == 32
          ? g + "," + InetAddress.getByAddress(Arrays.copyOfRange(ipv6NextHop, 16, 32)).getHostAddress() : g;
    } catch (java.net.UnknownHostException e) {
      return "?";
    }
  }

  /** Builds {@link PathAttributes}; setters validate at once, {@link #build()} can be called again. */
  public static final class Builder {

    private final TreeMap<Integer, PathAttribute> byType = new TreeMap<>();
    private byte[] ipv6NextHop;
    private final Set<Integer> partial = new java.util.TreeSet<>();

    private Builder() {
    }

    /**
     * Writes the attribute of {@code typeCode} with the Partial bit: for a known optional transitive attribute received
     * with it (RFC 4271 §5); ignored for other attributes.
     */
    public Builder partial(int typeCode) {
      partial.add(typeCode);
      return this;
    }

    /**
     * Adds or replaces the attribute of the same type. MP_REACH_NLRI / MP_UNREACH_NLRI are not accepted. Replacing
     * AS_PATH (AGGREGATOR) with a different one drops AS4_PATH (AS4_AGGREGATOR): it described the old one, and the
     * encoder derives the new one for a 2-octet peer (RFC 6793 §4.2.2).
     */
    public Builder add(PathAttribute a) {
      Objects.requireNonNull(a, "attribute");
      int t = a.typeCode();
      if (t == AttributeType.MP_REACH_NLRI_CODE || t == AttributeType.MP_UNREACH_NLRI_CODE) {
        throw new IllegalArgumentException("attribute type: " + t + " (expected: not MP_REACH/MP_UNREACH_NLRI, "
            + "which the encoder writes per message)");
      }
      PathAttribute replaced = byType.put(t, a);
      if (replaced != null && !replaced.equals(a)) {
        if (t == AttributeType.AS_PATH_CODE) {
          byType.remove(AttributeType.AS4_PATH_CODE);
        } else if (t == AttributeType.AGGREGATOR_CODE) {
          byType.remove(AttributeType.AS4_AGGREGATOR_CODE);
        }
      }
      return this;
    }

    public Builder remove(int typeCode) {
      byType.remove(typeCode);
      return this;
    }

    public Builder origin(Origin origin) {
      return add(origin);
    }

    public Builder asPath(AsPath asPath) {
      return add(asPath);
    }

    /** An AS_SEQUENCE of the given AS numbers (empty: the empty path, for iBGP). */
    public Builder asPath(long... asns) {
      return add(AsPath.sequence(asns));
    }

    /** IPv4: the NEXT_HOP attribute; IPv6: the global next hop of MP_REACH_NLRI. */
    public Builder nextHop(InetAddress address) {
      Objects.requireNonNull(address, "address");
      if (address instanceof Inet4Address) {
        byte[] b = address.getAddress();
        return add(new NextHop((b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF)));
      }
      ipv6NextHop = address.getAddress();
      return this;
    }

    /** The IPv4 NEXT_HOP as a big-endian int. */
    public Builder nextHop(int ipv4) {
      return add(new NextHop(ipv4));
    }

    /** IPv6 global and link-local next hops (RFC 2545 §3): 32 octets in MP_REACH_NLRI. */
    public Builder ipv6NextHop(Inet6Address global, Inet6Address linkLocal) {
      byte[] b = new byte[linkLocal == null ? 16 : 32];
      System.arraycopy(global.getAddress(), 0, b, 0, 16);
      if (linkLocal != null) {
        System.arraycopy(linkLocal.getAddress(), 0, b, 16, 16);
      }
      ipv6NextHop = b;
      return this;
    }

    /** Raw MP_REACH_NLRI next hop for IPv6: 16 or 32 octets (copied). */
    public Builder ipv6NextHop(byte[] nextHop) {
      if (nextHop.length != 16 && nextHop.length != 32) {
        throw new IllegalArgumentException("IPv6 next hop: " + nextHop.length + " octets (expected: 16 or 32)");
      }
      ipv6NextHop = nextHop.clone();
      return this;
    }

    public Builder med(long med) {
      return add(new MultiExitDisc(med));
    }

    public Builder localPref(long localPref) {
      return add(new LocalPref(localPref));
    }

    public Builder atomicAggregate() {
      return add(AtomicAggregate.INSTANCE);
    }

    public Builder aggregator(long asNumber, Inet4Address address) {
      byte[] b = address.getAddress();
      return add(new Aggregator(asNumber, (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF)));
    }

    public Builder communities(Community... communities) {
      return add(new Communities(List.of(communities)));
    }

    public Builder communities(List<Community> communities) {
      return add(new Communities(communities));
    }

    public Builder largeCommunities(LargeCommunity... communities) {
      return add(new LargeCommunities(List.of(communities)));
    }

    public Builder extendedCommunities(ExtendedCommunity... communities) {
      return add(new ExtendedCommunities(List.of(communities)));
    }

    public Builder originatorId(int routerId) {
      return add(new OriginatorId(routerId));
    }

    public Builder clusterList(List<Integer> ids) {
      return add(new ClusterList(ids));
    }

    public Builder onlyToCustomer(long asNumber) {
      return add(new OnlyToCustomer(asNumber));
    }

    /**
     * Builds. Checks that the attributes fit an extended message with room for a prefix; whether they fit a given
     * session's maximum is checked when encoding ({@code UpdateEncoder} throws {@code IllegalArgumentException}).
     */
    public PathAttributes build() {
      partial.retainAll(byType.keySet());
      PathAttributes p = new PathAttributes(new ArrayList<>(byType.values()), ipv6NextHop, partial);
      int worst = Math.max(p.encodedLength(true, true), p.encodedLength(false, true))
          + (ipv6NextHop == null ? 0 : 9 + ipv6NextHop.length);
      if (worst > 65535 - 23 - 21) {
        throw new IllegalArgumentException("path attributes: " + worst
            + " octets (expected: <= 65491, room for a prefix in a 65535-octet UPDATE)");
      }
      return p;
    }
  }

  /** Convenience for prefixes: whether the set can announce {@code prefix} (has the next hop of its family). */
  public boolean canAnnounce(IpPrefix prefix) {
    return prefix.isIpv4() ? hasIpv4NextHop || ipv6NextHop != null : ipv6NextHop != null;
  }
}
