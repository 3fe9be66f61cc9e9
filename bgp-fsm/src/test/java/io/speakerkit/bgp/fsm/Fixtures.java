package io.speakerkit.bgp.fsm;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.timers.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/** Shared configurations, OPENs and event samples for the state machine tests. */
final class Fixtures {

  static final BgpIdentifier LOCAL_ID = BgpIdentifier.parse("10.0.0.1");
  static final BgpIdentifier PEER_ID = BgpIdentifier.parse("10.0.0.2");
  /** No jitter: every backoff step is exact. */
  static final RandomGenerator NO_JITTER = () -> 0L;

  private Fixtures() {}

  static FsmConfig.Builder config() {
    return FsmConfig.builder().localAs(65001).peerAs(65002).bgpIdentifier(LOCAL_ID)
        .connectRetryTime(Duration.ofSeconds(120));
  }

  static OpenMessage peerOpen() {
    return peerOpen(90);
  }

  static OpenMessage peerOpen(int holdTime) {
    return new OpenMessage(4, 65002, holdTime, PEER_ID,
        Capabilities.builder().fourOctetAs(65002).multiprotocol(AddressFamily.IPV4_UNICAST).routeRefresh(true)
            .build());
  }

  static BgpFsm fsm(FsmConfig config, ManualScheduler time) {
    return new BgpFsm(config, time, NO_JITTER);
  }

  /** A representative event for each RFC 4271 §8.1 event number (20 is a BGPOpen, told apart by the machine). */
  static BgpEvent event(int number) {
    return switch (number) {
      case 1 -> new BgpEvent.ManualStart();
      case 2 -> new BgpEvent.ManualStop();
      case 3 -> new BgpEvent.AutomaticStart();
      case 4 -> new BgpEvent.ManualStart_with_PassiveTcpEstablishment();
      case 5 -> new BgpEvent.AutomaticStart_with_PassiveTcpEstablishment();
      case 6 -> new BgpEvent.AutomaticStart_with_DampPeerOscillations();
      case 7 -> new BgpEvent.AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment();
      case 8 -> BgpEvent.AutomaticStop.cease(Notification.BFD_DOWN);
      case 9 -> new BgpEvent.ConnectRetryTimer_Expires();
      case 10 -> new BgpEvent.HoldTimer_Expires();
      case 11 -> new BgpEvent.KeepaliveTimer_Expires();
      case 12 -> new BgpEvent.DelayOpenTimer_Expires();
      case 13 -> new BgpEvent.IdleHoldTimer_Expires();
      case 14 -> new BgpEvent.TcpConnection_Valid();
      case 15 -> new BgpEvent.Tcp_CR_Invalid();
      case 16 -> new BgpEvent.Tcp_CR_Acked();
      case 17 -> new BgpEvent.TcpConnectionConfirmed();
      case 18 -> new BgpEvent.TcpConnectionFails("connection reset");
      case 19, 20 -> new BgpEvent.BGPOpen(peerOpen());
      case 21 -> new BgpEvent.BGPHeaderErr(Notification.of(1, 2));
      case 22 -> new BgpEvent.BGPOpenMsgErr(Notification.of(2, 2));
      case 23 -> new BgpEvent.OpenCollisionDump();
      case 24 -> new BgpEvent.NotifMsgVerErr(new Notification(2, 1, new byte[] {0, 4}));
      case 25 -> new BgpEvent.NotifMsg(Notification.administrativeShutdown("maintenance"));
      case 26 -> new BgpEvent.KeepAliveMsg();
      case 27 -> new BgpEvent.UpdateMsg();
      case 28 -> new BgpEvent.UpdateMsgErr(Notification.of(3, 1));
      case 29 -> new BgpEvent.SendHoldTimer_Expires();
      default -> throw new IllegalArgumentException("event " + number);
    };
  }

  static String render(List<BgpAction> actions) {
    return actions.stream().map(Object::toString).collect(Collectors.joining("; "));
  }
}
