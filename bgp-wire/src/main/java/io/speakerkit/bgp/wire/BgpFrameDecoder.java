package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;

/**
 * Splits the TCP byte stream into BGP messages and decodes them (RFC 4271 §4.1). Emits {@link BgpMessage}s. The
 * header (marker, length, type, per-type length) is checked as soon as it is available, before waiting for the
 * body; a partial message waits for more bytes. Fed one byte at a time it emits the same messages.
 *
 * <p><b>Ownership.</b> An emitted {@link UpdateMessage} reads the cumulation buffer in place and holds one reference
 * to it: the handler that consumes it must release it ({@code SimpleChannelInboundHandler} does; or
 * {@code ReferenceCountUtil.release}), which also returns the message object for reuse.
 * Other messages are plain values.
 *
 * <p><b>Errors.</b> A bad message makes the decoder fire a {@link BgpDecodeException} (a {@code DecoderException},
 * passed to {@code exceptionCaught} unwrapped) carrying the NOTIFICATION to send; after that every further input
 * byte is discarded.
 *
 * <p><b>Session state.</b> {@link #context(CodecContext)} replaces the context (e.g. after the OPEN exchange raised
 * the maximum length or negotiated 4-octet AS / ADD-PATH); call it on the channel's event loop. Messages are passed
 * down the pipeline one at a time as they are decoded, so calling it from the {@code channelRead} that receives the
 * peer's OPEN applies to every message after that OPEN, even ones that arrived in the same TCP segment. Not
 * sharable.
 */
public final class BgpFrameDecoder extends ByteToMessageDecoder {

  private CodecContext context;
  private boolean failed;

  public BgpFrameDecoder(CodecContext context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  public BgpFrameDecoder() {
    this(CodecContext.INITIAL);
  }

  /** The context messages are decoded with. */
  public CodecContext context() {
    return context;
  }

  /** Replaces the context for the messages that follow. */
  public void context(CodecContext newContext) {
    this.context = Objects.requireNonNull(newContext, "context");
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      // One message per call: ByteToMessageDecoder passes it down the pipeline before decoding the next, so a
      // handler that switches the context on receiving the peer's OPEN affects every message after it.
      BgpMessage m = next(in, context);
      if (m != null) {
        out.add(m);
      }
    } catch (BgpDecodeException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  /**
   * The pure framing step: decodes the next complete message at the reader index of {@code in} and advances past
   * it, or returns null (index unchanged) when more bytes are needed. An UPDATE comes back reading {@code in} in place
   * and holding one reference to it, which releasing the message gives back (see {@link UpdateMessage}); {@code in}
   * stays owned by the caller.
   *
   * <p><b>Pinning.</b> While an UPDATE holds {@code in} ({@code in.refCnt() > 1}), do not discard, overwrite or grow
   * it: append to a new buffer instead, as {@code ByteToMessageDecoder}'s cumulators do with a shared cumulation. A
   * direct buffer is read from its address; the message refuses reads (IllegalStateException) once it sees the buffer
   * moved.
   *
   * @throws BgpDecodeException with the NOTIFICATION to send
   */
  public static BgpMessage next(ByteBuf in, CodecContext context) {
    int header = BgpFraming.frameHeader(in, context.maxMessageLength());
    if (header == 0) {
      return null;
    }
    int len = header >>> 8;
    int base = in.readerIndex();
    BgpMessage m = (header & 0xFF) == MessageType.UPDATE.value()
        ? UpdateMessage.decodeRetained(in, base, len, context)
        : BgpMessageDecoder.decode(in, base, len, context);
    in.skipBytes(len);
    return m;
  }
}
