package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.AddPathMode;
import io.speakerkit.bgp.fsm.BgpEvent;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.Capabilities;
import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.fsm.Notification;
import io.speakerkit.bgp.fsm.OpenMessage;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpDecodeException;
import io.speakerkit.bgp.wire.BgpMessageDecoder;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireAdapterTest {

  @Test
  void open_throughTheCodec_roundTrips() {
    Capabilities caps = Capabilities.builder().multiprotocol(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)
        .fourOctetAs(4_200_000_001L).routeRefresh(true).enhancedRouteRefresh(true).extendedMessage(true)
        .addPath(AddressFamily.IPV4_UNICAST, AddPathMode.BOTH).extendedNextHop(AddressFamily.IPV4_UNICAST)
        .gracefulRestart(new GracefulRestart(true, 120, Map.of(AddressFamily.IPV4_UNICAST, true), true)).build();
    OpenMessage open = new OpenMessage(4, 23456, 90, BgpIdentifier.parse("192.0.2.1"), caps); // R and N bits set
    ByteBuf buf = Unpooled.buffer();
    try {
      BgpMessageEncoder.encode(WireAdapter.toWire(open), buf, CodecContext.INITIAL);
      io.speakerkit.bgp.wire.OpenMessage decoded =
          (io.speakerkit.bgp.wire.OpenMessage) BgpMessageDecoder.decode(buf, CodecContext.INITIAL);
      assertEquals(open, WireAdapter.fromWire(decoded));
    } finally {
      buf.release();
    }
  }

  /**
   * RFC 8950 §4: the extended next hop capability lists (NLRI AFI/SAFI, Nexthop AFI) tuples; only those with an IPv6
   * next hop are what this library uses (IPv4 NLRI over an IPv6 next hop). A tuple offering an IPv4 next hop for IPv6
   * NLRI must not turn IPv6 unicast into an extended-next-hop family: the capability is then only kept as unknown.
   */
  @Test
  void extendedNextHop_onlyTuplesWithAnIpv6NextHop_enableAFamily() {
    io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability enh =
        new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability(java.util.List.of(
            new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability.Entry(AddressFamily.IPV6_UNICAST,
                io.speakerkit.bgp.wire.Afi.IPV4)));
    OpenMessage only4 = WireAdapter.fromWire(
        io.speakerkit.bgp.wire.OpenMessage.of(64512, 90, 0x0A000001, java.util.List.of(enh)));
    assertEquals(java.util.Set.of(), only4.capabilities().extendedNextHop());
    io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability mixed =
        new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability(java.util.List.of(
            new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability.Entry(AddressFamily.IPV6_UNICAST,
                io.speakerkit.bgp.wire.Afi.IPV4),
            new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability.Entry(AddressFamily.IPV4_UNICAST,
                io.speakerkit.bgp.wire.Afi.IPV6)));
    OpenMessage both = WireAdapter.fromWire(
        io.speakerkit.bgp.wire.OpenMessage.of(64512, 90, 0x0A000001, java.util.List.of(mixed)));
    assertEquals(java.util.Set.of(AddressFamily.IPV4_UNICAST), both.capabilities().extendedNextHop());
  }

  @Test
  void notification_roundTrips() {
    Notification n = Notification.administrativeShutdown("maintenance");
    assertEquals(n, WireAdapter.fromWire(WireAdapter.toWire(n)));
  }

  @Test
  void decodeException_mapsToRfcEvents() {
    assertInstanceOf(BgpEvent.BGPHeaderErr.class,
        WireAdapter.eventFor(BgpDecodeException.messageHeaderError(2, new byte[] {0, 1}, "length")));
    assertInstanceOf(BgpEvent.BGPOpenMsgErr.class,
        WireAdapter.eventFor(BgpDecodeException.openMessageError(4, null, "param")));
    assertInstanceOf(BgpEvent.UpdateMsgErr.class,
        WireAdapter.eventFor(BgpDecodeException.updateMessageError(1, null, "attrs")));
  }

  /**
   * RFC 4724 §3: the Forwarding State bit is per AFI/SAFI. A family sent or received with the bit clear must stay
   * clear, since §4.2 has the receiving speaker delete that family's routes at once instead of keeping them stale
   * (an FRR or GoBGP peer restarting without preserved forwarding must not be blackholed by our stale routes).
   */
  @Test
  void gracefulRestart_forwardingStateClear_roundTripsPerFamily() {
    GracefulRestart gr = new GracefulRestart(false, 120,
        Map.of(AddressFamily.IPV4_UNICAST, false, AddressFamily.IPV6_UNICAST, true));
    Capabilities caps = Capabilities.builder().multiprotocol(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)
        .fourOctetAs(65001).gracefulRestart(gr).build();
    OpenMessage open = new OpenMessage(4, 65001, 90, BgpIdentifier.parse("192.0.2.1"), caps);
    ByteBuf buf = Unpooled.buffer();
    try {
      BgpMessageEncoder.encode(WireAdapter.toWire(open), buf, CodecContext.INITIAL);
      io.speakerkit.bgp.wire.OpenMessage decoded =
          (io.speakerkit.bgp.wire.OpenMessage) BgpMessageDecoder.decode(buf, CodecContext.INITIAL);
      assertEquals(gr, WireAdapter.fromWire(decoded).capabilities().gracefulRestart().orElseThrow());
    } finally {
      buf.release();
    }
  }

  /**
   * RFC 4724 §3 / RFC 8538 §2 on the wire: R is the top bit of the Restart Flags (0x8000 of the first 2 octets), N the
   * next (0x4000); FRR and GoBGP read them there. R alone must not come out as N, nor the reverse.
   */
  @Test
  void gracefulRestart_restartAndNotificationBits_onTheWire() {
    assertEquals(8, grFlagsOnTheWire(new GracefulRestart(true, 120, Map.of(), false)));
    assertEquals(4, grFlagsOnTheWire(new GracefulRestart(false, 120, Map.of(), true)));
    io.speakerkit.bgp.wire.OpenMessage r = io.speakerkit.bgp.wire.OpenMessage.of(64512, 90, 0x0A000001,
        java.util.List.of(new io.speakerkit.bgp.wire.capability.GracefulRestartCapability(8, 120, java.util.List.of())));
    GracefulRestart seen = WireAdapter.fromWire(r).capabilities().gracefulRestart().orElseThrow();
    assertEquals(true, seen.restartState());
    assertEquals(false, seen.notification());
  }

  private static int grFlagsOnTheWire(GracefulRestart gr) {
    OpenMessage open = new OpenMessage(4, 65001, 90, BgpIdentifier.parse("192.0.2.1"),
        Capabilities.builder().gracefulRestart(gr).build());
    ByteBuf buf = Unpooled.buffer();
    try {
      BgpMessageEncoder.encode(WireAdapter.toWire(open), buf, CodecContext.INITIAL);
      // header 19, OPEN fields 10, parameter type and length 2, capability code and length 2
      assertEquals(64, buf.getUnsignedByte(31));
      return buf.getUnsignedByte(33) >>> 4;
    } finally {
      buf.release();
    }
  }

  /** RFC 5492: an Extended Next Hop capability listing only next-hop AFIs we do not use is still advertised. */
  @Test
  void extendedNextHop_onlyOtherNextHopAfis_stillAdvertised() {
    io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability enh =
        new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability(java.util.List.of(
            new io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability.Entry(AddressFamily.IPV6_UNICAST,
                io.speakerkit.bgp.wire.Afi.IPV4)));
    OpenMessage open = WireAdapter.fromWire(
        io.speakerkit.bgp.wire.OpenMessage.of(64512, 90, 0x0A000001, java.util.List.of(enh)));
    assertEquals(true, open.capabilities().has(Capabilities.EXTENDED_NEXT_HOP));
  }
}
