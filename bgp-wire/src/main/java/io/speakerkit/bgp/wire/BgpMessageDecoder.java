package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.capability.Capabilities;
import io.speakerkit.bgp.wire.capability.Capability;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one framed BGP message. Stateless; all session state comes in the {@link CodecContext}.
 *
 * <p><b>Ownership.</b> {@link #decode(ByteBuf, CodecContext)} neither retains nor releases the frame and does not
 * move its indices. OPEN, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH results are plain values that copy what they
 * need. An {@link UpdateMessage} is a view over the frame: valid while the caller keeps the frame alive and
 * unchanged; its {@code retain()/release()} act on the frame.
 *
 * <p>Every bad input ends in a {@link BgpDecodeException} carrying the RFC 4271 §6 NOTIFICATION, or (UPDATE only)
 * in an RFC 7606 action recorded on the message; nothing else is thrown, and nothing is read outside the frame's
 * readable bytes.
 */
public final class BgpMessageDecoder {

  private BgpMessageDecoder() {
  }

  /**
   * Decodes the message that occupies exactly the readable bytes of {@code frame}, header included.
   *
   * @param frame one message; the caller keeps ownership
   * @param ctx negotiated session state
   * @throws BgpDecodeException with the NOTIFICATION to send
   */
  public static BgpMessage decode(ByteBuf frame, CodecContext ctx) {
    checkFrame(frame, ctx);
    return decode(frame, frame.readerIndex(), frame.readableBytes(), ctx);
  }

  /**
   * Checks that the readable bytes of {@code frame} are exactly one message whose header is valid for {@code ctx}.
   *
   * @throws BgpDecodeException Bad Message Length (or the header error {@link BgpFraming} finds)
   */
  static void checkFrame(ByteBuf frame, CodecContext ctx) {
    int base = frame.readerIndex();
    int available = frame.readableBytes();
    if (available < BgpMessage.HEADER_LENGTH) {
      throw BgpDecodeException.messageHeaderError(MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH.value(),
          new byte[] {(byte) (available >>> 8), (byte) available},
          "frame: " + available + " octets (expected: >= 19)");
    }
    int framed = BgpFraming.frameLength(frame, ctx.maxMessageLength());
    if (framed != available) {
      // The Length field disagrees with the bytes handed in.
      int len = frame.getUnsignedShort(base + 16);
      throw BgpDecodeException.messageHeaderError(MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH.value(),
          new byte[] {(byte) (len >>> 8), (byte) len},
          "message length: " + len + " (expected: " + available + ", the octets in the frame)");
    }
  }

  /** Decodes a message whose header {@link BgpFraming} has checked, at {@code [base, base + length)}. */
  static BgpMessage decode(ByteBuf b, int base, int length, CodecContext ctx) {
    int type = b.getUnsignedByte(base + 18);
    return switch (type) {
      case 1 -> decodeOpen(b, base, length);
      case 2 -> UpdateMessage.decode(b, base, length, ctx);
      case 3 -> decodeNotification(b, base, length);
      case 4 -> KeepaliveMessage.INSTANCE;
      case 5 -> decodeRouteRefresh(b, base, length);
      default -> throw BgpDecodeException.messageHeaderError(MessageHeaderErrorSubcode.BAD_MESSAGE_TYPE.value(),
          new byte[] {(byte) type}, "message type: " + type + " (expected: 1-5)");
    };
  }

  /** Decodes the UPDATE in {@code frame}; as {@link #decode(ByteBuf, CodecContext)} but typed. */
  public static UpdateMessage decodeUpdate(ByteBuf frame, CodecContext ctx) {
    BgpMessage m = decode(frame, ctx);
    if (m instanceof UpdateMessage u) {
      return u;
    }
    throw new IllegalArgumentException("message type: " + m.type() + " (expected: UPDATE)");
  }

  /**
   * Decodes {@code octets}, the Path Attributes field of an UPDATE received under {@code ctx} as an Adj-RIB-In keeps
   * it, with the checks of receipt (RFC 7606): an attribute discarded or found malformed then is left out again, an
   * unknown one is kept. Allocates.
   *
   * @throws BgpDecodeException if the octets could not have come from an UPDATE that was accepted
   */
  public static PathAttributes decodeAttributes(byte[] octets, CodecContext ctx) {
    int length = BgpMessage.HEADER_LENGTH + 4 + octets.length;
    ByteBuf frame = Unpooled.buffer(length);
    try {
      // an UPDATE with these attributes, no withdrawn routes and no NLRI (RFC 4271 §4.3)
      frame.writeLong(-1L).writeLong(-1L).writeShort(length).writeByte(MessageType.UPDATE.value())
          .writeShort(0).writeShort(octets.length).writeBytes(octets);
      return decodeUpdate(frame, ctx).attributes().toPathAttributes();
    } finally {
      frame.release();
    }
  }

  static Notification decodeNotification(ByteBuf b, int base, int length) {
    int p = base + BgpMessage.HEADER_LENGTH;
    byte[] data = new byte[length - 21];
    b.getBytes(p + 2, data);
    return new Notification(b.getUnsignedByte(p), b.getUnsignedByte(p + 1), data);
  }

  /**
   * A ROUTE-REFRESH; octets after the fixed four are ignored for a normal refresh (RFC 5291 §4: ORF entries, never
   * asked for as this library does not advertise ORF) and for unknown subtypes (RFC 7313 §5: the message is ignored).
   */
  static RouteRefreshMessage decodeRouteRefresh(ByteBuf b, int base, int length) {
    int p = base + BgpMessage.HEADER_LENGTH;
    int subtype = b.getUnsignedByte(p + 2);
    if (length != BgpFraming.ROUTE_REFRESH_LENGTH && (subtype == RouteRefreshMessage.BEGINNING_OF_ROUTE_REFRESH
        || subtype == RouteRefreshMessage.END_OF_ROUTE_REFRESH)) {
      // RFC 7313 §5: a BoRR or EoRR of another length: ROUTE-REFRESH Message Error / Invalid Message Length, the
      // data is the whole message.
      byte[] whole = new byte[length];
      b.getBytes(base, whole);
      throw BgpDecodeException.routeRefreshMessageError(RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH.value(),
          whole, "ROUTE-REFRESH (subtype " + subtype + ") length: " + length + " (expected: 23)");
    }
    return new RouteRefreshMessage(AddressFamily.of(b.getUnsignedShort(p), b.getUnsignedByte(p + 3)), subtype);
  }

  static OpenMessage decodeOpen(ByteBuf b, int base, int length) {
    int p = base + BgpMessage.HEADER_LENGTH;
    int end = base + length;
    int version = b.getUnsignedByte(p);
    if (version != OpenMessage.VERSION) {
      // RFC 4271 §6.2: Unsupported Version Number; the data is the largest supported version, 2 octets.
      throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.UNSUPPORTED_VERSION_NUMBER.value(),
          new byte[] {0, 4}, "version: " + version + " (expected: 4)");
    }
    int myAs = b.getUnsignedShort(p + 1);
    int hold = b.getUnsignedShort(p + 3);
    if (hold == 1 || hold == 2) {
      // RFC 4271 §6.2: Unacceptable Hold Time.
      throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.UNACCEPTABLE_HOLD_TIME.value(), null,
          "hold time: " + hold + " (expected: 0 or >= 3)");
    }
    int id = b.getInt(p + 5);
    if (id == 0) {
      // RFC 6286 §2.2: the BGP Identifier is a non-zero 4-octet value: Bad BGP Identifier.
      throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.BAD_BGP_IDENTIFIER.value(), null,
          "BGP identifier: 0.0.0.0 (expected: non-zero)");
    }
    int optLen = b.getUnsignedByte(p + 9);
    int q = p + 10;
    boolean extended = false;
    int headerLen = 2;
    // RFC 9072 §2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255 announces the extended encoding.
    if (optLen == 255 && end - q >= 3 && b.getUnsignedByte(q) == 255) {
      extended = true;
      optLen = b.getUnsignedShort(q + 1);
      q += 3;
      headerLen = 3;
    }
    if (optLen != end - q) {
      // RFC 4271 §6.2: the optional parameters do not fill the rest of the message: Unspecific.
      throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.UNSPECIFIC.value(), null,
          "optional parameters length: " + optLen + " (expected: " + (end - q) + ", the rest of the message)");
    }
    List<CapabilityParameter> params = new ArrayList<>(2);
    while (q < end) {
      if (end - q < headerLen) {
        throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.UNSPECIFIC.value(), null,
            "optional parameter header: " + (end - q) + " octets left (expected: " + headerLen + ")");
      }
      int ptype = b.getUnsignedByte(q);
      int plen = extended ? b.getUnsignedShort(q + 1) : b.getUnsignedByte(q + 1);
      q += headerLen;
      if (plen > end - q) {
        throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.UNSPECIFIC.value(), null,
            "optional parameter length: " + plen + " (expected: <= " + (end - q) + ")");
      }
      if (ptype != CapabilityParameter.TYPE) {
        // RFC 4271 §6.2 / RFC 5492 §4: an unrecognized optional parameter: Unsupported Optional Parameter.
        throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.UNSUPPORTED_OPTIONAL_PARAMETER.value(),
            null, "optional parameter type: " + ptype + " (expected: 2, Capabilities)");
      }
      List<Capability> caps = Capabilities.decode(b, q, q + plen);
      params.add(new CapabilityParameter(caps));
      q += plen;
    }
    OpenMessage open = new OpenMessage(version, myAs, hold, id, params, extended);
    if (myAs == 0 || open.asNumber() == 0) {
      // RFC 7607 §2: AS 0 as the peer's AS: Bad Peer AS.
      throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.BAD_PEER_AS.value(), null,
          "peer AS: 0 (expected: 1-4294967295, RFC 7607)");
    }
    return open;
  }
}
