package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.netty.channel.epoll.Epoll;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
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

  /**
   * A TCP MD5 password is bytes to the kernel (and to FRR, which MetalLB hands the same string): "pässwörd" must be
   * keyed as its UTF-8 bytes, not silently turned into "p?ssw?rd" (US-ASCII replacement), which no peer would match.
   */
  @Test
  void md5Password_nonAscii_keyedAsItsUtf8Bytes() throws Exception {
    assumeTrue(Epoll.isAvailable());
    try (BgpTransport epoll = BgpTransport.builder().build()) {
      assumeTrue(epoll.epoll());
      BgpSession s = BgpSession.builder().transport(epoll).peer(InetAddress.getByName("192.0.2.1"))
          .config(config()).md5Password("pässwörd").build();
      assertArrayEquals("pässwörd".getBytes(StandardCharsets.UTF_8), s.md5Key());
    }
  }

  /** Linux's TCP_MD5SIG_MAXKEYLEN is 80 octets, not 80 characters: 41 two-octet characters are 82 octets. */
  @Test
  void md5Password_limitIsInOctets() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BgpSession.builder().md5Password("é".repeat(41)));
    assertTrue(e.getMessage().startsWith("MD5 password:"), e.getMessage());
    BgpSession.builder().md5Password("é".repeat(40)); // 80 octets
    BgpSession.builder().md5Password("x".repeat(80));
  }

  /**
   * An IPv6 source address toward an IPv4 peer can neither dial (bind then connect fails with EAFNOSUPPORT/EINVAL)
   * nor match an accepted connection: the session would sit in Active forever. MetalLB's webhook refuses it too.
   */
  @Test
  void localAddress_otherFamilyThanPeer_refused() throws Exception {
    try (BgpTransport nio = BgpTransport.builder().nio().build()) {
      BgpSession.Builder b = BgpSession.builder().transport(nio).peer(InetAddress.getByName("192.0.2.1"))
          .localAddress(InetAddress.getByName("2001:db8::1")).config(config());
      IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
      assertTrue(e.getMessage().startsWith("localAddress: 2001:db8:0:0:0:0:0:1"), e.getMessage());
      BgpSession.Builder b6 = BgpSession.builder().transport(nio).peer(InetAddress.getByName("2001:db8::2"))
          .localAddress(InetAddress.getByName("192.0.2.2")).config(config());
      assertThrows(IllegalStateException.class, b6::build);
    }
  }

  /**
   * A link-local peer without a zone (fe80::1 rather than fe80::1%eth0) cannot be dialled: Linux's tcp_v6_connect
   * returns EINVAL for a link-local destination on a socket bound to no interface. FRR needs the interface too
   * ({@code neighbor fe80::1%eth0} / {@code neighbor eth0 interface}).
   */
  @Test
  void linkLocalPeer_withoutScope_refused() throws Exception {
    try (BgpTransport nio = BgpTransport.builder().nio().build()) {
      InetAddress ll = InetAddress.getByName("fe80::1");
      assertEquals(0, ((Inet6Address) ll).getScopeId());
      BgpSession.Builder b = BgpSession.builder().transport(nio).peer(ll).config(config());
      IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
      assertTrue(e.getMessage().startsWith("peer: fe80:0:0:0:0:0:0:1"), e.getMessage());
      // with a zone it is fine
      BgpSession.builder().transport(nio).peer(Inet6Address.getByAddress(null, ll.getAddress(), 1)).config(config())
          .build();
    }
  }
}
