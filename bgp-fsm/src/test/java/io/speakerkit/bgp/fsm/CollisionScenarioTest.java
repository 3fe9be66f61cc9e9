package io.speakerkit.bgp.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.timers.ManualScheduler;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 4271 §6.8 on virtual time with two machines on our side, one per connection, in both orders in which the peer's
 * OPENs can arrive: the connection the higher BGP Identifier initiated survives, the other gets OpenCollisionDump
 * and sends Cease / Connection Collision Resolution, decided by {@link Collision#onOpen} on the first OPEN as the
 * session's transport does.
 */
class CollisionScenarioTest {

  private static OpenMessage peerOpen(String id) {
    return new OpenMessage(4, 65002, 90, BgpIdentifier.parse(id),
        Capabilities.builder().fourOctetAs(65002).multiprotocol(AddressFamily.IPV4_UNICAST).build());
  }

  /**
   * The peer's OPEN arrives on {@code c} while {@code other} is the other connection: decides as the transport does
   * ({@link Collision#onOpen}, before the OPEN is processed), then feeds the OPEN to {@code c} unless it lost.
   * Returns the loser's actions (empty without a collision).
   */
  private static List<BgpAction> openArrives(BgpFsm c, boolean cOutgoing, BgpFsm other, String peerId,
      BgpIdentifier localId) {
    Collision.Close close = Collision.onOpen(other.state(), cOutgoing, localId, 65001, BgpIdentifier.parse(peerId),
        65002);
    List<BgpAction> dumped = List.of();
    if (close == Collision.Close.OTHER) {
      dumped = other.handle(new BgpEvent.OpenCollisionDump());
    } else if (close == Collision.Close.ARRIVED) {
      return c.handle(new BgpEvent.OpenCollisionDump());
    }
    c.handle(new BgpEvent.BGPOpen(peerOpen(peerId)));
    assertEquals(BgpState.OpenConfirm, c.state());
    return dumped;
  }

  @ParameterizedTest(name = "local {0}, peer {1}, OPEN first on the {2} connection -> {3} closed")
  @CsvSource({
      "10.0.0.1, 10.0.0.2, outgoing, outgoing",
      "10.0.0.1, 10.0.0.2, incoming, outgoing",
      "10.0.0.3, 10.0.0.2, outgoing, incoming",
      "10.0.0.3, 10.0.0.2, incoming, incoming",
  })
  void bothConnectionsOpen_higherIdKeepsItsConnection(String local, String peer, String first, String closed) {
    ManualScheduler time = new ManualScheduler();
    FsmConfig config = FsmConfig.builder().localAs(65001).peerAs(65002).bgpIdentifier(BgpIdentifier.parse(local))
        .build();
    BgpFsm out = new BgpFsm(config, time, Fixtures.NO_JITTER);
    BgpFsm in = new BgpFsm(config, time, Fixtures.NO_JITTER);
    out.handle(new BgpEvent.ManualStart());
    out.handle(new BgpEvent.Tcp_CR_Acked());
    in.handle(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    in.handle(new BgpEvent.TcpConnectionConfirmed());
    assertEquals(BgpState.OpenSent, out.state());
    assertEquals(BgpState.OpenSent, in.state());
    boolean outFirst = first.equals("outgoing");
    BgpFsm a = outFirst ? out : in;
    BgpFsm b = outFirst ? in : out;
    // Decided on the first OPEN, while the other connection is still in OpenSent.
    List<BgpAction> dump = openArrives(a, outFirst, b, peer, config.bgpIdentifier());
    BgpFsm loser = closed.equals("outgoing") ? out : in;
    BgpFsm winner = loser == out ? in : out;
    assertEquals(BgpState.Idle, loser.state());
    if (winner.state() == BgpState.OpenSent) {
      // the OPEN came first on the connection that lost: the peer's OPEN on the other follows, with no collision
      assertEquals(List.of(), openArrives(winner, winner == out, loser, peer, config.bgpIdentifier()));
    }
    assertEquals(BgpState.OpenConfirm, winner.state());
    assertEquals(new BgpAction.SendNotification(Notification.cease(Notification.CONNECTION_COLLISION_RESOLUTION)),
        dump.get(0));
    assertTrue(dump.contains(new BgpAction.DropTcp()));
    assertEquals(EventType.OpenCollisionDump, loser.lastCause().orElseThrow().event());
    winner.handle(new BgpEvent.KeepAliveMsg());
    assertEquals(BgpState.Established, winner.state());
  }

  @ParameterizedTest(name = "local {0}: a new connection colliding with an Established one is closed")
  @CsvSource({"10.0.0.1", "10.0.0.3"})
  void established_newConnectionClosed(String local) {
    ManualScheduler time = new ManualScheduler();
    FsmConfig config = FsmConfig.builder().localAs(65001).peerAs(65002).bgpIdentifier(BgpIdentifier.parse(local))
        .build();
    BgpFsm out = new BgpFsm(config, time, Fixtures.NO_JITTER);
    out.handle(new BgpEvent.ManualStart());
    out.handle(new BgpEvent.Tcp_CR_Acked());
    out.handle(new BgpEvent.BGPOpen(peerOpen("10.0.0.2")));
    out.handle(new BgpEvent.KeepAliveMsg());
    BgpFsm in = new BgpFsm(config, time, Fixtures.NO_JITTER);
    in.handle(new BgpEvent.ManualStart_with_PassiveTcpEstablishment());
    in.handle(new BgpEvent.TcpConnectionConfirmed());
    List<BgpAction> dump = openArrives(in, false, out, "10.0.0.2", config.bgpIdentifier());
    assertEquals(BgpState.Idle, in.state());
    assertEquals(BgpState.Established, out.state());
    assertEquals(new BgpAction.SendNotification(Notification.cease(Notification.CONNECTION_COLLISION_RESOLUTION)),
        dump.get(0));
  }
}
