package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Test helper: hex text (spaces and newlines ignored) to bytes and back; the 16-octet marker as "M". */
final class Hex {

  static final String MARKER = "ffffffffffffffffffffffffffffffff";

  private Hex() {
  }

  static byte[] bytes(String hex) {
    String h = hex.replace("M", MARKER).replaceAll("\\s+", "");
    return ByteBufUtil.decodeHexDump(h);
  }

  static ByteBuf buf(String hex) {
    return Unpooled.wrappedBuffer(bytes(hex));
  }

  static String hex(ByteBuf b) {
    return ByteBufUtil.hexDump(b);
  }

  static String norm(String hex) {
    return hex.replace("M", MARKER).replaceAll("\\s+", "").toLowerCase();
  }

  static byte[] encode(BgpMessage m, CodecContext ctx) {
    ByteBuf out = Unpooled.buffer();
    try {
      BgpMessageEncoder.encode(m, out, ctx);
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }
}
