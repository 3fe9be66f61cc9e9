package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.capability.Capabilities;

/**
 * Encodes any {@link BgpMessage} into a caller-supplied buffer (RFC 4271 §4). Stateless. Writes the header with a
 * length placeholder and fills it in at the end. A decoded {@link UpdateMessage} is written back byte for byte as
 * received. To build UPDATEs, use {@link UpdateEncoder}.
 *
 * <p><b>Ownership.</b> {@code out} belongs to the caller (typically from the channel's allocator); it is only
 * written at its writer index. On an exception the writer index is restored.
 */
public final class BgpMessageEncoder {

  private BgpMessageEncoder() {
  }

  /**
   * Writes {@code msg}.
   *
   * @throws IllegalArgumentException if the message does not fit {@code ctx.maxMessageLength()} (OPEN and
   *     KEEPALIVE: 4096); a NOTIFICATION's data is cut to fit instead
   */
  public static void encode(BgpMessage msg, ByteBuf out, CodecContext ctx) {
    int start = out.writerIndex();
    boolean success = false;
    try {
      if (msg instanceof KeepaliveMessage) {
        writeHeader(out, MessageType.KEEPALIVE.value());
        finish(out, start, CodecContext.MAX_MESSAGE_LENGTH);
      } else if (msg instanceof Notification n) {
        writeHeader(out, MessageType.NOTIFICATION.value());
        out.writeByte(n.code());
        out.writeByte(n.subcode());
        // data echoing a whole received message (RFC 7313 §5: a 4096-octet BoRR) would not fit beside the header:
        // the NOTIFICATION goes with as much of it as fits rather than not at all
        byte[] data = n.data();
        out.writeBytes(data, 0, Math.min(data.length, ctx.maxMessageLength() - BgpMessage.HEADER_LENGTH - 2));
        finish(out, start, ctx.maxMessageLength());
      } else if (msg instanceof RouteRefreshMessage r) {
        writeHeader(out, MessageType.ROUTE_REFRESH.value());
        out.writeShort(r.family().afi().value());
        out.writeByte(r.subtype());
        out.writeByte(r.family().safi().value());
        finish(out, start, ctx.maxMessageLength());
      } else if (msg instanceof OpenMessage o) {
        writeHeader(out, MessageType.OPEN.value());
        writeOpenBody(out, o);
        finish(out, start, CodecContext.MAX_MESSAGE_LENGTH);
      } else {
        UpdateMessage u = (UpdateMessage) msg;
        if (u.length() > ctx.maxMessageLength()) {
          throw new IllegalArgumentException("UPDATE length: " + u.length() + " (expected: <= "
              + ctx.maxMessageLength() + ")");
        }
        out.writeBytes(u.content(), u.offset(), u.length());
      }
      success = true;
    } finally {
      if (!success) {
        out.writerIndex(start);
      }
    }
  }

  /**
   * Encodes {@code msg} into a new buffer from {@code alloc}. The caller owns (and releases, or writes to a channel)
   * the returned buffer; it is released here if encoding fails.
   */
  public static ByteBuf encode(io.netty.buffer.ByteBufAllocator alloc, BgpMessage msg, CodecContext ctx) {
    int size = msg instanceof UpdateMessage u ? u.length() : msg instanceof KeepaliveMessage ? 19 : 64;
    ByteBuf out = alloc.buffer(size);
    boolean success = false;
    try {
      encode(msg, out, ctx);
      success = true;
      return out;
    } finally {
      if (!success) {
        out.release();
      }
    }
  }

  /** Writes the KEEPALIVE, 19 octets, at the writer index of {@code out} (owned by the caller). */
  public static void writeKeepalive(ByteBuf out) {
    out.writeLong(-1L);
    out.writeLong(-1L);
    out.writeShort(BgpMessage.HEADER_LENGTH);
    out.writeByte(MessageType.KEEPALIVE.value());
  }

  static void writeHeader(ByteBuf out, int type) {
    out.writeLong(-1L);
    out.writeLong(-1L);
    out.writeShort(0); // length placeholder
    out.writeByte(type);
  }

  static void finish(ByteBuf out, int start, int max) {
    int len = out.writerIndex() - start;
    if (len > max) {
      throw new IllegalArgumentException("message length: " + len + " (expected: <= " + max + ")");
    }
    out.setShort(start + 16, len);
  }

  private static void writeOpenBody(ByteBuf out, OpenMessage o) {
    out.writeByte(o.version());
    out.writeShort(o.myAs());
    out.writeShort(o.holdTime());
    out.writeInt(o.bgpIdentifier());
    int params = 0;
    for (CapabilityParameter p : o.parameters()) {
      int len = Capabilities.encodedLength(p.capabilities());
      params += 2 + len;
      if (len > 255) {
        params = Integer.MAX_VALUE / 2;
      }
    }
    // RFC 9072 §2: the extended form when asked for, or when the parameters would not fit the 1-octet lengths.
    boolean extended = o.extendedParametersLength() || params > 255;
    if (!extended) {
      int lenAt = out.writerIndex();
      out.writeByte(0);
      for (CapabilityParameter p : o.parameters()) {
        out.writeByte(CapabilityParameter.TYPE);
        out.writeByte(Capabilities.encodedLength(p.capabilities()));
        Capabilities.write(out, p.capabilities());
      }
      out.setByte(lenAt, out.writerIndex() - lenAt - 1);
      return;
    }
    out.writeByte(255);
    out.writeByte(255);
    int lenAt = out.writerIndex();
    out.writeShort(0);
    for (CapabilityParameter p : o.parameters()) {
      out.writeByte(CapabilityParameter.TYPE);
      out.writeShort(Capabilities.encodedLength(p.capabilities()));
      Capabilities.write(out, p.capabilities());
    }
    out.setShort(lenAt, out.writerIndex() - lenAt - 2);
  }
}
