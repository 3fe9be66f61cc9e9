package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * AS_PATH (RFC 4271 §5.1.2, §4.3), well-known mandatory, type 2: a sequence of segments
 *
 * <pre>
 * +--------------------+-------------------+--------------------------------+
 * | segment type (1)   | segment length (1)| AS numbers (2 or 4 octets each) |
 * +--------------------+-------------------+--------------------------------+
 * </pre>
 *
 * AS numbers are 4 octets when both speakers support 4-octet AS (RFC 6793 §4.1), 2 octets otherwise: then AS
 * numbers above 65535 are written as AS_TRANS and {@link PathAttributes} adds the matching {@link As4Path}.
 */
public record AsPath(List<AsPathSegment> segments) implements PathAttribute {

  public static final AsPath EMPTY = new AsPath(List.of());

  public AsPath {
    segments = List.copyOf(segments);
  }

  /** A single AS_SEQUENCE (split into segments of at most 255). Empty input gives the empty path. */
  public static AsPath sequence(long... asns) {
    List<AsPathSegment> segs = new ArrayList<>();
    for (int i = 0; i < asns.length; i += 255) {
      long[] part = java.util.Arrays.copyOfRange(asns, i, Math.min(asns.length, i + 255));
      segs.add(AsPathSegment.sequence(part));
    }
    return new AsPath(segs);
  }

  /**
   * The AS path of a route from a 2-octet AS speaker (RFC 6793 §4.2.3), this being its AS_PATH: this path's leading
   * AS numbers beyond the length of {@code as4Path} (the route's AS4_PATH), followed by {@code as4Path} without its
   * confederation segments (invalid there, RFC 6793 §3). When the AS4_PATH is the longer, it is ignored and this path
   * returned. The caller checks the AGGREGATOR rule of §4.2.3 first. Allocates.
   */
  public AsPath withAs4Path(List<AsPathSegment> as4Path) {
    // RFC 6793 §3: confederation segments are invalid in AS4_PATH; they are discarded and the rest used.
    AsPath as4 = new AsPath(AsPathSegment.withoutConfederation(as4Path));
    int n = pathLength();
    int n4 = as4.pathLength();
    if (n < n4) {
      // RFC 6793 §4.2.3: AS4_PATH longer than AS_PATH: ignore AS4_PATH.
      return this;
    }
    // keep the first (n - n4) AS numbers of AS_PATH (counting as RFC 4271 path length does), then AS4_PATH
    List<AsPathSegment> segs = new ArrayList<>();
    int keep = n - n4;
    for (AsPathSegment s : segments) {
      if (keep <= 0 && !s.isConfederation()) {
        break; // leading confederation segments stay even when AS4_PATH is as long as AS_PATH (RFC 6793 §4.2.3)
      }
      if (s.type() == AsPathSegment.AS_SEQUENCE) {
        int take = Math.min(keep, s.asns().size());
        segs.add(new AsPathSegment(s.type(), s.asns().subList(0, take)));
        keep -= take;
      } else if (s.type() == AsPathSegment.AS_SET) {
        segs.add(s);
        keep--;
      } else {
        segs.add(s);
      }
    }
    List<AsPathSegment> tail = as4.segments();
    int last = segs.size() - 1;
    if (last >= 0 && !tail.isEmpty() && tail.get(0).type() == AsPathSegment.AS_SEQUENCE
        && segs.get(last).type() == AsPathSegment.AS_SEQUENCE
        && segs.get(last).asns().size() + tail.get(0).asns().size() <= 255) {
      // the older speakers prepended to the AS4_PATH's first sequence: where the two parts meet, it is one sequence
      List<Long> joined = new ArrayList<>(segs.get(last).asns());
      joined.addAll(tail.get(0).asns());
      segs.set(last, new AsPathSegment(AsPathSegment.AS_SEQUENCE, joined));
      tail = tail.subList(1, tail.size());
    }
    segs.addAll(tail);
    return new AsPath(segs);
  }

  /** RFC 4271 §9.1.2.2 a: path length, an AS_SET counts 1, confederation segments 0 (RFC 5065 §5.3). */
  public int pathLength() {
    int n = 0;
    for (AsPathSegment s : segments) {
      n += switch (s.type()) {
        case AsPathSegment.AS_SEQUENCE -> s.asns().size();
        case AsPathSegment.AS_SET -> 1;
        default -> 0;
      };
    }
    return n;
  }

  /** Whether any AS number needs 4 octets. */
  public boolean hasFourOctetAs() {
    for (AsPathSegment s : segments) {
      for (long a : s.asns()) {
        if (a > 0xFFFF) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public int typeCode() {
    return AttributeType.AS_PATH_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return segmentsLength(segments, fourOctetAs ? 4 : 2);
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    writeSegments(out, segments, fourOctetAs ? 4 : 2);
  }

  static int segmentsLength(List<AsPathSegment> segments, int asSize) {
    int n = 0;
    for (AsPathSegment s : segments) {
      n += 2 + asSize * s.asns().size();
    }
    return n;
  }

  static void writeSegments(ByteBuf out, List<AsPathSegment> segments, int asSize) {
    for (AsPathSegment s : segments) {
      out.writeByte(s.type());
      out.writeByte(s.asns().size());
      for (long a : s.asns()) {
        if (asSize == 4) {
          out.writeInt((int) a);
        } else {
          // RFC 6793 §4.2.2: an AS number that does not fit 2 octets is replaced by AS_TRANS.
          out.writeShort(a > 0xFFFF ? 23456 : (int) a);
        }
      }
    }
  }

  @Override
  public String toString() {
    return String.join(" ", segments.stream().map(AsPathSegment::toString).toList());
  }
}
