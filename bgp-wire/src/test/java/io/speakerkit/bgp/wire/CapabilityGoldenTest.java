package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.capability.AddPathCapability;
import io.speakerkit.bgp.wire.capability.Capabilities;
import io.speakerkit.bgp.wire.capability.Capability;
import io.speakerkit.bgp.wire.capability.EnhancedRouteRefreshCapability;
import io.speakerkit.bgp.wire.capability.ExtendedMessageCapability;
import io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability;
import io.speakerkit.bgp.wire.capability.FourOctetAsCapability;
import io.speakerkit.bgp.wire.capability.FqdnCapability;
import io.speakerkit.bgp.wire.capability.GracefulRestartCapability;
import io.speakerkit.bgp.wire.capability.LongLivedGracefulRestartCapability;
import io.speakerkit.bgp.wire.capability.MultiprotocolCapability;
import io.speakerkit.bgp.wire.capability.RoleCapability;
import io.speakerkit.bgp.wire.capability.RouteRefreshCapability;
import io.speakerkit.bgp.wire.capability.UnknownCapability;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each capability as its RFC lays it out (code, length, value), both ways. */
class CapabilityGoldenTest {

  static Stream<Arguments> capabilities() {
    return Stream.of(
        Arguments.of(MultiprotocolCapability.IPV6_UNICAST, "01 04 0002 00 01"),
        Arguments.of(RouteRefreshCapability.INSTANCE, "02 00"),
        Arguments.of(new ExtendedNextHopCapability(List.of(
            new ExtendedNextHopCapability.Entry(AddressFamily.IPV4_UNICAST, Afi.IPV6),
            new ExtendedNextHopCapability.Entry(AddressFamily.of(1, 128), Afi.IPV6))),
            "05 0c 0001 0001 0002 0001 0080 0002"),
        Arguments.of(ExtendedMessageCapability.INSTANCE, "06 00"),
        Arguments.of(new RoleCapability(RoleCapability.ROUTE_SERVER), "09 01 01"),
        Arguments.of(new GracefulRestartCapability(0xC, 300, List.of(
            new GracefulRestartCapability.Family(AddressFamily.IPV4_UNICAST, 0x80),
            new GracefulRestartCapability.Family(AddressFamily.IPV6_UNICAST, 0))),
            "40 0a c12c 0001 01 80 0002 01 00"),
        // RFC 4724 §3: Restart Time is 12 bits, up to 4095 seconds, below the 4 flag bits (R set)
        Arguments.of(new GracefulRestartCapability(0x8, 4095, List.of(
            new GracefulRestartCapability.Family(AddressFamily.IPV4_UNICAST, 0x80))),
            "40 06 8fff 0001 01 80"),
        Arguments.of(new FourOctetAsCapability(4200000000L), "41 04 fa56ea00"),
        Arguments.of(new AddPathCapability(List.of(
            new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, AddPathCapability.RECEIVE),
            new AddPathCapability.Family(AddressFamily.IPV6_UNICAST, AddPathCapability.SEND))),
            "45 08 0001 01 01 0002 01 02"),
        Arguments.of(EnhancedRouteRefreshCapability.INSTANCE, "46 00"),
        Arguments.of(new LongLivedGracefulRestartCapability(List.of(
            new LongLivedGracefulRestartCapability.Family(AddressFamily.IPV6_UNICAST, 0, 86400))),
            "47 07 0002 01 00 015180"),
        Arguments.of(new FqdnCapability("r1", ""), "49 04 02 7231 00"),
        Arguments.of(new UnknownCapability(75, new byte[] {3, 'f', 'r', 'r'}), "4b 04 03 667272"),
        Arguments.of(new UnknownCapability(73, new byte[] {1, (byte) 0xff, 0}), "49 03 01 ff 00"));
  }

  @ParameterizedTest
  @MethodSource("capabilities")
  void capability_bothWays(Capability c, String hex) {
    ByteBuf out = Unpooled.buffer();
    try {
      Capabilities.write(out, c);
      assertEquals(Hex.norm(hex), Hex.hex(out));
      assertEquals(List.of(c), Capabilities.decode(out, 0, out.writerIndex()));
    } finally {
      out.release();
    }
  }

  /**
   * RFC 4724 §3 / RFC 8538 §2: the Restart Flags are the 4 high bits of the first 2 octets, R (Restart State) the
   * most significant (0x8000 of the field), N (Notification) the next (0x4000); per family, F is 0x80.
   */
  @Test
  void gracefulRestart_flagBits_asTheRfcPlacesThem() {
    GracefulRestartCapability r = decodeOne("40 06 8078 0001 01 80");
    assertTrue(r.restarting());
    assertFalse(r.notificationSupported());
    assertEquals(120, r.restartTime());
    assertTrue(r.families().get(0).forwardingPreserved());
    GracefulRestartCapability n = decodeOne("40 06 4078 0001 01 40");
    assertFalse(n.restarting());
    assertTrue(n.notificationSupported());
    assertFalse(n.families().get(0).forwardingPreserved());
    GracefulRestartCapability other = decodeOne("40 02 3078");
    assertFalse(other.restarting());
    assertFalse(other.notificationSupported());
  }

  @SuppressWarnings("unchecked")
  private static <C extends Capability> C decodeOne(String hex) {
    ByteBuf b = Hex.buf(hex);
    try {
      List<Capability> caps = Capabilities.decode(b, 0, b.writerIndex());
      assertEquals(1, caps.size());
      return (C) caps.get(0);
    } finally {
      b.release();
    }
  }
}
