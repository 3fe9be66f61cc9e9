package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.attribute.Aggregator;
import io.speakerkit.bgp.wire.attribute.As4Aggregator;
import io.speakerkit.bgp.wire.attribute.As4Path;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.AsPathView;
import io.speakerkit.bgp.wire.attribute.AttributeFlags;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttribute;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.attribute.UnknownAttribute;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import io.speakerkit.bgp.wire.attribute.AsPathSegment;
import org.junit.jupiter.api.Test;

class PathAttributesTest {

  @Test
  void twoOctetSession_asTransAndAs4Path() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(4200000000L, 65001)
        .nextHop(InetAddress.getByName("10.0.0.1"))
        .aggregator(4200000000L, (Inet4Address) InetAddress.getByName("10.0.0.2")).build();
    ByteBuf out = Unpooled.buffer();
    try {
      attrs.writeTo(out, false, true);
      assertEquals(Hex.norm("40 01 01 00"
          + "40 02 06 02 02 5ba0 fde9"
          + "40 03 04 0a000001"
          + "c0 07 06 5ba0 0a000002"
          + "c0 11 0a 02 02 fa56ea00 0000fde9"
          + "c0 12 08 fa56ea00 0a000002"), Hex.hex(out));
      out.clear();
      attrs.writeTo(out, true, true);
      assertEquals(Hex.norm("40 01 01 00"
          + "40 02 0a 02 02 fa56ea00 0000fde9"
          + "40 03 04 0a000001"
          + "c0 07 08 fa56ea00 0a000002"), Hex.hex(out));
    } finally {
      out.release();
    }
  }

  @Test
  void twoOctetSession_decodedAs4PathMerges() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65010, 4200000000L, 65001)
        .nextHop(InetAddress.getByName("10.0.0.1")).build();
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAnnouncement(out, attrs, IpPrefix.parse("10.9.0.0/16"), CodecContext.INITIAL);
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, CodecContext.INITIAL);
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertEquals("65010 23456 65001", u.attributes().asPath().toString());
      assertEquals(AsPath.sequence(65010, 4200000000L, 65001), u.attributes().effectiveAsPath());
    } finally {
      out.release();
    }
  }

  @Test
  void twoOctetSession_aggregatorWithRealAs_as4PathIgnored() {
    // RFC 6793 §4.2.3: AGGREGATOR AS 65001 (not AS_TRANS): AS4_PATH and AS4_AGGREGATOR are ignored
    String hex = UpdateErrorHandlingTest.update("", "40 01 01 00" + "40 02 06 02 02 fde9 5ba0" + "40 03 04 0a000001"
        + "c0 07 06 fde9 0a000001" + "c0 11 0a 02 02 0000fde9 fa56ea00", "18 0a0102");
    UpdateErrorHandlingTest.decode(hex, CodecContext.INITIAL, u -> {
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertEquals(AsPath.sequence(65001, 23456), u.attributes().effectiveAsPath());
    });
  }

  @Test
  void twoOctetSession_aggregatorAsTrans_as4PathMerges() {
    String hex = UpdateErrorHandlingTest.update("", "40 01 01 00" + "40 02 06 02 02 fde9 5ba0" + "40 03 04 0a000001"
        + "c0 07 06 5ba0 0a000001" + "c0 11 0a 02 02 0000fde9 fa56ea00" + "c0 12 08 fa56ea00 0a000001", "18 0a0102");
    UpdateErrorHandlingTest.decode(hex, CodecContext.INITIAL,
        u -> assertEquals(AsPath.sequence(65001, 4200000000L), u.attributes().effectiveAsPath()));
  }

  /** The 4-octet form of what a 2-octet session received: AS4_PATH and AS4_AGGREGATOR folded in, then left out. */
  @Test
  void withAs4AttributesMerged_aggregatorAsTrans_pathAndAggregatorRebuilt() {
    String hex = UpdateErrorHandlingTest.update("", "40 01 01 00" + "40 02 06 02 02 fde9 5ba0" + "40 03 04 0a000001"
        + "c0 07 06 5ba0 0a000001" + "c0 11 0a 02 02 0000fde9 fa56ea00" + "c0 12 08 fa56ea00 0a000001", "18 0a0102");
    UpdateErrorHandlingTest.decode(hex, CodecContext.INITIAL, u -> {
      PathAttributes merged = u.attributes().toPathAttributes().withAs4AttributesMerged();
      assertEquals(AsPath.sequence(65001, 4200000000L), merged.get(AsPath.class).orElseThrow());
      assertEquals(new Aggregator(4200000000L, 0x0a000001), merged.get(Aggregator.class).orElseThrow());
      assertTrue(merged.get(As4Path.class).isEmpty() && merged.get(As4Aggregator.class).isEmpty(), merged::toString);
    });
  }

  @Test
  void withAs4AttributesMerged_aggregatorWithRealAs_as4AttributesDropped() {
    String hex = UpdateErrorHandlingTest.update("", "40 01 01 00" + "40 02 06 02 02 fde9 5ba0" + "40 03 04 0a000001"
        + "c0 07 06 fde9 0a000001" + "c0 11 0a 02 02 0000fde9 fa56ea00", "18 0a0102");
    UpdateErrorHandlingTest.decode(hex, CodecContext.INITIAL, u -> {
      PathAttributes merged = u.attributes().toPathAttributes().withAs4AttributesMerged();
      assertEquals(AsPath.sequence(65001, 23456), merged.get(AsPath.class).orElseThrow());
      assertEquals(new Aggregator(65001, 0x0a000001), merged.get(Aggregator.class).orElseThrow());
      assertTrue(merged.get(As4Path.class).isEmpty(), merged::toString);
    });
  }

  @Test
  void withAs4AttributesMerged_withoutAs4Attributes_same() {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65010, 4200000000L).build();
    assertSame(attrs, attrs.withAs4AttributesMerged());
  }

  @Test
  void twoOctetSession_as4PathConfederationSegments_discarded() {
    // RFC 6793 §3: AS_CONFED_SEQUENCE in AS4_PATH is discarded; the AS_SEQUENCE still replaces AS_TRANS
    String hex = UpdateErrorHandlingTest.update("", "40 01 01 00" + "40 02 06 02 02 fde9 5ba0" + "40 03 04 0a000001"
        + "c0 11 0c 03 01 0000fdea 02 01 fa56ea00", "18 0a0102");
    UpdateErrorHandlingTest.decode(hex, CodecContext.INITIAL,
        u -> assertEquals(AsPath.sequence(65001, 4200000000L), u.attributes().effectiveAsPath()));
  }

  /** RFC 6793 §3: confederation segments are never sent in AS4_PATH, also one given explicitly (or received). */
  @Test
  void twoOctetSession_explicitAs4PathWithConfederationSegment_sentWithout() {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65001)
        .add(new As4Path(List.of(new AsPathSegment(AsPathSegment.AS_CONFED_SEQUENCE, List.of(4200000001L)),
            new AsPathSegment(AsPathSegment.AS_SEQUENCE, List.of(4200000000L)))))
        .build();
    assertEquals(Hex.norm("40 01 01 00" + "40 02 04 02 01 fde9" + "c0 11 06 02 01 fa56ea00"), written(attrs, false));
  }

  /** RFC 6793 §4.2.2: no AS4_PATH when the only 4-octet AS is in a confederation segment (it would carry nothing). */
  @Test
  void twoOctetSession_fourOctetAsOnlyInConfederationSegment_noAs4Path() {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP)
        .asPath(new AsPath(List.of(new AsPathSegment(AsPathSegment.AS_CONFED_SEQUENCE, List.of(4200000000L)))))
        .build();
    assertEquals(Hex.norm("40 01 01 00" + "40 02 04 03 01 5ba0"), written(attrs, false));
  }

  /** RFC 6793 §4.2.3: a leading confederation segment stays when AS4_PATH is as long as AS_PATH. */
  @Test
  void withAs4Path_sameLength_leadingConfederationSegmentKept() {
    AsPath received = new AsPath(List.of(new AsPathSegment(AsPathSegment.AS_CONFED_SEQUENCE, List.of(65010L)),
        new AsPathSegment(AsPathSegment.AS_SEQUENCE, List.of(23456L, 65001L))));
    assertEquals(new AsPath(List.of(new AsPathSegment(AsPathSegment.AS_CONFED_SEQUENCE, List.of(65010L)),
            new AsPathSegment(AsPathSegment.AS_SEQUENCE, List.of(4200000000L, 65001L)))),
        received.withAs4Path(AsPath.sequence(4200000000L, 65001).segments()));
  }

  /**
   * RFC 6793 §4.2.2: AS4_PATH carries the path sent. An AS4_PATH kept from received attributes described the old
   * AS_PATH: replacing AS_PATH drops it, and the encoder derives the new one for a 2-octet peer. Likewise AGGREGATOR
   * and AS4_AGGREGATOR.
   */
  @Test
  void replacedAsPathAndAggregator_staleAs4AttributesDropped() throws Exception {
    PathAttributes received = PathAttributes.builder().origin(Origin.IGP).asPath(23456, 65001)
        .add(new As4Path(AsPath.sequence(4200000000L, 65001).segments()))
        .aggregator(23456, (java.net.Inet4Address) java.net.InetAddress.getByName("10.0.0.1"))
        .add(new As4Aggregator(4200000000L, 0x0a000001)).build();
    PathAttributes changed = received.toBuilder().asPath(4200000001L, 4200000000L, 65001)
        .aggregator(65002, (java.net.Inet4Address) java.net.InetAddress.getByName("10.0.0.2")).build();
    assertTrue(changed.get(As4Path.class).isEmpty(), changed::toString);
    assertTrue(changed.get(As4Aggregator.class).isEmpty(), changed::toString);
    // 2-octet form: AS_TRANS in AS_PATH, the new path in a derived AS4_PATH, no AS4_AGGREGATOR (65002 fits)
    assertEquals(Hex.norm("40 01 01 00" + "40 02 08 02 03 5ba0 5ba0 fde9" + "c0 07 06 fdea 0a000002"
        + "c0 11 0e 02 03 fa56ea01 fa56ea00 0000fde9"), written(changed, false));
    // The same AS_PATH again is no change: the AS4_PATH stays.
    assertEquals(received.get(As4Path.class), received.toBuilder().asPath(23456, 65001).build().get(As4Path.class));
  }

  /** RFC 8092 §5: a large community given twice is sent once. */
  @Test
  void largeCommunities_duplicateSentOnce() {
    LargeCommunity c = new LargeCommunity(65000, 1, 2);
    PathAttributes attrs = PathAttributes.builder().largeCommunities(c, c).build();
    assertEquals(Hex.norm("c0 20 0c 0000fde8 00000001 00000002"), written(attrs, true));
  }

  /**
   * RFC 4271 §4.3: an attribute value over 255 octets needs the Extended Length bit and a two-octet length; at 255
   * octets and below the one-octet form. 64 communities are 256 octets: written with one length octet they would
   * read as length 0 followed by garbage, a malformed UPDATE at every peer.
   */
  @Test
  void communities_256Octets_extendedLength_255AndBelow_not() {
    List<Community> many = new java.util.ArrayList<>();
    for (int i = 0; i < 64; i++) {
      many.add(Community.of(65000, i));
    }
    String ext = written(PathAttributes.builder().communities(many).build(), true);
    assertTrue(ext.startsWith(Hex.norm("d0 08 0100")), ext.substring(0, 12));
    assertEquals(4 + 256, ext.length() / 2);
    String plain = written(PathAttributes.builder().communities(many.subList(0, 63)).build(), true);
    assertTrue(plain.startsWith(Hex.norm("c0 08 fc")), plain.substring(0, 12));
    assertEquals(3 + 252, plain.length() / 2);
  }

  private static String written(PathAttributes attrs, boolean fourOctetAs) {
    ByteBuf out = Unpooled.buffer();
    try {
      attrs.writeTo(out, fourOctetAs, true);
      return Hex.hex(out);
    } finally {
      out.release();
    }
  }

  @Test
  void explicitAs4Path_leftOutOnFourOctetSession() {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65001)
        .add(new As4Path(AsPath.sequence(65001).segments())).build();
    assertEquals(4 + 9, attrs.encodedLength(true, true));
  }

  @Test
  void forPropagation_unknownTransitiveGetsPartial_nonTransitiveDropped() {
    UnknownAttribute transitive = new UnknownAttribute(AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE, 99,
        new byte[] {1, 2});
    UnknownAttribute nonTransitive = new UnknownAttribute(AttributeFlags.OPTIONAL, 100, new byte[] {3});
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).add(transitive).add(nonTransitive).build();
    PathAttributes out = attrs.forPropagation();
    List<PathAttribute> list = out.attributes();
    assertEquals(2, list.size());
    UnknownAttribute u = (UnknownAttribute) list.get(1);
    assertEquals(AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE | AttributeFlags.PARTIAL, u.flags());
    assertEquals(99, u.typeCode());
  }

  @Test
  void receivedUnknownAttribute_propagatedWithPartialBit() {
    String hex = UpdateErrorHandlingTest.update("", UpdateErrorHandlingTest.MANDATORY + "c0 63 02 abcd 80 64 01 01",
        UpdateErrorHandlingTest.NLRI);
    ByteBuf b = Hex.buf(hex);
    try {
      PathAttributes p = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS).attributes()
          .toPathAttributes().forPropagation();
      ByteBuf out = Unpooled.buffer();
      try {
        p.writeTo(out, true, true);
        assertEquals(Hex.norm(UpdateErrorHandlingTest.MANDATORY + "e0 63 02 abcd"), Hex.hex(out));
      } finally {
        out.release();
      }
    } finally {
      b.release();
    }
  }

  /**
   * RFC 4271 §5: the Partial bit, once set on an optional transitive attribute, is never cleared on the way, also on
   * attributes this library knows (COMMUNITIES, AGGREGATOR, LARGE_COMMUNITY here); those without it stay without.
   */
  @Test
  void receivedKnownOptionalTransitiveWithPartialBit_propagatedWithIt() {
    String received = "e0 07 08 0000fde9 0a000002" + "e0 08 04 fde90064" + "c0 20 0c 0000fde8 00000001 00000002";
    String hex = UpdateErrorHandlingTest.update("", UpdateErrorHandlingTest.MANDATORY + received,
        UpdateErrorHandlingTest.NLRI);
    ByteBuf b = Hex.buf(hex);
    try {
      PathAttributes p = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS).attributes()
          .toPathAttributes().forPropagation();
      assertEquals(Hex.norm(UpdateErrorHandlingTest.MANDATORY + received), written(p, true));
      assertEquals(p, p.toBuilder().build(), "the Partial bits survive toBuilder");
    } finally {
      b.release();
    }
  }

  @Test
  void ipv6_linkLocalNextHop_encoded() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath()
        .ipv6NextHop((Inet6Address) InetAddress.getByName("2001:db8::1"),
            (Inet6Address) InetAddress.getByName("fe80::1"))
        .build();
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAnnouncement(out, attrs, IpPrefix.parse("2001:db8:5::/48"), CodecContext.FOUR_OCTET_AS);
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, CodecContext.FOUR_OCTET_AS);
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertTrue(u.attributes().mpReach().hasLinkLocalNextHop());
      assertEquals(InetAddress.getByName("2001:db8::1"), u.attributes().mpReach().nextHop());
    } finally {
      out.release();
    }
  }

  @Test
  void extendedNextHop_ipv4PrefixViaIpv6NextHop() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65000)
        .nextHop(InetAddress.getByName("2001:db8::1")).build();
    CodecContext ctx = CodecContext.FOUR_OCTET_AS.withExtendedNextHop(java.util.Set.of(AddressFamily.IPV4_UNICAST));
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAnnouncement(out, attrs, IpPrefix.parse("10.0.0.10/32"), ctx);
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, ctx);
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      assertEquals(AddressFamily.IPV4_UNICAST, u.attributes().mpReach().family());
      assertEquals(List.of(IpPrefix.parse("10.0.0.10/32")), u.announced());
      // read back as the session hands it on: the IPv6 next hop of the IPv4 route
      assertEquals(attrs, u.attributes().toPathAttributes());
      assertThrows(IllegalArgumentException.class, () -> UpdateEncoder.writeAnnouncement(out, attrs,
          IpPrefix.parse("10.0.0.10/32"), CodecContext.FOUR_OCTET_AS));
    } finally {
      out.release();
    }
  }

  @Test
  void addPath_send_writesPathIds() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65000)
        .nextHop(InetAddress.getByName("10.0.0.1")).build();
    CodecContext send = CodecContext.FOUR_OCTET_AS.withAddPath(java.util.Set.of(),
        java.util.Set.of(AddressFamily.IPV4_UNICAST));
    CodecContext receive = CodecContext.FOUR_OCTET_AS.withAddPath(java.util.Set.of(AddressFamily.IPV4_UNICAST),
        java.util.Set.of());
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.writeAnnouncement(out, attrs, IpPrefix.parse("10.0.0.0/8"), 42, send);
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, receive);
      PrefixCursor c = u.nlri();
      assertTrue(c.next());
      assertEquals(42, c.pathId());
      assertEquals(8, c.length());
      assertFalse(c.next());
    } finally {
      out.release();
    }
  }

  @Test
  void communities_wellKnownNames() {
    assertEquals("NO_ADVERTISE", Community.NO_ADVERTISE.wellKnownName());
    assertEquals(Community.NO_ADVERTISE, Community.parse("65535:65282"));
    assertEquals(Community.NO_EXPORT, Community.parse("no-export"));
    assertEquals("65535:65281", Community.NO_EXPORT.toString());
    assertEquals(new LargeCommunity(4200000000L, 1, 2), LargeCommunity.parse("4200000000:1:2"));
  }

  @Test
  void largeCommunities_readInPlace() {
    String hex = UpdateErrorHandlingTest.update("", UpdateErrorHandlingTest.MANDATORY
        + "c0 20 0c fa56ea00 00000001 00000002", UpdateErrorHandlingTest.NLRI);
    ByteBuf b = Hex.buf(hex);
    try {
      var lc = BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS).attributes().largeCommunities();
      assertEquals(1, lc.size());
      assertEquals(4200000000L, lc.globalAdministrator(0));
      assertEquals(2, lc.localData2(0));
    } finally {
      b.release();
    }
  }

  @Test
  void asPathCheck_onAnyBuffer_judgesSegmentsAsTheDecoderDoes() {
    // AS_SEQUENCE of 65001 and AS_SET of 65002, 4-octet
    assertEquals(AsPathView.VALID, check("02 01 0000fde9 01 01 0000fdea", 4));
    assertEquals(AsPathView.VALID, check("", 4));
    assertEquals(AsPathView.VALID, check("02 02 fde9 fdea", 2));
    // RFC 7607 §2: AS 0 anywhere, also after a non-zero AS
    assertEquals(AsPathView.AS_ZERO, check("02 02 0000fde9 00000000", 4));
    assertEquals(AsPathView.AS_ZERO, check("01 01 0000", 2));
    // RFC 7606 §7.2: unknown segment type, zero count, overrun, a lone octet
    assertEquals(AsPathView.MALFORMED, check("05 01 0000fde9", 4));
    assertEquals(AsPathView.MALFORMED, check("02 00", 4));
    assertEquals(AsPathView.MALFORMED, check("02 02 0000fde9", 4));
    assertEquals(AsPathView.MALFORMED, check("02 01 0000fde9 02", 4));
  }

  /** {@link AsPathView#check(ByteBuf, int, int, int)} over {@code hex} placed after three unrelated octets. */
  private static int check(String hex, int asSize) {
    byte[] value = Hex.bytes(hex);
    ByteBuf b = Unpooled.buffer();
    try {
      b.writeBytes(new byte[] {1, 2, 3}).writeBytes(value).writeByte(0);
      return AsPathView.check(b, 3, value.length, asSize);
    } finally {
      b.release();
    }
  }

  /** RFC 6793 §4.1: an AS4_AGGREGATOR given (kept from a 2-octet peer) is not sent between 4-octet speakers. */
  @Test
  void explicitAs4Aggregator_leftOutOnFourOctetSession() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP)
        .aggregator(23456, (Inet4Address) InetAddress.getByName("10.0.0.2"))
        .add(new As4Aggregator(4200000000L, 0x0a000002)).build();
    assertEquals(Hex.norm("40 01 01 00" + "c0 07 08 00005ba0 0a000002"), written(attrs, true));
  }

  /**
   * RFC 6793 §4.2.2: only AS numbers above 65535 need AS_TRANS and the AS4 attributes; 65535 itself (reserved, but a
   * 2-octet number) is written as it is and adds neither AS4_PATH nor AS4_AGGREGATOR.
   */
  @Test
  void twoOctetSession_as65535_writtenAsIs_noAs4Attributes() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65535, 65001)
        .aggregator(65535, (Inet4Address) InetAddress.getByName("10.0.0.2")).build();
    assertEquals(Hex.norm("40 01 01 00" + "40 02 06 02 02 ffff fde9" + "c0 07 06 ffff 0a000002"),
        written(attrs, false));
  }

  /** An AS4_PATH / AS4_AGGREGATOR given explicitly (kept from a 2-octet peer) is sent once, not again derived. */
  @Test
  void twoOctetSession_explicitAs4Attributes_sentOnce() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(4200000000L, 65001)
        .add(new As4Path(AsPath.sequence(4200000000L, 65001).segments()))
        .aggregator(4200000000L, (Inet4Address) InetAddress.getByName("10.0.0.2"))
        .add(new As4Aggregator(4200000000L, 0x0a000002)).build();
    assertEquals(Hex.norm("40 01 01 00" + "40 02 06 02 02 5ba0 fde9" + "c0 07 06 5ba0 0a000002"
        + "c0 11 0a 02 02 fa56ea00 0000fde9" + "c0 12 08 fa56ea00 0a000002"), written(attrs, false));
  }

  /**
   * RFC 4271 §5 (attributes in ascending type order; RFC 7606 §5.1 relies on it): the derived AS4_PATH (17) and
   * AS4_AGGREGATOR (18) go before LARGE_COMMUNITY (32) and ONLY_TO_CUSTOMER (35), not after them.
   */
  @Test
  void twoOctetSession_derivedAs4Attributes_inTypeOrder() throws Exception {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(4200000000L)
        .aggregator(4200000000L, (Inet4Address) InetAddress.getByName("10.0.0.2"))
        .largeCommunities(new LargeCommunity(65000, 1, 2)).onlyToCustomer(65001).build();
    assertEquals(Hex.norm("40 01 01 00" + "40 02 04 02 01 5ba0" + "c0 07 06 5ba0 0a000002"
        + "c0 11 06 02 01 fa56ea00" + "c0 12 08 fa56ea00 0a000002"
        + "c0 20 0c 0000fde8 00000001 00000002" + "c0 23 04 0000fde9"), written(attrs, false));
  }

  /** RFC 4271 §4.3: the Partial bit is for optional transitive attributes only; asked for others, it is not set. */
  @Test
  void partial_onlyOnOptionalTransitive() {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).med(5).communities(Community.of(65000, 1))
        .partial(1).partial(4).partial(8).build();
    assertEquals(Hex.norm("40 01 01 00" + "80 04 04 00000005" + "e0 08 04 fde80001"), written(attrs, true));
  }

  /** RFC 4271 §5: passing attributes on keeps the Partial bit of known attributes received with it. */
  @Test
  void forPropagation_keepsPartialOfKnownAttributes() {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).communities(Community.of(65000, 1))
        .add(new UnknownAttribute(AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE, 99, new byte[] {7}))
        .partial(8).build();
    assertEquals(Hex.norm("40 01 01 00" + "e0 08 04 fde80001" + "e0 63 01 07"),
        written(attrs.forPropagation(), true));
  }

  /** The Partial bit asked for a type that is absent is not kept, so a COMMUNITIES added later goes without it. */
  @Test
  void partial_forAbsentType_notCarriedToAnAttributeAddedLater() {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).partial(8).build();
    PathAttributes later = attrs.toBuilder().communities(Community.of(65000, 1)).build();
    assertEquals(Hex.norm("40 01 01 00" + "c0 08 04 fde80001"), written(later, true));
    assertEquals(PathAttributes.builder().origin(Origin.IGP).build(), attrs);
  }

  /** An unrecognized well-known attribute (RFC 4271 §6.3: an error when received) is not passed on. */
  @Test
  void forPropagation_unknownWellKnownDropped() {
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP)
        .add(new UnknownAttribute(AttributeFlags.TRANSITIVE, 99, new byte[] {7})).build();
    assertEquals(Hex.norm("40 01 01 00"), written(attrs.forPropagation(), true));
  }

  /**
   * build() refuses attributes that leave no room for one prefix (with path identifier) in a 65535-octet UPDATE:
   * at most 65535 - 23 - 21 = 65491 octets, MP_REACH_NLRI's header and next hop counted.
   */
  @Test
  void build_largestThatFitsAnExtendedUpdate_accepted_oneMoreRefused() throws Exception {
    int flags = AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
    PathAttributes.builder().add(new UnknownAttribute(flags, 99, new byte[65491 - 4])).build();
    assertThrows(IllegalArgumentException.class,
        () -> PathAttributes.builder().add(new UnknownAttribute(flags, 99, new byte[65492 - 4])).build());
    Inet6Address nh = (Inet6Address) InetAddress.getByName("2001:db8::1");
    // MP_REACH_NLRI: flags, type, 2-octet length, AFI, SAFI, next hop length, reserved (9) + 16
    PathAttributes.builder().add(new UnknownAttribute(flags, 99, new byte[65491 - 4 - 25])).ipv6NextHop(nh, null)
        .build();
    assertThrows(IllegalArgumentException.class, () -> PathAttributes.builder()
        .add(new UnknownAttribute(flags, 99, new byte[65492 - 4 - 25])).ipv6NextHop(nh, null).build());
  }

  /** RFC 8950: a set with only an IPv6 next hop can announce IPv4 prefixes too (where extended next hop is on). */
  @Test
  void canAnnounce_ipv4WithIpv6NextHopOnly() throws Exception {
    PathAttributes v6 = PathAttributes.builder().origin(Origin.IGP).nextHop(InetAddress.getByName("2001:db8::1"))
        .build();
    assertTrue(v6.canAnnounce(IpPrefix.parse("10.0.0.0/8")));
    assertTrue(v6.canAnnounce(IpPrefix.parse("2001:db8::/32")));
    PathAttributes v4 = PathAttributes.builder().origin(Origin.IGP).nextHop(InetAddress.getByName("10.0.0.1"))
        .build();
    assertFalse(v4.canAnnounce(IpPrefix.parse("2001:db8::/32")));
  }

  /** RFC 4271 §4.3: an AS_SEQUENCE holds at most 255 AS numbers: 300 become segments of 255 and 45, none lost. */
  @Test
  void asPathSequence_300Asns_split255And45() {
    long[] asns = new long[300];
    for (int i = 0; i < asns.length; i++) {
      asns[i] = 64512 + i;
    }
    AsPath p = AsPath.sequence(asns);
    assertEquals(2, p.segments().size());
    assertEquals(255, p.segments().get(0).asns().size());
    assertEquals(45, p.segments().get(1).asns().size());
    assertEquals(300, p.pathLength());
    assertEquals(64512L + 299, p.segments().get(1).asns().get(44));
  }

  /**
   * RFC 4271 §4.3: a value of exactly 255 octets still fits the one-octet length; the length helper agrees with what
   * is written at 255 and at 256.
   */
  @Test
  void attributeOf255Octets_oneOctetLength_lengthHelperExact() {
    int flags = AttributeFlags.OPTIONAL | AttributeFlags.TRANSITIVE;
    for (int len : new int[] {255, 256}) {
      UnknownAttribute a = new UnknownAttribute(flags, 99, new byte[len]);
      ByteBuf out = Unpooled.buffer();
      try {
        PathAttribute.write(out, a, true);
        assertEquals(len == 255 ? 0xc0 : 0xd0, out.getUnsignedByte(0));
        assertEquals(out.readableBytes(), PathAttribute.encodedLength(a, true));
        assertEquals(len == 255 ? 3 + 255 : 4 + 256, out.readableBytes());
      } finally {
        out.release();
      }
    }
  }
}
