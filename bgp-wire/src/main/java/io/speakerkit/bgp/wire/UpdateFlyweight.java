package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;

/**
 * Allocation-free UPDATE decoding for hot paths: every call decodes into the same {@link UpdateMessage} (and its
 * {@link UpdateAttributes}), so the steady state allocates nothing but what the caller asks for (cursors and views,
 * which the JIT usually keeps off the heap).
 *
 * <p><b>Contract.</b> The returned message is valid until the next {@code decode} call on this flyweight, and while
 * the frame is alive and unchanged. Do not retain or release it (its reference count is the frame's, which the
 * caller owns), do not hand it to another thread, do not keep it: use {@link UpdateMessage#copy()} to keep one. Not
 * thread-safe: one flyweight per event loop.
 */
public final class UpdateFlyweight {

  private final UpdateMessage message = UpdateMessage.flyweight();

  /**
   * Decodes the UPDATE that occupies exactly the readable bytes of {@code frame} (header included), as
   * {@link BgpMessageDecoder#decode(ByteBuf, CodecContext)} does. Does not retain, release or move {@code frame}.
   *
   * @throws BgpDecodeException with the NOTIFICATION to send, also when the frame is not an UPDATE (Bad Message Type
   *     is not raised for known types: an {@code IllegalArgumentException} says the caller passed the wrong kind)
   */
  public UpdateMessage decode(ByteBuf frame, CodecContext ctx) {
    BgpMessageDecoder.checkFrame(frame, ctx);
    int base = frame.readerIndex();
    int available = frame.readableBytes();
    int type = frame.getUnsignedByte(base + 18);
    if (type != MessageType.UPDATE.value()) {
      throw new IllegalArgumentException("message type: " + MessageType.valueOf(type) + " (expected: UPDATE)");
    }
    message.redecode(frame, base, available, ctx, false);
    return message;
  }
}
