package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import java.util.List;

/** CLUSTER_LIST (RFC 4456 §8), optional non-transitive, type 10: a non-empty list of 4-octet cluster ids. */
public record ClusterList(List<Integer> clusterIds) implements PathAttribute {

  public ClusterList {
    clusterIds = List.copyOf(clusterIds);
    if (clusterIds.isEmpty() || clusterIds.size() > 16383) {
      throw new IllegalArgumentException("cluster ids: " + clusterIds.size() + " (expected: 1-16383)");
    }
  }

  @Override
  public int typeCode() {
    return AttributeType.CLUSTER_LIST_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.OPTIONAL;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return 4 * clusterIds.size();
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    for (int c : clusterIds) {
      out.writeInt(c);
    }
  }
}
