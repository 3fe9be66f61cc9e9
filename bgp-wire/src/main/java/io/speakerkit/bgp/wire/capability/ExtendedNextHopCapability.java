package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.Afi;
import io.speakerkit.bgp.wire.AddressFamily;
import java.util.List;
import java.util.Objects;

/**
 * Extended Next Hop Encoding capability (RFC 8950 §3), code 5, one tuple per (NLRI family, next-hop AFI):
 *
 * <pre>
 * +-----------------------------------------------------+
 * | NLRI AFI - 1 (2 octets)                             |
 * +-----------------------------------------------------+
 * | NLRI SAFI - 1 (2 octets)                            |
 * +-----------------------------------------------------+
 * | Nexthop AFI - 1 (2 octets)                          |
 * +-----------------------------------------------------+
 * | ....                                                |
 * </pre>
 */
public record ExtendedNextHopCapability(List<Entry> entries) implements Capability {

  /** One tuple. The SAFI is 2 octets on the wire here; values above 255 are not representable and rejected. */
  public record Entry(AddressFamily nlriFamily, Afi nextHopAfi) {
    public Entry {
      Objects.requireNonNull(nlriFamily, "nlriFamily");
      Objects.requireNonNull(nextHopAfi, "nextHopAfi");
    }
  }

  public ExtendedNextHopCapability {
    entries = List.copyOf(entries);
    if (entries.size() > 42) {
      throw new IllegalArgumentException("extended next hop entries: " + entries.size() + " (expected: <= 42)");
    }
  }

  @Override
  public int code() {
    return 5;
  }

  @Override
  public int valueLength() {
    return 6 * entries.size();
  }

  @Override
  public void writeValue(ByteBuf out) {
    for (Entry e : entries) {
      out.writeShort(e.nlriFamily.afi().value());
      out.writeShort(e.nlriFamily.safi().value());
      out.writeShort(e.nextHopAfi.value());
    }
  }
}
