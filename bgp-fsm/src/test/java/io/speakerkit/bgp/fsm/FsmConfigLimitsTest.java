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
}
