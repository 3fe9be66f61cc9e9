package io.speakerkit.bgp.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Configuration values a peer running FRR, GoBGP or BIRD would refuse on the wire. */
class FsmConfigLimitsTest {

  /**
   * AS 23456 is AS_TRANS (RFC 6793 §9), never a real AS. With the 4-octet AS capability (the default) our OPEN
   * carries My AS 23456 and a 4-octet AS capability of 23456, which FRR's bgp_open_receive refuses every time with
   * OPEN Message Error / Bad Peer AS ("NEW speaker using AS_TRANS for AS4, not allowed"): the session could never
   * come up, so the builder must say so.
   */
  @Test
  void localAs_asTrans_refusedByTheBuilder() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FsmConfig.builder().localAs(OpenMessage.AS_TRANS));
    assertTrue(e.getMessage().startsWith("local AS: 23456"), e.getMessage());
    assertTrue(e.getMessage().contains("AS_TRANS"), e.getMessage());
  }

  @Test
  void localAs_neighboursOfAsTrans_stillAccepted() {
    for (long asn : new long[] {1, 23455, 23457, 65535, 65536, 4294967295L}) {
      FsmConfig c = FsmConfig.builder().localAs(asn).peerAs(64512).bgpIdentifier(BgpIdentifier.parse("192.0.2.1"))
          .build();
      assertEquals(asn, c.localAs());
    }
  }

  /**
   * FRR ({@code timers <0-65535> <0-65535>}) and MetalLB take any keepalive up to the hold time; the one used is at
   * most a third of the negotiated hold time (RFC 4271 §10, OpenNegotiation). 30000 s under a 65535 s hold time was
   * refused here ("expected: 1-21845 s").
   */
  @Test
  void keepalive_upToTheHoldTime_accepted() {
    FsmConfig c = FsmConfig.builder().localAs(64500).peerAs(64501).bgpIdentifier(BgpIdentifier.parse("192.0.2.1"))
        .holdTime(java.time.Duration.ofSeconds(65535)).keepaliveTime(java.time.Duration.ofSeconds(30000)).build();
    assertEquals(java.util.Optional.of(java.time.Duration.ofSeconds(30000)), c.keepaliveTime());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FsmConfig.builder().keepaliveTime(java.time.Duration.ofSeconds(65536)));
    assertTrue(e.getMessage().startsWith("keepalive time: 65536s"), e.getMessage());
  }
}
