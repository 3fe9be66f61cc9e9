package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NotificationTest {

  static final String SHUTDOWN = "M 0021 03 06 02 0b 6d61696e74656e616e6365";

  @Test
  void administrativeShutdown_bothWays() {
    Notification n = Notification.administrativeShutdown("maintenance");
    assertArrayEquals(Hex.bytes(SHUTDOWN), Hex.encode(n, CodecContext.INITIAL));
    ByteBuf b = Hex.buf(SHUTDOWN);
    try {
      Notification d = (Notification) BgpMessageDecoder.decode(b, CodecContext.INITIAL);
      assertEquals(n, d);
      assertEquals(Optional.of("maintenance"), d.shutdownCommunication());
      assertEquals("Cease / Administrative Shutdown: \"maintenance\"", d.describe());
    } finally {
      b.release();
    }
  }

  /** RFC 7313 §5 echoes a whole ROUTE-REFRESH of bad length: at 4096 octets it cannot fit; it goes cut, not never. */
  @Test
  void dataLongerThanTheMessageLimit_cutToFit() {
    byte[] data = new byte[4096];
    java.util.Arrays.fill(data, (byte) 7);
    ByteBuf out = io.netty.buffer.Unpooled.buffer();
    try {
      BgpMessageEncoder.encode(new Notification(7, 1, data), out, CodecContext.INITIAL);
      assertEquals(4096, out.readableBytes());
      Notification d = (Notification) BgpMessageDecoder.decode(out, CodecContext.INITIAL);
      assertEquals(4096 - 21, d.data().length);
    } finally {
      out.release();
    }
  }

  @Test
  void shutdownCommunication_lengthBeyondData_tolerated() {
    Notification n = new Notification(6, 4, new byte[] {(byte) 200, 'h', 'i'});
    assertEquals(Optional.of("hi"), n.shutdownCommunication());
  }

  @Test
  void shutdownCommunication_invalidUtf8_replaced() {
    Notification n = new Notification(6, 2, new byte[] {2, (byte) 0xC3, (byte) 0x28});
    assertTrue(n.shutdownCommunication().isPresent());
  }

  @Test
  void shutdownCommunication_longText_truncatedAtCharacterBoundary() {
    String s = "é".repeat(200);
    Notification n = Notification.administrativeShutdown(s);
    assertEquals(255, n.data().length);
    assertEquals(254, n.data()[0] & 0xFF);
    assertEquals("é".repeat(127), n.shutdownCommunication().get());
  }

  @Test
  void hardReset_encapsulatesCause() {
    Notification n = Notification.hardReset(Notification.holdTimerExpired());
    assertArrayEquals(new byte[] {4, 0}, n.data());
    assertEquals("Cease / Hard Reset (Hold Timer Expired)", n.describe());
    assertEquals(Notification.holdTimerExpired(), n.hardResetCause().get());
  }

  @Test
  void describe_namesEveryRegisteredSubcode() {
    assertEquals("OPEN Message Error / Unsupported Capability", new Notification(2, 7, null).describe());
    assertEquals("OPEN Message Error / Role Mismatch", Notification.roleMismatch().describe());
    assertEquals("Cease / BFD Down", Notification.bfdDown().describe());
    assertEquals("Finite State Machine Error / Receive Unexpected Message in OpenSent State",
        Notification.fsmError(FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_OPENSENT).describe());
    assertEquals("ROUTE-REFRESH Message Error / Invalid Message Length",
        new Notification(7, 1, null).describe());
    assertEquals("UPDATE Message Error / Malformed AS_PATH (data: 40 02)",
        new Notification(3, 11, new byte[] {0x40, 0x02}).describe());
    assertEquals("Message Header Error / Bad Message Type (data: 09)", new Notification(1, 3, new byte[] {9}).describe());
    assertEquals("Cease / Subcode 42", new Notification(6, 42, null).describe());
    assertEquals("Send Hold Timer Expired", Notification.sendHoldTimerExpired().describe()); // RFC 9687
    for (int sub = 1; sub <= 10; sub++) {
      assertTrue(CeaseSubcode.valueOf(sub).isKnown());
    }
  }

  @Test
  void maximumPrefixes_data() {
    Notification n = Notification.maximumPrefixesReached(AddressFamily.IPV6_UNICAST, 1000);
    assertArrayEquals(new byte[] {0, 2, 1, 0, 0, 3, (byte) 0xe8}, n.data());
    assertEquals("Cease / Maximum Number of Prefixes Reached (IPv6/unicast, limit 1000)", n.describe());
  }

  @Test
  void from_decodeException() {
    BgpDecodeException e = OpenMessageTest.decodeError("M 001d 01 03 fde8 005a 0a000001 00");
    Notification n = Notification.from(e);
    assertEquals("OPEN Message Error / Unsupported Version Number (data: 00 04)", n.describe());
  }

  @Test
  void routeRefresh_bothWays() {
    String rr = "M 0017 05 0002 01 01";
    assertArrayEquals(Hex.bytes(rr),
        Hex.encode(RouteRefreshMessage.beginning(AddressFamily.IPV6_UNICAST), CodecContext.INITIAL));
    ByteBuf b = Hex.buf(rr);
    try {
      assertEquals(RouteRefreshMessage.beginning(AddressFamily.IPV6_UNICAST),
          BgpMessageDecoder.decode(b, CodecContext.INITIAL));
    } finally {
      b.release();
    }
  }

  @Test
  void routeRefresh_borrOrEorrOfWrongLength_invalidMessageLengthWithMessageAsData() {
    // RFC 7313 §5
    for (String rr : new String[] {"M 0018 05 0001 01 01 00", "M 0018 05 0002 02 01 00"}) {
      BgpDecodeException e = OpenMessageTest.decodeError(rr);
      assertEquals(7, e.code());
      assertEquals(1, e.subcode());
      assertArrayEquals(Hex.bytes(rr), e.data());
    }
  }

  @Test
  void routeRefresh_normalWithOrfEntriesOrUnknownSubtype_longerThanFourOctets_decoded() {
    // RFC 5291 §4: a normal refresh may carry ORF entries (when-to-refresh, ORF type 64, length, entries)
    ByteBuf b = Hex.buf("M 001b 05 0001 00 01 01 40 0000");
    try {
      assertEquals(RouteRefreshMessage.of(AddressFamily.IPV4_UNICAST),
          BgpMessageDecoder.decode(b, CodecContext.INITIAL));
    } finally {
      b.release();
    }
    // RFC 7313 §5: an unknown subtype is ignored by the session, whatever its length
    ByteBuf unknown = Hex.buf("M 0018 05 0001 07 01 00");
    try {
      assertEquals(new RouteRefreshMessage(AddressFamily.IPV4_UNICAST, 7),
          BgpMessageDecoder.decode(unknown, CodecContext.INITIAL));
    } finally {
      unknown.release();
    }
  }
}
