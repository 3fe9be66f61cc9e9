package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Prefixes read at the very end of their field (and of the message), where the cursor has fewer than eight octets
 * left: lengths 0, 1, 9, 17, 24, 32, 65 and 128, with host bits set on the wire.
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
    ByteBuf b = Hex.buf(hex);
    try {
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS);
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertEquals(List.of(IpPrefix.ipv4(0x0a0b0c00, 24), IpPrefix.ipv4(0x7f000000, 8)), u.withdrawnList());
      assertEquals(List.of(IpPrefix.ipv4(0x0a010203, 32), IpPrefix.ipv4(0xc0a88000, 17), IpPrefix.ipv4(0, 0),
          IpPrefix.ipv4(0x80000000, 1)), u.nlriList());
      assertEquals(4, u.nlri().count());
    } finally {
      b.release();
    }
  }

  @Test
  void ipv6_longAndShortPrefixesAtAttributeEnd_readMasked() {
    String nlri = "80" + "20010db8000000000000000000000001"
        + "41" + "20010db800000000ff"
        + "09" + "ffff";
    String mpReach = "800e33" + "0002" + "01" + "10" + "20010db8000000000000000000000002" + "00" + nlri;
    String attrs = ORIGIN + AS_PATH + mpReach;
    String hex = "M 005a 02 0000 0043" + attrs;
    ByteBuf b = Hex.buf(hex);
    try {
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS);
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertEquals(List.of(IpPrefix.ipv6(0x20010db800000000L, 1L, 128),
          IpPrefix.ipv6(0x20010db800000000L, 0x8000000000000000L, 65),
          IpPrefix.ipv6(0xff80000000000000L, 0L, 9)), u.attributes().mpReach().prefixList());
    } finally {
      b.release();
    }
  }
}
