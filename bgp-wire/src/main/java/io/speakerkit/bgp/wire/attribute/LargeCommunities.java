package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * LARGE_COMMUNITY (RFC 8092 §3), optional transitive, type 32: a non-empty list of 12-octet communities, each once
 * (RFC 8092 §5: duplicates are not sent, and a receiver removes them), in the order first given.
 */
public record LargeCommunities(List<LargeCommunity> communities) implements PathAttribute {

  public LargeCommunities {
    communities = List.copyOf(new java.util.LinkedHashSet<>(communities));
    if (communities.isEmpty() || communities.size() > 5461) {
      throw new IllegalArgumentException("large communities: " + communities.size() + " (expected: 1-5461)");
    }
  }

  @Override
  public int typeCode() {
    return AttributeType.LARGE_COMMUNITY_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 12 * communities.size();
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    for (LargeCommunity c : communities) {
      out.writeInt((int) c.globalAdministrator());
      out.writeInt((int) c.localData1());
      out.writeInt((int) c.localData2());
    }
  }
}
