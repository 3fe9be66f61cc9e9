package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.speakerkit.bgp.wire.attribute.Aggregator;
import io.speakerkit.bgp.wire.attribute.Communities;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.attribute.UnknownAttribute;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** RFC 7606 outcomes and RFC 4271 §6.3 NOTIFICATIONs for malformed UPDATEs. */
class UpdateErrorHandlingTest {

  static final String ORIGIN = "40 01 01 00";
  static final String AS_PATH = "40 02 06 02 01 0000fde8";
  static final String NEXT_HOP = "40 03 04 0a000001";
  static final String MANDATORY = ORIGIN + AS_PATH + NEXT_HOP;
  static final String NLRI = "18 0a0102";

  /** Builds an UPDATE from hex parts, computing the length fields. */
  static String update(String withdrawn, String attrs, String nlri) {
    int w = Hex.bytes(withdrawn).length;
    int a = Hex.bytes(attrs).length;
    int n = Hex.bytes(nlri).length;
    return "M " + String.format("%04x", 23 + w + a + n) + " 02 " + String.format("%04x", w) + withdrawn
        + String.format("%04x", a) + attrs + nlri;
  }

  static void decode(String hex, CodecContext ctx, Consumer<UpdateMessage> check) {
    ByteBuf b = Hex.buf(hex);
    try {
      check.accept(BgpMessageDecoder.decodeUpdate(b, ctx));
    } finally {
      b.release();
    }
  }

  static void decode(String hex, Consumer<UpdateMessage> check) {
    decode(hex, CodecContext.FOUR_OCTET_AS, check);
  }

  static BgpDecodeException reset(String hex, CodecContext ctx) {
    ByteBuf b = Hex.buf(hex);
    try {
      return assertThrows(BgpDecodeException.class, () -> BgpMessageDecoder.decode(b, ctx));
    } finally {
      b.release();
    }
  }

  static void assertOnlyError(UpdateMessage u, ErrorAction action, int subcode, int type) {
    assertEquals(action, u.errorAction(), () -> u.errors().toString());
    assertEquals(1, u.errors().size(), () -> u.errors().toString());
    UpdateError e = u.errors().get(0);
    assertEquals(subcode, e.subcode());
    assertEquals(type, e.attributeType());
  }

  @Test
  void wellFormed_noErrors() {
    decode(update("", MANDATORY, NLRI), u -> assertEquals(ErrorAction.NONE, u.errorAction()));
  }

  @Test
  void origin_badValue_treatAsWithdrawInvalidOrigin() {
    decode(update("", "40 01 01 03" + AS_PATH + NEXT_HOP, NLRI), u -> {
      assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 6, 1);
      assertArrayEquals(Hex.bytes("40 01 01 03"), u.errors().get(0).data());
      assertNull(u.attributes().origin());
    });
  }

  @Test
  void origin_badLength_treatAsWithdrawAttributeLengthError() {
    decode(update("", "40 01 02 0000" + AS_PATH + NEXT_HOP, NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 1));
  }

  @Test
  void asPath_zeroLengthSegment_treatAsWithdrawMalformedAsPath() {
    decode(update("", ORIGIN + "40 02 02 02 00" + NEXT_HOP, NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 11, 2));
  }

  @Test
  void asPath_segmentOverrun_treatAsWithdraw() {
    decode(update("", ORIGIN + "40 02 06 02 02 0000fde8" + NEXT_HOP, NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 11, 2));
  }

  @Test
  void asPath_twoOctetSession_readsTwoOctetAsns() {
    decode(update("", ORIGIN + "40 02 04 02 01 fde8" + NEXT_HOP, NLRI), CodecContext.INITIAL, u -> {
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertEquals(65000, u.attributes().asPath().firstAs());
    });
  }

  @Test
  void nextHop_badLength_treatAsWithdraw() {
    decode(update("", ORIGIN + AS_PATH + "40 03 05 0a00000100", NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 3));
  }

  @Test
  void med_badLength_treatAsWithdraw() {
    decode(update("", MANDATORY + "80 04 02 0001", NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 4));
  }

  @Test
  void localPref_fromEbgp_discarded() {
    decode(update("", MANDATORY + "40 05 04 00000064", NLRI), u -> {
      assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 0, 5);
      assertFalse(u.attributes().hasLocalPref());
    });
  }

  @Test
  void localPref_fromIbgp_kept() {
    decode(update("", MANDATORY + "40 05 04 00000064", NLRI), UpdateGoldenTest.IBGP,
        u -> assertEquals(100, u.attributes().localPref()));
  }

  @Test
  void originatorIdAndClusterList_fromEbgp_discardedWhateverTheirLengthOrFlags() {
    // RFC 7606 §7.9, §7.10: route-reflection attributes from an external neighbour are discarded
    decode(update("", MANDATORY + "80 09 04 0a000009" + "80 0a 04 0a00000a", NLRI), u -> {
      assertEquals(ErrorAction.ATTRIBUTE_DISCARD, u.errorAction(), () -> u.errors().toString());
      assertEquals(List.of(9, 10), u.errors().stream().map(UpdateError::attributeType).toList());
      assertFalse(u.attributes().hasOriginatorId());
      assertNull(u.attributes().clusterList());
    });
    decode(update("", MANDATORY + "80 09 03 0a0000", NLRI),
        u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 0, 9));
    decode(update("", MANDATORY + "80 0a 03 0a0000", NLRI),
        u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 0, 10));
    decode(update("", MANDATORY + "c0 09 04 0a000009", NLRI),
        u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 4, 9));
  }

  @Test
  void originatorIdAndClusterList_fromIbgp_keptOrTreatAsWithdrawWhenMalformed() {
    decode(update("", MANDATORY + "80 09 04 0a000009" + "80 0a 04 0a00000a", NLRI), UpdateGoldenTest.IBGP, u -> {
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      assertEquals(0x0a000009, u.attributes().originatorId());
      assertEquals(0x0a00000a, u.attributes().clusterList().get(0));
    });
    decode(update("", MANDATORY + "80 09 03 0a0000", NLRI), UpdateGoldenTest.IBGP,
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 9));
    decode(update("", MANDATORY + "80 0a 03 0a0000", NLRI), UpdateGoldenTest.IBGP,
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 10));
  }

  @Test
  void atomicAggregate_badLength_attributeDiscard() {
    decode(update("", MANDATORY + "40 06 01 00", NLRI),
        u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 5, 6));
  }

  @Test
  void aggregator_badLength_attributeDiscard() {
    decode(update("", MANDATORY + "c0 07 06 fde8 0a000001", NLRI),
        u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 5, 7));
  }

  @Test
  void communities_notMultipleOf4_treatAsWithdraw() {
    decode(update("", MANDATORY + "c0 08 03 000000", NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 8));
  }

  @Test
  void largeCommunities_notMultipleOf12_treatAsWithdraw() {
    decode(update("", MANDATORY + "c0 20 04 00000001", NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 32));
  }

  @Test
  void extendedCommunities_notMultipleOf8_treatAsWithdraw() {
    decode(update("", MANDATORY + "c0 10 04 00000001", NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 16));
  }

  @Test
  void flags_originMarkedOptional_treatAsWithdrawFlagsError() {
    decode(update("", "c0 01 01 00" + AS_PATH + NEXT_HOP, NLRI), u -> {
      assertEquals(ErrorAction.TREAT_AS_WITHDRAW, u.errorAction());
      assertEquals(4, u.errors().get(0).subcode());
    });
  }

  @Test
  void flags_medPartial_treatAsWithdraw() {
    decode(update("", MANDATORY + "a0 04 04 00000001", NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 4, 4));
  }

  @Test
  void duplicate_attribute_discardLater() {
    decode(update("", MANDATORY + "80 04 04 00000001 80 04 04 00000002", NLRI), u -> {
      assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 1, 4);
      assertEquals(1, u.attributes().med());
    });
  }

  @Test
  void duplicate_mpReach_sessionResetMalformedAttributeList() {
    String mp = "80 0f 03 0002 01";
    BgpDecodeException e = reset(update("", mp + mp, ""), CodecContext.INITIAL);
    assertEquals(3, e.code());
    assertEquals(1, e.subcode());
  }

  @Test
  void missing_nextHop_treatAsWithdrawMissingWellKnown() {
    decode(update("", ORIGIN + AS_PATH, NLRI), u -> {
      assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 3, 3);
      assertArrayEquals(new byte[] {3}, u.errors().get(0).data());
    });
  }

  @Test
  void missing_origin_withMpReachOnly_treatAsWithdraw() {
    String mp = "90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001";
    decode(update("", AS_PATH + mp, ""), u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 3, 1));
  }

  @Test
  void missing_everyMandatory_nlriWithoutAttributes_treatAsWithdrawEach() {
    decode(update("", "", NLRI), u -> {
      assertEquals(ErrorAction.TREAT_AS_WITHDRAW, u.errorAction());
      assertEquals(3, u.errors().size());
      for (int i = 0; i < 3; i++) {
        assertEquals(3, u.errors().get(i).subcode());
        assertArrayEquals(new byte[] {(byte) new int[] {1, 2, 3}[i]}, u.errors().get(i).data());
      }
    });
  }

  @Test
  void missing_mandatory_withoutNlri_fine() {
    decode(update("18 0a0102", "", ""), u -> assertEquals(ErrorAction.NONE, u.errorAction()));
  }

  @Test
  void unknown_wellKnown_sessionResetUnrecognizedWellKnown() {
    BgpDecodeException e = reset(update("", MANDATORY + "40 63 01 00", NLRI), CodecContext.INITIAL);
    assertEquals(2, e.subcode());
    assertArrayEquals(Hex.bytes("40 63 01 00"), e.data());
  }

  @Test
  void unknown_duplicate_firstKeptInValues() {
    // RFC 7606 §3.g: the second attribute 99 is discarded; the values keep the first one
    decode(update("", MANDATORY + "c0 63 01 aa" + "c0 63 01 bb", NLRI), u -> {
      assertEquals(ErrorAction.ATTRIBUTE_DISCARD, u.errorAction());
      List<UnknownAttribute> unknown = u.attributes().toList().stream()
          .filter(UnknownAttribute.class::isInstance).map(UnknownAttribute.class::cast).toList();
      assertEquals(1, unknown.size());
      assertArrayEquals(new byte[] {(byte) 0xaa}, unknown.get(0).value());
      List<UnknownAttribute> propagated = u.attributes().toPathAttributes().attributes().stream()
          .filter(UnknownAttribute.class::isInstance).map(UnknownAttribute.class::cast).toList();
      assertEquals(1, propagated.size());
      assertArrayEquals(new byte[] {(byte) 0xaa}, propagated.get(0).value());
    });
  }

  @Test
  void unknown_optional_keptAndReencodedUnchanged() {
    String hex = update("", MANDATORY + "d0 63 0002 abcd", NLRI);
    decode(hex, u -> {
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertEquals(1, u.attributes().unknownCount());
      assertArrayEquals(Hex.bytes(hex), Hex.encode(u, CodecContext.FOUR_OCTET_AS));
    });
  }

  @Test
  void attributeOverrun_treatAsWithdraw() {
    // the last attribute claims 9 octets, only 4 present
    decode(update("", MANDATORY + "80 04 09 00000001", NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 1, -1));
  }

  @Test
  void attributeTail_tooShortForHeader_treatAsWithdraw() {
    decode(update("", MANDATORY + "80 04", NLRI), u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 1, -1));
  }

  @Test
  void totalAttributeLength_overrunsMessage_sessionResetMalformedAttributeList() {
    BgpDecodeException e = reset("M 0017 02 0000 0001", CodecContext.INITIAL);
    assertEquals(3, e.code());
    assertEquals(1, e.subcode());
  }

  @Test
  void withdrawnLength_overrunsMessage_sessionReset() {
    BgpDecodeException e = reset("M 0017 02 0005 0000", CodecContext.INITIAL);
    assertEquals(1, e.subcode());
  }

  @Test
  void nlri_prefixLengthAbove32_sessionResetInvalidNetworkField() {
    BgpDecodeException e = reset(update("", MANDATORY, "21 0a000001 00"), CodecContext.INITIAL);
    assertEquals(10, e.subcode());
  }

  @Test
  void nlri_prefixOverrun_sessionReset() {
    BgpDecodeException e = reset(update("", MANDATORY, "18 0a01"), CodecContext.INITIAL);
    assertEquals(10, e.subcode());
  }

  @Test
  void withdrawn_prefixOverrun_sessionReset() {
    BgpDecodeException e = reset(update("20 0a01", "", ""), CodecContext.INITIAL);
    assertEquals(10, e.subcode());
  }

  @Test
  void mpReach_badNextHopLength_afiSafiDisable() {
    String mp = "90 0e 0010 0002 01 04 0a000001 00 30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> {
      assertOnlyError(u, ErrorAction.AFI_SAFI_DISABLE, 9, 14);
      assertEquals(AddressFamily.IPV6_UNICAST, u.errors().get(0).family());
      assertNull(u.attributes().mpReach());
    });
  }

  @Test
  void mpReach_nlriUnparsable_afiSafiDisable() {
    String mp = "90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 81 20010db80001";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> assertOnlyError(u, ErrorAction.AFI_SAFI_DISABLE, 9, 14));
  }

  @Test
  void mpReach_tooShortForAfiSafi_sessionReset() {
    BgpDecodeException e = reset(update("", ORIGIN + AS_PATH + "80 0e 02 0002", ""), CodecContext.INITIAL);
    assertEquals(9, e.subcode());
  }

  @Test
  void mpReach_linkLocalNextHop() {
    String mp = "90 0e 002c 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00"
        + "30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> {
      MpReachView r = u.attributes().mpReach();
      assertTrue(r.hasLinkLocalNextHop());
      assertEquals(0xfe80000000000000L, r.linkLocalNextHopHi());
      assertEquals(1, r.linkLocalNextHopLo());
    });
  }

  @Test
  void mpUnreach_unparsable_afiSafiDisable() {
    decode(update("", "80 0f 05 0002 01 30 20", ""), u -> assertOnlyError(u, ErrorAction.AFI_SAFI_DISABLE, 9, 15));
  }

  @Test
  void as4Path_onFourOctetSession_discarded() {
    decode(update("", MANDATORY + "c0 11 06 02 01 0000fde8", NLRI),
        u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 0, 17));
  }

  @Test
  void as4Path_malformedOnTwoOctetSession_discarded() {
    decode(update("", ORIGIN + "40 02 04 02 01 5ba0" + NEXT_HOP + "c0 11 05 02 01 0000fd", NLRI),
        CodecContext.INITIAL, u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 9, 17));
  }

  @Test
  void addPath_nlriCarriesPathIds() {
    CodecContext ctx = CodecContext.FOUR_OCTET_AS.withAddPath(
        java.util.Set.of(AddressFamily.IPV4_UNICAST), java.util.Set.of());
    decode(update("", MANDATORY, "00000021 18 0a0102"), ctx, u -> {
      PrefixCursor c = u.nlri();
      assertTrue(c.next());
      assertEquals(0x21, c.pathId());
      assertEquals("10.1.2.0/24", c.prefix().toString());
    });
    // without ADD-PATH the same bytes are a bad NLRI
    BgpDecodeException e = reset(update("", MANDATORY, "00000021 18 0a0102"), CodecContext.FOUR_OCTET_AS);
    assertEquals(10, e.subcode());
  }

  @Test
  void copy_outlivesOriginal() {
    ByteBuf b = Hex.buf(UpdateGoldenTest.IPV4_UPDATE);
    UpdateMessage c;
    try {
      c = BgpMessageDecoder.decodeUpdate(b, UpdateGoldenTest.IBGP).copy();
    } finally {
      b.release();
    }
    try {
      assertEquals(2, c.nlriList().size());
      assertEquals(Hex.norm(UpdateGoldenTest.IPV4_UPDATE), ByteBufUtil.hexDump(c.content()));
    } finally {
      c.release();
    }
  }

  /**
   * RouteListener says to keep a message with copy(): a copy must still say treat-as-withdraw when the session found
   * it so (UpdateChecks: first AS, a route leak, our own AS in the path), or a listener that keeps the copy for later
   * accepts routes the session rejected.
   */
  @Test
  void copy_keepsErrorsTheSessionAdded() {
    decode(update("", MANDATORY, NLRI), u -> {
      u.addErrors(List.of(new UpdateError(ErrorAction.TREAT_AS_WITHDRAW, 3, 11, null, 2, null, "first AS")));
      UpdateMessage c = u.copy();
      try {
        assertEquals(ErrorAction.TREAT_AS_WITHDRAW, c.errorAction());
        assertEquals(u.errors(), c.errors());
      } finally {
        c.release();
      }
    });
  }

  @Test
  void asPath_asZero_treatAsWithdraw() {
    decode(update("", ORIGIN + "40 02 06 02 01 00000000" + NEXT_HOP, NLRI),
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 11, 2));
  }

  @Test
  void aggregator_asZero_attributeDiscard() {
    decode(update("", MANDATORY + "c0 07 08 00000000 0a000001", NLRI),
        u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 9, 7));
  }

  @Test
  void open_asZero_badPeerAs() {
    BgpDecodeException e = OpenMessageTest.decodeError("M 001d 01 04 0000 005a 0a000001 00");
    assertEquals(2, e.code());
    assertEquals(2, e.subcode());
  }

  @Test
  void attributeOverrun_noRoutesAnywhere_sessionReset() {
    BgpDecodeException e = reset(update("", ORIGIN + "80 04 09 00000001", ""), CodecContext.INITIAL);
    assertEquals(3, e.code());
    assertEquals(1, e.subcode());
  }

  @Test
  void attributeOverrun_afterMpUnreach_noReachableNlri_sessionReset() {
    // RFC 7606 §5.2: an attribute besides MP_UNREACH_NLRI, no reachable NLRI: treat-as-withdraw becomes a reset
    BgpDecodeException e = reset(update("", "80 0f 06 0002 01 10 2001" + "80 04 09 00000001", ""),
        CodecContext.FOUR_OCTET_AS);
    assertEquals(1, e.subcode());
  }

  @Test
  void treatAsWithdrawError_withdrawnRoutesOnly_sessionResetWithTheAttribute() {
    BgpDecodeException e = reset(update("18 0a0102", "40 01 01 03", ""), CodecContext.FOUR_OCTET_AS);
    assertEquals(6, e.subcode());
    assertArrayEquals(Hex.bytes("40 01 01 03"), e.data());
  }

  @Test
  void attributeDiscardError_withdrawnRoutesOnly_noEscalation() {
    decode(update("18 0a0102", "40 06 01 00", ""), u -> {
      assertEquals(ErrorAction.ATTRIBUTE_DISCARD, u.errorAction());
      assertEquals(1, u.withdrawnAll().size());
    });
  }

  @Test
  void mpUnreachOnly_malformed_afiSafiDisableNotEscalated() {
    decode(update("", "80 0f 05 0002 01 30 20", ""), u -> assertEquals(ErrorAction.AFI_SAFI_DISABLE, u.errorAction()));
  }

  @Test
  void mpReachMalformed_withMandatory_noNlriField_afiSafiDisableNotEscalated() {
    // MP_REACH_NLRI present (reachable NLRI intended): §5.2 does not apply; its own error is AFI/SAFI disable
    String mp = "90 0e 0010 0002 01 04 0a000001 00 30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> assertEquals(ErrorAction.AFI_SAFI_DISABLE, u.errorAction()));
  }

  @Test
  void mpReach_ipv4UnicastWithIpv4NextHop_decodes() {
    String mp = "80 0e 0d 0001 01 04 0a000001 00 18 0a0102";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> {
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      assertEquals(0x0a000001, u.attributes().mpReach().nextHopIpv4());
      assertEquals(java.util.List.of(IpPrefix.parse("10.1.2.0/24")), u.announced());
    });
  }

  @Test
  void mpReach_otherFamily_keptRaw() {
    // L2VPN EVPN: not interpreted, the NLRI is available as bytes
    String mp = "90 0e 000e 0019 46 04 0a000001 00 02 03 aabbcc";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> {
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      MpReachView r = u.attributes().mpReach();
      assertEquals(AddressFamily.of(25, 70), r.family());
      assertFalse(r.hasPrefixes());
      assertFalse(r.prefixes().next());
      assertEquals("0203aabbcc", io.netty.buffer.ByteBufUtil.hexDump(r.nlriSlice()));
    });
  }

  /** What an Adj-RIB-In keeps (the attribute octets as received) reads back as the UPDATE did on receipt. */
  @Test
  void decodeAttributes_asOnReceipt_discardedLeftOut_unknownKept() {
    // AGGREGATOR of 2 octets: attribute discard (§7.7); an unknown optional transitive attribute; one community
    String attrs = MANDATORY + "c0 07 02 0102" + "c0 f0 02 0102" + "c0 08 04 fde80064";
    PathAttributes a = BgpMessageDecoder.decodeAttributes(Hex.bytes(attrs), CodecContext.FOUR_OCTET_AS);
    assertTrue(a.get(Aggregator.class).isEmpty(), a.toString());
    assertEquals(List.of(new Community(65000 << 16 | 100)),
        a.get(Communities.class).orElseThrow().communities());
    UnknownAttribute unknown = a.get(
        UnknownAttribute.class).orElseThrow();
    assertEquals(0xf0, unknown.typeCode());
    assertArrayEquals(Hex.bytes("0102"), unknown.value());
    ByteBuf b = Hex.buf(update("", attrs, NLRI));
    try {
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS);
      assertEquals(ErrorAction.ATTRIBUTE_DISCARD, u.errorAction());
      assertEquals(u.attributes().toPathAttributes(), a);
    } finally {
      b.release();
    }
  }

  /**
   * RFC 7606 §3.c: wrong Optional/Transitive bits are handled as the attribute's length errors, which for
   * MP_REACH_NLRI are AFI/SAFI disable or session reset (§7.11, RFC 4760 §7; FRR resets), not treat-as-withdraw.
   */
  @Test
  void mpReachWrongFlags_afiSafiDisable() {
    String mp = "c0 0e 1c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> {
      assertEquals(ErrorAction.AFI_SAFI_DISABLE, u.errorAction(), u.errors().toString());
      assertEquals(AddressFamily.IPV6_UNICAST, u.errors().get(0).family());
      assertEquals(4, u.errors().get(0).subcode()); // Attribute Flags Error
    });
  }

  /**
   * RFC 7606 §2: treat-as-withdraw needs MP_REACH_NLRI / MP_UNREACH_NLRI parsed; one that overruns the attributes
   * cannot be, and its withdrawals would be lost: session reset with Attribute Length Error (as FRR toward iBGP
   * peers; toward eBGP ones FRR treats it as withdraw and keeps the MP routes it could not read).
   */
  @Test
  void mpUnreachOverrunningTheAttributes_sessionReset() {
    BgpDecodeException e = reset(update("", MANDATORY + "80 0f 20 0002 01 30 20010db80001", NLRI),
        CodecContext.FOUR_OCTET_AS);
    assertEquals(3, e.code());
    assertEquals(5, e.subcode());
  }

  /** FRR's martian check (ipv4_unicast_valid): 0/8 and 240/4 are no host's address: Invalid NEXT_HOP. */
  @Test
  void nextHopInNet0OrClassE_invalidNextHop() {
    for (String nh : List.of("00010203", "f0000001", "ffffffff")) {
      decode(update("", ORIGIN + AS_PATH + "40 03 04 " + nh, NLRI), u -> {
        List<UpdateError> found = UpdateChecks.check(u, 65000, true);
        assertEquals(1, found.size(), "next hop " + nh);
        assertEquals(ErrorAction.TREAT_AS_WITHDRAW, found.get(0).action());
        assertEquals(8, found.get(0).subcode());
      });
    }
  }

  /** RFC 2545 §3: the second of two IPv6 next hops is the link-local one; one outside fe80::/10 is not (FRR). */
  @Test
  void mpReachSecondNextHopNotLinkLocal_notReportedAsLinkLocal() {
    String mp = "90 0e 002c 0002 01 20 20010db8000000000000000000000001 20010db8000000000000000000000002 00"
        + "30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> {
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertFalse(u.attributes().mpReach().hasLinkLocalNextHop());
    });
    String linkLocal = "90 0e 002c 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000002 00"
        + "30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + linkLocal, ""),
        u -> assertTrue(u.attributes().mpReach().hasLinkLocalNextHop()));
  }

  /**
   * An MP_REACH_NLRI next hop that is no host's address (FRR's martian filter): 0.0.0.0 for IPv4, ::, ::1 and
   * ff00::/8 for IPv6, treat-as-withdraw; a global unicast one passes, and ::1 on a session over loopback.
   */
  @Test
  void mpReachMartianNextHop_invalidNextHop() {
    String ipv4Zero = "80 0e 0d 0001 01 04 00000000 00 18 0a0102";
    decode(update("", ORIGIN + AS_PATH + ipv4Zero, ""), u -> {
      assertEquals(ErrorAction.NONE, u.errorAction());
      List<UpdateError> found = UpdateChecks.check(u, 65000, true);
      assertEquals(1, found.size());
      assertEquals(ErrorAction.TREAT_AS_WITHDRAW, found.get(0).action());
      assertEquals(8, found.get(0).subcode());
      assertTrue(found.get(0).reason().contains("0.0.0.0"), found.get(0).reason());
    });
    for (String nh : List.of("00000000000000000000000000000000", "00000000000000000000000000000001",
        "ff020000000000000000000000000001")) {
      String mp = "90 0e 001c 0002 01 10 " + nh + " 00 30 20010db80001";
      decode(update("", ORIGIN + AS_PATH + mp, ""),
          u -> assertEquals(1, UpdateChecks.check(u, 65000, true).size(), "next hop " + nh));
    }
    String global = "90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + global, ""), u -> assertEquals(List.of(), UpdateChecks.check(u, 65000, true)));
    String loopback = "90 0e 001c 0002 01 10 00000000000000000000000000000001 00 30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + loopback, ""),
        u -> assertEquals(List.of(), UpdateChecks.check(u, 65000, true, false, true)));
  }

  /** RFC 7606 §7.8: COMMUNITIES is malformed unless its length is a NON-ZERO multiple of 4: treat-as-withdraw. */
  @Test
  void communities_zeroLength_treatAsWithdraw() {
    decode(update("", MANDATORY + "c0 08 00", NLRI), u -> {
      assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 8);
      assertArrayEquals(Hex.bytes("c0 08 00"), u.errors().get(0).data());
    });
  }

  /**
   * RFC 7606 §7.10: from an internal neighbour, a CLUSTER_LIST whose length is not a non-zero multiple of 4 is
   * malformed: treat-as-withdraw (6 octets: even, but not a whole number of cluster IDs).
   */
  @Test
  void clusterList_fromIbgp_lengthNotMultipleOf4_treatAsWithdraw() {
    decode(update("", MANDATORY + "80 0a 06 0a00000a 0a00", NLRI), UpdateGoldenTest.IBGP, u -> {
      assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 10);
      assertNull(u.attributes().clusterList());
    });
    decode(update("", MANDATORY + "80 0a 00", NLRI), UpdateGoldenTest.IBGP,
        u -> assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 10));
  }

  /** RFC 9234 §5: an OTC attribute of another length than 4 is malformed: treat-as-withdraw, not attribute discard. */
  @Test
  void onlyToCustomer_badLength_treatAsWithdraw() {
    for (String otc : List.of("c0 23 03 00fde8", "c0 23 05 0000fde800")) {
      decode(update("", MANDATORY + otc, NLRI), u -> {
        assertOnlyError(u, ErrorAction.TREAT_AS_WITHDRAW, 5, 35);
        assertArrayEquals(Hex.bytes(otc), u.errors().get(0).data());
      });
    }
  }

  /**
   * RFC 6793 §6 / RFC 7606 §3.c: an AS4_AGGREGATOR whose flags are wrong is malformed and handled as that attribute's
   * malformation, attribute discard (not treat-as-withdraw), on a 2-octet session and on a 4-octet one alike.
   */
  @Test
  void flags_as4AggregatorMarkedWellKnown_attributeDiscard() {
    String as4Aggregator = "40 12 08 0000fde8 0a000001";
    decode(update("", ORIGIN + "40 02 04 02 01 5ba0" + NEXT_HOP + as4Aggregator, NLRI), CodecContext.INITIAL,
        u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 4, 18));
    decode(update("", MANDATORY + as4Aggregator, NLRI),
        u -> assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 4, 18));
  }

  /**
   * RFC 7607 §2 / RFC 7606 §7.7: AS 0 in a 2-octet AGGREGATOR (6 octets on a session without 4-octet AS) is
   * discarded too; the check reads the 2 AS octets only, not the aggregator's address that follows.
   */
  @Test
  void aggregator_asZero_twoOctetSession_attributeDiscard() {
    decode(update("", ORIGIN + "40 02 04 02 01 fde8" + NEXT_HOP + "c0 07 06 0000 0a000001", NLRI),
        CodecContext.INITIAL, u -> {
          assertOnlyError(u, ErrorAction.ATTRIBUTE_DISCARD, 9, 7);
          assertFalse(u.attributes().hasAggregator());
        });
    decode(update("", ORIGIN + "40 02 04 02 01 fde8" + NEXT_HOP + "c0 07 06 fde8 0a000001", NLRI),
        CodecContext.INITIAL, u -> assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString()));
  }

  /**
   * RFC 4760 §3: after the next hop comes one Reserved octet, so MP_REACH_NLRI is at least 5 + next hop length
   * octets; one that stops right after the next hop is malformed: AFI/SAFI disable (RFC 7606 §7.11), also for a
   * family whose NLRI this library keeps raw.
   */
  @Test
  void mpReach_noReservedOctet_otherFamily_afiSafiDisable() {
    String mp = "90 0e 0008 0019 46 04 0a000001";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> {
      assertOnlyError(u, ErrorAction.AFI_SAFI_DISABLE, 9, 14);
      assertEquals(AddressFamily.of(25, 70), u.errors().get(0).family());
      assertNull(u.attributes().mpReach());
    });
  }

  /**
   * RFC 8950 §4 / RFC 7606 §7.11: IPv4 NLRI in MP_REACH_NLRI with a 16- or 32-octet (IPv6) next hop is valid only
   * when extended next hop was negotiated for IPv4 unicast; otherwise the next hop length does not fit the family:
   * AFI/SAFI disable.
   */
  @Test
  void mpReach_ipv4WithIpv6NextHop_onlyWithExtendedNextHop() {
    String mp = "90 0e 0019 0001 01 10 20010db8000000000000000000000001 00 18 0a0102";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> {
      assertOnlyError(u, ErrorAction.AFI_SAFI_DISABLE, 9, 14);
      assertEquals(AddressFamily.IPV4_UNICAST, u.errors().get(0).family());
    });
    decode(update("", ORIGIN + AS_PATH + mp, ""),
        CodecContext.FOUR_OCTET_AS.withExtendedNextHop(java.util.Set.of(AddressFamily.IPV4_UNICAST)), u -> {
          assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
          assertEquals(List.of(IpPrefix.parse("10.1.2.0/24")), u.announced());
        });
  }

  /**
   * RFC 4760 §3: the next hop's form follows its length; a 16- or 32-octet next hop is no IPv4 address, so reading
   * it as one fails rather than returning its first four octets.
   */
  @Test
  void mpReach_ipv6NextHop_notReadableAsIpv4() {
    String mp = "90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> {
      MpReachView r = u.attributes().mpReach();
      assertThrows(IllegalStateException.class, r::nextHopIpv4);
      assertEquals(0x20010db800000000L, r.nextHopIpv6Hi());
    });
  }

  /**
   * RFC 2545 §3 with RFC 4291 §2.4: the second next hop is link-local when it is in fe80::/10 (as FRR's
   * IN6_IS_ADDR_LINKLOCAL), so fe90::1 counts, not only fe80::/16.
   */
  @Test
  void mpReach_linkLocalNextHop_wholeFe80Slash10() {
    String mp = "90 0e 002c 0002 01 20 20010db8000000000000000000000001 fe900000000000000000000000000001 00"
        + "30 20010db80001";
    decode(update("", ORIGIN + AS_PATH + mp, ""), u -> assertTrue(u.attributes().mpReach().hasLinkLocalNextHop()));
  }

  /**
   * RFC 4271 §6.3: Withdrawn Routes Length + Total Attribute Length + 23 above the message length is a Malformed
   * Attribute List, session reset, also when the Total Attribute Length claims just one octet more than there is and
   * the UPDATE carries MP_REACH_NLRI (which would otherwise keep it from the RFC 7606 §5.2 escalation).
   */
  @Test
  void totalAttributeLength_oneOctetPastMessage_withMpReach_sessionReset() {
    String attrs = ORIGIN + AS_PATH + "90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001";
    int a = Hex.bytes(attrs).length;
    String hex = "M " + String.format("%04x", 23 + a) + " 02 0000 " + String.format("%04x", a + 1) + attrs;
    BgpDecodeException e = reset(hex, CodecContext.FOUR_OCTET_AS);
    assertEquals(3, e.code());
    assertEquals(1, e.subcode());
  }
}
