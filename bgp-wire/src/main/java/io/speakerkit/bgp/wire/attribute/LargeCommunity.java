package io.speakerkit.bgp.wire.attribute;

/** A large community (RFC 8092 §3): three 4-octet unsigned values, written {@code GA:LD1:LD2}. */
public record LargeCommunity(long globalAdministrator, long localData1, long localData2) {

  public LargeCommunity {
    check(globalAdministrator, "global administrator");
    check(localData1, "local data part 1");
    check(localData2, "local data part 2");
  }

  private static void check(long v, String what) {
    if (v < 0 || v > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(what + ": " + v + " (expected: 0-4294967295)");
    }
  }

  /** Parses "GA:LD1:LD2". */
  public static LargeCommunity parse(String text) {
    String[] p = text.trim().split(":", -1);
    if (p.length != 3) {
      throw new IllegalArgumentException("large community: " + text + " (expected: GA:LD1:LD2)");
    }
    try {
      return new LargeCommunity(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("large community: " + text + " (expected: GA:LD1:LD2)");
    }
  }

  @Override
  public String toString() {
    return globalAdministrator + ":" + localData1 + ":" + localData2;
  }
}
