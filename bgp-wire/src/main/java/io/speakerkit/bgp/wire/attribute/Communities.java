package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import java.util.List;

/** COMMUNITIES (RFC 1997), optional transitive, type 8: a non-empty list of 4-octet communities. */
public record Communities(List<Community> communities) implements PathAttribute {

  public Communities {
    communities = List.copyOf(communities);
    if (communities.isEmpty() || communities.size() > 16383) {
      throw new IllegalArgumentException("communities: " + communities.size() + " (expected: 1-16383)");
    }
  }

  public static Communities of(Community... cs) {
    return new Communities(List.of(cs));
  }

  @Override
  public int typeCode() {
    return AttributeType.COMMUNITIES_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 4 * communities.size();
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    for (Community c : communities) {
      out.writeInt(c.value());
    }
  }
}
