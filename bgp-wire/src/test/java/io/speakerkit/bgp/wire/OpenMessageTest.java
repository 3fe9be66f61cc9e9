package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.capability.AddPathCapability;
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
import org.junit.jupiter.api.Test;

/** OPEN (RFC 4271 §4.2) with every capability, hand-built from the RFC layouts, both ways. */
class OpenMessageTest {

  static final String CAPS = "01 04 0001 00 01"
      + "01 04 0002 00 01"
      + "02 00"
      + "41 04 0000fde8"
      + "45 04 0001 01 03"
      + "40 06 0078 0001 01 80"
      + "06 00"
      + "46 00"
      + "09 01 03"
      + "49 0a 05 686f737431 03 6c6162"
      + "05 06 0001 0001 0002"
      + "47 07 0001 01 80 000e10"
      + "80 00";

  static final String OPEN = "M 0067 01 04 fde8 005a 0a000001 4a 02 48" + CAPS;
  static final String OPEN_RFC9072 = "M 006b 01 04 fde8 005a 0a000001 ff ff 004b 02 0048" + CAPS;

  static final List<Capability> ALL = List.of(
      MultiprotocolCapability.IPV4_UNICAST,
      MultiprotocolCapability.IPV6_UNICAST,
      RouteRefreshCapability.INSTANCE,
      new FourOctetAsCapability(65000),
      new AddPathCapability(List.of(new AddPathCapability.Family(AddressFamily.IPV4_UNICAST, AddPathCapability.BOTH))),
      new GracefulRestartCapability(0, 120,
          List.of(new GracefulRestartCapability.Family(AddressFamily.IPV4_UNICAST, 0x80))),
      ExtendedMessageCapability.INSTANCE,
      EnhancedRouteRefreshCapability.INSTANCE,
      new RoleCapability(RoleCapability.CUSTOMER),
      new FqdnCapability("host1", "lab"),
      new ExtendedNextHopCapability(List.of(new ExtendedNextHopCapability.Entry(AddressFamily.IPV4_UNICAST, Afi.IPV6))),
      new LongLivedGracefulRestartCapability(
          List.of(new LongLivedGracefulRestartCapability.Family(AddressFamily.IPV4_UNICAST, 0x80, 3600))),
      new UnknownCapability(128, new byte[0]));

  @Test
  void open_allCapabilities_bothWays() {
    OpenMessage expected = OpenMessage.of(65000, 90, 0x0a000001, ALL);
    assertArrayEquals(Hex.bytes(OPEN), Hex.encode(expected, CodecContext.INITIAL));
    ByteBuf b = Hex.buf(OPEN);
    try {
      OpenMessage m = (OpenMessage) BgpMessageDecoder.decode(b, CodecContext.INITIAL);
      assertEquals(expected, m);
      assertEquals(65000, m.asNumber());
      assertEquals(1, m.addPath().size());
    } finally {
      b.release();
    }
  }

  @Test
  void open_rfc9072ExtendedParameters_bothWays() {
    ByteBuf b = Hex.buf(OPEN_RFC9072);
    try {
      OpenMessage m = (OpenMessage) BgpMessageDecoder.decode(b, CodecContext.INITIAL);
      assertEquals(true, m.extendedParametersLength());
      assertEquals(ALL, m.capabilities());
      assertArrayEquals(Hex.bytes(OPEN_RFC9072), Hex.encode(m, CodecContext.INITIAL));
    } finally {
      b.release();
    }
  }

  @Test
  void open_asAboveTwoOctets_usesAsTrans() {
    OpenMessage m = OpenMessage.of(4200000000L, 90, 1, List.of(new FourOctetAsCapability(4200000000L)));
    assertEquals(FourOctetAsCapability.AS_TRANS, m.myAs());
    assertEquals(4200000000L, m.asNumber());
  }

  @Test
  void open_version3_unsupportedVersionWithVersion4AsData() {
    BgpDecodeException e = decodeError("M 001d 01 03 fde8 005a 0a000001 00");
    assertEquals(2, e.code());
    assertEquals(1, e.subcode());
    assertArrayEquals(new byte[] {0, 4}, e.data());
  }

  @Test
  void open_holdTime2_unacceptableHoldTime() {
    BgpDecodeException e = decodeError("M 001d 01 04 fde8 0002 0a000001 00");
    assertEquals(2, e.code());
    assertEquals(6, e.subcode());
    assertEquals("hold time: 2 (expected: 0 or >= 3)", e.getMessage());
  }

  @Test
  void open_zeroIdentifier_badBgpIdentifier() {
    BgpDecodeException e = decodeError("M 001d 01 04 fde8 005a 00000000 00");
    assertEquals(3, e.subcode());
  }

  @Test
  void open_authenticationParameter_unsupportedOptionalParameter() {
    BgpDecodeException e = decodeError("M 0020 01 04 fde8 005a 0a000001 03 01 01 00");
    assertEquals(4, e.subcode());
  }

  @Test
  void open_capabilityOverrunsParameter_unspecific() {
    BgpDecodeException e = decodeError("M 0021 01 04 fde8 005a 0a000001 04 02 02 41 04");
    assertEquals(2, e.code());
    assertEquals(0, e.subcode());
  }

  @Test
  void open_optionalParametersLengthMismatch_unspecific() {
    BgpDecodeException e = decodeError("M 001f 01 04 fde8 005a 0a000001 05 02 00");
    assertEquals(0, e.subcode());
  }

  @Test
  void open_fourOctetAsWrongLength_unspecific() {
    BgpDecodeException e = decodeError("M 0022 01 04 fde8 005a 0a000001 05 02 03 41 01 00");
    assertEquals(0, e.subcode());
  }

  @Test
  void open_malformedFqdn_keptAsUnknown() {
    ByteBuf b = Hex.buf("M 0022 01 04 fde8 005a 0a000001 05 02 03 49 01 07");
    try {
      OpenMessage m = (OpenMessage) BgpMessageDecoder.decode(b, CodecContext.INITIAL);
      assertEquals(List.of(new UnknownCapability(73, new byte[] {7})), m.capabilities());
    } finally {
      b.release();
    }
  }

  /**
   * Lengths FRR's bgp_capability_parse lets pass (its minimum and multiple-of sizes) are kept as unknown capabilities
   * instead of refusing the OPEN: Route Refresh with a data octet, a Multiprotocol capability of 8 octets. A
   * Multiprotocol capability of 5 octets, which FRR refuses too, is still Unspecific.
   */
  @Test
  void open_capabilityLengthsFrrTolerates_keptAsUnknown() {
    ByteBuf b = Hex.buf("M 002c 01 04 fde8 005a 0a000001 0f 02 0d 02 01 00 01 08 0002 00 01 0002 00 02");
    try {
      OpenMessage m = (OpenMessage) BgpMessageDecoder.decode(b, CodecContext.INITIAL);
      assertEquals(List.of(new UnknownCapability(2, new byte[] {0}),
          new UnknownCapability(1, new byte[] {0, 2, 0, 1, 0, 2, 0, 2})), m.capabilities());
    } finally {
      b.release();
    }
    assertEquals(0, decodeError("M 0026 01 04 fde8 005a 0a000001 09 02 07 01 05 0002 00 01 00").subcode());
  }

  static BgpDecodeException decodeError(String hex) {
    ByteBuf b = Hex.buf(hex);
    try {
      return assertThrows(BgpDecodeException.class, () -> BgpMessageDecoder.decode(b, CodecContext.INITIAL));
    } finally {
      b.release();
    }
  }

  /**
   * RFC 4724 §3: the Graceful Restart capability is 2 octets of flags and restart time and 4 octets per family; any
   * other length is malformed, and a recognized but malformed optional parameter is OPEN Message Error / Unspecific
   * (RFC 4271 §6.2).
   */
  @Test
  void open_gracefulRestartLengthNotTwoPlusFourN_unspecific() {
    BgpDecodeException e = decodeError("M 0026 01 04 fde8 005a 0a000001 09 02 07 40 05 0078 000101");
    assertEquals(2, e.code());
    assertEquals(0, e.subcode());
  }

  /**
   * RFC 7607 §2: zero as the peer AS in an OPEN is Bad Peer AS; My Autonomous System 0 is refused even when a
   * 4-octet AS capability (RFC 6793) carries a non-zero AS.
   */
  @Test
  void open_myAsZero_withFourOctetAsCapability_badPeerAs() {
    BgpDecodeException e = decodeError("M 0025 01 04 0000 005a 0a000001 08 02 06 41 04 0000fde8");
    assertEquals(2, e.code());
    assertEquals(2, e.subcode());
  }

  /** An OPEN (AS 65000, hold 90, id 10.0.0.1) with the given optional parameters, lengths computed. */
  static String openWith(String params) {
    int n = Hex.bytes(params).length;
    return String.format("M %04x 01 04 fde8 005a 0a000001 %02x ", 29 + n, n) + params;
  }

  /** RFC 6793 §4.1: AS 65535 fits 2 octets and goes in My AS as is, not as AS_TRANS. */
  @Test
  void of_as65535_inMyAsAsIs() {
    assertEquals(65535, OpenMessage.of(65535, 90, 1, List.of()).myAs());
    assertEquals(FourOctetAsCapability.AS_TRANS, OpenMessage.of(65536, 90, 1, List.of()).myAs());
  }

  /** RFC 4271 §4.2: a Hold Time of 1 or 2 seconds is never valid. */
  @Test
  void of_holdTimeOneOrTwo_refused() {
    assertThrows(IllegalArgumentException.class, () -> OpenMessage.of(65000, 1, 1, List.of()));
    assertThrows(IllegalArgumentException.class, () -> OpenMessage.of(65000, 2, 1, List.of()));
    assertEquals(3, OpenMessage.of(65000, 3, 1, List.of()).holdTime());
  }

  /**
   * RFC 9072 §2: parameters totalling exactly 255 octets still fit the 1-octet Opt Parm Len; only larger ones take
   * the extended encoding (a peer without RFC 9072 could not read it).
   */
  @Test
  void open_parametersOfExactly255Octets_oneOctetLengths() {
    OpenMessage m = OpenMessage.of(65000, 90, 0x0a000001, List.of(new UnknownCapability(128, new byte[251])));
    assertEquals(false, m.extendedParametersLength());
    byte[] wire = Hex.encode(m, CodecContext.INITIAL);
    assertEquals(19 + 10 + 255, wire.length);
    assertEquals(0xff, wire[28] & 0xff); // Opt Parm Len
    assertEquals(2, wire[29]); // Capabilities parameter, not the RFC 9072 marker 255
    assertEquals(253, wire[30] & 0xff);
    ByteBuf b = Unpooled.wrappedBuffer(wire);
    try {
      assertEquals(m, BgpMessageDecoder.decode(b, CodecContext.INITIAL));
    } finally {
      b.release();
    }
    OpenMessage big = OpenMessage.of(65000, 90, 0x0a000001, List.of(new UnknownCapability(128, new byte[252])));
    assertEquals(true, big.extendedParametersLength());
  }

  /** Extended Message (RFC 8654 §3) has no value; one with data is kept as unknown, as Route Refresh is. */
  @Test
  void open_extendedMessageWithData_keptAsUnknown() {
    ByteBuf b = Hex.buf(openWith("02 03 06 01 00"));
    try {
      OpenMessage m = (OpenMessage) BgpMessageDecoder.decode(b, CodecContext.INITIAL);
      assertEquals(List.of(new UnknownCapability(6, new byte[] {0})), m.capabilities());
    } finally {
      b.release();
    }
  }

  /** RFC 7911 §4: ADD-PATH is 4 octets per tuple; 6 octets is malformed: Unspecific, no read past the value. */
  @Test
  void open_addPathLengthNotMultipleOfFour_unspecific() {
    BgpDecodeException e = decodeError(openWith("02 08 45 06 0001 01 03 0002 02 02 80 00"));
    assertEquals(2, e.code());
    assertEquals(0, e.subcode());
  }

  /** RFC 9494 §2: LLGR is 7 octets per tuple; 8 octets is malformed: Unspecific. */
  @Test
  void open_llgrLengthNotMultipleOfSeven_unspecific() {
    BgpDecodeException e = decodeError(openWith("02 0a 47 08 0001 01 80 000e10 00 02 02 80 00"));
    assertEquals(2, e.code());
    assertEquals(0, e.subcode());
  }

  /** RFC 8950 §3: a 2-octet NLRI SAFI above 255 is no SAFI this library can name: kept as unknown, no exception. */
  @Test
  void open_extendedNextHopSafiAbove255_keptAsUnknown() {
    ByteBuf b = Hex.buf(openWith("02 08 05 06 0001 0100 0002"));
    try {
      OpenMessage m = (OpenMessage) BgpMessageDecoder.decode(b, CodecContext.INITIAL);
      assertEquals(List.of(new UnknownCapability(5, new byte[] {0, 1, 1, 0, 0, 2})), m.capabilities());
    } finally {
      b.release();
    }
  }

  /** RFC 9234 §4.1: the BGP Role capability is exactly 1 octet; FRR refuses another length as malformed too. */
  @Test
  void open_roleLengthNotOne_unspecific() {
    BgpDecodeException e = decodeError(openWith("02 04 09 02 03 00"));
    assertEquals(2, e.code());
    assertEquals(0, e.subcode());
  }

  /** RFC 5492 §4: a capability one octet longer than its parameter is malformed, not read into the next one. */
  @Test
  void open_capabilityOverrunsParameterByOne_unspecific() {
    BgpDecodeException e = decodeError(openWith("02 04 80 03 aa bb 02 02 80 00"));
    assertEquals(2, e.code());
    assertEquals(0, e.subcode());
  }

  @Test
  void longLivedGracefulRestart_moreTuplesThanFitTheLength_refused() {
    var f = new LongLivedGracefulRestartCapability.Family(AddressFamily.IPV4_UNICAST, 0, 0);
    assertEquals(252, new LongLivedGracefulRestartCapability(java.util.Collections.nCopies(36, f)).valueLength());
    assertThrows(IllegalArgumentException.class,
        () -> new LongLivedGracefulRestartCapability(java.util.Collections.nCopies(37, f)));
  }
}
