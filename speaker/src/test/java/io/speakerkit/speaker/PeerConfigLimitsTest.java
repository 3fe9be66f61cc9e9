package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerConfigLimitsTest {

  private static PeerConfig.Builder peer() {
    return PeerConfig.builder().myAsn(64500).peerAsn(64501).peerAddress("192.0.2.1");
  }

  /**
   * The TCP MD5 key is the password's UTF-8 bytes, at most 80 of them (Linux TCP_MD5SIG_MAXKEYLEN): 41 two-octet
   * characters pass a count of characters but not the kernel, and the session would be refused only when started.
   */
  @Test
  void password_limitCountsOctets() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peer().password("é".repeat(41)));
    assertTrue(e.getMessage().startsWith("password: 82 octets"), e.getMessage());
    assertEquals("é".repeat(40), peer().password("é".repeat(40)).build().password().orElseThrow());
  }

  /**
   * MetalLB and FRR ({@code timers 30000 65535}) take any keepalive up to the hold time; the keepalive actually used
   * is at most a third of the negotiated hold time (RFC 4271 §10). A PeerConfig the builder accepts must also make a
   * session: FsmConfig refused keepalives above 21845 s, so this peer was refused only when the speaker started it.
   */
  @Test
  void keepaliveAboveAThirdOfHold_acceptedByTheSessionConfig() {
    PeerConfig p = peer().holdTime(java.time.Duration.ofSeconds(65535)).keepaliveTime(java.time.Duration.ofSeconds(30000))
        .build();
    io.speakerkit.bgp.fsm.FsmConfig.Builder fsm = io.speakerkit.bgp.fsm.FsmConfig.builder().localAs(p.myAsn())
        .peerAs(p.peerAsn().orElseThrow()).bgpIdentifier(io.speakerkit.bgp.fsm.BgpIdentifier.parse("192.0.2.9"))
        .holdTime(p.holdTime());
    fsm.keepaliveTime(p.keepaliveTime());
    assertEquals(java.util.Optional.of(java.time.Duration.ofSeconds(30000)), fsm.build().keepaliveTime());
  }

  /** A peer made with the record's constructor, as the builder would make it but for the given timers and AS. */
  private static PeerConfig record(long myAsn, java.time.Duration hold, java.time.Duration keepalive,
      java.util.Optional<java.time.Duration> connect) {
    return new PeerConfig("r", myAsn, java.util.Optional.of(64501L), java.util.Optional.empty(),
        io.speakerkit.bgp.wire.IpPrefix.parseAddress("192.0.2.1"), 179, java.util.Optional.empty(),
        java.util.Optional.empty(), hold, keepalive, connect, java.util.Optional.empty(), java.util.Optional.empty(),
        false, false, false, java.util.List.of());
  }

  /**
   * The record's public constructor checks each field's range as the builder does: a hold time of 1 s or 90.5 s, a
   * keepalive above the hold time, a connect time of 0 or an AS of 0 made a PeerConfig that only failed when a session
   * was made of it, and for a live peer's timers that was in the middle of apply(), after the configuration had been
   * replaced.
   */
  @Test
  void recordConstructor_checksRanges() {
    java.time.Duration s90 = java.time.Duration.ofSeconds(90);
    java.time.Duration s30 = java.time.Duration.ofSeconds(30);
    record(64500, s90, s30, java.util.Optional.empty()); // as the builder makes them
    record(64500, java.time.Duration.ZERO, java.time.Duration.ZERO, java.util.Optional.of(java.time.Duration.ofSeconds(5)));
    assertThrows(IllegalArgumentException.class,
        () -> record(64500, java.time.Duration.ofSeconds(1), java.time.Duration.ZERO, java.util.Optional.empty()));
    assertThrows(IllegalArgumentException.class,
        () -> record(64500, java.time.Duration.ofMillis(90_500), s30, java.util.Optional.empty()));
    assertThrows(IllegalArgumentException.class, () -> record(64500, s30, s90, java.util.Optional.empty()));
    record(64500, s90, java.time.Duration.ZERO, java.util.Optional.empty()); // keepalive 0: a third of the hold time
    assertThrows(IllegalArgumentException.class, () -> record(64500, java.time.Duration.ofSeconds(70000), s30,
        java.util.Optional.empty()));
    assertThrows(IllegalArgumentException.class,
        () -> record(64500, s90, s30, java.util.Optional.of(java.time.Duration.ZERO)));
    assertThrows(IllegalArgumentException.class, () -> record(0, s90, s30, java.util.Optional.empty()));
  }
}
