package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import java.util.List;

/** EXTENDED_COMMUNITIES (RFC 4360 §2), optional transitive, type 16: a non-empty list of 8-octet communities. */
public record ExtendedCommunities(List<ExtendedCommunity> communities) implements PathAttribute {

  public ExtendedCommunities {
    communities = List.copyOf(communities);
    if (communities.isEmpty() || communities.size() > 8191) {
      throw new IllegalArgumentException("extended communities: " + communities.size() + " (expected: 1-8191)");
    }
  }

  @Override
  public int typeCode() {
    return AttributeType.EXTENDED_COMMUNITIES_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 8 * communities.size();
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    for (ExtendedCommunity c : communities) {
      out.writeLong(c.value());
    }
  }
}
