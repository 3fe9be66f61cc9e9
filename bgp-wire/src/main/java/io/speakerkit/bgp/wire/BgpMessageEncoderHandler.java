package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.Objects;

/**
 * Netty outbound handler that encodes {@link BgpMessage}s with {@link BgpMessageEncoder} into a buffer from the
 * channel's allocator. {@code ByteBuf}s written to the pipeline (e.g. pre-built UPDATEs from {@link UpdateEncoder})
 * pass through untouched, so the fast path needs no message objects at all.
 *
 * <p><b>Ownership.</b> The written {@link BgpMessage} is released by {@code MessageToByteEncoder} after encoding
 * (this matters only for an {@link UpdateMessage}, whose buffer is then released: retain it first if you keep it).
 *
 * <p><b>Session state.</b> {@link #context(CodecContext)} replaces the context (maximum length after RFC 8654
 * negotiation); call it on the channel's event loop. Not sharable.
 */
public final class BgpMessageEncoderHandler extends MessageToByteEncoder<BgpMessage> {

  private CodecContext context;

  public BgpMessageEncoderHandler(CodecContext context) {
    super(BgpMessage.class);
    this.context = Objects.requireNonNull(context, "context");
  }

  public BgpMessageEncoderHandler() {
    this(CodecContext.INITIAL);
  }

  public CodecContext context() {
    return context;
  }

  public void context(CodecContext newContext) {
    this.context = Objects.requireNonNull(newContext, "context");
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, BgpMessage msg, ByteBuf out) {
    BgpMessageEncoder.encode(msg, out, context);
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, BgpMessage msg, boolean preferDirect) {
    int size = msg instanceof UpdateMessage u ? u.length() : msg instanceof KeepaliveMessage ? 19 : 256;
    return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
  }
}
