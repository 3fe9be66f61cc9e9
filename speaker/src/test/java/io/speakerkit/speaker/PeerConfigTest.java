package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.IpPrefix;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** BGPPeer fields, their bounds and defaults as MetalLB (config.go peerFromCR, parseTimers) and RFC 4271 have them. */
class PeerConfigTest {

  private static PeerConfig.Builder peer() {
    return PeerConfig.builder().myAsn(64500).peerAsn(64501).peerAddress("192.0.2.1");
  }

  /** iBGP: the same AS on both ends, or dynamicASN internal; dynamicASN external is eBGP. */
  @Test
  void internal_sameAsOrDynamicInternal() {
    assertTrue(PeerConfig.builder().myAsn(64500).peerAsn(64500).peerAddress("192.0.2.1").build().internal());
    assertFalse(peer().build().internal());
    assertTrue(PeerConfig.builder().myAsn(64500).dynamicAsn(DynamicAsn.INTERNAL).peerAddress("192.0.2.1").build()
        .internal());
    assertFalse(PeerConfig.builder().myAsn(64500).dynamicAsn(DynamicAsn.EXTERNAL).peerAddress("192.0.2.1").build()
        .internal());
  }

  /** RFC 4271 §4.2: a hold time of 0 (no keepalives) or 3-65535 s; MetalLB passes 0 through to FRR. */
  @Test
  void holdTime_zeroAndBounds() {
    PeerConfig zero = peer().holdTime(Duration.ZERO).build();
    assertEquals(Duration.ZERO, zero.holdTime());
    assertEquals(Duration.ZERO, zero.keepaliveTime());
    assertEquals(Duration.ofSeconds(65535), peer().holdTime(Duration.ofSeconds(65535)).build().holdTime());
    assertThrows(IllegalArgumentException.class, () -> peer().holdTime(Duration.ofSeconds(65536)));
  }

  /** MetalLB (parseTimers) refuses only a keepalive above the hold time: equal is fine, 0 with 0 too. */
  @Test
  void keepalive_equalToHold_accepted() {
    assertEquals(Duration.ofSeconds(30), peer().holdTime(Duration.ofSeconds(30)).keepaliveTime(Duration.ofSeconds(30))
        .build().keepaliveTime());
    peer().holdTime(Duration.ZERO).keepaliveTime(Duration.ZERO).build();
  }

  /** AS numbers are 32 bits (RFC 6793): 4294967295 is valid. */
  @Test
  void asn_largestFourOctetAccepted() {
    assertEquals(4294967295L, PeerConfig.builder().myAsn(4294967295L).peerAsn(4294967295L).peerAddress("192.0.2.1")
        .build().myAsn());
  }

  /** A TCP port is 1-65535, in the builder and in the record alike. */
  @Test
  void peerPort_zeroRejected() {
    assertThrows(IllegalArgumentException.class, () -> peer().peerPort(0));
    assertThrows(IllegalArgumentException.class, () -> new PeerConfig("r", 64500, Optional.of(64501L),
        Optional.empty(), IpPrefix.parseAddress("192.0.2.1"), 0, Optional.empty(), Optional.empty(),
        Duration.ofSeconds(90), Duration.ofSeconds(30), Optional.empty(), Optional.empty(), Optional.empty(), false,
        false, false, List.of()));
  }

  /** The record takes whole seconds only, as the builder makes them (FRR's timers are seconds). */
  @Test
  void record_fractionalKeepaliveRejected() {
    assertThrows(IllegalArgumentException.class, () -> new PeerConfig("r", 64500, Optional.of(64501L),
        Optional.empty(), IpPrefix.parseAddress("192.0.2.1"), 179, Optional.empty(), Optional.empty(),
        Duration.ofSeconds(90), Duration.ofMillis(30_500), Optional.empty(), Optional.empty(), Optional.empty(), false,
        false, false, List.of()));
  }

  /** The source address must be of the peer address's family: a socket cannot bind one family and reach the other. */
  @Test
  void sourceAddress_otherFamily_rejected() {
    assertThrows(IllegalArgumentException.class,
        () -> peer().sourceAddress(IpPrefix.parseAddress("2001:db8::1")).build());
    peer().sourceAddress(IpPrefix.parseAddress("192.0.2.9")).build();
  }

  /** MetalLB's messages: a missing peer AS and both ASes set are told apart. */
  @Test
  void asn_missingOrBoth_messages() {
    assertEquals("peerASN: required (or dynamicASN)", assertThrows(IllegalArgumentException.class,
        () -> PeerConfig.builder().myAsn(64500).peerAddress("192.0.2.1").build()).getMessage());
    assertEquals("dynamicASN: cannot be set together with peerASN", assertThrows(IllegalArgumentException.class,
        () -> peer().dynamicAsn(DynamicAsn.EXTERNAL).build()).getMessage());
  }

  /** MetalLB (peerFromCR) refuses ebgpMultiHop only when peerASN equals myASN; with dynamicASN it is accepted. */
  @Test
  void ebgpMultiHop_withDynamicAsn_accepted() {
    assertTrue(PeerConfig.builder().myAsn(64500).dynamicAsn(DynamicAsn.EXTERNAL).peerAddress("192.0.2.1")
        .ebgpMultiHop(true).build().ebgpMultiHop());
  }

  /** An empty password or BFD profile name, as an unset YAML field gives it, means none. */
  @Test
  void emptyPasswordAndBfdProfile_meanNone() {
    PeerConfig p = peer().password("").bfdProfile("").build();
    assertEquals(Optional.empty(), p.password());
    assertEquals(Optional.empty(), p.bfdProfile());
  }
}
