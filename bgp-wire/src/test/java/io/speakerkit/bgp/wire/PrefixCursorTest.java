package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Prefixes read at the very end of their field (and of the message), where the cursor has fewer than eight octets
 * left: lengths 0, 1, 9, 17, 24, 32, 65 and 128, with host bits set on the wire. Each case is decoded twice: from a
 * heap buffer through Netty's accessors, and from a pooled direct buffer by the pipeline's entry point, which reads
 * it from its address.
 */
class PrefixCursorTest {

  private static final String ORIGIN = "40010100";
  private static final String AS_PATH = "4002060201 0000fde8";

  @Test
  void ipv4_shortPrefixesAtFieldEnds_readMasked() {
    String withdrawn = "180a0b0c" + "087f";
    String attrs = ORIGIN + AS_PATH + "4003040a000001";
    String nlri = "200a010203" + "11c0a8ff" + "00" + "01ff";
    String hex = "M 003d 02 0006" + withdrawn + "0014" + attrs + nlri;
    bothWays(hex, CodecContext.FOUR_OCTET_AS, u -> {
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertEquals(List.of(IpPrefix.ipv4(0x0a0b0c00, 24), IpPrefix.ipv4(0x7f000000, 8)), u.withdrawnList());
      assertEquals(List.of(IpPrefix.ipv4(0x0a010203, 32), IpPrefix.ipv4(0xc0a88000, 17), IpPrefix.ipv4(0, 0),
          IpPrefix.ipv4(0x80000000, 1)), u.nlriList());
      assertEquals(4, u.nlri().count());
    });
  }

  @Test
  void ipv6_longAndShortPrefixesAtAttributeEnd_readMasked() {
    String nlri = "80" + "20010db8000000000000000000000001"
        + "41" + "20010db800000000ff"
        + "09" + "ffff";
    String mpReach = "800e33" + "0002" + "01" + "10" + "20010db8000000000000000000000002" + "00" + nlri;
    String attrs = ORIGIN + AS_PATH + mpReach;
    String hex = "M 005a 02 0000 0043" + attrs;
    bothWays(hex, CodecContext.FOUR_OCTET_AS, u -> {
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertEquals(List.of(IpPrefix.ipv6(0x20010db800000000L, 1L, 128),
          IpPrefix.ipv6(0x20010db800000000L, 0x8000000000000000L, 65),
          IpPrefix.ipv6(0xff80000000000000L, 0L, 9)), u.attributes().mpReach().prefixList());
    });
  }

  /** The pipeline reuses a released message and its cursors: a path identifier must not outlive its message. */
  @Test
  void pathId_isZeroWithoutAddPath_alsoAfterAMessageWithIt() {
    String attrs = ORIGIN + AS_PATH + "4003040a000001";
    CodecContext addPath = CodecContext.FOUR_OCTET_AS.withAddPath(Set.of(AddressFamily.IPV4_UNICAST), Set.of());
    bothWays("M 0033 02 0000 0014" + attrs + "00000007" + "180a0b0c", addPath, u -> {
      PrefixCursor c = u.nlri();
      assertTrue(c.next());
      assertEquals(7, c.pathId());
    });
    bothWays("M 002f 02 0000 0014" + attrs + "180a0b0c", CodecContext.FOUR_OCTET_AS, u -> {
      PrefixCursor c = u.nlri();
      assertTrue(c.next());
      assertEquals(0, c.pathId());
    });
  }

  /**
   * RFC 7911 §3: the Path Identifier is four octets; all 32 bits count (GoBGP and FRR allocate IDs above 65535, and
   * a route is keyed by (prefix, path id), so a truncated one merges or replaces unrelated paths).
   */
  @Test
  void pathId_allFourOctetsRead() {
    String attrs = ORIGIN + AS_PATH + "4003040a000001";
    CodecContext addPath = CodecContext.FOUR_OCTET_AS.withAddPath(Set.of(AddressFamily.IPV4_UNICAST), Set.of());
    bothWays("M 0038 02 0000 0014" + attrs + "80010007" + "180a0b0c" + "00000007" + "00", addPath, u -> {
      PrefixCursor c = u.nlri();
      assertTrue(c.next());
      assertEquals(0x80010007, c.pathId());
      assertTrue(c.next());
      assertEquals(7, c.pathId());
    });
  }

  /** Runs {@code check} on {@code hex} decoded from a heap buffer and from a pooled direct buffer by the pipeline. */
  private static void bothWays(String hex, CodecContext ctx, Consumer<UpdateMessage> check) {
    ByteBuf heap = Hex.buf(hex);
    try {
      check.accept(BgpMessageDecoder.decodeUpdate(heap, ctx));
    } finally {
      heap.release();
    }
    byte[] bytes = Hex.bytes(hex);
    ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    try {
      UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(direct, ctx);
      try {
        check.accept(u);
      } finally {
        u.release();
      }
    } finally {
      direct.release();
    }
  }
}
