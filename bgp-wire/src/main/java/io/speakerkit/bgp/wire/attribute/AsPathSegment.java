package io.speakerkit.bgp.wire.attribute;

import java.util.List;

/**
 * One AS_PATH segment (RFC 4271 §4.3; confederation types from RFC 5065 §3): type, count, AS numbers.
 *
 * @param type 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET
 * @param asns 1-255 AS numbers (0-4294967295)
 */
public record AsPathSegment(int type, List<Long> asns) {

  public static final int AS_SET = 1;
  public static final int AS_SEQUENCE = 2;
  public static final int AS_CONFED_SEQUENCE = 3;
  public static final int AS_CONFED_SET = 4;

  public AsPathSegment {
    if (type < 1 || type > 4) {
      throw new IllegalArgumentException("AS_PATH segment type: " + type + " (expected: 1-4)");
    }
    asns = List.copyOf(asns);
    if (asns.isEmpty() || asns.size() > 255) {
      throw new IllegalArgumentException("AS_PATH segment length: " + asns.size() + " (expected: 1-255)");
    }
    for (Long a : asns) {
      if (a < 0 || a > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("AS number: " + a + " (expected: 0-4294967295)");
      }
    }
  }

  /** Whether this is an AS_CONFED_SEQUENCE or AS_CONFED_SET (RFC 5065 §3). */
  public boolean isConfederation() {
    return type == AS_CONFED_SEQUENCE || type == AS_CONFED_SET;
  }

  /** {@code segments} without the confederation ones: what AS4_PATH may carry (RFC 6793 §3). */
  public static List<AsPathSegment> withoutConfederation(List<AsPathSegment> segments) {
    return segments.stream().filter(s -> !s.isConfederation()).toList();
  }

  public static AsPathSegment sequence(long... asns) {
    return new AsPathSegment(AS_SEQUENCE, boxed(asns));
  }

  public static AsPathSegment set(long... asns) {
    return new AsPathSegment(AS_SET, boxed(asns));
  }

  static List<Long> boxed(long[] asns) {
    Long[] b = new Long[asns.length];
    for (int i = 0; i < asns.length; i++) {
      b[i] = asns[i];
    }
    return List.of(b);
  }

  @Override
  public String toString() {
    String body = String.join(" ", asns.stream().map(String::valueOf).toList());
    return switch (type) {
      case AS_SET -> "{" + body + "}";
      case AS_CONFED_SEQUENCE -> "(" + body + ")";
      case AS_CONFED_SET -> "[" + body + "]";
      default -> body;
    };
  }
}
