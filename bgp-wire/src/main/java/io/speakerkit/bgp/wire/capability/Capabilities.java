package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.Afi;
import io.speakerkit.bgp.wire.BgpDecodeException;
import io.speakerkit.bgp.wire.OpenMessageErrorSubcode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes the capability list of a Capabilities optional parameter (RFC 5492 §4). Stateless. */
public final class Capabilities {

  private Capabilities() {
  }

  /**
   * Decodes the capabilities in {@code [from, to)} of {@code buf} (absolute indices; the buffer is neither consumed
   * nor released: the caller owns it). Capability values are copied; the result does not reference {@code buf}.
   *
   * @throws BgpDecodeException OPEN Message Error / Unspecific (RFC 4271 §6.2: a recognized optional parameter that
   *     is malformed) when a capability overruns the parameter or a known capability has an impossible length
   */
  public static List<Capability> decode(ByteBuf buf, int from, int to) {
    List<Capability> out = new ArrayList<>(8);
    int p = from;
    while (p < to) {
      if (to - p < 2) {
        throw malformed("capability header: " + (to - p) + " octets left (expected: >= 2)");
      }
      int code = buf.getUnsignedByte(p);
      int len = buf.getUnsignedByte(p + 1);
      p += 2;
      if (len > to - p) {
        throw malformed("capability " + code + " length: " + len + " (expected: <= " + (to - p) + ")");
      }
      out.add(decodeOne(buf, code, p, len));
      p += len;
    }
    return out;
  }

  private static Capability decodeOne(ByteBuf b, int code, int p, int len) {
    switch (code) {
      // Lengths FRR lets pass (bgp_open.c bgp_capability_parse: cap_minsizes / cap_modsizes) but that are not the
      // capability's encoding are kept as unknown capabilities rather than refusing the OPEN: a Multiprotocol
      // capability of 4n octets, the flag capabilities with data.
      case 1 -> {
        if (len > 4 && len % 4 == 0) {
          return new UnknownCapability(code, bytes(b, p, len));
        }
        expectLength(code, len, len == 4, "4");
        return new MultiprotocolCapability(AddressFamily.of(b.getUnsignedShort(p), b.getUnsignedByte(p + 3)));
      }
      case 2 -> {
        return len == 0 ? RouteRefreshCapability.INSTANCE : new UnknownCapability(code, bytes(b, p, len));
      }
      case 70 -> {
        return len == 0 ? EnhancedRouteRefreshCapability.INSTANCE : new UnknownCapability(code, bytes(b, p, len));
      }
      case 6 -> {
        return len == 0 ? ExtendedMessageCapability.INSTANCE : new UnknownCapability(code, bytes(b, p, len));
      }
      case 65 -> {
        expectLength(code, len, len == 4, "4");
        return new FourOctetAsCapability(b.getUnsignedInt(p));
      }
      case 9 -> {
        expectLength(code, len, len == 1, "1");
        return new RoleCapability(b.getUnsignedByte(p));
      }
      case 64 -> {
        expectLength(code, len, len >= 2 && (len - 2) % 4 == 0, "2 + 4n");
        int hdr = b.getUnsignedShort(p);
        List<GracefulRestartCapability.Family> fs = new ArrayList<>((len - 2) / 4);
        for (int q = p + 2; q < p + len; q += 4) {
          fs.add(new GracefulRestartCapability.Family(
              AddressFamily.of(b.getUnsignedShort(q), b.getUnsignedByte(q + 2)), b.getUnsignedByte(q + 3)));
        }
        return new GracefulRestartCapability(hdr >>> 12, hdr & 0xFFF, fs);
      }
      case 69 -> {
        expectLength(code, len, len % 4 == 0, "4n");
        List<AddPathCapability.Family> fs = new ArrayList<>(len / 4);
        for (int q = p; q < p + len; q += 4) {
          fs.add(new AddPathCapability.Family(
              AddressFamily.of(b.getUnsignedShort(q), b.getUnsignedByte(q + 2)), b.getUnsignedByte(q + 3)));
        }
        return new AddPathCapability(fs);
      }
      case 5 -> {
        expectLength(code, len, len % 6 == 0, "6n");
        List<ExtendedNextHopCapability.Entry> es = new ArrayList<>(len / 6);
        for (int q = p; q < p + len; q += 6) {
          int safi = b.getUnsignedShort(q + 2);
          if (safi > 255) {
            return new UnknownCapability(code, bytes(b, p, len));
          }
          es.add(new ExtendedNextHopCapability.Entry(AddressFamily.of(b.getUnsignedShort(q), safi),
              Afi.valueOf(b.getUnsignedShort(q + 4))));
        }
        return new ExtendedNextHopCapability(es);
      }
      case 71 -> {
        expectLength(code, len, len % 7 == 0, "7n");
        List<LongLivedGracefulRestartCapability.Family> fs = new ArrayList<>(len / 7);
        for (int q = p; q < p + len; q += 7) {
          fs.add(new LongLivedGracefulRestartCapability.Family(
              AddressFamily.of(b.getUnsignedShort(q), b.getUnsignedByte(q + 2)), b.getUnsignedByte(q + 3),
              b.getUnsignedMedium(q + 4)));
        }
        return new LongLivedGracefulRestartCapability(fs);
      }
      case 73 -> {
        // Lenient: a hostname capability that does not parse is kept as unknown rather than failing the session.
        if (len >= 2) {
          int hl = b.getUnsignedByte(p);
          if (1 + hl < len) {
            int dl = b.getUnsignedByte(p + 1 + hl);
            if (2 + hl + dl == len) {
              FqdnCapability f = new FqdnCapability(b.toString(p + 1, hl, StandardCharsets.UTF_8),
                  b.toString(p + 2 + hl, dl, StandardCharsets.UTF_8));
              // only when the text re-encodes to the same octets (valid UTF-8), so the OPEN re-encodes unchanged
              if (f.valueLength() == len) {
                byte[] orig = bytes(b, p, len);
                io.netty.buffer.ByteBuf again = io.netty.buffer.Unpooled.buffer(len);
                try {
                  f.writeValue(again);
                  if (java.util.Arrays.equals(orig, io.netty.buffer.ByteBufUtil.getBytes(again))) {
                    return f;
                  }
                } finally {
                  again.release();
                }
              }
            }
          }
        }
        return new UnknownCapability(code, bytes(b, p, len));
      }
      default -> {
        return new UnknownCapability(code, bytes(b, p, len));
      }
    }
  }

  private static byte[] bytes(ByteBuf b, int p, int len) {
    byte[] v = new byte[len];
    b.getBytes(p, v);
    return v;
  }

  private static void expectLength(int code, int len, boolean ok, String expected) {
    if (!ok) {
      // RFC 4271 §6.2: a recognized optional parameter that is malformed: subcode 0 (Unspecific).
      throw malformed("capability " + CapabilityCode.valueOf(code) + " length: " + len + " (expected: " + expected
          + ")");
    }
  }

  private static BgpDecodeException malformed(String message) {
    return BgpDecodeException.openMessageError(OpenMessageErrorSubcode.UNSPECIFIC.value(), null, message);
  }

  /** Octets the capabilities take encoded (code + length + value each). */
  public static int encodedLength(List<? extends Capability> caps) {
    int n = 0;
    for (Capability c : caps) {
      n += 2 + c.valueLength();
    }
    return n;
  }

  /** Writes code, length and value of each capability at the writer index; the caller owns {@code out}. */
  public static void write(ByteBuf out, List<? extends Capability> caps) {
    for (Capability c : caps) {
      write(out, c);
    }
  }

  /**
   * The capabilities encoded (code, length, value each) as a new array: the data of an OPEN Message Error /
   * Unsupported Capability NOTIFICATION (RFC 5492 §5).
   */
  public static byte[] toBytes(List<? extends Capability> caps) {
    ByteBuf b = io.netty.buffer.Unpooled.buffer(encodedLength(caps));
    try {
      write(b, caps);
      byte[] out = new byte[b.readableBytes()];
      b.readBytes(out);
      return out;
    } finally {
      b.release();
    }
  }

  /** Writes one capability (code, length, value). */
  public static void write(ByteBuf out, Capability c) {
    int len = c.valueLength();
    if (len > 255) {
      throw new IllegalArgumentException("capability " + c.code() + " length: " + len + " (expected: <= 255)");
    }
    out.writeByte(c.code());
    out.writeByte(len);
    int before = out.writerIndex();
    c.writeValue(out);
    if (out.writerIndex() - before != len) {
      throw new IllegalStateException("capability " + c.code() + " wrote " + (out.writerIndex() - before)
          + " octets (expected: " + len + ")");
    }
  }
}
