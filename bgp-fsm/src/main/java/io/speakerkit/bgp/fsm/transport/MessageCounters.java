package io.speakerkit.bgp.fsm.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.speakerkit.bgp.wire.BgpMessage;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts BGP messages by type in both directions for one session, across its connections (the numbers behind
 * MetalLB-style metrics such as updates sent). Outbound buffers always start at a message boundary, so their headers
 * are walked (RFC 4271 §4.1: length at octet 16, type at 18); inbound messages are counted once decoded.
 */
final class MessageCounters {

  private static final int TYPES = 6; // 1 OPEN .. 5 ROUTE-REFRESH; 0 collects unknown types

  private final AtomicLongArray sent = new AtomicLongArray(TYPES);
  private final AtomicLongArray received = new AtomicLongArray(TYPES);

  /** Put before the frame decoder: counts what leaves. */
  ChannelHandler outboundTap() {
    return new Outbound();
  }

  /** Put after the frame decoder: counts what arrives. */
  ChannelHandler inboundTap() {
    return new Inbound();
  }

  BgpSessionCounters snapshot() {
    return new BgpSessionCounters(
        sent.get(1), received.get(1), sent.get(2), received.get(2), sent.get(3), received.get(3),
        sent.get(4), received.get(4), sent.get(5), received.get(5));
  }

  private static int slot(int type) {
    return type >= 1 && type < TYPES ? type : 0;
  }

  @ChannelHandler.Sharable
  private final class Outbound extends ChannelDuplexHandler {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (msg instanceof ByteBuf buf) {
        int pos = buf.readerIndex();
        int end = buf.writerIndex();
        while (end - pos >= 19) {
          int length = buf.getUnsignedShort(pos + 16);
          sent.incrementAndGet(slot(buf.getUnsignedByte(pos + 18)));
          if (length < 19) {
            break;
          }
          pos += length;
        }
      }
      ctx.write(msg, promise);
    }
  }

  @ChannelHandler.Sharable
  private final class Inbound extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof BgpMessage m) {
        received.incrementAndGet(slot(m.type().value()));
      }
      ctx.fireChannelRead(msg);
    }
  }
}
