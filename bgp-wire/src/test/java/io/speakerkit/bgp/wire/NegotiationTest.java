package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.speakerkit.bgp.wire.capability.AddPathCapability;
import io.speakerkit.bgp.wire.capability.ExtendedMessageCapability;
import io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability;
import io.speakerkit.bgp.wire.capability.FourOctetAsCapability;
import io.speakerkit.bgp.wire.capability.MultiprotocolCapability;
import io.speakerkit.bgp.wire.capability.RoleCapability;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NegotiationTest {

  static OpenMessage open(long as, int id, io.speakerkit.bgp.wire.capability.Capability... caps) {
    return OpenMessage.of(as, 90, id, List.of(caps));
  }

  @Test
  void negotiate_intersectsCapabilities() {
    OpenMessage local = open(65000, 1, new FourOctetAsCapability(65000), ExtendedMessageCapability.INSTANCE,
        new AddPathCapability(List.of(new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, 3))));
    OpenMessage remote = open(65001, 2, new FourOctetAsCapability(65001),
        new AddPathCapability(List.of(new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, 2))));
    CodecContext ctx = OpenNegotiation.negotiate(local, remote, PeerType.EXTERNAL);
    assertTrue(ctx.fourOctetAs());
    assertFalse(ctx.extendedMessage());
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST), ctx.addPathReceive());
    assertEquals(Set.of(), ctx.addPathSend());
  }

  @Test
  void negotiate_addPathTupleWithSendReceiveOutsideOneToThree_ignored() {
    // RFC 7911 §4: any other Send/Receive value is not understood and ignored, not read as bits (5 = 0b101)
    OpenMessage local = open(65000, 1, new AddPathCapability(List.of(
        new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, 3),
        new AddPathCapability.Family(AddressFamily.IPV6_UNICAST, 3))));
    OpenMessage remote = open(65001, 2, new AddPathCapability(List.of(
        new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, 5),
        new AddPathCapability.Family(AddressFamily.IPV6_UNICAST, 0))));
    CodecContext ctx = OpenNegotiation.negotiate(local, remote, PeerType.EXTERNAL);
    assertEquals(Set.of(), ctx.addPathReceive());
    assertEquals(Set.of(), ctx.addPathSend());
  }

  /**
   * RFC 7911 §4 and RFC 8950 §3 apply to families the session negotiated (RFC 4760: both advertised the family; a
   * speaker without any Multiprotocol capability has IPv4 unicast only), as the session's own negotiation does.
   */
  @Test
  void negotiate_addPathAndExtendedNextHop_onlyForFamiliesBothAdvertised() {
    AddPathCapability v6Both = new AddPathCapability(List.of(
        new AddPathCapability.Family(AddressFamily.IPV6_UNICAST, 3)));
    ExtendedNextHopCapability enh = new ExtendedNextHopCapability(List.of(
        new ExtendedNextHopCapability.Entry(AddressFamily.IPV4_UNICAST, Afi.IPV6)));
    OpenMessage local = open(65000, 1, MultiprotocolCapability.IPV4_UNICAST, MultiprotocolCapability.IPV6_UNICAST,
        v6Both);
    OpenMessage remoteV4Only = open(65001, 2, MultiprotocolCapability.IPV4_UNICAST, v6Both);
    CodecContext ctx = OpenNegotiation.negotiate(local, remoteV4Only, PeerType.EXTERNAL);
    assertEquals(Set.of(), ctx.addPathReceive());
    assertEquals(Set.of(), ctx.addPathSend());
    OpenMessage remoteBoth = open(65001, 2, MultiprotocolCapability.IPV4_UNICAST,
        MultiprotocolCapability.IPV6_UNICAST, v6Both);
    assertEquals(Set.of(AddressFamily.IPV6_UNICAST),
        OpenNegotiation.negotiate(local, remoteBoth, PeerType.EXTERNAL).addPathReceive());
    // IPv4 unicast NLRI with an IPv6 next hop needs IPv4 unicast negotiated
    OpenMessage localV6 = open(65000, 1, MultiprotocolCapability.IPV6_UNICAST, enh);
    OpenMessage remoteV6 = open(65001, 2, MultiprotocolCapability.IPV6_UNICAST, enh);
    assertEquals(Set.of(), OpenNegotiation.negotiate(localV6, remoteV6, PeerType.EXTERNAL).extendedNextHop());
  }

  /** ADD-PATH tuples spread over two capabilities count as one list (as the session reads them). */
  @Test
  void negotiate_addPathInTwoCapabilities_bothRead() {
    OpenMessage local = open(65000, 1, MultiprotocolCapability.IPV4_UNICAST, MultiprotocolCapability.IPV6_UNICAST,
        new AddPathCapability(List.of(new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, 3),
            new AddPathCapability.Family(AddressFamily.IPV6_UNICAST, 3))));
    OpenMessage remote = open(65001, 2, MultiprotocolCapability.IPV4_UNICAST, MultiprotocolCapability.IPV6_UNICAST,
        new AddPathCapability(List.of(new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, 2))),
        new AddPathCapability(List.of(new AddPathCapability.Family(AddressFamily.IPV6_UNICAST, 2))));
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST),
        OpenNegotiation.negotiate(local, remote, PeerType.EXTERNAL).addPathReceive());
  }

  @Test
  void check_badPeerAs() {
    BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> OpenNegotiation.check(
        open(65001, 2), 65002, 1, PeerType.EXTERNAL, null, false));
    assertEquals(2, e.subcode());
    assertEquals("peer AS: 65001 (expected: 65002)", e.getMessage());
  }

  @Test
  void check_roleMismatch() {
    RoleCapability provider = new RoleCapability(RoleCapability.PROVIDER);
    OpenNegotiation.check(open(65001, 2, new RoleCapability(RoleCapability.CUSTOMER)), 65001, 1,
        PeerType.EXTERNAL, provider, true);
    BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> OpenNegotiation.check(
        open(65001, 2, new RoleCapability(RoleCapability.PEER)), 65001, 1, PeerType.EXTERNAL, provider, false));
    assertEquals(11, e.subcode());
    assertThrows(BgpDecodeException.class, () -> OpenNegotiation.check(open(65001, 2), 65001, 1, PeerType.EXTERNAL,
        provider, true));
  }

  @Test
  void check_severalDifferingRoles_roleMismatch() {
    // RFC 9234 §4.2: BGP Role capabilities of different values in one OPEN
    RoleCapability provider = new RoleCapability(RoleCapability.PROVIDER);
    OpenNegotiation.check(open(65001, 2, new RoleCapability(RoleCapability.CUSTOMER),
        new RoleCapability(RoleCapability.CUSTOMER)), 65001, 1, PeerType.EXTERNAL, provider, false);
    BgpDecodeException e = assertThrows(BgpDecodeException.class, () -> OpenNegotiation.check(
        open(65001, 2, new RoleCapability(RoleCapability.CUSTOMER), new RoleCapability(RoleCapability.PEER)), 65001,
        1, PeerType.EXTERNAL, provider, false));
    assertEquals(11, e.subcode());
  }

  @Test
  void encoderHandler_encodesMessages() {
    EmbeddedChannel ch = new EmbeddedChannel(new BgpMessageEncoderHandler());
    ch.writeOutbound(KeepaliveMessage.INSTANCE, Notification.bfdDown());
    ByteBuf k = ch.readOutbound();
    ByteBuf n = ch.readOutbound();
    try {
      assertEquals(Hex.norm("M 0013 04"), Hex.hex(k));
      assertEquals(Hex.norm("M 0015 03 06 0a"), Hex.hex(n));
    } finally {
      k.release();
      n.release();
    }
    ch.finishAndReleaseAll();
  }

  /**
   * RFC 8950 §3, §4: IPv4 NLRI may carry an IPv6 next hop only when both sides list the tuple <1, 1, Nexthop AFI 2>;
   * a tuple with Nexthop AFI 1 both sides share does not allow IPv6 next hops for IPv4 unicast.
   */
  @Test
  void negotiate_extendedNextHop_onlyTuplesWithIpv6NextHopAfi() {
    var ipv4NextHop = new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability(List.of(
        new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability.Entry(AddressFamily.IPV4_UNICAST, Afi.IPV4)));
    CodecContext ctx = OpenNegotiation.negotiate(open(65000, 1, ipv4NextHop), open(65001, 2, ipv4NextHop),
        PeerType.EXTERNAL);
    assertEquals(Set.of(), ctx.extendedNextHop());
    var ipv6NextHop = new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability(List.of(
        new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability.Entry(AddressFamily.IPV4_UNICAST, Afi.IPV6)));
    ctx = OpenNegotiation.negotiate(open(65000, 1, ipv6NextHop), open(65001, 2, ipv6NextHop), PeerType.EXTERNAL);
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST), ctx.extendedNextHop());
  }

  /** RFC 6793 §3: 4-octet AS numbers on the session only when both OPENs carry the capability. */
  @Test
  void negotiate_fourOctetAs_onlyWhenBothAdvertiseIt() {
    OpenMessage with = open(65000, 1, new FourOctetAsCapability(65000));
    OpenMessage without = open(65001, 2);
    assertFalse(OpenNegotiation.negotiate(with, without, PeerType.EXTERNAL).fourOctetAs());
    assertFalse(OpenNegotiation.negotiate(without, with, PeerType.EXTERNAL).fourOctetAs());
    assertTrue(OpenNegotiation.negotiate(with, open(65001, 2, new FourOctetAsCapability(65001)), PeerType.EXTERNAL)
        .fourOctetAs());
  }

  /** RFC 8950 §4: a tuple only we list is not usable, even when the peer sends the capability for other tuples. */
  @Test
  void negotiate_extendedNextHop_tupleTheirsLacks_notUsed() {
    var ours = new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability(List.of(
        new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability.Entry(AddressFamily.IPV4_UNICAST, Afi.IPV6)));
    var theirs = new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability(List.of(
        new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability.Entry(AddressFamily.of(1, 128), Afi.IPV6)));
    CodecContext ctx = OpenNegotiation.negotiate(open(65000, 1, ours), open(65001, 2, theirs), PeerType.EXTERNAL);
    assertEquals(Set.of(), ctx.extendedNextHop());
  }

  /** RFC 7911 §4: Send/Receive 6 or 7 are not 1-3 either: ignored, not read as having the send bit. */
  @Test
  void negotiate_addPathSendReceiveSixOrSeven_ignored() {
    OpenMessage local = open(65000, 1, new AddPathCapability(List.of(
        new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, 3))));
    for (int v : new int[] {6, 7}) {
      OpenMessage remote = open(65001, 2, new AddPathCapability(List.of(
          new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, v))));
      CodecContext ctx = OpenNegotiation.negotiate(local, remote, PeerType.EXTERNAL);
      assertEquals(Set.of(), ctx.addPathReceive(), "send/receive " + v);
      assertEquals(Set.of(), ctx.addPathSend(), "send/receive " + v);
    }
  }

  /** RFC 6286 §2.2: the same BGP Identifier as ours is Bad BGP Identifier within an AS only. */
  @Test
  void check_sameIdentifierAsOurs_refusedOnIbgpOnly() {
    OpenNegotiation.check(open(65001, 7), 65001, 7, PeerType.EXTERNAL, null, false);
    BgpDecodeException e = assertThrows(BgpDecodeException.class,
        () -> OpenNegotiation.check(open(65000, 7), 65000, 7, PeerType.INTERNAL, null, false));
    assertEquals(2, e.code());
    assertEquals(3, e.subcode());
    OpenNegotiation.check(open(65000, 8), 65000, 7, PeerType.INTERNAL, null, false);
  }

  /** RFC 9234 §4.2: a peer without the role capability is refused only in strict mode. */
  @Test
  void check_peerWithoutRole_acceptedOutsideStrictMode() {
    OpenNegotiation.check(open(65001, 2), 65001, 1, PeerType.EXTERNAL, new RoleCapability(RoleCapability.PEER), false);
  }

  /** RFC 9234 §4.2 table: the only allowed pairs are Provider-Customer, RS-RS-Client and Peer-Peer. */
  @Test
  void roleCapability_matches_onlyTheRfcPairs() {
    Set<List<Integer>> allowed = Set.of(List.of(0, 3), List.of(3, 0), List.of(1, 2), List.of(2, 1), List.of(4, 4));
    for (int mine = 0; mine <= 5; mine++) {
      for (int theirs = 0; theirs <= 5; theirs++) {
        assertEquals(allowed.contains(List.of(mine, theirs)),
            new RoleCapability(mine).matches(new RoleCapability(theirs)), mine + " facing " + theirs);
      }
    }
  }

  @Test
  void codecContext_withers_changeOnlyTheirField() {
    Set<AddressFamily> v4 = Set.of(AddressFamily.IPV4_UNICAST);
    Set<AddressFamily> v6 = Set.of(AddressFamily.IPV6_UNICAST);
    CodecContext c = CodecContext.INITIAL.withAddPath(v4, v6);
    assertTrue(c.receivesPathId(AddressFamily.IPV4_UNICAST));
    assertFalse(c.sendsPathId(AddressFamily.IPV4_UNICAST));
    assertTrue(c.sendsPathId(AddressFamily.IPV6_UNICAST));
    assertEquals(v6, c.withExtendedNextHop(v6).extendedNextHop());
    assertEquals(PeerType.INTERNAL, c.withPeerType(PeerType.INTERNAL).peerType());
    assertEquals(new CodecContext(true, true, v4, v6, v6, PeerType.INTERNAL),
        c.withFourOctetAs(true).withExtendedMessage(true).withExtendedNextHop(v6).withPeerType(PeerType.INTERNAL));
  }
}
