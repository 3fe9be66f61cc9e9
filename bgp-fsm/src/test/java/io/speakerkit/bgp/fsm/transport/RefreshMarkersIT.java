package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.RouteRefreshMessage;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The peer's BoRR and EoRR (RFC 7313 §4) reach the route listener only for a family the session negotiated, and only
 * when enhanced route refresh is negotiated, against a raw peer. Loopback 127.0.21.1-4, ports 17000-17001.
 */
class RefreshMarkersIT {

  /** What the route listener heard, as "begin IPv4/unicast" and "end IPv4/unicast". */
  private final List<String> heard = new CopyOnWriteArrayList<>();

  private final RouteListener listener = new RouteListener() {
    @Override
    public void onUpdate(BgpSession session, UpdateMessage update) {
    }

    @Override
    public void onRefreshBegin(BgpSession session, AddressFamily family) {
      heard.add("begin " + family);
    }

    @Override
    public void onRefreshEnd(BgpSession session, AddressFamily family) {
      heard.add("end " + family);
    }
  };

  /**
   * RFC 7313 §4 brackets the routes of a negotiated family: a BoRR/EoRR for IPv6 unicast, which the session did not
   * negotiate, is ignored; the pair for IPv4 unicast that follows on the same connection is passed on.
   */
  @Test
  void markersForAFamilyNotNegotiated_ignored() throws Exception {
    try (RawPeer p = new RawPeer("127.0.21.1", "127.0.21.2", 17000, c -> c, s -> s.routeListener(listener))) {
      p.establish(RawPeer.config().build());
      p.write(encode(RouteRefreshMessage.beginning(AddressFamily.IPV6_UNICAST),
          RouteRefreshMessage.end(AddressFamily.IPV6_UNICAST),
          RouteRefreshMessage.beginning(AddressFamily.IPV4_UNICAST),
          RouteRefreshMessage.end(AddressFamily.IPV4_UNICAST)));
      String v4 = AddressFamily.IPV4_UNICAST.toString();
      Poll.until(RawPeer.LIMIT, "EoRR heard", () -> heard.contains("end " + v4), () -> "" + heard);
      assertEquals(List.of("begin " + v4, "end " + v4), heard);
      assertEquals(BgpState.Established, p.session.state());
    }
  }

  /**
   * Without enhanced route refresh negotiated (the peer's OPEN lacks it, RFC 7313 §3), a BoRR/EoRR is ignored. The
   * ROUTE-REFRESH written after them is the sync point: once its answer (the route again) is read, the markers before
   * it were handled.
   */
  @Test
  void markersWithoutEnhancedRouteRefresh_ignored() throws Exception {
    try (RawPeer p = new RawPeer("127.0.21.3", "127.0.21.4", 17001, c -> c, s -> s.routeListener(listener))) {
      p.session.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build());
      p.establish(RawPeer.config().enhancedRouteRefresh(false).build());
      assertEquals(1, p.readInitialTable());
      p.write(encode(RouteRefreshMessage.beginning(AddressFamily.IPV4_UNICAST),
          RouteRefreshMessage.end(AddressFamily.IPV4_UNICAST), RouteRefreshMessage.of(AddressFamily.IPV4_UNICAST)));
      assertEquals(2, p.next()[0], "the route again");
      assertEquals(List.of(), heard);
      assertEquals(BgpState.Established, p.session.state());
    }
  }

  private static ByteBuf encode(RouteRefreshMessage... messages) {
    ByteBuf out = Unpooled.buffer();
    for (RouteRefreshMessage m : messages) {
      BgpMessageEncoder.encode(m, out, CodecContext.INITIAL);
    }
    return out;
  }
}
