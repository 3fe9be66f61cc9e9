package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.attribute.AsPathSegment;
import io.speakerkit.bgp.wire.attribute.AsPathView;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.attribute.Uint32ListView;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-built UPDATEs from the RFC 4271 §4.3 / RFC 4760 layouts, checked both ways. */
class UpdateGoldenTest {

  static final CodecContext IBGP = CodecContext.FOUR_OCTET_AS.withPeerType(PeerType.INTERNAL);

  /** 10.1.2.0/24 and 10.0.0.10/32 via 10.0.0.1, AS_PATH 65000 65001, MED 100, LOCAL_PREF 200, 65000:100 NO_ADVERTISE. */
  static final String IPV4_UPDATE = "M 0051 02 0000 0031"
      + "40 01 01 00"
      + "40 02 0a 02 02 0000fde8 0000fde9"
      + "40 03 04 0a000001"
      + "80 04 04 00000064"
      + "40 05 04 000000c8"
      + "c0 08 08 fde80064 ffffff02"
      + "18 0a0102"
      + "20 0a00000a";

  /** 2001:db8:1::/48 and 2001:db8:2::/64 via 2001:db8::1 in MP_REACH_NLRI, AS_PATH 65000. */
  /** MP_REACH_NLRI comes first (RFC 7606 §5.1). */
  static final String IPV6_UPDATE = "M 004d 02 0000 0036"
      + "90 0e 0025 0002 01 10 20010db8000000000000000000000001 00"
      + "30 20010db80001"
      + "40 20010db800020000"
      + "40 01 01 00"
      + "40 02 06 02 01 0000fde8";

  @Test
  void ipv4Update_decodesInPlace() {
    ByteBuf b = Hex.buf(IPV4_UPDATE);
    try {
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(b, IBGP);
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      UpdateAttributes a = u.attributes();
      assertEquals(Origin.IGP, a.origin());
      AsPathView p = a.asPath();
      assertTrue(p.nextSegment());
      assertEquals(AsPathSegment.AS_SEQUENCE, p.segmentType());
      assertEquals(2, p.segmentLength());
      assertEquals(65000, p.asn(0));
      assertEquals(65001, p.asn(1));
      assertFalse(p.nextSegment());
      assertEquals(2, p.pathLength());
      assertEquals(0x0a000001, a.nextHopIpv4());
      assertEquals(100, a.med());
      assertEquals(200, a.localPref());
      Uint32ListView c = a.communities();
      assertEquals(2, c.size());
      assertEquals(Community.of(65000, 100).value(), c.get(0));
      assertEquals(Community.NO_ADVERTISE.value(), c.get(1));
      assertEquals("65535:65282", new Community(c.get(1)).toString());
      assertEquals(List.of(IpPrefix.parse("10.1.2.0/24"), IpPrefix.parse("10.0.0.10/32")), u.nlriList());
      PrefixCursor cur = u.nlri();
      assertTrue(cur.next());
      assertEquals(24, cur.length());
      assertEquals(0x0a010200, cur.ipv4());
      assertTrue(cur.next());
      assertEquals("10.0.0.10/32", cur.prefix().toString());
      assertFalse(cur.next());
      assertEquals(0, u.withdrawnList().size());
      assertNull(u.endOfRib());
      assertArrayEquals(Hex.bytes(IPV4_UPDATE), Hex.encode(u, IBGP));
    } finally {
      b.release();
    }
  }

  @Test
  void ipv4Update_builtWithEncoder_matchesGolden() throws Exception {
    PathAttributes attrs = PathAttributes.builder()
        .origin(Origin.IGP)
        .asPath(65000, 65001)
        .nextHop(InetAddress.getByName("10.0.0.1"))
        .med(100)
        .localPref(200)
        .communities(Community.of(65000, 100), Community.NO_ADVERTISE)
        .build();
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.write(out, List.of(), attrs,
          List.of(IpPrefix.parse("10.1.2.0/24"), IpPrefix.parse("10.0.0.10/32")), IBGP);
      assertEquals(Hex.norm(IPV4_UPDATE), Hex.hex(out));
      out.clear();
      int next = UpdateEncoder.writeAnnouncements(out, attrs,
          List.of(IpPrefix.parse("10.1.2.0/24"), IpPrefix.parse("10.0.0.10/32")), 0, 0, IBGP);
      assertEquals(2, next);
      assertEquals(Hex.norm(IPV4_UPDATE), Hex.hex(out));
    } finally {
      out.release();
    }
  }

  @Test
  void ipv6Update_decodesMpReach() {
    ByteBuf b = Hex.buf(IPV6_UPDATE);
    try {
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS);
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      MpReachView r = u.attributes().mpReach();
      assertEquals(AddressFamily.IPV6_UNICAST, r.family());
      assertEquals(16, r.nextHopLength());
      assertEquals(0x20010db800000000L, r.nextHopIpv6Hi());
      assertEquals(1L, r.nextHopIpv6Lo());
      assertFalse(r.hasLinkLocalNextHop());
      assertEquals(List.of(IpPrefix.parse("2001:db8:1::/48"), IpPrefix.parse("2001:db8:2::/64")), r.prefixList());
      assertEquals(r.prefixList(), u.announced());
      assertArrayEquals(Hex.bytes(IPV6_UPDATE), Hex.encode(u, CodecContext.FOUR_OCTET_AS));
    } finally {
      b.release();
    }
  }

  @Test
  void ipv6Update_builtWithEncoder_matchesGolden() throws Exception {
    PathAttributes attrs = PathAttributes.builder()
        .origin(Origin.IGP)
        .asPath(65000)
        .nextHop(InetAddress.getByName("2001:db8::1"))
        .build();
    ByteBuf out = Unpooled.buffer();
    try {
      int next = UpdateEncoder.writeAnnouncements(out, attrs,
          List.of(IpPrefix.parse("2001:db8:1::/48"), IpPrefix.parse("2001:db8:2::/64")), 0, 0,
          CodecContext.FOUR_OCTET_AS);
      assertEquals(2, next);
      assertEquals(Hex.norm(IPV6_UPDATE), Hex.hex(out));
    } finally {
      out.release();
    }
  }

  /** RFC 7606 §5.1: MP_REACH_NLRI / MP_UNREACH_NLRI, when present, are the very first path attribute. */
  @Test
  void mpReachAndMpUnreach_areTheFirstAttribute_inEveryEncoderForm() throws Exception {
    PathAttributes v6 = PathAttributes.builder().origin(Origin.IGP).asPath(65000)
        .nextHop(InetAddress.getByName("2001:db8::1")).localPref(100).build();
    List<IpPrefix> v6Prefixes = List.of(IpPrefix.parse("2001:db8:1::/48"), IpPrefix.parse("2001:db8:2::/64"));
    List<IpPrefix> v4Prefixes = List.of(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.0/16"));
    CodecContext extendedNextHop = IBGP.withExtendedNextHop(java.util.Set.of(AddressFamily.IPV4_UNICAST));
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAnnouncement(out, v6, v6Prefixes.get(0), IBGP);
      assertFirstAttribute(out, AttributeTypeCodes.MP_REACH, IBGP, List.of(v6Prefixes.get(0)));
      UpdateEncoder.writeAnnouncements(out, v6, v6Prefixes, 0, 0, IBGP);
      assertFirstAttribute(out, AttributeTypeCodes.MP_REACH, IBGP, v6Prefixes);
      // RFC 8950: IPv4 NLRI with an IPv6 next hop travel in MP_REACH_NLRI too
      UpdateEncoder.writeAnnouncements(out, v6, v4Prefixes, 0, 0, extendedNextHop);
      assertFirstAttribute(out, AttributeTypeCodes.MP_REACH, extendedNextHop, v4Prefixes);
      UpdateEncoder.writeWithdrawals(out, v6Prefixes, 0, 0, IBGP);
      assertFirstAttribute(out, AttributeTypeCodes.MP_UNREACH, IBGP, List.of());
      UpdateEncoder.write(out, v6Prefixes, v6, List.of(IpPrefix.parse("2001:db8:3::/48")), IBGP);
      assertFirstAttribute(out, AttributeTypeCodes.MP_REACH, IBGP, List.of(IpPrefix.parse("2001:db8:3::/48")));
    } finally {
      out.release();
    }
  }

  private interface AttributeTypeCodes {
    int MP_REACH = 14;
    int MP_UNREACH = 15;
  }

  /** Decodes the next UPDATE of {@code out} and checks its first attribute's type and what it announces. */
  private static void assertFirstAttribute(ByteBuf out, int type, CodecContext ctx, List<IpPrefix> announced) {
    int length = out.getUnsignedShort(out.readerIndex() + 16);
    ByteBuf frame = out.readSlice(length);
    int withdrawnLength = frame.getUnsignedShort(19);
    assertEquals(type, frame.getUnsignedByte(19 + 2 + withdrawnLength + 2 + 1), () -> Hex.hex(frame));
    UpdateMessage u = BgpMessageDecoder.decodeUpdate(frame, ctx);
    assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
    assertEquals(announced, u.announced());
  }

  @Test
  void endOfRib_ipv4_isEmptyUpdate() {
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeEndOfRib(out, AddressFamily.IPV4_UNICAST);
      assertEquals(Hex.norm("M 0017 02 0000 0000"), Hex.hex(out));
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, CodecContext.INITIAL);
      assertEquals(AddressFamily.IPV4_UNICAST, u.endOfRib());
    } finally {
      out.release();
    }
  }

  @Test
  void endOfRib_ipv6_isEmptyMpUnreach() {
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeEndOfRib(out, AddressFamily.IPV6_UNICAST);
      assertEquals(Hex.norm("M 001d 02 0000 0006 80 0f 03 0002 01"), Hex.hex(out));
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, CodecContext.INITIAL);
      assertEquals(AddressFamily.IPV6_UNICAST, u.endOfRib());
      assertEquals(ErrorAction.NONE, u.errorAction());
    } finally {
      out.release();
    }
  }

  @Test
  void withdrawals_ipv4AndIpv6() {
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAllWithdrawals(out, List.of(IpPrefix.parse("10.1.2.0/24"),
          IpPrefix.parse("2001:db8:1::/48")), CodecContext.INITIAL);
      assertEquals(Hex.norm("M 001b 02 0004 18 0a0102 0000"
          + "M 0025 02 0000 000e 90 0f 000a 0002 01 30 20010db80001"), Hex.hex(out));
      UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(out, CodecContext.INITIAL);
      try {
        assertEquals(List.of(IpPrefix.parse("10.1.2.0/24")), u.withdrawnAll());
      } finally {
        u.release();
      }
      UpdateMessage v = (UpdateMessage) BgpFrameDecoder.next(out, CodecContext.INITIAL);
      try {
        assertEquals(List.of(IpPrefix.parse("2001:db8:1::/48")), v.withdrawnAll());
      } finally {
        v.release();
      }
    } finally {
      out.release();
    }
  }

  @Test
  void packing_fillsMessagesToMaxLength() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65000)
        .nextHop(InetAddress.getByName("10.0.0.1")).build();
    List<IpPrefix> prefixes = new java.util.ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      prefixes.add(IpPrefix.ipv4(0x0a000000 | i, 32));
    }
    ByteBuf out = Unpooled.buffer();
    try {
      int messages = UpdateEncoder.writeAllAnnouncements(out, attrs, prefixes, CodecContext.FOUR_OCTET_AS);
      // 4096 - 23 - attrs(4 + 9 + 7 = 20) = 4053 octets of NLRI: 810 /32s per message
      assertEquals(4, messages);
      int seen = 0;
      UpdateMessage u;
      while ((u = (UpdateMessage) BgpFrameDecoder.next(out, CodecContext.FOUR_OCTET_AS)) != null) {
        try {
          assertTrue(u.length() <= 4096);
          seen += u.nlri().count();
        } finally {
          u.release();
        }
      }
      assertEquals(3000, seen);
    } finally {
      out.release();
    }
  }

  @Test
  void build_ownsItsBuffer_andLengthHelperIsExact() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65000)
        .nextHop(InetAddress.getByName("2001:db8::1")).nextHop(InetAddress.getByName("10.0.0.1")).build();
    UpdateMessage u = UpdateMessage.build(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, List.of(), attrs,
        List.of(IpPrefix.parse("10.0.0.0/8")), CodecContext.FOUR_OCTET_AS);
    try {
      assertEquals(1, u.refCnt());
      assertEquals(List.of(IpPrefix.parse("10.0.0.0/8")), u.announced());
    } finally {
      assertTrue(u.release());
    }
    for (String p : new String[] {"10.0.0.0/8", "2001:db8::/33", "0.0.0.0/0"}) {
      ByteBuf out = Unpooled.buffer();
      try {
        UpdateEncoder.writeAnnouncement(out, attrs, IpPrefix.parse(p), CodecContext.FOUR_OCTET_AS);
        assertEquals(out.readableBytes(),
            UpdateEncoder.announcementLength(attrs, IpPrefix.parse(p), CodecContext.FOUR_OCTET_AS));
      } finally {
        out.release();
      }
    }
  }

  /**
   * RFC 4724 §2: End-of-RIB for a family other than IPv4 unicast is an UPDATE whose only attribute is an EMPTY
   * MP_UNREACH_NLRI; one that withdraws prefixes is an ordinary withdrawal, not End-of-RIB.
   */
  @Test
  void endOfRib_mpUnreachWithPrefixes_isNotEndOfRib() {
    ByteBuf b = Hex.buf(UpdateErrorHandlingTest.update("", "80 0f 0a 0002 01 30 20010db80001", ""));
    try {
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(b, CodecContext.INITIAL);
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertNull(u.endOfRib());
      assertFalse(u.isEndOfRib());
      assertEquals(List.of(IpPrefix.parse("2001:db8:1::/48")), u.withdrawnAll());
    } finally {
      b.release();
    }
  }

  /**
   * RFC 4271 §4.1: a message may be 4096 octets long, that limit included: prefixes that fill an UPDATE to exactly
   * 4096 octets go in one message (4096 - 23 - 20 octets of attributes = 4053 = 810 /32s and one /16).
   */
  @Test
  void packing_prefixesFillingExactly4096_oneMessage() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65000)
        .nextHop(InetAddress.getByName("10.0.0.1")).build();
    List<IpPrefix> prefixes = new java.util.ArrayList<>();
    for (int i = 0; i < 810; i++) {
      prefixes.add(IpPrefix.ipv4(0x0a000000 | i, 32));
    }
    prefixes.add(IpPrefix.parse("172.16.0.0/16"));
    ByteBuf out = Unpooled.buffer();
    try {
      assertEquals(1, UpdateEncoder.writeAllAnnouncements(out, attrs, prefixes, CodecContext.FOUR_OCTET_AS));
      assertEquals(4096, out.readableBytes());
      UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(out, CodecContext.FOUR_OCTET_AS);
      try {
        assertEquals(4096, u.length());
        assertEquals(811, u.nlri().count());
      } finally {
        u.release();
      }
    } finally {
      out.release();
    }
  }

  /**
   * RFC 4271 §4.1, §4.3: a withdrawal-only UPDATE carries the 2-octet Total Path Attribute Length after the
   * withdrawn routes, so the withdrawn routes get at most 4096 - 23 octets; every message stays within 4096 octets
   * (a longer one draws Bad Message Length from the peer).
   */
  @Test
  void withdrawals_ipv4Packing_leavesRoomForTotalAttributeLength() {
    List<IpPrefix> prefixes = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      prefixes.add(IpPrefix.ipv4(0x0a000000 | i, 32));
    }
    ByteBuf out = Unpooled.buffer();
    try {
      assertEquals(2, UpdateEncoder.writeAllWithdrawals(out, prefixes, CodecContext.INITIAL));
      int seen = 0;
      UpdateMessage u;
      while ((u = (UpdateMessage) BgpFrameDecoder.next(out, CodecContext.INITIAL)) != null) {
        try {
          assertTrue(u.length() <= 4096, "UPDATE of " + u.length() + " octets");
          seen += u.withdrawn().count();
        } finally {
          u.release();
        }
      }
      assertEquals(1000, seen);
    } finally {
      out.release();
    }
  }

  /**
   * RFC 4271 §4.1 with RFC 7606 §5.1 (MP_REACH_NLRI first): IPv6 prefixes are packed so that MP_REACH_NLRI and the
   * attributes after it (not NEXT_HOP, which IPv6 announcements leave out) fill the UPDATE to exactly 4096 octets:
   * 23 + 25 (MP_REACH_NLRI header, 16-octet next hop) + 13 (ORIGIN, AS_PATH) + 237 /128s + one /40 = 4096.
   */
  @Test
  void packing_ipv6PrefixesFillingExactly4096_oneMessage() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65000)
        .nextHop(InetAddress.getByName("2001:db8::1")).nextHop(InetAddress.getByName("10.0.0.1")).build();
    List<IpPrefix> prefixes = new java.util.ArrayList<>();
    for (int i = 0; i < 237; i++) {
      prefixes.add(IpPrefix.parse("2001:db8::" + Integer.toHexString(i + 1) + "/128"));
    }
    prefixes.add(IpPrefix.parse("2001:db8:ff00::/40"));
    ByteBuf out = Unpooled.buffer();
    try {
      assertEquals(1, UpdateEncoder.writeAllAnnouncements(out, attrs, prefixes, CodecContext.FOUR_OCTET_AS));
      assertEquals(4096, out.readableBytes());
      UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(out, CodecContext.FOUR_OCTET_AS);
      try {
        assertEquals(ErrorAction.NONE, u.errorAction());
        assertEquals(prefixes, u.announced());
      } finally {
        u.release();
      }
    } finally {
      out.release();
    }
  }
}
