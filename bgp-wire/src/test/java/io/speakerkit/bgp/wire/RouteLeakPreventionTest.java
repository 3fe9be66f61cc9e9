package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.RouteLeakPrevention.Ingress;
import io.speakerkit.bgp.wire.attribute.OnlyToCustomer;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.capability.RoleCapability;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteLeakPreventionTest {

  private static Ingress ingress(String otc, int localRole, long peerAs) {
    ByteBuf b = Hex.buf(UpdateErrorHandlingTest.update("", UpdateErrorHandlingTest.MANDATORY + otc,
        UpdateErrorHandlingTest.NLRI));
    try {
      return RouteLeakPrevention.ingress(BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS).attributes(),
          localRole, peerAs);
    } finally {
      b.release();
    }
  }

  @Test
  void ingress_otcFromCustomer_leak() {
    assertEquals(Ingress.LEAK, ingress("c0 23 04 0000fde8", RoleCapability.PROVIDER, 65000));
    assertEquals(Ingress.ACCEPT, ingress("", RoleCapability.PROVIDER, 65000));
  }

  @Test
  void ingress_peer_otcMustBePeerAs() {
    assertEquals(Ingress.ACCEPT, ingress("c0 23 04 0000fde8", RoleCapability.PEER, 65000));
    assertEquals(Ingress.LEAK, ingress("c0 23 04 0000fde9", RoleCapability.PEER, 65000));
    assertEquals(Ingress.ACCEPT_ADD_OTC, ingress("", RoleCapability.PEER, 65000));
  }

  @Test
  void ingress_fromProvider_addsOtc() {
    assertEquals(Ingress.ACCEPT_ADD_OTC, ingress("", RoleCapability.CUSTOMER, 65000));
  }

  @Test
  void egress_rules() {
    PathAttributes plain = PathAttributes.builder().origin(Origin.IGP).asPath(65010).build();
    PathAttributes marked = plain.toBuilder().onlyToCustomer(65020).build();
    assertEquals(Optional.of(new OnlyToCustomer(65010)),
        RouteLeakPrevention.egress(plain, RoleCapability.PROVIDER, 65010).get(OnlyToCustomer.class));
    assertSame(marked, RouteLeakPrevention.egress(marked, RoleCapability.PROVIDER, 65010));
    assertNull(RouteLeakPrevention.egress(marked, RoleCapability.CUSTOMER, 65010));
    assertNull(RouteLeakPrevention.egress(marked, RoleCapability.PEER, 65010));
    assertSame(plain, RouteLeakPrevention.egress(plain, RoleCapability.CUSTOMER, 65010));
  }
}
