package io.speakerkit.bgp.fsm.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * The Send Hold Timer of RFC 9687 for one connection, measured as FRR does it: how long the messages waiting to be
 * written to the socket have not moved. Sits at the head of the pipeline and counts every message that enters
 * Netty's outbound buffer; the messages that have left are that count less those still in the buffer, and the first
 * of those still there may be partly written. One instance per channel, used on its event loop.
 */
final class SendHold extends ChannelOutboundHandlerAdapter {

  /** Messages handed to the socket's outbound buffer so far. */
  private long queued;
  /** Messages that had left at the last look while others waited, or -1 when none waited. */
  private long lastLeft = -1;
  /** Octets written of the first waiting message at the last look. */
  private long lastHeadProgress;
  /** When the waiting messages were last seen to move (or to be none). */
  private long quietSince;

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    queued++;
    ctx.write(msg, promise);
  }

  /**
   * Whether the flushed messages waiting on {@code ch} have not moved for at least {@code limitNanos} at {@code now}
   * (a ticker's nanoseconds). Call after flushing.
   */
  boolean stalled(Channel ch, long now, long limitNanos) {
    ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
    if (out == null) {
      return false; // closed
    }
    int waiting = out.size();
    return stalled(now, limitNanos, waiting, queued - waiting, out.currentProgress());
  }

  /**
   * The rule: {@code waiting} messages still in the buffer, {@code left} that have left it, {@code headProgress}
   * octets written of the first waiting one. No message waiting, or any of them moved, starts the quiet time over.
   */
  boolean stalled(long now, long limitNanos, int waiting, long left, long headProgress) {
    if (waiting == 0 || left != lastLeft || headProgress != lastHeadProgress) {
      lastLeft = waiting == 0 ? -1 : left;
      lastHeadProgress = headProgress;
      quietSince = now;
      return false;
    }
    return now - quietSince >= limitNanos;
  }
}
