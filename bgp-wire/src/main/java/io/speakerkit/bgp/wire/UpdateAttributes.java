package io.speakerkit.bgp.wire;

import static io.speakerkit.bgp.wire.capability.FourOctetAsCapability.AS_TRANS;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.attribute.AsPathView;
import io.speakerkit.bgp.wire.attribute.AttributeFlags;
import io.speakerkit.bgp.wire.attribute.AttributeType;
import io.speakerkit.bgp.wire.attribute.ExtendedCommunitiesView;
import io.speakerkit.bgp.wire.attribute.LargeCommunitiesView;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.Uint32ListView;
import io.speakerkit.bgp.wire.attribute.Aggregator;
import io.speakerkit.bgp.wire.attribute.As4Aggregator;
import io.speakerkit.bgp.wire.attribute.As4Path;
import io.speakerkit.bgp.wire.attribute.AsPathSegment;
import io.speakerkit.bgp.wire.attribute.AtomicAggregate;
import io.speakerkit.bgp.wire.attribute.ClusterList;
import io.speakerkit.bgp.wire.attribute.Communities;
import io.speakerkit.bgp.wire.attribute.ExtendedCommunities;
import io.speakerkit.bgp.wire.attribute.LargeCommunities;
import io.speakerkit.bgp.wire.attribute.LocalPref;
import io.speakerkit.bgp.wire.attribute.MultiExitDisc;
import io.speakerkit.bgp.wire.attribute.NextHop;
import io.speakerkit.bgp.wire.attribute.OnlyToCustomer;
import io.speakerkit.bgp.wire.attribute.OriginatorId;
import io.speakerkit.bgp.wire.attribute.PathAttribute;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.attribute.UnknownAttribute;
import io.speakerkit.bgp.wire.attribute.AsPath;
import java.util.ArrayList;
import java.util.List;

/**
 * The path attributes of a received UPDATE, validated in one pass by the decoder and read in place (RFC 4271 §4.3,
 * §5; RFC 7606). Accessors for single values return primitives ({@code -1} or {@code null} when absent); list-like
 * attributes return small views over the buffer. An attribute that was malformed, discarded (RFC 7606
 * "attribute discard") or a later duplicate (RFC 7606 §3.g) reads as absent; {@link UpdateMessage#errors()} says
 * why.
 *
 * <p>Ownership: reads the buffer of the {@link UpdateMessage} it belongs to and is valid exactly as long as that
 * message; it never retains or releases anything. Use {@link #cursor()} to walk all attributes in their received
 * order, including unknown ones.
 */
public final class UpdateAttributes {

  private static final Origin[] ORIGINS = Origin.values();

  /** The message's bytes, and the generation this block was decoded in (reads fail once it has ended). */
  private final MessageBytes bytes;
  private int generation;
  int start;
  int end;
  private boolean fourOctetAs;

  int count;
  int unknownCount;
  /**
   * Bit {@code 1L << type} set for each attribute present after validation (every known type is below 64); the
   * offsets and values below mean nothing without it, so a new message clears one word instead of every field.
   */
  long valid;
  // value offsets (absolute) and lengths
  int origin;
  int asPath;
  int asPathLen;
  int nextHop;
  int med;
  int localPref;
  int aggregator;
  int aggregatorLen;
  int communities;
  int communitiesLen;
  int originatorId;
  int clusterList;
  int clusterListLen;
  int mpReach;
  int mpReachLen;
  AddressFamily mpReachFamily;
  boolean mpReachAddPath;
  /** The next hop length octet of MP_REACH_NLRI, read once by the decoder (the view asks for it on every access). */
  int mpReachNextHopLength;
  int mpUnreach;
  int mpUnreachLen;
  AddressFamily mpUnreachFamily;
  boolean mpUnreachAddPath;
  int extCommunities;
  int extCommunitiesLen;
  int as4Path;
  int as4PathLen;
  int as4Aggregator;
  int largeCommunities;
  int largeCommunitiesLen;
  int onlyToCustomer;
  // values of the fixed-size attributes, read by the decoder with the attribute header (valid when present)
  int originCode;
  // the views handed out, reused with this object (one of each per message)
  private Uint32ListView communitiesView;
  private Uint32ListView clusterListView;
  private ExtendedCommunitiesView extCommunitiesView;
  private LargeCommunitiesView largeCommunitiesView;
  private MpReachView mpReachView;
  private MpUnreachView mpUnreachView;
  int nextHopValue;
  int medValue;
  int localPrefValue;
  int originatorIdValue;
  int onlyToCustomerValue;

  UpdateAttributes(MessageBytes bytes, int start, int end, boolean fourOctetAs) {
    this.bytes = bytes;
    this.generation = bytes.generation();
    this.start = start;
    this.end = end;
    this.fourOctetAs = fourOctetAs;
  }

  /** Re-points this instance at another attribute block (flyweight decoding), forgetting everything else. */
  void reset(int start, int end, boolean fourOctetAs) {
    this.generation = bytes.generation();
    this.start = start;
    this.end = end;
    this.fourOctetAs = fourOctetAs;
    count = 0;
    unknownCount = 0;
    valid = 0;
  }

  /** Number of attributes received (including unknown, discarded and duplicate ones). */
  public int count() {
    return count;
  }

  /** Number of attributes of types this library does not interpret. */
  public int unknownCount() {
    return unknownCount;
  }

  /** Octets of the attribute block. */
  public int totalLength() {
    return end - start;
  }

  /** Whether AS numbers in AS_PATH and AGGREGATOR are 4 octets on this session. */
  public boolean fourOctetAs() {
    return fourOctetAs;
  }

  /** ORIGIN, or null when absent or malformed. */
  public Origin origin() {
    return !present(AttributeType.ORIGIN_CODE) ? null : ORIGINS[originCode];
  }

  public boolean hasAsPath() {
    return present(AttributeType.AS_PATH_CODE);
  }

  /** A new cursor over AS_PATH, or null when absent/malformed. AS numbers are 2 or 4 octets per the session. */
  public AsPathView asPath() {
    return !present(AttributeType.AS_PATH_CODE) ? null
        : new AsPathView(bytes, generation, asPath, asPathLen, fourOctetAs ? 4 : 2);
  }

  /**
   * The leftmost AS of AS_PATH, read without a cursor (for {@link UpdateChecks}): the first of a leading
   * AS_SEQUENCE, or with {@code confederationSequence} also of a leading AS_CONFED_SEQUENCE; -1 otherwise.
   */
  long asPathLeftmostAs(boolean confederationSequence) {
    int asSize = fourOctetAs ? 4 : 2;
    if (!present(AttributeType.AS_PATH_CODE) || asPathLen < 2 + asSize
        || bytes.getUnsignedByte(generation, asPath + 1) == 0) {
      return -1;
    }
    int type = bytes.getUnsignedByte(generation, asPath);
    if (type != AsPathSegment.AS_SEQUENCE && !(confederationSequence && type == AsPathSegment.AS_CONFED_SEQUENCE)) {
      return -1;
    }
    return asSize == 4 ? bytes.getUnsignedInt(generation, asPath + 2) : bytes.getUnsignedShort(generation, asPath + 2);
  }

  /** The type of AS_PATH's first confederation segment (3 or 4), read without a cursor; 0 when there is none. */
  int asPathConfederationSegmentType() {
    if (!present(AttributeType.AS_PATH_CODE)) {
      return 0;
    }
    int asSize = fourOctetAs ? 4 : 2;
    int end = asPath + asPathLen;
    for (int p = asPath; p + 2 <= end; p += 2 + bytes.getUnsignedByte(generation, p + 1) * asSize) {
      int type = bytes.getUnsignedByte(generation, p);
      if (type == AsPathSegment.AS_CONFED_SEQUENCE || type == AsPathSegment.AS_CONFED_SET) {
        return type;
      }
    }
    return 0;
  }

  public boolean hasNextHop() {
    return present(AttributeType.NEXT_HOP_CODE);
  }

  /** NEXT_HOP as a big-endian int; check {@link #hasNextHop()} first (0 when absent). */
  public int nextHopIpv4() {
    return !present(AttributeType.NEXT_HOP_CODE) ? 0 : nextHopValue;
  }

  public boolean hasMed() {
    return present(AttributeType.MULTI_EXIT_DISC_CODE);
  }

  /** MULTI_EXIT_DISC, unsigned, or -1 when absent. */
  public long med() {
    return !present(AttributeType.MULTI_EXIT_DISC_CODE) ? -1 : medValue & 0xFFFF_FFFFL;
  }

  public boolean hasLocalPref() {
    return present(AttributeType.LOCAL_PREF_CODE);
  }

  /** LOCAL_PREF, unsigned, or -1 when absent (always absent from eBGP peers, RFC 7606 §7.5). */
  public long localPref() {
    return !present(AttributeType.LOCAL_PREF_CODE) ? -1 : localPrefValue & 0xFFFF_FFFFL;
  }

  public boolean atomicAggregate() {
    return present(AttributeType.ATOMIC_AGGREGATE_CODE);
  }

  public boolean hasAggregator() {
    return present(AttributeType.AGGREGATOR_CODE);
  }

  /** AGGREGATOR's AS (2 or 4 octets per the session), or -1. */
  public long aggregatorAs() {
    if (!present(AttributeType.AGGREGATOR_CODE)) {
      return -1;
    }
    return aggregatorLen == 8 ? bytes.getUnsignedInt(generation, aggregator)
        : bytes.getUnsignedShort(generation, aggregator);
  }

  /** AGGREGATOR's IPv4 address as a big-endian int (0 when absent). */
  public int aggregatorAddress() {
    return !present(AttributeType.AGGREGATOR_CODE) ? 0 : bytes.getInt(generation, aggregator + aggregatorLen - 4);
  }

  /** COMMUNITIES as a view (the same instance on every call), or null when absent. */
  public Uint32ListView communities() {
    return !present(AttributeType.COMMUNITIES_CODE) ? null
        : (communitiesView = Uint32ListView.reuse(communitiesView, bytes, generation, communities, communitiesLen));
  }

  public boolean hasOriginatorId() {
    return present(AttributeType.ORIGINATOR_ID_CODE);
  }

  /** ORIGINATOR_ID as a big-endian int (0 when absent). */
  public int originatorId() {
    return !present(AttributeType.ORIGINATOR_ID_CODE) ? 0 : originatorIdValue;
  }

  /** CLUSTER_LIST as a view (the same instance on every call), or null when absent. */
  public Uint32ListView clusterList() {
    return !present(AttributeType.CLUSTER_LIST_CODE) ? null
        : (clusterListView = Uint32ListView.reuse(clusterListView, bytes, generation, clusterList, clusterListLen));
  }

  /** EXTENDED_COMMUNITIES as a view (the same instance on every call), or null. */
  public ExtendedCommunitiesView extendedCommunities() {
    return !present(AttributeType.EXTENDED_COMMUNITIES_CODE) ? null : (extCommunitiesView =
        ExtendedCommunitiesView.reuse(extCommunitiesView, bytes, generation, extCommunities,
            extCommunitiesLen));
  }

  /** LARGE_COMMUNITY as a view (the same instance on every call), or null. */
  public LargeCommunitiesView largeCommunities() {
    return !present(AttributeType.LARGE_COMMUNITY_CODE) ? null : (largeCommunitiesView =
        LargeCommunitiesView.reuse(largeCommunitiesView, bytes, generation, largeCommunities,
            largeCommunitiesLen));
  }

  /** AS4_PATH (only kept on 2-octet sessions, RFC 6793 §4.2.3), or null. */
  public AsPathView as4Path() {
    return !present(AttributeType.AS4_PATH_CODE) ? null : new AsPathView(bytes, generation, as4Path, as4PathLen, 4);
  }

  public boolean hasAs4Aggregator() {
    return present(AttributeType.AS4_AGGREGATOR_CODE);
  }

  public long as4AggregatorAs() {
    return !present(AttributeType.AS4_AGGREGATOR_CODE) ? -1 : bytes.getUnsignedInt(generation, as4Aggregator);
  }

  public int as4AggregatorAddress() {
    return !present(AttributeType.AS4_AGGREGATOR_CODE) ? 0 : bytes.getInt(generation, as4Aggregator + 4);
  }

  public boolean hasOnlyToCustomer() {
    return present(AttributeType.ONLY_TO_CUSTOMER_CODE);
  }

  /** ONLY_TO_CUSTOMER's AS (RFC 9234 §5), or -1. */
  public long onlyToCustomer() {
    return !present(AttributeType.ONLY_TO_CUSTOMER_CODE) ? -1 : onlyToCustomerValue & 0xFFFF_FFFFL;
  }

  public boolean hasMpReach() {
    return present(AttributeType.MP_REACH_NLRI_CODE);
  }

  /**
   * MP_REACH_NLRI as a view (this message's, the same instance on every call), or null (also null when malformed:
   * see the AFI/SAFI disable error).
   */
  public MpReachView mpReach() {
    if (!present(AttributeType.MP_REACH_NLRI_CODE)) {
      return null;
    }
    MpReachView v = mpReachView;
    return mpReachView = v == null
        ? new MpReachView(bytes, generation, mpReach, mpReachLen, mpReachFamily, mpReachAddPath, mpReachNextHopLength)
        : v.over(bytes, generation, mpReach, mpReachLen, mpReachFamily, mpReachAddPath, mpReachNextHopLength);
  }

  public boolean hasMpUnreach() {
    return present(AttributeType.MP_UNREACH_NLRI_CODE);
  }

  /** MP_UNREACH_NLRI as a view (this message's, the same instance on every call), or null. */
  public MpUnreachView mpUnreach() {
    if (!present(AttributeType.MP_UNREACH_NLRI_CODE)) {
      return null;
    }
    MpUnreachView v = mpUnreachView;
    return mpUnreachView = v == null
        ? new MpUnreachView(bytes, generation, mpUnreach, mpUnreachLen, mpUnreachFamily, mpUnreachAddPath)
        : v.over(bytes, generation, mpUnreach, mpUnreachLen, mpUnreachFamily, mpUnreachAddPath);
  }

  /** A cursor over every attribute in received order, including unknown, discarded and duplicate ones. */
  public AttributeCursor cursor() {
    return new AttributeCursor(bytes, generation, start, end);
  }

  /** Whether the value of {@code type} is present (after validation). */
  public boolean has(int type) {
    return type >= 0 && type < 64 && present(type);
  }
  /** Whether attribute {@code type} (a known type, below 64) is present after validation. */
  boolean present(int type) {
    return (valid & (1L << type)) != 0;
  }

  /** Whether the valid attribute {@code type} is the one whose value starts at {@code valueOffset}. */
  private boolean at(int type, int valueOffset, int offset) {
    return present(type) && valueOffset == offset;
  }


  /**
   * The valid attributes as values (allocates; for users who do not need zero-copy): every attribute that is
   * present after validation, plus unknown attributes with their flags and bytes, in received order. MP_REACH_NLRI
   * and MP_UNREACH_NLRI are not path attributes in this sense and are left out; an IPv6 next hop from
   * MP_REACH_NLRI becomes the IPv6 next hop of the result.
   */
  public List<PathAttribute> toList() {
    List<PathAttribute> out = new ArrayList<>(count);
    AttributeCursor c = cursor();
    while (c.next()) {
      int t = c.type();
      int v = c.valueOffset();
      PathAttribute a = switch (t) {
        case 1 -> at(t, v, origin) ? origin() : null;
        case 2 -> at(t, v, asPath) ? new AsPath(asPath().toSegments()) : null;
        case 3 -> at(t, v, nextHop) ? new NextHop(nextHopIpv4()) : null;
        case 4 -> at(t, v, med) ? new MultiExitDisc(med()) : null;
        case 5 -> at(t, v, localPref) ? new LocalPref(localPref()) : null;
        case 6 -> present(t) && c.valueLength() == 0 && firstOf(6, c) ? AtomicAggregate.INSTANCE : null;
        case 7 -> at(t, v, aggregator) ? new Aggregator(aggregatorAs(), aggregatorAddress()) : null;
        case 8 -> at(t, v, communities) ? new Communities(communities().toCommunities()) : null;
        case 9 -> at(t, v, originatorId) ? new OriginatorId(originatorId()) : null;
        case 10 -> at(t, v, clusterList) ? new ClusterList(clusterList().toList()) : null;
        case 14, 15 -> null;
        case 16 -> at(t, v, extCommunities) ? new ExtendedCommunities(extendedCommunities().toList()) : null;
        case 17 -> at(t, v, as4Path) ? new As4Path(as4Path().toSegments()) : null;
        case 18 -> at(t, v, as4Aggregator) ? new As4Aggregator(as4AggregatorAs(), as4AggregatorAddress()) : null;
        case 32 -> at(t, v, largeCommunities) ? new LargeCommunities(largeCommunities().toList()) : null;
        case 35 -> at(t, v, onlyToCustomer) ? new OnlyToCustomer(onlyToCustomer()) : null;
        // RFC 7606 §3.g: of an unknown attribute received more than once, the first is kept
        default -> AttributeType.valueOf(t).isKnown() || !firstOf(t, c) ? null
            : new UnknownAttribute(c.flags(), t, c.copyValue());
      };
      if (a != null) {
        out.add(a);
      }
    }
    return out;
  }

  private boolean firstOf(int type, AttributeCursor at) {
    AttributeCursor c = cursor();
    while (c.next()) {
      if (c.type() == type) {
        return c.valueOffset() == at.valueOffset();
      }
    }
    return false;
  }

  /**
   * The valid attributes as a {@link PathAttributes} (allocates), with the IPv6 next hop of MP_REACH_NLRI (16 or 32
   * octets; IPv6 NLRI, or IPv4 NLRI under extended next hop). Unknown attributes keep their flags; call
   * {@link PathAttributes#forPropagation()} before passing them on.
   */
  public PathAttributes toPathAttributes() {
    byte[] v6 = null;
    MpReachView r = mpReach();
    // an IPv6 next hop: of IPv6 NLRI, or of IPv4 NLRI under extended next hop (RFC 8950 §3, checked on decoding)
    if (r != null && (r.nextHopLength() == 16 || r.nextHopLength() == 32)) {
      v6 = r.nextHopBytes();
    }
    List<PathAttribute> list = toList();
    if (r != null && r.nextHopLength() == 4 && !present(AttributeType.NEXT_HOP_CODE)) {
      // IPv4 NLRI in MP_REACH_NLRI with an IPv4 next hop (RFC 4760 §3), no NEXT_HOP: the route's next hop all the same
      list = new ArrayList<>(list);
      list.add(new NextHop(r.nextHopIpv4()));
    }
    // RFC 4271 §5: a Partial bit received on an attribute we know is passed on (unknown ones keep their flags anyway)
    List<Integer> partial = new ArrayList<>(0);
    AttributeCursor c = cursor();
    while (c.next()) {
      if ((c.flags() & AttributeFlags.PARTIAL) != 0 && c.type() < 64 && present(c.type())) {
        partial.add(c.type());
      }
    }
    return PathAttributes.of(list, v6, partial);
  }

  /**
   * The AS path to use (RFC 6793 §4.2.3): on a 2-octet session with a valid AS4_PATH, the AS_PATH's leading AS
   * numbers beyond the AS4_PATH's length followed by the AS4_PATH without confederation segments; otherwise the
   * AS_PATH, also when an AGGREGATOR names an AS other than AS_TRANS. Null without AS_PATH. Allocates.
   */
  public AsPath effectiveAsPath() {
    if (!present(AttributeType.AS_PATH_CODE)) {
      return null;
    }
    AsPath path = asPath().toAsPath();
    if (fourOctetAs || !present(AttributeType.AS4_PATH_CODE)) {
      return path;
    }
    if (present(AttributeType.AGGREGATOR_CODE) && aggregatorAs() != AS_TRANS) {
      // RFC 6793 §4.2.3: an AGGREGATOR from a 2-octet speaker with a real AS number: AS4_PATH is ignored.
      return path;
    }
    return path.withAs4Path(as4Path().toSegments());
  }

  /** A raw walk over the attributes of the block, in received order. Does not own the buffer. */
  public static final class AttributeCursor {
    private final MessageBytes bytes;
    private final int generation;
    private final int end;
    private int pos;
    private int flags;
    private int type;
    private int headerOffset;
    private int valueOffset;
    private int valueLength;

    AttributeCursor(MessageBytes bytes, int generation, int start, int end) {
      this.bytes = bytes;
      this.generation = generation;
      this.pos = start;
      this.end = end;
    }

    /** Next attribute; false at the end of the block or where an attribute would overrun it. */
    public boolean next() {
      int p = pos;
      if (end - p < 3) {
        return false;
      }
      int f = bytes.getUnsignedByte(generation, p);
      int hl = (f & AttributeFlags.EXTENDED_LENGTH) != 0 ? 4 : 3;
      if (end - p < hl) {
        return false;
      }
      int len = hl == 4 ? bytes.getUnsignedShort(generation, p + 2) : bytes.getUnsignedByte(generation, p + 2);
      if (len > end - p - hl) {
        return false;
      }
      flags = f;
      type = bytes.getUnsignedByte(generation, p + 1);
      headerOffset = p;
      valueOffset = p + hl;
      valueLength = len;
      pos = p + hl + len;
      return true;
    }

    /** All eight flag bits as received. */
    public int flags() {
      return flags;
    }

    public int type() {
      return type;
    }

    /** Absolute index of the attribute's flags octet in the message buffer. */
    public int headerOffset() {
      return headerOffset;
    }

    /** Absolute index of the value. */
    public int valueOffset() {
      return valueOffset;
    }

    public int valueLength() {
      return valueLength;
    }

    /** The value as a slice sharing the message's memory (not retained: do not release, do not keep). */
    public ByteBuf value() {
      return bytes.buffer(generation).slice(valueOffset, valueLength);
    }

    /** A copy of the value. */
    public byte[] copyValue() {
      byte[] b = new byte[valueLength];
      bytes.buffer(generation).getBytes(valueOffset, b);
      return b;
    }

    /** A copy of the whole attribute (flags, type, length, value): the data of an RFC 4271 §6.3 NOTIFICATION. */
    public byte[] copyAttribute() {
      byte[] b = new byte[valueOffset + valueLength - headerOffset];
      bytes.buffer(generation).getBytes(headerOffset, b);
      return b;
    }
  }
}
