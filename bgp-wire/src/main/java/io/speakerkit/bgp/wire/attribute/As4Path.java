package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * AS4_PATH (RFC 6793 §3), optional transitive, type 17: the AS path with 4-octet AS numbers, sent alongside a
 * 2-octet AS_PATH to speakers without 4-octet AS support. Same segment layout as {@link AsPath}, always 4 octets.
 */
public record As4Path(List<AsPathSegment> segments) implements PathAttribute {

  public As4Path {
    segments = List.copyOf(segments);
  }

  @Override
  public int typeCode() {
    return AttributeType.AS4_PATH_CODE;
  }

  @Override
  public int flags() {
    return AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return AsPath.segmentsLength(segments, 4);
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    AsPath.writeSegments(out, segments, 4);
  }
}
