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
}
