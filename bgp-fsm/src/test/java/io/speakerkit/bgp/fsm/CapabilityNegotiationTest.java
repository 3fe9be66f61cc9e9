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

  private static OpenMessage firstOpen(List<BgpAction> actions) {
    return actions.stream().filter(a -> a instanceof BgpAction.SendOpen).map(a -> ((BgpAction.SendOpen) a).open())
        .findFirst().orElseThrow(() -> new AssertionError("no OPEN: " + actions));
  }

  /**
   * RFC 5492 §3 names one NOTIFICATION only, Unsupported Optional Parameter: another OPEN Message Error from the peer
   * (a Bad Peer AS while its configuration is being fixed, say) says nothing about capabilities, and the next OPEN
   * still carries them (4-octet AS, Multiprotocol, ...).
   */
  @Test
  void otherOpenMessageError_nextOpenKeepsCapabilities() {
    ManualScheduler time = new ManualScheduler();
    BgpFsm fsm = new BgpFsm(config().build(), time, Fixtures.NO_JITTER);
    fsm.handle(event(1));
    fsm.handle(event(16));
    fsm.handle(new BgpEvent.NotifMsg(Notification.of(Notification.OPEN_MESSAGE_ERROR, Notification.BAD_PEER_AS)));
    assertEquals(BgpState.Idle, fsm.state());
    fsm.handle(new BgpEvent.IdleHoldTimer_Expires());
    OpenMessage next = firstOpen(fsm.handle(event(16)));
    assertEquals(config().build().localOpen(), next);
    assertTrue(next.capabilities().has(Capabilities.MULTIPROTOCOL));
  }

  /**
   * The peer may send its OPEN before it checks ours (FRR does): its Unsupported Optional Parameter then arrives in
   * OpenConfirm, and the next OPEN goes without capabilities all the same (RFC 5492 §3).
   */
  @Test
  void unsupportedOptionalParameter_inOpenConfirm_nextOpenWithoutCapabilities() {
    ManualScheduler time = new ManualScheduler();
    BgpFsm fsm = new BgpFsm(config().build(), time, Fixtures.NO_JITTER);
    fsm.handle(event(1));
    fsm.handle(event(16));
    fsm.handle(new BgpEvent.BGPOpen(Fixtures.peerOpen()));
    assertEquals(BgpState.OpenConfirm, fsm.state());
    fsm.handle(new BgpEvent.NotifMsg(Notification.of(Notification.OPEN_MESSAGE_ERROR,
        Notification.UNSUPPORTED_OPTIONAL_PARAMETER)));
    assertEquals(BgpState.Idle, fsm.state());
    fsm.handle(new BgpEvent.IdleHoldTimer_Expires());
    assertEquals(Capabilities.NONE, firstOpen(fsm.handle(event(16))).capabilities());
  }

  /**
   * With DelayOpen (RFC 4271 Event 20), once the peer refused capabilities its OPEN, arriving before ours, is
   * negotiated as advertising none, as in OpenSent: a capability is used only when both sides advertised it.
   */
  @Test
  void unsupportedOptionalParameter_delayOpen_peersOpenNegotiatedWithoutCapabilities() {
    ManualScheduler time = new ManualScheduler();
    BgpFsm fsm = new BgpFsm(config().delayOpenTime(Duration.ofSeconds(5)).build(), time, Fixtures.NO_JITTER);
    fsm.handle(event(1));
    fsm.handle(event(16));
    fsm.handle(new BgpEvent.DelayOpenTimer_Expires());
    fsm.handle(new BgpEvent.NotifMsg(Notification.of(Notification.OPEN_MESSAGE_ERROR,
        Notification.UNSUPPORTED_OPTIONAL_PARAMETER)));
    fsm.handle(new BgpEvent.IdleHoldTimer_Expires());
    fsm.handle(event(16));
    List<BgpAction> out = fsm.handle(new BgpEvent.BGPOpen(Fixtures.peerOpen()));
    assertEquals(BgpState.OpenConfirm, fsm.state());
    assertEquals(Capabilities.NONE, firstOpen(out).capabilities());
    NegotiatedSession s = fsm.session().orElseThrow();
    assertEquals(false, s.fourOctetAs());
    assertEquals(false, s.routeRefresh());
  }
}
