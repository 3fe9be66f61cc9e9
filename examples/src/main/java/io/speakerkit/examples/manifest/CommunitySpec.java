package io.speakerkit.examples.manifest;

import java.util.LinkedHashMap;
import java.util.Map;

/** MetalLB {@code Community} (metallb.io/v1beta1): aliases usable in BGPAdvertisement communities. */
public record CommunitySpec(ObjectRef ref, Map<String, String> aliases) {

  /** A community as MetalLB's community.New takes it: decimal digits only (strconv.ParseUint), no sign, no blank. */
  private static final java.util.regex.Pattern DIGITS = java.util.regex.Pattern.compile("(large:)?[0-9]+(:[0-9]+)+");

  /**
   * A community value as MetalLB reads it: a {@link io.speakerkit.bgp.wire.attribute.LargeCommunity} for
   * {@code large:G:L1:L2}, else a {@link io.speakerkit.bgp.wire.attribute.Community} (A:B or a well-known name).
   *
   * @throws IllegalArgumentException if it is neither
   */
  static Object parse(String value) {
    if (value.indexOf(':') >= 0 && !DIGITS.matcher(value).matches()) {
      throw new IllegalArgumentException(value);
    }
    return value.startsWith("large:")
        ? io.speakerkit.bgp.wire.attribute.LargeCommunity.parse(value.substring("large:".length()))
        : io.speakerkit.bgp.wire.attribute.Community.parse(value);
  }

  static CommunitySpec read(ObjectRef ref, Node spec) {
    Map<String, String> aliases = new LinkedHashMap<>();
    for (Node c : spec.children("communities")) {
      String name = c.requiredString("name");
      String value = c.requiredString("value");
      try { // MetalLB (communitiesFromCrs) parses every alias value, used or not
        parse(value);
      } catch (IllegalArgumentException e) {
        throw c.error("value", "\"" + value + "\" of alias \"" + name + "\" (expected: A:B with 16-bit values or"
            + " large:G:L1:L2 with 32-bit values)");
      }
      if (aliases.put(name, value) != null) {
        throw c.error("name", "duplicate community alias \"" + name + "\"");
      }
    }
    return new CommunitySpec(ref, Map.copyOf(aliases));
  }
}
