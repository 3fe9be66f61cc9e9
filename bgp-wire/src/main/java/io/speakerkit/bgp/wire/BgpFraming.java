package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;

/**
 * Finds message boundaries in a TCP byte stream (RFC 4271 §4.1, §6.1). Checks the marker, the length (19..4096, or
 * up to 65535 for UPDATE, NOTIFICATION and ROUTE-REFRESH once extended messages are negotiated, RFC 8654 §4) and the
 * type, including the per-type lengths, as soon as the header is available and before waiting for the body. Marker
 * octets are checked as they arrive. A pure function: no state, no ownership.
 */
public final class BgpFraming {

  /** RFC 4271 §4.2: minimum OPEN length. */
  public static final int MIN_OPEN_LENGTH = 29;
  /** RFC 4271 §4.3: minimum UPDATE length. */
  public static final int MIN_UPDATE_LENGTH = 23;
  /** RFC 4271 §4.5: minimum NOTIFICATION length. */
  public static final int MIN_NOTIFICATION_LENGTH = 21;
  /** RFC 4271 §4.4: a KEEPALIVE is the header alone. */
  public static final int KEEPALIVE_LENGTH = 19;
  /** RFC 2918 §3: ROUTE-REFRESH length. */
  public static final int ROUTE_REFRESH_LENGTH = 23;

  private BgpFraming() {
  }

  /**
   * Length of the message starting at {@code in.readerIndex()}, or 0 when more bytes are needed. Does not move any
   * index and does not retain or release {@code in}.
   *
   * @param maxLength {@link CodecContext#maxMessageLength()} of the session
   * @throws BgpDecodeException Message Header Error: Connection Not Synchronized for a marker that is not all ones,
   *     Bad Message Length (data: the 2-octet length) or Bad Message Type (data: the type octet)
   */
  public static int frameLength(ByteBuf in, int maxLength) {
    return frameHeader(in, maxLength) >>> 8;
  }

  /**
   * As {@link #frameLength}, with the type: {@code length << 8 | type} of the complete message at the reader index,
   * or 0 when more bytes are needed.
   */
  static int frameHeader(ByteBuf in, int maxLength) {
    int r = in.readerIndex();
    int available = in.readableBytes();
    if (available >= BgpMessage.HEADER_LENGTH) {
      // RFC 4271 §6.1: the marker must be all ones.
      if ((in.getLong(r) & in.getLong(r + 8)) != -1L) {
        throw notSynchronized();
      }
      // Length and type in one read.
      int lengthAndType = in.getUnsignedMedium(r + 16);
      checkHeader(lengthAndType >>> 8, lengthAndType & 0xFF, maxLength);
      return available >= lengthAndType >>> 8 ? lengthAndType : 0;
    }
    // A partial header: the marker octets are checked as they arrive.
    for (int i = 0; i < Math.min(available, 16); i++) {
      if (in.getByte(r + i) != (byte) 0xFF) {
        throw notSynchronized();
      }
    }
    return 0;
  }

  /**
   * Checks length and type of a header (RFC 4271 §6.1, RFC 8654 §4).
   *
   * @throws BgpDecodeException Bad Message Length or Bad Message Type
   */
  public static void checkHeader(int length, int type, int maxLength) {
    if (length < BgpMessage.HEADER_LENGTH || length > maxLength) {
      // RFC 4271 §6.1: Bad Message Length; the data is the erroneous Length field.
      throw badLength(length, "message length: " + length + " (expected: 19-" + maxLength + ")");
    }
    switch (type) {
      case 1 -> {
        // RFC 8654 §4: OPEN stays within 4096 octets.
        if (length < MIN_OPEN_LENGTH || length > CodecContext.MAX_MESSAGE_LENGTH) {
          throw badLength(length, "OPEN length: " + length + " (expected: 29-4096)");
        }
      }
      case 2 -> {
        if (length < MIN_UPDATE_LENGTH) {
          throw badLength(length, "UPDATE length: " + length + " (expected: >= 23)");
        }
      }
      case 3 -> {
        if (length < MIN_NOTIFICATION_LENGTH) {
          throw badLength(length, "NOTIFICATION length: " + length + " (expected: >= 21)");
        }
      }
      case 4 -> {
        if (length != KEEPALIVE_LENGTH) {
          throw badLength(length, "KEEPALIVE length: " + length + " (expected: 19)");
        }
      }
      case 5 -> {
        // RFC 7313 §5: lengths other than 23 are a ROUTE-REFRESH Message Error, raised when decoding the body.
        if (length < ROUTE_REFRESH_LENGTH) {
          throw badLength(length, "ROUTE-REFRESH length: " + length + " (expected: 23)");
        }
      }
      default ->
        // RFC 4271 §6.1: Bad Message Type; the data is the erroneous Type field.
        throw BgpDecodeException.messageHeaderError(MessageHeaderErrorSubcode.BAD_MESSAGE_TYPE.value(),
            new byte[] {(byte) type}, "message type: " + type + " (expected: 1-5)");
    }
  }

  private static BgpDecodeException notSynchronized() {
    return BgpDecodeException.messageHeaderError(MessageHeaderErrorSubcode.CONNECTION_NOT_SYNCHRONIZED.value(), null,
        "marker: not all ones (expected: 16 octets of 0xFF)");
  }

  private static BgpDecodeException badLength(int length, String message) {
    return BgpDecodeException.messageHeaderError(MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH.value(),
        new byte[] {(byte) (length >>> 8), (byte) length}, message);
  }
}
