package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class UpdateChecksTest {

  private static List<UpdateError> check(String attrs, long peerAs) {
    ByteBuf b = Hex.buf(UpdateErrorHandlingTest.update("", attrs, UpdateErrorHandlingTest.NLRI));
    try {
      return UpdateChecks.check(BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS), peerAs, true);
    } finally {
      b.release();
    }
  }

  /** Runs {@code body} on the UPDATE announcing NLRI with {@code attrs}, decoded under {@code ctx}. */
  private static void withUpdate(String attrs, CodecContext ctx, Consumer<UpdateMessage> body) {
    ByteBuf b = Hex.buf(UpdateErrorHandlingTest.update("", attrs, UpdateErrorHandlingTest.NLRI));
    try {
      body.accept(BgpMessageDecoder.decodeUpdate(b, ctx));
    } finally {
      b.release();
    }
  }

  @Test
  void firstAs_matchesPeer_ok() {
    assertTrue(check(UpdateErrorHandlingTest.MANDATORY, 65000).isEmpty());
  }

  @Test
  void firstAs_otherThanPeer_treatAsWithdraw() {
    List<UpdateError> e = check(UpdateErrorHandlingTest.MANDATORY, 65001);
    assertEquals(1, e.size());
    assertEquals(ErrorAction.TREAT_AS_WITHDRAW, e.get(0).action());
    assertEquals(11, e.get(0).subcode());
    assertEquals("leftmost AS: 65000 (expected: 65001, the eBGP peer's AS)", e.get(0).reason());
  }

  @Test
  void nextHop_multicast_invalidNextHop() {
    List<UpdateError> e = check(UpdateErrorHandlingTest.ORIGIN + UpdateErrorHandlingTest.AS_PATH + "40 03 04 e0000001",
        65000);
    assertEquals(1, e.size());
    assertEquals(8, e.get(0).subcode());
  }

  @Test
  void nextHop_loopback_invalidExceptOnALoopbackSession() {
    String attrs = UpdateErrorHandlingTest.ORIGIN + UpdateErrorHandlingTest.AS_PATH + "40 03 04 7f000002";
    assertEquals(8, check(attrs, 65000).get(0).subcode());
    withUpdate(attrs, CodecContext.FOUR_OCTET_AS, u -> {
      assertTrue(UpdateChecks.check(u, 65000, true, false, true).isEmpty());
      // what a session does with what the checks find
      u.addErrors(UpdateChecks.check(u, 65001, true, false, true));
      assertEquals(ErrorAction.TREAT_AS_WITHDRAW, u.errorAction());
      assertEquals(11, u.errors().get(0).subcode());
    });
  }

  @Test
  void nextHop_invalid_dataIsTheAttributeAsReceived() {
    // extended-length flag set on a 4-octet NEXT_HOP: the data carries it as received (RFC 4271 §6.3)
    List<UpdateError> e = check(UpdateErrorHandlingTest.ORIGIN + UpdateErrorHandlingTest.AS_PATH
        + "50 03 0004 00000000", 65000);
    assertEquals(1, e.size());
    assertArrayEquals(Hex.bytes("50 03 0004 00000000"), e.get(0).data());
  }

  @Test
  void firstAs_confederationPeer_memberAsInLeadingConfedSequence_ok() {
    String attrs = UpdateErrorHandlingTest.ORIGIN + "40 02 0c 03 01 0000fdea 02 01 0000fde8" + "40 03 04 0a000001";
    withUpdate(attrs, CodecContext.FOUR_OCTET_AS, u -> {
      assertTrue(UpdateChecks.check(u, 65002, true, true).isEmpty());
      List<UpdateError> e = UpdateChecks.check(u, 65003, true, true);
      assertEquals(1, e.size());
      assertEquals("leftmost AS: 65002 (expected: 65003, the eBGP peer's AS)", e.get(0).reason());
    });
  }

  @Test
  void confederationSegments_fromOutsidePeer_treatAsWithdraw() {
    String attrs = UpdateErrorHandlingTest.ORIGIN + "40 02 0c 02 01 0000fde8 03 01 0000fc00" + "40 03 04 0a000001";
    withUpdate(attrs, CodecContext.FOUR_OCTET_AS, u -> {
      assertEquals(1, UpdateChecks.check(u, 65000, true).size());
      assertTrue(UpdateChecks.check(u, 65000, true, true).isEmpty());
    });
  }

  @Test
  void firstAs_twoOctetSession_readsTwoOctetNumbers() {
    // AS_PATH 65000 65001 as 2-octet numbers, on a session without the 4-octet AS capability
    String attrs = UpdateErrorHandlingTest.ORIGIN + "40 02 06 02 02 fde8 fde9" + "40 03 04 0a000001";
    withUpdate(attrs, CodecContext.INITIAL, u -> {
      assertTrue(UpdateChecks.check(u, 65000, true).isEmpty());
      assertEquals("leftmost AS: 65000 (expected: 65001, the eBGP peer's AS)",
          UpdateChecks.check(u, 65001, true).get(0).reason());
    });
  }

  @Test
  void leadingAsSet_andConfederationSegment_bothReported() {
    // AS_SET {65000} then AS_CONFED_SET {64512}: no leftmost AS, and a confederation segment from outside
    String attrs = UpdateErrorHandlingTest.ORIGIN + "40 02 0c 01 01 0000fde8 04 01 0000fc00" + "40 03 04 0a000001";
    List<UpdateError> e = check(attrs, 65000);
    assertEquals(2, e.size(), e.toString());
    assertEquals("leftmost AS: none (expected: 65000, the eBGP peer's AS)", e.get(0).reason());
    assertEquals("segment type: 4 (expected: AS_SET or AS_SEQUENCE from a peer outside the confederation)",
        e.get(1).reason());
  }

  /** An UPDATE with only ORIGIN, AS_PATH (65000) and an IPv6 MP_REACH_NLRI of {@code nextHopHex} for 2001:db8::/32. */
  private static List<UpdateError> checkIpv6NextHop(String nextHopHex) {
    int nhLen = nextHopHex.replace(" ", "").length() / 2;
    String mp = String.format("90 0e %04x 0002 01 %02x ", 5 + nhLen + 5, nhLen) + nextHopHex + " 00 20 20010db8";
    ByteBuf b = Hex.buf(UpdateErrorHandlingTest.update("", UpdateErrorHandlingTest.ORIGIN
        + UpdateErrorHandlingTest.AS_PATH + mp, ""));
    try {
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS);
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      return UpdateChecks.check(u, 65000, true);
    } finally {
      b.release();
    }
  }

  @Test
  void mpReachNextHop_unspecifiedGlobalWithLinkLocal_accepted() {
    // BIRD on a link-local-only session sends "::" then the link-local address (32 octets); FRR accepts it since
    // FRRouting/frr#6261 ("Do not discard an UPDATE if the global nexthop is set to ::"), BIRD's own receive check
    // forbids a zero global only when no link-local follows
    assertTrue(checkIpv6NextHop("00000000000000000000000000000000 fe800000000000000a0027fffe09f8a3").isEmpty());
  }

  @Test
  void mpReachNextHop_unspecifiedGlobalWithoutUsableLinkLocal_stillMartian() {
    // "::" alone, "::" + "::", and "::" followed by an address that is not link-local stay invalid
    assertEquals(1, checkIpv6NextHop("00000000000000000000000000000000").size());
    assertEquals(1, checkIpv6NextHop("00000000000000000000000000000000 00000000000000000000000000000000").size());
    assertEquals(1, checkIpv6NextHop("00000000000000000000000000000000 20010db8000000000000000000000001").size());
  }

  /**
   * An IPv4 next hop in MP_REACH_NLRI (RFC 4760 §3) is held to NEXT_HOP's rule (RFC 4271 §6.3, FRR's martian
   * check): 127/8 is Invalid NEXT_HOP, treat-as-withdraw, except on a session over loopback.
   */
  @Test
  void mpReachIpv4NextHop_loopback_invalidExceptOnALoopbackSession() {
    String mp = "80 0e 0d 0001 01 04 7f000001 00 18 0a0102";
    ByteBuf b = Hex.buf(UpdateErrorHandlingTest.update("",
        UpdateErrorHandlingTest.ORIGIN + UpdateErrorHandlingTest.AS_PATH + mp, ""));
    try {
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS);
      List<UpdateError> e = UpdateChecks.check(u, 65000, true);
      assertEquals(1, e.size());
      assertEquals(ErrorAction.TREAT_AS_WITHDRAW, e.get(0).action());
      assertEquals(8, e.get(0).subcode());
      assertTrue(UpdateChecks.check(u, 65000, true, false, true).isEmpty());
    } finally {
      b.release();
    }
  }
}
