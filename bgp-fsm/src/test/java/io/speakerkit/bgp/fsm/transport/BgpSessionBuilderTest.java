package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.FsmConfig;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BgpSessionBuilderTest {

  private static FsmConfig config() {
    return FsmConfig.builder().localAs(65001).peerAs(65002).bgpIdentifier(BgpIdentifier.parse("10.0.0.1")).build();
  }

  @Test
  void md5_onNio_clearError() throws Exception {
    try (BgpTransport nio = BgpTransport.builder().nio().build()) {
      BgpSession.Builder b = BgpSession.builder().transport(nio).peer(InetAddress.getLoopbackAddress())
          .config(config()).md5Password("secret");
      IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
      assertEquals("TCP MD5 needs the epoll transport (Linux); this transport uses NIO, where the kernel options "
          + "cannot be set", e.getMessage());
    }
  }

  @Test
  void gtsm_onNio_clearError() throws Exception {
    try (BgpTransport nio = BgpTransport.builder().nio().build()) {
      BgpSession.Builder b = BgpSession.builder().transport(nio).peer(InetAddress.getLoopbackAddress())
          .config(config()).gtsm(1);
      assertThrows(IllegalStateException.class, b::build);
    }
  }

  @Test
  void builder_checksArguments() {
    assertThrows(IllegalArgumentException.class, () -> BgpSession.builder().gtsm(0));
    assertThrows(IllegalArgumentException.class, () -> BgpSession.builder().ebgpMultihop(256));
    assertThrows(IllegalArgumentException.class, () -> BgpSession.builder().md5Password("x".repeat(81)));
    assertThrows(IllegalArgumentException.class, () -> BgpSession.builder().connectTimeout(Duration.ZERO));
    assertThrows(IllegalStateException.class, () -> BgpSession.builder().build());
  }

  @Test
  void samePeerTwice_rejected() throws Exception {
    try (BgpTransport nio = BgpTransport.builder().nio().build()) {
      BgpSession.builder().transport(nio).peer(InetAddress.getLoopbackAddress()).config(config()).build();
      assertThrows(IllegalStateException.class,
          () -> BgpSession.builder().transport(nio).peer(InetAddress.getLoopbackAddress()).config(config()).build());
    }
  }
}
