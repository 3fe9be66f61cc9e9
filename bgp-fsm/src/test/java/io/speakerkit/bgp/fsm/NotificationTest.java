package io.speakerkit.bgp.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NotificationTest {

  @Test
  void administrativeShutdown_carriesRfc9003Communication() {
    Notification n = Notification.administrativeShutdown("maintenance, back at 03:00");
    assertEquals(6, n.code());
    assertEquals(2, n.subcode());
    assertEquals(26, n.data()[0]);
    assertEquals(Optional.of("maintenance, back at 03:00"), n.shutdownCommunication());
    assertEquals("Cease / Administrative Shutdown \"maintenance, back at 03:00\"", n.toString());
  }

  @Test
  void administrativeShutdown_tooLong_rejected() {
    assertThrows(IllegalArgumentException.class, () -> Notification.administrativeShutdown("x".repeat(256)));
  }

  @Test
  void toString_namesCodeAndSubcode() {
    assertEquals("Cease / BFD Down", Notification.cease(10).toString());
    assertEquals("OPEN Message Error / Bad Peer AS", Notification.of(2, 2).toString());
    assertEquals("Finite State Machine Error / Receive Unexpected Message in OpenConfirm State",
        Notification.fsmError(2).toString());
    assertEquals("OPEN Message Error / Unsupported Version Number [0004]",
        new Notification(2, 1, new byte[] {0, 4}).toString());
    assertEquals("Unknown error code 99 / subcode 3", Notification.of(99, 3).toString());
  }

  @Test
  void notificationReceived_versionError_isEvent24() {
    assertEquals(EventType.NotifMsgVerErr, BgpEvent.notificationReceived(Notification.of(2, 1)).type());
    assertEquals(EventType.NotifMsg, BgpEvent.notificationReceived(Notification.of(6, 2)).type());
  }
}
