package io.speakerkit.bfd;

import io.netty.buffer.ByteBuf;

/**
 * Field access on an encoded BFD Control packet (RFC 5880 §4.1) without decoding it into an object: every getter
 * reads at an offset from the buffer's reader index and consumes nothing. The caller keeps ownership of the buffer.
 *
 * <pre>
 * offset 0  Vers(3) Diag(5)      1  Sta(2) P F C A D M   2  Detect Mult   3  Length
 *        4  My Discriminator     8  Your Discriminator   12 Desired Min TX Interval
 *        16 Required Min RX Interval                     20 Required Min Echo RX Interval
 *        24 Auth Type  25 Auth Len  26 Auth Key ID  27.. Password | Reserved, 28 Sequence Number, 32 Digest
 * </pre>
 */
public final class ControlPacketCodec {

  /** Length of the mandatory section. */
  public static final int MANDATORY_LENGTH = 24;
  /** The longest packet this engine accepts: mandatory section plus the longest authentication section. */
  public static final int MAX_LENGTH = 255;

  private ControlPacketCodec() {}

  /**
   * The RFC 5880 §6.8.6 checks that need no session: version, Length against the A bit and the datagram, Detect
   * Mult, Multipoint, My Discriminator. Returns {@code null} if the packet passes, otherwise what was wrong.
   */
  public static String check(ByteBuf in) {
    int readable = in.readableBytes();
    if (readable < MANDATORY_LENGTH) {
      return "datagram: " + readable + " bytes (expected: >= 24)";
    }
    int r = in.readerIndex();
    // RFC 5880 §6.8.6: If the version number is not correct (1), the packet MUST be discarded.
    if (version(in) != 1) {
      return "version: " + version(in) + " (expected: 1)";
    }
    int length = in.getUnsignedByte(r + 3);
    // RFC 5880 §6.8.6: Length less than the minimum (24 without, 26 with the A bit) -> discard.
    int min = authPresent(in) ? 26 : MANDATORY_LENGTH;
    if (length < min) {
      return "length: " + length + " (expected: >= " + min + ")";
    }
    // RFC 5880 §6.8.6: Length greater than the payload of the encapsulating protocol -> discard.
    if (length > readable) {
      return "length: " + length + " (expected: <= datagram size " + readable + ")";
    }
    if (authPresent(in)) {
      int authLen = in.getUnsignedByte(r + 25);
      if (authLen < 2 || MANDATORY_LENGTH + authLen > length) {
        return "auth len: " + authLen + " (expected: 2-" + (length - MANDATORY_LENGTH) + ")";
      }
    }
    // RFC 5880 §6.8.6: If the Detect Mult field is zero, the packet MUST be discarded.
    if (detectMult(in) == 0) {
      return "detect mult: 0 (expected: 1-255)";
    }
    // RFC 5880 §6.8.6: If the Multipoint (M) bit is nonzero, the packet MUST be discarded.
    if ((in.getByte(r + 1) & 0x01) != 0) {
      return "multipoint: 1 (expected: 0)";
    }
    // RFC 5880 §6.8.6: If the My Discriminator field is zero, the packet MUST be discarded.
    if (myDiscriminator(in) == 0) {
      return "my discriminator: 0 (expected: non-zero)";
    }
    return null;
  }

  /** Same checks as {@link #check}, without building a message: true if the packet passes. */
  public static boolean isWellFormed(ByteBuf in) {
    int readable = in.readableBytes();
    if (readable < MANDATORY_LENGTH || version(in) != 1) {
      return false;
    }
    int r = in.readerIndex();
    int length = in.getUnsignedByte(r + 3);
    boolean auth = authPresent(in);
    if (length < (auth ? 26 : MANDATORY_LENGTH) || length > readable) {
      return false;
    }
    if (auth) {
      int authLen = in.getUnsignedByte(r + 25);
      if (authLen < 2 || MANDATORY_LENGTH + authLen > length) {
        return false;
      }
    }
    return detectMult(in) != 0 && (in.getByte(r + 1) & 0x01) == 0 && myDiscriminator(in) != 0;
  }

  public static int version(ByteBuf in) {
    return (in.getUnsignedByte(in.readerIndex()) >>> 5) & 0x07;
  }

  public static int diag(ByteBuf in) {
    return in.getUnsignedByte(in.readerIndex()) & 0x1F;
  }

  public static SessionState state(ByteBuf in) {
    return SessionState.valueOf((in.getUnsignedByte(in.readerIndex() + 1) >>> 6) & 0x03);
  }

  public static boolean poll(ByteBuf in) {
    return (in.getByte(in.readerIndex() + 1) & 0x20) != 0;
  }

  public static boolean fin(ByteBuf in) {
    return (in.getByte(in.readerIndex() + 1) & 0x10) != 0;
  }

  public static boolean authPresent(ByteBuf in) {
    return (in.getByte(in.readerIndex() + 1) & 0x04) != 0;
  }

  public static boolean demand(ByteBuf in) {
    return (in.getByte(in.readerIndex() + 1) & 0x02) != 0;
  }

  public static int detectMult(ByteBuf in) {
    return in.getUnsignedByte(in.readerIndex() + 2);
  }

  public static int length(ByteBuf in) {
    return in.getUnsignedByte(in.readerIndex() + 3);
  }

  public static int myDiscriminator(ByteBuf in) {
    return in.getInt(in.readerIndex() + 4);
  }

  public static int yourDiscriminator(ByteBuf in) {
    return in.getInt(in.readerIndex() + 8);
  }

  public static long desiredMinTxMicros(ByteBuf in) {
    return in.getUnsignedInt(in.readerIndex() + 12);
  }

  public static long requiredMinRxMicros(ByteBuf in) {
    return in.getUnsignedInt(in.readerIndex() + 16);
  }

  public static long requiredMinEchoRxMicros(ByteBuf in) {
    return in.getUnsignedInt(in.readerIndex() + 20);
  }
}
