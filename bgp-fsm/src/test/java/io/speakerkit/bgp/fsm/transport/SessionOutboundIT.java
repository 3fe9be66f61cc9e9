package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessageDecoder;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What an Established session sends from its Adj-RIB-Out (End-of-RIB, routes of both families from announceAll and
 * withdraw), its message counters against the wire, and timers() on a running session. A raw peer on loopback
 * 127.0.12.31-38, ports 16031-16034.
 */
class SessionOutboundIT {

  private static final CodecContext CTX = CodecContext.FOUR_OCTET_AS;

  /**
   * RFC 4724 §2: End-of-RIB marks the end of the initial table; a route announced later goes out alone, not followed
   * by another End-of-RIB (a graceful-restart peer would take a second one for the end of a table again).
   */
  @Test
  void endOfRib_onceAfterTheInitialTable_notAfterLaterAnnouncements() throws Exception {
    try (RawPeer p = new RawPeer("127.0.12.31", "127.0.12.32", 16031, c -> c, s -> { })) {
      p.session.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build());
      p.establish(RawPeer.config().build());
      assertEquals(1, p.readInitialTable());
      p.session.announce(IpPrefix.parse("192.0.2.2/32"), PathAttributes.builder().build());
      assertEquals(List.of(IpPrefix.parse("192.0.2.2/32")), decode(p.next()).announced());
      assertEquals(List.of(), rest(p), "after the later route");
    }
  }

  /**
   * announceAll and withdraw take IPv6 prefixes as well as IPv4 ones: one announceAll of both families sends each in
   * its own form (NLRI, MP_REACH_NLRI), and withdraw of the IPv6 route sends MP_UNREACH_NLRI (RFC 4760 §4).
   */
  @Test
  void announceAllBothFamilies_bothSent_ipv6Withdrawn() throws Exception {
    Set<AddressFamily> both = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    IpPrefix v4 = IpPrefix.parse("192.0.2.1/32");
    IpPrefix v6 = IpPrefix.parse("2001:db8::1/128");
    try (RawPeer p = new RawPeer("127.0.12.33", "127.0.12.34", 16032, c -> c.families(both), s -> { })) {
      p.session.announceAll(List.of(v4, v6),
          PathAttributes.builder().nextHop(InetAddress.getByName("2001:db8::ff")).build());
      p.establish(RawPeer.config().families(both).build());
      List<IpPrefix> announced = new ArrayList<>();
      int eors = 0;
      while (eors < 2) {
        byte[] m = p.next();
        if (RawPeer.endOfRib(m)) {
          eors++;
        } else {
          announced.addAll(decode(m).announced());
        }
      }
      assertEquals(Set.of(v4, v6), Set.copyOf(announced));
      assertEquals(2, announced.size(), announced.toString());
      p.session.withdraw(v6);
      UpdateMessage w = decode(p.next());
      assertEquals(List.of(v6), w.withdrawnAll());
      assertEquals(List.of(), w.announced());
    }
  }

  /**
   * counters() counts every message on the wire by type and direction (MetalLB's opens/updates/keepalives metrics),
   * also each of several UPDATEs that leave in one write (a large table packs them).
   */
  @Test
  void counters_matchTheMessagesOnTheWire() throws Exception {
    try (RawPeer p = new RawPeer("127.0.12.35", "127.0.12.36", 16033, c -> c, s -> { })) {
      List<IpPrefix> many = new ArrayList<>();
      for (int i = 0; i < 2000; i++) { // 2000 /32s: several 4096-octet UPDATEs
        many.add(IpPrefix.ipv4(0xC0000000 | 0x020000 | i, 32));
      }
      p.session.announceAll(many, PathAttributes.builder().build());
      p.session.start();
      p.accept();
      int opensRead = 0;
      int keepalivesRead = 0;
      int updatesRead = 0;
      boolean eor = false;
      while (!eor) {
        byte[] m = p.nextIncludingKeepalives();
        if (m[0] == 1) {
          opensRead++;
          p.openAndKeepalive(RawPeer.config().build());
        }
        keepalivesRead += m[0] == 4 ? 1 : 0;
        updatesRead += m[0] == 2 ? 1 : 0;
        eor = RawPeer.endOfRib(m);
      }
      p.session.requestRouteRefresh(AddressFamily.IPV4_UNICAST);
      assertEquals(5, p.next()[0], "our ROUTE-REFRESH");
      ByteBuf out = Unpooled.buffer();
      PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(RawPeer.PEER_AS).nextHop(p.b).build();
      UpdateEncoder.writeAnnouncement(out, attrs, IpPrefix.parse("198.51.100.0/24"), CTX);
      UpdateEncoder.writeAnnouncement(out, attrs, IpPrefix.parse("198.51.101.0/24"), CTX);
      BgpMessageEncoder.writeKeepalive(out); // a second one: the directions differ
      BgpMessageEncoder.encode(io.speakerkit.bgp.wire.Notification.administrativeShutdown("test"), out, CTX);
      p.write(out);
      Poll.until(RawPeer.LIMIT, "the NOTIFICATION received", () -> p.session.state() == BgpState.Idle,
          () -> "" + p.session.counters());
      BgpSessionCounters c = p.session.counters();
      assertEquals(List.of(1, 1, updatesRead, 2, 0, 1, keepalivesRead, 2, 1, 0),
          List.of((int) c.opensSent(), (int) c.opensReceived(), (int) c.updatesSent(), (int) c.updatesReceived(),
              (int) c.notificationsSent(), (int) c.notificationsReceived(), (int) c.keepalivesSent(),
              (int) c.keepalivesReceived(), (int) c.routeRefreshesSent(), (int) c.routeRefreshesReceived()),
          c.toString());
      assertEquals(1, opensRead);
      assertFalse(updatesRead < 4, "the table took " + updatesRead + " UPDATEs with its End-of-RIB");
    }
  }

  /**
   * timers() on an Established session (as FRR's {@code neighbor X timers}): the session is not reset, and the OPEN of
   * the next session proposes the new hold time.
   */
  @Test
  void timersWhileEstablished_sessionKept_nextOpenProposesThem() throws Exception {
    try (RawPeer p = new RawPeer("127.0.12.37", "127.0.12.38", 16034,
        c -> c.holdTime(Duration.ofSeconds(90)).backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), s -> { })) {
      p.establish(RawPeer.config().build());
      assertEquals(90, holdTime(p.ourOpen));
      p.session.timers(Duration.ofSeconds(30), Optional.empty());
      p.session.runPendingTasks();
      assertEquals(BgpState.Established, p.session.state(), () -> "" + p.session.lastChange());
      assertEquals(0, p.session.counters().notificationsSent());
      p.socket.close();
      p.accept();
      byte[] open = p.nextIncludingKeepalives();
      assertEquals(1, open[0], "our OPEN");
      assertEquals(30, holdTime(open));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** The Hold Time field of an OPEN as {@link RawPeer#next()} returns it (RFC 4271 §4.2: after version and AS). */
  private static int holdTime(byte[] open) {
    return (open[4] & 0xFF) << 8 | (open[5] & 0xFF);
  }

  /** The UPDATE {@code m} (type octet and body) decoded. */
  private static UpdateMessage decode(byte[] m) {
    assertEquals(2, m[0], "an UPDATE");
    byte[] frame = new byte[18 + m.length];
    java.util.Arrays.fill(frame, 0, 16, (byte) 0xFF);
    frame[16] = (byte) (frame.length >> 8);
    frame[17] = (byte) frame.length;
    System.arraycopy(m, 0, frame, 18, m.length);
    return BgpMessageDecoder.decodeUpdate(Unpooled.wrappedBuffer(frame), CTX);
  }

  /** The types of what the session sends within 1.5 s, KEEPALIVEs left out. */
  private static List<Integer> rest(RawPeer p) throws Exception {
    p.socket.setSoTimeout(1_500);
    List<Integer> types = new ArrayList<>();
    try {
      for (;;) {
        types.add((int) p.next()[0]);
      }
    } catch (java.net.SocketTimeoutException quiet) {
      return types;
    } finally {
      p.socket.setSoTimeout(10_000);
    }
  }
}
