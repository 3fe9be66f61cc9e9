package io.speakerkit.bgp.wire.attribute;

/** Path attribute type codes (IANA "BGP Path Attributes"). Open code point. */
public record AttributeType(int value) {

  public static final int ORIGIN_CODE = 1;
  public static final int AS_PATH_CODE = 2;
  public static final int NEXT_HOP_CODE = 3;
  public static final int MULTI_EXIT_DISC_CODE = 4;
  public static final int LOCAL_PREF_CODE = 5;
  public static final int ATOMIC_AGGREGATE_CODE = 6;
  public static final int AGGREGATOR_CODE = 7;
  public static final int COMMUNITIES_CODE = 8;
  public static final int ORIGINATOR_ID_CODE = 9;
  public static final int CLUSTER_LIST_CODE = 10;
  public static final int MP_REACH_NLRI_CODE = 14;
  public static final int MP_UNREACH_NLRI_CODE = 15;
  public static final int EXTENDED_COMMUNITIES_CODE = 16;
  public static final int AS4_PATH_CODE = 17;
  public static final int AS4_AGGREGATOR_CODE = 18;
  public static final int LARGE_COMMUNITY_CODE = 32;
  public static final int ONLY_TO_CUSTOMER_CODE = 35;

  /** RFC 4271 §5.1.1. */
  public static final AttributeType ORIGIN = new AttributeType(1);
  /** RFC 4271 §5.1.2. */
  public static final AttributeType AS_PATH = new AttributeType(2);
  /** RFC 4271 §5.1.3. */
  public static final AttributeType NEXT_HOP = new AttributeType(3);
  /** RFC 4271 §5.1.4. */
  public static final AttributeType MULTI_EXIT_DISC = new AttributeType(4);
  /** RFC 4271 §5.1.5. */
  public static final AttributeType LOCAL_PREF = new AttributeType(5);
  /** RFC 4271 §5.1.6. */
  public static final AttributeType ATOMIC_AGGREGATE = new AttributeType(6);
  /** RFC 4271 §5.1.7. */
  public static final AttributeType AGGREGATOR = new AttributeType(7);
  /** RFC 1997. */
  public static final AttributeType COMMUNITIES = new AttributeType(8);
  /** RFC 4456 §8. */
  public static final AttributeType ORIGINATOR_ID = new AttributeType(9);
  /** RFC 4456 §8. */
  public static final AttributeType CLUSTER_LIST = new AttributeType(10);
  /** RFC 4760 §3. */
  public static final AttributeType MP_REACH_NLRI = new AttributeType(14);
  /** RFC 4760 §4. */
  public static final AttributeType MP_UNREACH_NLRI = new AttributeType(15);
  /** RFC 4360 §2. */
  public static final AttributeType EXTENDED_COMMUNITIES = new AttributeType(16);
  /** RFC 6793 §3. */
  public static final AttributeType AS4_PATH = new AttributeType(17);
  /** RFC 6793 §3. */
  public static final AttributeType AS4_AGGREGATOR = new AttributeType(18);
  /** RFC 8092 §3. */
  public static final AttributeType LARGE_COMMUNITY = new AttributeType(32);
  /** RFC 9234 §5. */
  public static final AttributeType ONLY_TO_CUSTOMER = new AttributeType(35);

  public AttributeType {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("attribute type: " + value + " (expected: 0-255)");
    }
  }

  public static AttributeType valueOf(int value) {
    return switch (value) {
      case 1 -> ORIGIN;
      case 2 -> AS_PATH;
      case 3 -> NEXT_HOP;
      case 4 -> MULTI_EXIT_DISC;
      case 5 -> LOCAL_PREF;
      case 6 -> ATOMIC_AGGREGATE;
      case 7 -> AGGREGATOR;
      case 8 -> COMMUNITIES;
      case 9 -> ORIGINATOR_ID;
      case 10 -> CLUSTER_LIST;
      case 14 -> MP_REACH_NLRI;
      case 15 -> MP_UNREACH_NLRI;
      case 16 -> EXTENDED_COMMUNITIES;
      case 17 -> AS4_PATH;
      case 18 -> AS4_AGGREGATOR;
      case 32 -> LARGE_COMMUNITY;
      case 35 -> ONLY_TO_CUSTOMER;
      default -> new AttributeType(value);
    };
  }

  /** Whether this library interprets the type. */
  public boolean isKnown() {
    return expectedFlags(value) >= 0;
  }

  /**
   * The Optional and Transitive bits a known attribute must carry (RFC 4271 §4.3, §5 and each attribute's RFC), or
   * -1 for unknown types.
   */
  public static int expectedFlags(int type) {
    return switch (type) {
      case 1, 2, 3, 5, 6 -> AttributeFlags.TRANSITIVE;
      case 4, 9, 10, 14, 15 -> AttributeFlags.OPTIONAL;
      case 7, 8, 16, 17, 18, 32, 35 -> AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
      default -> -1;
    };
  }

  @Override
  public String toString() {
    return switch (value) {
      case 1 -> "ORIGIN";
      case 2 -> "AS_PATH";
      case 3 -> "NEXT_HOP";
      case 4 -> "MULTI_EXIT_DISC";
      case 5 -> "LOCAL_PREF";
      case 6 -> "ATOMIC_AGGREGATE";
      case 7 -> "AGGREGATOR";
      case 8 -> "COMMUNITIES";
      case 9 -> "ORIGINATOR_ID";
      case 10 -> "CLUSTER_LIST";
      case 14 -> "MP_REACH_NLRI";
      case 15 -> "MP_UNREACH_NLRI";
      case 16 -> "EXTENDED_COMMUNITIES";
      case 17 -> "AS4_PATH";
      case 18 -> "AS4_AGGREGATOR";
      case 32 -> "LARGE_COMMUNITY";
      case 35 -> "ONLY_TO_CUSTOMER";
      default -> "ATTR(" + value + ")";
    };
  }
}
