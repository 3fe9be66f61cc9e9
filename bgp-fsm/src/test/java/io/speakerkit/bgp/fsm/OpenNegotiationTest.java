package io.speakerkit.bgp.fsm;

import static io.speakerkit.bgp.fsm.Fixtures.LOCAL_ID;
import static io.speakerkit.bgp.fsm.Fixtures.PEER_ID;
import static io.speakerkit.bgp.fsm.Fixtures.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.PeerType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenNegotiationTest {

  private static OpenNegotiation.Rejected rejected(FsmConfig c, OpenMessage open) {
    return assertInstanceOf(OpenNegotiation.Rejected.class, OpenNegotiation.negotiate(c, open));
  }

  private static NegotiatedSession accepted(FsmConfig c, OpenMessage open) {
    return assertInstanceOf(OpenNegotiation.Accepted.class, OpenNegotiation.negotiate(c, open)).session();
  }

  private static OpenMessage open(int myAs, long fourOctet, int hold, BgpIdentifier id) {
    Capabilities.Builder caps = Capabilities.builder();
    if (fourOctet >= 0) {
      caps.fourOctetAs(fourOctet);
    }
    return new OpenMessage(4, myAs, hold, id, caps.build());
  }

  @Test
  void version_not4_unsupportedVersionWithLargestSupported() {
    OpenMessage v3 = new OpenMessage(3, 65002, 90, PEER_ID, Capabilities.NONE);
    OpenNegotiation.Rejected r = rejected(config().build(), v3);
    assertEquals(2, r.notification().code());
    assertEquals(1, r.notification().subcode());
    assertArrayEquals(new byte[] {0, 4}, r.notification().data());
    assertEquals("version: 3 (expected: 4)", r.detail());
  }

  @Test
  void peerAs_wrong_badPeerAs() {
    OpenNegotiation.Rejected r = rejected(config().build(), open(65003, 65003, 90, PEER_ID));
    assertEquals(Notification.of(2, 2), r.notification());
    assertEquals("peer AS: 65003 (expected: 65002)", r.detail());
  }

  @Test
  void peerAs_fourOctetWithAsTrans_accepted() {
    FsmConfig c = config().peerAs(4_200_000_000L).build();
    NegotiatedSession s = accepted(c, open(23456, 4_200_000_000L, 90, PEER_ID));
    assertEquals(4_200_000_000L, s.peerAs());
    assertTrue(s.fourOctetAs());
  }

  @Test
  void peerAs_fourOctetWithoutCapability_badPeerAs() {
    FsmConfig c = config().peerAs(4_200_000_000L).build();
    assertEquals(Notification.of(2, 2), rejected(c, open(23456, -1, 90, PEER_ID)).notification());
  }

  @Test
  void peerAs_capabilityDisagreesWithMyAs_badPeerAs() {
    assertEquals(Notification.of(2, 2), rejected(config().build(), open(65009, 65002, 90, PEER_ID)).notification());
  }

  @Test
  void peerAs_capabilityOff_usesMyAsField() {
    FsmConfig c = config().fourOctetAs(false).build();
    NegotiatedSession s = accepted(c, open(65002, 65002, 90, PEER_ID));
    assertFalse(s.fourOctetAs());
    assertEquals(65002, s.peerAs());
  }

  @Test
  void peerAs_anyInternal_acceptsOwnAsOnly() {
    FsmConfig c = config().peerAs(PeerAs.anyInternal()).build();
    NegotiatedSession s = accepted(c, open(65001, 65001, 90, PEER_ID));
    assertEquals(PeerType.INTERNAL, s.peerType());
    assertEquals("peer AS: 65002 (expected: internal)", rejected(c, open(65002, 65002, 90, PEER_ID)).detail());
  }

  @Test
  void peerAs_anyExternal_rejectsOwnAs() {
    FsmConfig c = config().peerAs(PeerAs.anyExternal()).build();
    assertEquals(PeerType.EXTERNAL, accepted(c, open(64999, 64999, 90, PEER_ID)).peerType());
    assertEquals(Notification.of(2, 2), rejected(c, open(65001, 65001, 90, PEER_ID)).notification());
  }

  @Test
  void bgpIdentifier_zero_badBgpIdentifier() {
    assertEquals(Notification.of(2, 3),
        rejected(config().build(), open(65002, 65002, 90, new BgpIdentifier(0))).notification());
  }

  @Test
  void bgpIdentifier_sameAsOursInternal_badBgpIdentifier() {
    FsmConfig c = config().peerAs(65001).build();
    assertEquals(Notification.of(2, 3), rejected(c, open(65001, 65001, 90, LOCAL_ID)).notification());
  }

  @Test
  void bgpIdentifier_sameAsOursExternal_acceptedPerRfc6286() {
    accepted(config().build(), open(65002, 65002, 90, LOCAL_ID));
  }

  @Test
  void holdTime_oneOrTwo_unacceptableHoldTime() {
    for (int hold : new int[] {1, 2}) {
      OpenNegotiation.Rejected r = rejected(config().build(), open(65002, 65002, hold, PEER_ID));
      assertEquals(Notification.of(2, 6), r.notification());
      assertEquals("hold time: " + hold + " (expected: 0 or >= 3)", r.detail());
    }
  }

  @Test
  void holdTime_negotiatedSmallerAndKeepaliveThird() {
    NegotiatedSession s = accepted(config().build(), open(65002, 65002, 9, PEER_ID));
    assertEquals(Duration.ofSeconds(9), s.holdTime());
    assertEquals(Duration.ofSeconds(3), s.keepaliveTime());
  }

  @Test
  void holdTime_zero_noKeepalives() {
    NegotiatedSession s = accepted(config().build(), open(65002, 65002, 0, PEER_ID));
    assertEquals(Duration.ZERO, s.holdTime());
    assertEquals(Duration.ZERO, s.keepaliveTime());
  }

  @Test
  void keepalive_configuredBelowHold_kept_aboveNegotiatedHold_third() {
    FsmConfig c = config().keepaliveTime(Duration.ofSeconds(10)).build();
    assertEquals(Duration.ofSeconds(10), accepted(c, open(65002, 65002, 90, PEER_ID)).keepaliveTime());
    assertEquals(Duration.ofSeconds(2), accepted(c, open(65002, 65002, 6, PEER_ID)).keepaliveTime());
  }

  @Test
  void requiredCapability_absent_unsupportedCapability() {
    FsmConfig c = config().requireCapability(Capabilities.GRACEFUL_RESTART).build();
    OpenNegotiation.Rejected r = rejected(c, open(65002, 65002, 90, PEER_ID));
    assertEquals(new Notification(2, 7, new byte[0]), r.notification()); // not {64, 0}: no such GR encoding
  }

  /** FRR and GoBGP: a third of the negotiated hold time, or the configured keepalive when shorter. */
  @Test
  void keepalive_configured30_peerHold40_aThirdOfIt() {
    FsmConfig c = config().holdTime(Duration.ofSeconds(90)).keepaliveTime(Duration.ofSeconds(30)).build();
    NegotiatedSession s = accepted(c, open(65002, 65002, 40, PEER_ID));
    assertEquals(Duration.ofSeconds(40), s.holdTime());
    assertEquals(Duration.ofSeconds(13), s.keepaliveTime());
  }

  /** FRR ("very odd peer") and GoBGP take the 4-octet AS capability's AS also with AS_TRANS and a small AS. */
  @Test
  void asTransInMyAs_smallFourOctetAs_acceptedAsTheCapabilitysAs() {
    OpenMessage open = new OpenMessage(4, OpenMessage.AS_TRANS, 90, PEER_ID,
        Capabilities.builder().fourOctetAs(65002).build());
    assertEquals(65002, accepted(config().build(), open).peerAs());
  }

  @Test
  void capabilities_negotiated() {
    GracefulRestart gr = new GracefulRestart(false, 120, Map.of(AddressFamily.IPV4_UNICAST, true));
    FsmConfig c = config().families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
        .addPath(AddressFamily.IPV4_UNICAST, AddPathMode.BOTH).extendedMessage(true).gracefulRestart(gr).build();
    Capabilities theirs = Capabilities.builder().fourOctetAs(65002).multiprotocol(AddressFamily.IPV4_UNICAST)
        .addPath(AddressFamily.IPV4_UNICAST, AddPathMode.SEND).extendedMessage(true).routeRefresh(true)
        .enhancedRouteRefresh(true).gracefulRestart(gr).build();
    NegotiatedSession s = accepted(c, new OpenMessage(4, 65002, 90, PEER_ID, theirs));
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST), s.families());
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST), s.addPathReceive());
    assertEquals(Set.of(), s.addPathSend());
    assertTrue(s.extendedMessage());
    assertTrue(s.routeRefresh());
    assertTrue(s.enhancedRouteRefresh());
    assertEquals(gr, s.peerGracefulRestart().orElseThrow());
    assertTrue(s.codecContext().fourOctetAs());
    assertEquals(65535, s.codecContext().maxMessageLength());
  }

  @Test
  void extendedNextHop_onlyWhenBothAdvertiseIt() {
    FsmConfig ours = config().families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
        .extendedNextHop(true).build();
    assertTrue(ours.localOpen().capabilities().extendedNextHop().contains(AddressFamily.IPV4_UNICAST));
    Capabilities theirs = Capabilities.builder().fourOctetAs(65002)
        .multiprotocol(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)
        .extendedNextHop(AddressFamily.IPV4_UNICAST).build();
    NegotiatedSession both = accepted(ours, new OpenMessage(4, 65002, 90, PEER_ID, theirs));
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST), both.extendedNextHop());
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST), both.codecContext().extendedNextHop());
    // RFC 8950 §4: not advertised by one side, not used
    FsmConfig plain = config().families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)).build();
    assertTrue(plain.localOpen().capabilities().extendedNextHop().isEmpty());
    assertEquals(Set.of(), accepted(plain, new OpenMessage(4, 65002, 90, PEER_ID, theirs)).extendedNextHop());
    assertEquals(Set.of(), accepted(ours, open(65002, 65002, 90, PEER_ID)).extendedNextHop());
  }

  @Test
  void capabilities_noMultiprotocol_impliesIpv4Unicast() {
    NegotiatedSession s = accepted(config().build(), open(65002, 65002, 90, PEER_ID));
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST), s.families());
  }

  /** FRR: "Configured AFI/SAFIs do not overlap with received MP capabilities", OPEN error Unsupported Capability. */
  @Test
  void multiprotocol_noFamilyInCommon_unsupportedCapabilityListingThePeers() {
    FsmConfig ipv4 = config().families(Set.of(AddressFamily.IPV4_UNICAST)).build();
    Capabilities ipv6Only = Capabilities.builder().fourOctetAs(65002).multiprotocol(AddressFamily.IPV6_UNICAST)
        .build();
    OpenNegotiation.Rejected r = rejected(ipv4, new OpenMessage(4, 65002, 90, PEER_ID, ipv6Only));
    assertEquals(new Notification(2, 7, new byte[] {1, 4, 0, 2, 0, 1}), r.notification());
    assertEquals("address families: [IPv6/unicast] (expected: at least one of [IPv4/unicast])", r.detail());
  }

  /** No Multiprotocol capability at all means IPv4 unicast (RFC 4760 §8); FRR refuses only a received one. */
  @Test
  void multiprotocol_absent_ipv6OnlyConfig_acceptedWithNoFamily() {
    FsmConfig ipv6 = config().families(Set.of(AddressFamily.IPV6_UNICAST)).build();
    assertEquals(Set.of(), accepted(ipv6, open(65002, 65002, 90, PEER_ID)).families());
  }

  @Test
  void gracefulRestart_notConfigured_peerCapabilityIgnored() {
    Capabilities theirs = Capabilities.builder().fourOctetAs(65002)
        .gracefulRestart(new GracefulRestart(false, 120, Map.of())).build();
    assertTrue(accepted(config().build(), new OpenMessage(4, 65002, 90, PEER_ID, theirs))
        .peerGracefulRestart().isEmpty());
  }

  @Test
  void localOpen_fourOctetAs_usesAsTrans() {
    OpenMessage o = config().localAs(4_200_000_001L).build().localOpen();
    assertEquals(23456, o.myAs());
    assertEquals(4_200_000_001L, o.capabilities().fourOctetAs().getAsLong());
    assertEquals(90, o.holdTime());
  }

  @Test
  void config_holdTimeTwo_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> config().holdTime(Duration.ofSeconds(2)));
    assertEquals("hold time: 2s (expected: 0 or 3-65535 s)", e.getMessage());
  }

  @Test
  void config_keepaliveAboveHold_rejectedAtBuild() {
    FsmConfig.Builder b = config().holdTime(Duration.ofSeconds(9)).keepaliveTime(Duration.ofSeconds(10));
    assertThrows(IllegalStateException.class, b::build);
  }

  @Test
  void config_connectRetryTimeOutOfRange_rejected() {
    assertThrows(IllegalArgumentException.class, () -> config().connectRetryTime(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> config().connectRetryTime(Duration.ofSeconds(65536)));
  }

  @Test
  void config_largeAsWithoutFourOctet_rejectedAtBuild() {
    assertThrows(IllegalStateException.class, () -> config().localAs(70000).fourOctetAs(false).build());
  }
  private static OpenMessage openWithRoles(int... roles) {
    Capabilities.Builder caps = Capabilities.builder().fourOctetAs(65002);
    for (int r : roles) {
      caps.role(r);
    }
    return new OpenMessage(4, 65002, 90, PEER_ID, caps.build());
  }

  /** RFC 9234 §4.2: roles that face each other are accepted, others refused with Role Mismatch. */
  @Test
  void role_pairs_acceptedOnlyWhenTheyFaceEachOther() {
    FsmConfig provider = config().role(BgpRole.PROVIDER, false).build();
    accepted(provider, openWithRoles(BgpRole.CUSTOMER.value()));
    OpenNegotiation.Rejected r = rejected(provider, openWithRoles(BgpRole.PROVIDER.value()));
    assertEquals(Notification.of(2, 11), r.notification());
    assertEquals("BGP role: [0] (expected: the role facing PROVIDER)", r.detail());
    accepted(config().role(BgpRole.PEER, false).build(), openWithRoles(BgpRole.PEER.value()));
    accepted(config().role(BgpRole.ROUTE_SERVER, false).build(), openWithRoles(BgpRole.ROUTE_SERVER_CLIENT.value()));
    rejected(config().role(BgpRole.CUSTOMER, false).build(), openWithRoles(7)); // a value RFC 9234 does not define
  }

  @Test
  void role_peerAdvertisesNone_refusedOnlyInStrictMode() {
    accepted(config().role(BgpRole.CUSTOMER, false).build(), openWithRoles());
    assertEquals(Notification.of(2, 11),
        rejected(config().role(BgpRole.CUSTOMER, true).build(), openWithRoles()).notification());
  }

  @Test
  void role_twoDifferentValues_roleMismatch() {
    assertEquals(Notification.of(2, 11), rejected(config().role(BgpRole.CUSTOMER, false).build(),
        openWithRoles(BgpRole.PROVIDER.value(), BgpRole.PEER.value())).notification());
  }

  @Test
  void role_iBgp_refusedByConfig_ignoredWhenTheSessionTurnsOutInternal() {
    assertThrows(IllegalStateException.class, () -> config().peerAs(config().build().localAs())
        .role(BgpRole.PEER, true).build());
    FsmConfig any = config().peerAs(PeerAs.any()).role(BgpRole.PEER, true).build();
    OpenMessage internal = new OpenMessage(4, (int) any.localAs(), 90, PEER_ID,
        Capabilities.builder().fourOctetAs(any.localAs()).build());
    accepted(any, internal);
  }

  @Test
  void role_advertisedInOurOpen() {
    assertEquals(Set.of(2), config().role(BgpRole.ROUTE_SERVER_CLIENT, false).build()
        .localOpen().capabilities().roles());
  }

  /**
   * RFC 6793 §4.1: a 2-octet AS, 65535 included, goes in My AS as is; a My AS that is neither that number nor
   * AS_TRANS contradicts the 4-octet AS capability: Bad Peer AS (RFC 4271 §6.2), at the 0xFFFF boundary too.
   */
  @Test
  void peerAs_capability65535_myAsDisagrees_badPeerAs() {
    FsmConfig c = config().peerAs(PeerAs.anyExternal()).build();
    assertEquals(Notification.of(2, 2), rejected(c, open(64999, 65535, 90, PEER_ID)).notification());
    assertEquals(65535, accepted(c, open(65535, 65535, 90, PEER_ID)).peerAs());
  }

  /**
   * RFC 6793 §9: AS_TRANS (23456) is a reserved placeholder, never a speaker's own AS; a 4-octet AS capability
   * carrying it is Bad Peer AS (RFC 4271 §6.2), also for a dynamic peer that accepts any external AS.
   */
  @Test
  void peerAs_capabilityCarriesAsTrans_badPeerAs() {
    FsmConfig c = config().peerAs(PeerAs.anyExternal()).build();
    OpenNegotiation.Rejected r = rejected(c, open(23456, 23456, 90, PEER_ID));
    assertEquals(Notification.of(2, 2), r.notification());
    assertEquals("peer AS: 23456 (expected: a real AS number)", r.detail());
  }

  /**
   * RFC 7911 §4: ADD-PATH is negotiated per AFI/SAFI, and only for a family the session carries (RFC 4760 §8): the
   * peer's ADD-PATH for IPv6 unicast, without the IPv6 Multiprotocol capability, enables nothing.
   */
  @Test
  void addPath_familyNotNegotiated_notEnabled() {
    FsmConfig c = config().families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
        .addPath(AddressFamily.IPV6_UNICAST, AddPathMode.BOTH).build();
    Capabilities theirs = Capabilities.builder().fourOctetAs(65002).multiprotocol(AddressFamily.IPV4_UNICAST)
        .addPath(AddressFamily.IPV6_UNICAST, AddPathMode.BOTH).build();
    NegotiatedSession s = accepted(c, new OpenMessage(4, 65002, 90, PEER_ID, theirs));
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST), s.families());
    assertEquals(Set.of(), s.addPathReceive());
    assertEquals(Set.of(), s.addPathSend());
  }

  /**
   * RFC 6793 §4.1: an AS above 65535 goes as AS_TRANS in My AS, from 65536 on: a 4-octet AS capability of 65537 with
   * My AS 1 (the AS cut to 16 bits) contradicts itself: Bad Peer AS.
   */
  @Test
  void peerAs_capability65537_myAsTruncated_badPeerAs() {
    FsmConfig c = config().peerAs(65537).build();
    assertEquals(Notification.of(2, 2), rejected(c, open(1, 65537, 90, PEER_ID)).notification());
    assertEquals(65537, accepted(c, open(23456, 65537, 90, PEER_ID)).peerAs());
  }

  /**
   * RFC 6793 §4.1: without the 4-octet AS capability on our side we are an OLD speaker; a NEW peer with a large AS is
   * then AS_TRANS to us, and a session configured for AS 23456 comes up (the transition mechanism).
   */
  @Test
  void fourOctetAsOff_newSpeakerWithLargeAs_isAsTrans() {
    FsmConfig c = config().fourOctetAs(false).peerAs(PeerAs.anyExternal()).build();
    NegotiatedSession s = accepted(c, open(23456, 4_200_000_000L, 90, PEER_ID));
    assertEquals(23456, s.peerAs());
    assertFalse(s.fourOctetAs());
  }

  /**
   * RFC 9234 §4.2: several role values are a Role Mismatch even when one of them faces ours. (Two configurations, so
   * that whichever value a set yields first, one of them would pair if only the first were checked.)
   */
  @Test
  void role_twoValuesOneOfThemFacingOurs_roleMismatch() {
    OpenMessage both = openWithRoles(BgpRole.PROVIDER.value(), BgpRole.PEER.value());
    assertEquals(Notification.of(2, 11), rejected(config().role(BgpRole.CUSTOMER, false).build(), both).notification());
    assertEquals(Notification.of(2, 11), rejected(config().role(BgpRole.PEER, false).build(), both).notification());
  }

  /** RFC 9234 §4.2 table: Provider-Customer, RS-RS-Client, Peer-Peer and nothing else. */
  @Test
  void bgpRole_pairsWith_onlyTheRfcPairs() {
    Set<List<Integer>> allowed = Set.of(List.of(0, 3), List.of(3, 0), List.of(1, 2), List.of(2, 1), List.of(4, 4));
    for (BgpRole mine : BgpRole.values()) {
      for (int theirs = 0; theirs <= 5; theirs++) {
        assertEquals(allowed.contains(List.of(mine.value(), theirs)), mine.pairsWith(theirs), mine + " facing " + theirs);
      }
    }
  }

  /** RFC 8950 §4: IPv4 NLRI with an IPv6 next hop only when IPv4 unicast itself is negotiated. */
  @Test
  void extendedNextHop_ipv4UnicastNotNegotiated_notUsed() {
    FsmConfig ours = config().families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
        .extendedNextHop(true).build();
    Capabilities theirs = Capabilities.builder().fourOctetAs(65002).multiprotocol(AddressFamily.IPV6_UNICAST)
        .extendedNextHop(AddressFamily.IPV4_UNICAST).build();
    NegotiatedSession s = accepted(ours, new OpenMessage(4, 65002, 90, PEER_ID, theirs));
    assertEquals(Set.of(AddressFamily.IPV6_UNICAST), s.families());
    assertEquals(Set.of(), s.extendedNextHop());
  }

  /** RFC 8654 §3 / RFC 7313 §3.1: a capability we do not advertise is not in use, whatever the peer advertises. */
  @Test
  void extendedMessageAndEnhancedRouteRefresh_notOurs_notNegotiated() {
    FsmConfig c = config().extendedMessage(false).enhancedRouteRefresh(false).build();
    assertFalse(c.localOpen().capabilities().extendedMessage());
    assertFalse(c.localOpen().capabilities().enhancedRouteRefresh());
    Capabilities theirs = Capabilities.builder().fourOctetAs(65002).extendedMessage(true).enhancedRouteRefresh(true)
        .build();
    NegotiatedSession s = accepted(c, new OpenMessage(4, 65002, 90, PEER_ID, theirs));
    assertFalse(s.extendedMessage());
    assertFalse(s.enhancedRouteRefresh());
    assertEquals(4096, s.codecContext().maxMessageLength());
  }

  /** A required Extended Next Hop capability is there when the peer sends it, whatever next-hop AFIs it lists. */
  @Test
  void requiredCapability_extendedNextHopWithOtherNextHopAfiOnly_present() {
    FsmConfig c = config().requireCapability(Capabilities.EXTENDED_NEXT_HOP).build();
    accepted(c, new OpenMessage(4, 65002, 90, PEER_ID,
        Capabilities.builder().fourOctetAs(65002).other(Capabilities.EXTENDED_NEXT_HOP).build()));
  }

  /** RFC 6793 §4.1: AS 65535 fits 2 octets: My AS carries it, not AS_TRANS. */
  @Test
  void localOpen_as65535_inMyAsAsIs() {
    assertEquals(65535, config().localAs(65535).build().localOpen().myAs());
    assertEquals(23456, config().localAs(65536).build().localOpen().myAs());
  }
}
