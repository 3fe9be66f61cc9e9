package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.EventType;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.RouteRefreshMessage;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How an Established session answers the peer's ROUTE-REFRESH (RFC 2918, RFC 7313) depending on what our OPEN
 * advertised, against a raw peer. Loopback 127.0.12.1-8, ports 16000-16003.
 */
class RouteRefreshAnswerIT {

  /**
   * RFC 2918 §4 only obliges a speaker that advertised the capability; FRR (bgp_route_refresh_receive without
   * PEER_CAP_REFRESH_ADV) answers any other ROUTE-REFRESH with Message Header Error / Bad Message Type and closes, and
   * RFC 4271 §6.1 makes that NOTIFICATION's data the erroneous Type field (5). Our Adj-RIB-Out is not sent again.
   */
  @Test
  void routeRefreshNotAdvertised_headerErrorBadMessageType_notAnswered() throws Exception {
    try (RawPeer p = new RawPeer("127.0.12.1", "127.0.12.2", 16000,
        c -> c.routeRefresh(false).enhancedRouteRefresh(false), s -> { })) {
      p.session.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build());
      p.establish(RawPeer.config().build());
      assertEquals(1, p.readInitialTable());
      p.write(routeRefresh(AddressFamily.IPV4_UNICAST));
      byte[] m = p.next();
      assertEquals(List.of(3, 1, 3, 5), bytes(m, 4), "NOTIFICATION Message Header Error / Bad Message Type, data 5");
      assertEquals(4, m.length, "data: the Type field alone");
      Poll.until(RawPeer.LIMIT, "Idle", () -> p.session.state() != BgpState.Established,
          () -> "" + p.session.lastChange());
      assertEquals(EventType.BGPHeaderErr, p.session.lastChange().orElseThrow().cause().event(),
          () -> "" + p.session.lastChange());
    }
  }

  /**
   * With route refresh advertised but not enhanced route refresh (RFC 7313 needs both sides), the peer's ROUTE-REFRESH
   * gets the family's routes again (RFC 2918 §4), without BoRR/EoRR around them and without a new End-of-RIB.
   */
  @Test
  void routeRefreshWithoutEnhanced_routesSentAgain_noBorrOrEorr() throws Exception {
    try (RawPeer p = new RawPeer("127.0.12.3", "127.0.12.4", 16001, c -> c.enhancedRouteRefresh(false), s -> { })) {
      p.session.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build());
      p.establish(RawPeer.config().build());
      assertEquals(1, p.readInitialTable());
      p.write(routeRefresh(AddressFamily.IPV4_UNICAST));
      byte[] m = p.next();
      assertEquals(2, m[0], "an UPDATE first, not a BoRR: " + bytes(m, m.length));
      assertTrue(!RawPeer.endOfRib(m), "End-of-RIB instead of the route");
      // nothing else but keepalives: no EoRR, no second End-of-RIB
      p.socket.setSoTimeout(1_500);
      List<Integer> after = new ArrayList<>();
      try {
        for (;;) {
          after.add((int) p.next()[0]);
        }
      } catch (java.net.SocketTimeoutException quiet) {
        // nothing more
      }
      assertEquals(List.of(), after, "messages after the refreshed route");
      assertEquals(BgpState.Established, p.session.state());
    }
  }

  /**
   * Enhanced route refresh advertised alone (FsmConfig.routeRefresh(false)) still tells the peer we answer refreshes
   * (RFC 7313 §3 builds on RFC 2918): its ROUTE-REFRESH is answered with BoRR, the routes and EoRR.
   */
  @Test
  void onlyEnhancedRouteRefreshAdvertised_routeRefreshAnsweredWithBorrAndEorr() throws Exception {
    try (RawPeer p = new RawPeer("127.0.12.5", "127.0.12.6", 16002, c -> c.routeRefresh(false), s -> { })) {
      p.session.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build());
      p.establish(RawPeer.config().build());
      assertEquals(1, p.readInitialTable());
      p.write(routeRefresh(AddressFamily.IPV4_UNICAST));
      // type 5, AFI 1, subtype 1 (BoRR) / 2 (EoRR), SAFI 1
      assertEquals(List.of(5, 0, 1, 1, 1), bytes(p.next(), 5), "BoRR");
      assertEquals(2, p.next()[0], "the route");
      assertEquals(List.of(5, 0, 1, 2, 1), bytes(p.next(), 5), "EoRR");
    }
  }

  private static ByteBuf routeRefresh(AddressFamily family) {
    ByteBuf out = Unpooled.buffer();
    BgpMessageEncoder.encode(RouteRefreshMessage.of(family), out, CodecContext.INITIAL);
    return out;
  }

  /** The first {@code n} octets of {@code m}, unsigned. */
  static List<Integer> bytes(byte[] m, int n) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < Math.min(n, m.length); i++) {
      l.add(m[i] & 0xFF);
    }
    return l;
  }
}
