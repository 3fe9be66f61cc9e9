package io.speakerkit.bgp.fsm.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** First in the pipeline: shows the raw TCP payload in both directions to a {@link BgpTap}. */
final class TapHandler extends ChannelDuplexHandler {

  private static final Logger log = LoggerFactory.getLogger(TapHandler.class);

  private final BgpTap tap;

  TapHandler(BgpTap tap) {
    this.tap = tap;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ByteBuf buf) {
      show((InetSocketAddress) ctx.channel().remoteAddress(), (InetSocketAddress) ctx.channel().localAddress(), buf);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof ByteBuf buf) {
      show((InetSocketAddress) ctx.channel().localAddress(), (InetSocketAddress) ctx.channel().remoteAddress(), buf);
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    // (Netty keeps a closed channel's addresses)
    InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    if (local != null && remote != null) {
      try {
        tap.tcpClosed(local, remote);
      } catch (RuntimeException e) {
        log.warn("packet tap threw", e);
      }
    }
    ctx.fireChannelInactive();
  }

  private void show(InetSocketAddress from, InetSocketAddress to, ByteBuf buf) {
    if (from == null || to == null || !buf.isReadable()) {
      return;
    }
    try {
      tap.tcp(from, to, buf.slice());
    } catch (RuntimeException e) {
      log.warn("packet tap threw", e);
    }
  }
}
