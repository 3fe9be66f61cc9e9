package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Which BGP peers get multihop BFD (RFC 5883): FRR's rule for a neighbor, see {@code Speaker.bfdMultihop}. */
class BfdMultihopTest {

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  private static PeerConfig peer(long myAsn, long peerAsn, String address, boolean ebgpMultiHop) throws Exception {
    return PeerConfig.builder().myAsn(myAsn).peerAsn(peerAsn).peerAddress(ip(address)).ebgpMultiHop(ebgpMultiHop)
        .build();
  }

  @Test
  void ebgp_multihopOnlyWhenConfigured() throws Exception {
    assertFalse(Speaker.bfdMultihop(peer(64512, 64513, "192.0.2.1", false), ip("127.0.0.1")));
    assertTrue(Speaker.bfdMultihop(peer(64512, 64513, "192.0.2.1", true), ip("127.0.0.1")));
  }

  @Test
  void ibgp_connectedPeer_singleHop_otherNetwork_multihop() throws Exception {
    // lo holds 127.0.0.1/8: 127.0.0.2 shares its network, 192.0.2.1 (a reflector's loopback, say) does not
    assertFalse(Speaker.bfdMultihop(peer(64512, 64512, "127.0.0.2", false), ip("127.0.0.1")));
    assertTrue(Speaker.bfdMultihop(peer(64512, 64512, "192.0.2.1", false), ip("127.0.0.1")));
  }

  /** MetalLB accepts ebgpMultiHop with dynamicASN internal; FRR ignores ebgp-multihop on iBGP, and so do we here. */
  @Test
  void dynamicInternal_withEbgpMultiHop_accepted_connectedPeerSingleHop() throws Exception {
    PeerConfig p = PeerConfig.builder().myAsn(64512).dynamicAsn(DynamicAsn.INTERNAL).peerAddress(ip("127.0.0.2"))
        .ebgpMultiHop(true).build();
    assertFalse(Speaker.bfdMultihop(p, ip("127.0.0.1")));
  }

  @Test
  void samePrefix_bitsCompared() throws Exception {
    assertTrue(Speaker.samePrefix(ip("10.1.2.3").getAddress(), ip("10.1.2.200").getAddress(), 24));
    assertFalse(Speaker.samePrefix(ip("10.1.2.3").getAddress(), ip("10.1.3.3").getAddress(), 24));
    assertTrue(Speaker.samePrefix(ip("10.1.2.3").getAddress(), ip("10.1.3.3").getAddress(), 23));
    assertFalse(Speaker.samePrefix(ip("10.1.2.3").getAddress(), ip("fd00::1").getAddress(), 0));
  }
}
