package io.speakerkit.bgp.fsm;

import static io.speakerkit.bgp.fsm.Fixtures.PEER_ID;
import static io.speakerkit.bgp.fsm.Fixtures.config;
import static io.speakerkit.bgp.fsm.Fixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.timers.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Capability negotiation corners: a 4-octet AS that contradicts My AS (RFC 6793), a peer refusing capabilities (RFC 5492). */
class CapabilityNegotiationTest {

  /**
   * RFC 6793 §4.1: a NEW speaker whose AS does not fit 2 octets puts AS_TRANS in My AS. An OPEN whose 4-octet AS
   * capability carries 4200000000 but whose My AS is a different real 2-octet AS contradicts itself; FRR refuses it
   * ("bad OPEN, got AS4 capability, but remote_as ... mismatch with 16bit 'myasn'", Bad Peer AS), as we already do
   * when the capability's AS fits 2 octets.
   */
  @Test
  void fourOctetCapabilityAboveTwoOctets_myAsNotAsTrans_badPeerAs() {
    FsmConfig c = config().peerAs(4_200_000_000L).build();
    OpenMessage open = new OpenMessage(4, 65002, 90, PEER_ID,
        Capabilities.builder().fourOctetAs(4_200_000_000L).build());
    OpenNegotiation.Rejected r =
        assertInstanceOf(OpenNegotiation.Rejected.class, OpenNegotiation.negotiate(c, open));
    assertEquals(Notification.of(2, 2), r.notification());
  }

  /**
   * RFC 5492 §3: a speaker whose OPEN with the Capabilities parameter is answered by OPEN Message Error /
   * Unsupported Optional Parameter knows the peer does not support capabilities advertisement, and "SHOULD attempt to
   * re-establish a BGP connection with the peer without sending to the peer the Capabilities Optional Parameter"
   * (FRR clears PEER_STATUS_CAPABILITY_OPEN and does so). The next OPEN must carry no capabilities.
   */
  @Test
  void unsupportedOptionalParameter_nextOpenWithoutCapabilities() {
    ManualScheduler time = new ManualScheduler();
    List<BgpAction> io = new ArrayList<>();
    FsmDriver d = new FsmDriver(new BgpFsm(config().build(), time, Fixtures.NO_JITTER), time, io::add);
    d.fire(event(1));
    d.fire(event(16));
    OpenMessage first = io.stream().filter(a -> a instanceof BgpAction.SendOpen).map(a -> ((BgpAction.SendOpen) a)
        .open()).findFirst().orElseThrow();
    assertTrue(first.capabilities().has(Capabilities.MULTIPROTOCOL));
    d.fire(new BgpEvent.NotifMsg(Notification.of(Notification.OPEN_MESSAGE_ERROR,
        Notification.UNSUPPORTED_OPTIONAL_PARAMETER)));
    assertEquals(BgpState.Idle, d.fsm().state());
    io.clear();
    time.advance(Duration.ofMinutes(5)); // the automatic restart
    d.fire(event(16));
    OpenMessage second = io.stream().filter(a -> a instanceof BgpAction.SendOpen).map(a -> ((BgpAction.SendOpen) a)
        .open()).findFirst().orElseThrow(() -> new AssertionError("no second OPEN: " + io));
    assertEquals(Capabilities.NONE, second.capabilities());
    // we advertised nothing: nothing the peer advertises is used (RFC 5492 §3), IPv4 unicast only (RFC 4760 §8)
    d.fire(new BgpEvent.BGPOpen(new OpenMessage(4, 65002, 90, PEER_ID, Capabilities.builder().fourOctetAs(65002)
        .multiprotocol(AddressFamily.IPV4_UNICAST).routeRefresh(true).extendedMessage(true)
        .build())));
    NegotiatedSession s = d.fsm().session().orElseThrow();
    assertEquals(false, s.fourOctetAs());
    assertEquals(false, s.routeRefresh());
    assertEquals(java.util.Set.of(AddressFamily.IPV4_UNICAST), s.families());
  }

  /**
   * RFC 5492 §3 is knowledge about the peer, not about one TCP connection (FRR: PEER_STATUS_CAPABILITY_OPEN in the
   * peer's sflags): the machine of a collision's second connection, told what the first learned, sends its OPEN
   * without capabilities and negotiates the peer's OPEN as advertising none.
   */
  @Test
  void unsupportedOptionalParameter_learnedByAnotherConnectionsMachine() {
    ManualScheduler time = new ManualScheduler();
    BgpFsm first = new BgpFsm(config().build(), time, Fixtures.NO_JITTER);
    first.handle(event(1));
    first.handle(event(16));
    first.handle(new BgpEvent.NotifMsg(Notification.of(Notification.OPEN_MESSAGE_ERROR,
        Notification.UNSUPPORTED_OPTIONAL_PARAMETER)));
    BgpFsm second = new BgpFsm(config().build(), time, Fixtures.NO_JITTER);
    second.learnPeerFrom(first);
    second.handle(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    OpenMessage sent = second.handle(new BgpEvent.TcpConnectionConfirmed()).stream()
        .filter(a -> a instanceof BgpAction.SendOpen).map(a -> ((BgpAction.SendOpen) a).open()).findFirst()
        .orElseThrow();
    assertEquals(Capabilities.NONE, sent.capabilities());
  }
}
