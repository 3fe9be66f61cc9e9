package io.speakerkit.bgp.fsm;

import static io.speakerkit.bgp.fsm.Fixtures.config;
import static io.speakerkit.bgp.fsm.Fixtures.event;
import static io.speakerkit.bgp.fsm.Fixtures.render;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.speakerkit.timers.ManualScheduler;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every state × event pair of RFC 4271 §8.2.2, and of Event 29 (SendHoldTimer_Expires, RFC 9687 §4): the exact
 * actions (messages, timers started and stopped, TCP), the next state and the ConnectRetryCounter. Timers: ConnectRetryTime 120 s, HoldTime 90 s (keepalive 30 s), OpenSent hold
 * 4 min, DelayOpenTime 5 s where named, IdleHoldTime 1 s (first automatic restart). No jitter.
 *
 * <p>Rows: {@code state | event number | actions | next state | ConnectRetryCounter}. An empty action list means the
 * event is ignored. Event 20 is a BGPOpen arriving while the DelayOpenTimer runs (ConnectDelayOpen,
 * ActiveDelayOpen); in the other states the same OPEN is Event 19.
 */
class TransitionTableTest {

  private static final String IH = "Start(IdleHoldTimer,1000ms)";
  private static final String OPEN_SENT = "SendOpen; Start(HoldTimer,240000ms)";
  private static final String CONFIRM = "SendKeepalive; Start(KeepaliveTimer,30000ms); Start(HoldTimer,90000ms)";
  private static final String REL = "Stop(HoldTimer); Stop(KeepaliveTimer)";

  private static final String TABLE = """
      Idle | 1 | Start(ConnectRetryTimer,120000ms); ConnectTcp; Idle->Connect | Connect | 0
      Idle | 2 |  | Idle | 0
      Idle | 3 | Start(ConnectRetryTimer,120000ms); ConnectTcp; Idle->Connect | Connect | 0
      Idle | 4 | Start(ConnectRetryTimer,120000ms); Idle->Active | Active | 0
      Idle | 5 | Start(ConnectRetryTimer,120000ms); Idle->Active | Active | 0
      Idle | 6 | Start(ConnectRetryTimer,120000ms); ConnectTcp; Idle->Connect | Connect | 0
      Idle | 7 | Start(ConnectRetryTimer,120000ms); Idle->Active | Active | 0
      Idle | 8 |  | Idle | 0
      Idle | 9 |  | Idle | 0
      Idle | 10 |  | Idle | 0
      Idle | 11 |  | Idle | 0
      Idle | 12 |  | Idle | 0
      Idle | 13 |  | Idle | 0
      Idle | 14 |  | Idle | 0
      Idle | 15 |  | Idle | 0
      Idle | 16 |  | Idle | 0
      Idle | 17 |  | Idle | 0
      Idle | 18 |  | Idle | 0
      Idle | 19 |  | Idle | 0
      Idle | 21 |  | Idle | 0
      Idle | 22 |  | Idle | 0
      Idle | 23 |  | Idle | 0
      Idle | 24 |  | Idle | 0
      Idle | 25 |  | Idle | 0
      Idle | 26 |  | Idle | 0
      Idle | 27 |  | Idle | 0
      Idle | 28 |  | Idle | 0
      Idle | 29 |  | Idle | 0

      Connect | 1 |  | Connect | 0
      Connect | 2 | Stop(ConnectRetryTimer); DropTcp; Connect->Idle | Idle | 0
      Connect | 3 |  | Connect | 0
      Connect | 4 |  | Connect | 0
      Connect | 5 |  | Connect | 0
      Connect | 6 |  | Connect | 0
      Connect | 7 |  | Connect | 0
      Connect | 8 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 9 | DropTcp; Start(ConnectRetryTimer,120000ms); ConnectTcp | Connect | 0
      Connect | 10 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 11 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 12 | Stop(ConnectRetryTimer); OPEN_SENT; Connect->OpenSent | OpenSent | 0
      Connect | 13 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 14 |  | Connect | 0
      Connect | 15 |  | Connect | 0
      Connect | 16 | Stop(ConnectRetryTimer); OPEN_SENT; Connect->OpenSent | OpenSent | 0
      Connect | 17 | Stop(ConnectRetryTimer); OPEN_SENT; Connect->OpenSent | OpenSent | 0
      Connect | 18 | Stop(ConnectRetryTimer); IH; Connect->Idle | Idle | 0
      Connect | 19 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 21 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 22 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 23 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 24 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 25 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 26 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 27 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 28 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1
      Connect | 29 | Stop(ConnectRetryTimer); DropTcp; IH; Connect->Idle | Idle | 1

      ConnectDelayOpen | 2 | Stop(DelayOpenTimer); DropTcp; Connect->Idle | Idle | 0
      ConnectDelayOpen | 9 | DropTcp; Start(ConnectRetryTimer,120000ms); Stop(DelayOpenTimer); ConnectTcp | Connect | 0
      ConnectDelayOpen | 12 | OPEN_SENT; Connect->OpenSent | OpenSent | 0
      ConnectDelayOpen | 18 | Start(ConnectRetryTimer,120000ms); Stop(DelayOpenTimer); Connect->Active | Active | 0
      ConnectDelayOpen | 20 | Stop(DelayOpenTimer); SendOpen; CONFIRM; Connect->OpenConfirm | OpenConfirm | 0
      ConnectDelayOpen | 21 | Stop(DelayOpenTimer); DropTcp; IH; Connect->Idle | Idle | 1
      ConnectDelayOpen | 22 | Stop(DelayOpenTimer); DropTcp; IH; Connect->Idle | Idle | 1
      ConnectDelayOpen | 24 | Stop(DelayOpenTimer); DropTcp; IH; Connect->Idle | Idle | 0
      ConnectDelayOpen | 25 | Stop(DelayOpenTimer); DropTcp; IH; Connect->Idle | Idle | 1

      Active | 1 |  | Active | 0
      Active | 2 | Stop(ConnectRetryTimer); Active->Idle | Idle | 0
      Active | 3 |  | Active | 0
      Active | 4 |  | Active | 0
      Active | 5 |  | Active | 0
      Active | 6 |  | Active | 0
      Active | 7 |  | Active | 0
      Active | 8 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 9 | Start(ConnectRetryTimer,120000ms); ConnectTcp; Active->Connect | Connect | 0
      Active | 10 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 11 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 12 | Stop(ConnectRetryTimer); OPEN_SENT; Active->OpenSent | OpenSent | 0
      Active | 13 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 14 |  | Active | 0
      Active | 15 |  | Active | 0
      Active | 16 | Stop(ConnectRetryTimer); OPEN_SENT; Active->OpenSent | OpenSent | 0
      Active | 17 | Stop(ConnectRetryTimer); OPEN_SENT; Active->OpenSent | OpenSent | 0
      Active | 18 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 19 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 21 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 22 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 23 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 24 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 25 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 26 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 27 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 28 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1
      Active | 29 | Stop(ConnectRetryTimer); IH; Active->Idle | Idle | 1

      ActiveDelayOpen | 2 | Stop(DelayOpenTimer); DropTcp; Active->Idle | Idle | 0
      ActiveDelayOpen | 9 | Start(ConnectRetryTimer,120000ms); ConnectTcp; Active->Connect | Connect | 0
      ActiveDelayOpen | 12 | OPEN_SENT; Active->OpenSent | OpenSent | 0
      ActiveDelayOpen | 18 | Stop(DelayOpenTimer); IH; Active->Idle | Idle | 1
      ActiveDelayOpen | 20 | Stop(DelayOpenTimer); SendOpen; CONFIRM; Active->OpenConfirm | OpenConfirm | 0
      ActiveDelayOpen | 22 | Stop(DelayOpenTimer); DropTcp; IH; Active->Idle | Idle | 1
      ActiveDelayOpen | 24 | Stop(DelayOpenTimer); DropTcp; IH; Active->Idle | Idle | 0

      OpenSent | 1 |  | OpenSent | 0
      OpenSent | 2 | SendNotification(6/2); Stop(HoldTimer); DropTcp; OpenSent->Idle | Idle | 0
      OpenSent | 3 |  | OpenSent | 0
      OpenSent | 4 |  | OpenSent | 0
      OpenSent | 5 |  | OpenSent | 0
      OpenSent | 6 |  | OpenSent | 0
      OpenSent | 7 |  | OpenSent | 0
      OpenSent | 8 | SendNotification(6/10); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 9 | SendNotification(5/0); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 10 | SendNotification(4/0); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 11 | SendNotification(5/0); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 12 | SendNotification(5/0); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 13 | SendNotification(5/0); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 14 |  | OpenSent | 0
      OpenSent | 15 |  | OpenSent | 0
      OpenSent | 16 |  | OpenSent | 0
      OpenSent | 17 |  | OpenSent | 0
      OpenSent | 18 | Stop(HoldTimer); Start(ConnectRetryTimer,120000ms); OpenSent->Active | Active | 0
      OpenSent | 19 | CONFIRM; OpenSent->OpenConfirm | OpenConfirm | 0
      OpenSent | 21 | SendNotification(1/2); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 22 | SendNotification(2/2); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 23 | SendNotification(6/7); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 24 | Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 0
      OpenSent | 25 | Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 26 | SendNotification(5/1); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 27 | SendNotification(5/1); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 28 | SendNotification(5/1); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1
      OpenSent | 29 | SendNotification(8/0); Stop(HoldTimer); DropTcp; IH; OpenSent->Idle | Idle | 1

      OpenConfirm | 1 |  | OpenConfirm | 0
      OpenConfirm | 2 | SendNotification(6/2); REL; DropTcp; OpenConfirm->Idle | Idle | 0
      OpenConfirm | 3 |  | OpenConfirm | 0
      OpenConfirm | 4 |  | OpenConfirm | 0
      OpenConfirm | 5 |  | OpenConfirm | 0
      OpenConfirm | 6 |  | OpenConfirm | 0
      OpenConfirm | 7 |  | OpenConfirm | 0
      OpenConfirm | 8 | SendNotification(6/10); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 9 | SendNotification(5/0); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 10 | SendNotification(4/0); Stop(KeepaliveTimer); DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 11 | SendKeepalive; Start(KeepaliveTimer,30000ms) | OpenConfirm | 0
      OpenConfirm | 12 | SendNotification(5/0); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 13 | SendNotification(5/0); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 14 |  | OpenConfirm | 0
      OpenConfirm | 15 |  | OpenConfirm | 0
      OpenConfirm | 16 |  | OpenConfirm | 0
      OpenConfirm | 17 |  | OpenConfirm | 0
      OpenConfirm | 18 | REL; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 19 | SendNotification(5/2); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 21 | SendNotification(1/2); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 22 | SendNotification(2/2); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 23 | SendNotification(6/7); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 24 | REL; DropTcp; IH; OpenConfirm->Idle | Idle | 0
      OpenConfirm | 25 | REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 26 | Start(HoldTimer,90000ms); OpenConfirm->Established | Established | 0
      OpenConfirm | 27 | SendNotification(5/2); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 28 | SendNotification(5/2); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1
      OpenConfirm | 29 | SendNotification(8/0); REL; DropTcp; IH; OpenConfirm->Idle | Idle | 1

      Established | 1 |  | Established | 0
      Established | 2 | SendNotification(6/2); REL; DeleteRoutes; DropTcp; Established->Idle | Idle | 0
      Established | 3 |  | Established | 0
      Established | 4 |  | Established | 0
      Established | 5 |  | Established | 0
      Established | 6 |  | Established | 0
      Established | 7 |  | Established | 0
      Established | 8 | SendNotification(6/10); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 9 | SendNotification(5/0); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 10 | SendNotification(4/0); Stop(KeepaliveTimer); DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 11 | SendKeepalive; Start(KeepaliveTimer,30000ms) | Established | 0
      Established | 12 | SendNotification(5/0); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 13 | SendNotification(5/0); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 14 |  | Established | 0
      Established | 15 |  | Established | 0
      Established | 16 |  | Established | 0
      Established | 17 |  | Established | 0
      Established | 18 | REL; DeleteRoutes; IH; Established->Idle | Idle | 1
      Established | 19 | SendNotification(5/3); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 21 | SendNotification(1/2); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 22 | SendNotification(2/2); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 23 | SendNotification(6/7); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 24 | REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 25 | REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 26 | Start(HoldTimer,90000ms) | Established | 0
      Established | 27 | ProcessUpdate; Start(HoldTimer,90000ms) | Established | 0
      Established | 28 | SendNotification(3/1); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      Established | 29 | SendNotification(8/0); REL; DeleteRoutes; DropTcp; IH; Established->Idle | Idle | 1
      """;

  static Stream<Arguments> rows() {
    return TABLE.lines().filter(l -> !l.isBlank()).map(l -> {
      String[] f = l.split("\\|", -1);
      String expected = f[2].trim().replace("IH", IH).replace("OPEN_SENT", OPEN_SENT).replace("CONFIRM", CONFIRM)
          .replace("REL", REL);
      return Arguments.of(f[0].trim(), Integer.parseInt(f[1].trim()), expected, BgpState.valueOf(f[3].trim()),
          Integer.parseInt(f[4].trim()));
    });
  }

  /** Puts a fresh machine in the named state through the events of a normal session. */
  static BgpFsm in(String state, ManualScheduler time) {
    boolean delayOpen = state.endsWith("DelayOpen");
    FsmConfig.Builder b = config();
    if (delayOpen) {
      b.delayOpenTime(Duration.ofSeconds(5));
    }
    BgpFsm fsm = Fixtures.fsm(b.build(), time);
    switch (state) {
      case "Idle" -> { }
      case "Connect" -> fsm.handle(event(1));
      case "ConnectDelayOpen" -> {
        fsm.handle(event(1));
        fsm.handle(event(16));
      }
      case "Active" -> fsm.handle(event(4));
      case "ActiveDelayOpen" -> {
        fsm.handle(event(4));
        fsm.handle(event(17));
      }
      case "OpenSent", "OpenConfirm", "Established" -> {
        fsm.handle(event(1));
        fsm.handle(event(16));
        if (!state.equals("OpenSent")) {
          fsm.handle(event(19));
        }
        if (state.equals("Established")) {
          fsm.handle(event(26));
        }
      }
      default -> throw new IllegalArgumentException(state);
    }
    return fsm;
  }

  @ParameterizedTest(name = "{0} + Event {1} -> {3}")
  @MethodSource("rows")
  void transition_matchesRfc4271(String from, int event, String actions, BgpState next, int counter) {
    ManualScheduler time = new ManualScheduler();
    BgpFsm fsm = in(from, time);
    List<BgpAction> out = fsm.handle(event(event));
    assertEquals(actions, render(out), from + " + " + event(event).type());
    assertEquals(next, fsm.state());
    assertEquals(counter, fsm.connectRetryCounter());
  }

  @Test
  void table_coversEveryStateAndEvent() {
    Set<String> seen = new HashSet<>();
    rows().forEach(a -> seen.add(a.get()[0] + "/" + a.get()[1]));
    for (String s : List.of("Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established")) {
      for (int e = 1; e <= 29; e++) {
        if (e == 20) {
          continue;
        }
        assertEquals(true, seen.contains(s + "/" + e), s + " x Event " + e + " missing");
      }
    }
    assertEquals(true, seen.contains("ConnectDelayOpen/20"));
    assertEquals(true, seen.contains("ActiveDelayOpen/20"));
  }
}
