package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpAction;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.EventType;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.AsPathSegment;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Two of our own speakers on loopback addresses, each dialing the other and listening: with DelayOpen both TCP
 * connections exist before any OPEN, so collision detection (RFC 4271 §6.8) must pick one on both sides. Then routes
 * flow and End-of-RIB arrives.
 */
class LoopbackInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  @Test
  void simultaneousConnect_collisionResolved_routesFlow() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.1");
    InetAddress b = InetAddress.getByName("127.253.0.2");
    int port = 11179;
    Set<String> receivedByB = ConcurrentHashMap.newKeySet();
    List<Boolean> eorByB = new CopyOnWriteArrayList<>();
    List<BgpAction.StateChanged> changesA = new CopyOnWriteArrayList<>();
    List<BgpAction.StateChanged> changesB = new CopyOnWriteArrayList<>();
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, port)).build().start();
        BgpTransport tb = BgpTransport.builder().listen(new InetSocketAddress(b, port)).build().start()) {
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .holdTime(Duration.ofSeconds(3)).delayOpenTime(Duration.ofSeconds(1)).build())
          .build();
      BgpSession sb = BgpSession.builder().transport(tb).peer(a).peerPort(port).localAddress(b)
          .config(FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"))
              .holdTime(Duration.ofSeconds(3)).delayOpenTime(Duration.ofSeconds(1)).build())
          .routeListener((session, update) -> {
            if (update.isEndOfRib()) {
              eorByB.add(true);
            }
            for (IpPrefix p : update.announced()) {
              receivedByB.add(p.toString());
            }
            for (IpPrefix p : update.withdrawnAll()) {
              receivedByB.remove(p.toString());
            }
          })
          .build();
      sa.addListener(changesA::add);
      sb.addListener(changesB::add);
      sa.announce(IpPrefix.parse("192.0.2.10/32"), PathAttributes.builder().build());
      sa.start();
      sb.start();
      Poll.until(LIMIT, "both Established",
          () -> sa.state() == BgpState.Established && sb.state() == BgpState.Established,
          () -> changesA + "\n" + changesB);
      Poll.until(LIMIT, "route and End-of-RIB at B", () -> receivedByB.contains("192.0.2.10/32") && !eorByB.isEmpty(),
          () -> receivedByB.toString());
      // three hold times later still up: no half-dead duplicate connection
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      Poll.until(Duration.ofSeconds(15), "10 s of stable session", () -> System.nanoTime() > deadline, () -> "");
      assertEquals(BgpState.Established, sa.state(), changesA.toString());
      assertEquals(BgpState.Established, sb.state(), changesB.toString());
      assertTrue(changesA.stream().noneMatch(c -> c.from() == BgpState.Established), changesA.toString());
      // the peer's Established state was reached once on each side
      assertEquals(1, changesA.stream().filter(c -> c.to() == BgpState.Established).count(), changesA.toString());
      sa.withdraw(IpPrefix.parse("192.0.2.10/32"));
      Poll.until(LIMIT, "withdrawal at B", () -> !receivedByB.contains("192.0.2.10/32"), receivedByB::toString);
      sb.teardown(io.speakerkit.bgp.fsm.Notification.BFD_DOWN);
      Poll.until(LIMIT, "A sees Cease / BFD Down",
          () -> changesA.stream().anyMatch(c -> c.cause().event() == EventType.NotifMsg
              && c.cause().received().map(n -> n.subcode() == 10).orElse(false)),
          changesA::toString);
      Poll.until(LIMIT, "re-established after teardown",
          () -> sa.state() == BgpState.Established && sb.state() == BgpState.Established,
          () -> changesA + "\n" + changesB);
    }
  }

  @Test
  void maxPrefixes_exceeded_ceaseMaximumPrefixes() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.5");
    InetAddress b = InetAddress.getByName("127.253.0.6");
    int port = 11180;
    List<BgpAction.StateChanged> changesA = new CopyOnWriteArrayList<>();
    try (BgpTransport ta = BgpTransport.builder().build();
        BgpTransport tb = BgpTransport.builder().listen(new InetSocketAddress(b, port)).build().start()) {
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .build())
          .build();
      BgpSession sb = BgpSession.builder().transport(tb).peer(a).localAddress(b).maxPrefixes(2)
          .config(FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"))
              .connectMode(io.speakerkit.bgp.fsm.ConnectMode.LISTEN_ONLY).build())
          .build();
      sa.addListener(changesA::add);
      sa.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build());
      sa.announce(IpPrefix.parse("192.0.2.2/32"), PathAttributes.builder().build());
      sb.start();
      sa.start();
      Poll.until(LIMIT, "Established", () -> sa.state() == BgpState.Established, changesA::toString);
      sa.announce(IpPrefix.parse("192.0.2.3/32"), PathAttributes.builder().build());
      Poll.until(LIMIT, "Cease / Maximum Number of Prefixes Reached",
          () -> changesA.stream().anyMatch(c -> c.cause().received()
              .map(n -> n.code() == 6 && n.subcode() == 1).orElse(false)),
          changesA::toString);
    }
  }

  /** A listen address in use: start() fails naming it (Netty's own message does not) and leaves nothing running. */
  @Test
  void listenAddressTaken_startFailsNamingIt() throws Exception {
    InetSocketAddress taken = new InetSocketAddress(InetAddress.getByName("127.253.0.90"), 11226);
    try (java.net.ServerSocket holder = new java.net.ServerSocket()) {
      holder.bind(taken);
      BgpTransport t = BgpTransport.builder().listen(taken).build();
      java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, t::start);
      assertTrue(e.getMessage().startsWith("BGP listener on /127.253.0.90:11226: "), e.getMessage());
      assertTrue(t.group().isShuttingDown(), "the transport's event loops were left running");
    }
  }

  /**
   * RFC 4271 §9.1.2 as FRR applies it (bgp_update: "as-path contains our own AS"): a route whose AS_PATH holds our AS
   * is treated as withdraw, also replacing the peer's earlier route for the prefix; the session stays up. With
   * {@code allowOwnAs(1)} (FRR's allowas-in 1) one occurrence is accepted.
   */
  @Test
  void ownAsInReceivedPath_treatedAsWithdraw_unlessAllowed() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.88");
    InetAddress b = InetAddress.getByName("127.253.0.89");
    int port = 11225;
    io.speakerkit.bgp.wire.CodecContext ctx = io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS;
    PathAttributes clean = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP)
        .asPath(64602, 65010).nextHop(b).build();
    PathAttributes looped = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP)
        .asPath(64602, 64601, 65010).nextHop(b).build();
    for (int allow : new int[] {0, 1}) {
      try (java.net.ServerSocket server = new java.net.ServerSocket();
          BgpTransport ta = BgpTransport.builder().build()) {
        server.bind(new InetSocketAddress(b, port));
        AdjRibIn rib = new AdjRibIn();
        BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a).routeListener(rib)
            .allowOwnAs(allow)
            .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
                .build())
            .build();
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeRawPeerOpenAndKeepalive(out);
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, clean, IpPrefix.parse("198.51.100.0/24"), ctx);
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, clean, IpPrefix.parse("198.51.101.0/24"), ctx);
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, looped, IpPrefix.parse("198.51.101.0/24"), ctx);
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, looped, IpPrefix.parse("198.51.102.0/24"), ctx);
          writeTo(peer, out);
          out.release();
          Poll.until(LIMIT, "4 UPDATEs received", () -> sa.counters().updatesReceived() == 4,
              () -> sa.counters() + " " + sa.lastChange());
          java.util.concurrent.CompletableFuture<List<String>> held = new java.util.concurrent.CompletableFuture<>();
          sa.execute(() -> held.complete(rib.routes().stream().map(r -> r.prefix().toString()).sorted().toList()));
          assertEquals(allow == 0 ? List.of("198.51.100.0/24")
              : List.of("198.51.100.0/24", "198.51.101.0/24", "198.51.102.0/24"), held.get(5, java.util.concurrent.TimeUnit.SECONDS));
          assertEquals(BgpState.Established, sa.state());
        }
      }
    }
  }

  /**
   * As FRR without {@code maximum-prefix N restart M} (bgp_maximum_prefix_overflow, BGP_PEER_START_SUPPRESSED): a
   * peer that sent too many prefixes gets Cease / Maximum Number of Prefixes Reached and is not dialled again until
   * the session is started again; with {@code maxPrefixesRestart} (FRR's restart M) it is, after that time.
   */
  @Test
  void maxPrefixes_exceeded_staysDownUntilStarted_orUntilTheRestartTime() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.86");
    InetAddress b = InetAddress.getByName("127.253.0.87");
    int port = 11224;
    for (Duration restart : new Duration[] {null, Duration.ofSeconds(1)}) {
      try (java.net.ServerSocket server = new java.net.ServerSocket();
          BgpTransport ta = BgpTransport.builder().build()) {
        server.bind(new InetSocketAddress(b, port));
        BgpSession.Builder builder = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
            .maxPrefixes(2)
            .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
                .backoff(Duration.ofMillis(200), Duration.ofSeconds(1)).build());
        if (restart != null) {
          builder.maxPrefixesRestart(restart);
        }
        BgpSession sa = builder.build();
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          peer.setSoTimeout(10_000);
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeRawPeerOpenAndKeepalive(out);
          io.speakerkit.bgp.wire.UpdateEncoder.writeAllAnnouncements(out, PathAttributes.builder()
              .origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath(64602).nextHop(b).build(),
              List.of(IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("198.51.101.0/24"),
                  IpPrefix.parse("198.51.102.0/24")), io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS);
          writeTo(peer, out);
          out.release();
          byte[] cease = bodyOfNext(peer.getInputStream(), 3, "NOTIFICATION");
          assertEquals(List.of(6, 1), List.of(cease[0] & 0xFF, cease[1] & 0xFF));
        }
        long down = System.nanoTime();
        if (restart == null) {
          server.setSoTimeout(3_000); // an automatic restart would dial within about 200 ms
          assertThrows(java.net.SocketTimeoutException.class, () -> server.accept().close());
          sa.start();
        }
        server.setSoTimeout(10_000);
        server.accept().close();
        if (restart != null) {
          assertTrue(System.nanoTime() - down >= restart.toNanos() - 100_000_000L, "dialled before the restart time");
        }
      }
    }
  }

  /**
   * retryNow (BFD Up in the speaker): a session whose restart backed off to seconds dials at once, with the backoff
   * started over.
   */
  @Test
  void retryNow_backedOffSession_dialsAtOnce() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.39");
    InetAddress b = InetAddress.getByName("127.253.0.40");
    int port = 11193;
    try (BgpTransport ta = BgpTransport.builder().build()) {
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .backoff(Duration.ofMillis(100), Duration.ofSeconds(60)).build())
          .build();
      sa.start(); // nothing listens: refused, Idle, and again, each time waiting twice as long
      Poll.until(LIMIT, "an automatic restart more than 3 s away", () -> {
        try {
          return onLoop(sa, () -> sa.primaryTimerRemainingNanos(io.speakerkit.bgp.fsm.BgpTimer.IdleHoldTimer))
              > 3_000_000_000L;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }, () -> "" + sa.lastChange());
      try (java.net.ServerSocket server = new java.net.ServerSocket()) {
        server.bind(new InetSocketAddress(b, port));
        server.setSoTimeout(2_000);
        sa.retryNow();
        try (java.net.Socket dialled = server.accept()) {
          assertEquals(a, dialled.getInetAddress());
        }
      }
    }
  }

  /**
   * The maximum holds per family, as FRR's maximum-prefix: two IPv4 and two IPv6 routes stay within 2; a third IPv6
   * route ends the session with Cease / Maximum Number of Prefixes Reached naming IPv6 unicast (RFC 4486 §4).
   */
  @Test
  void maxPrefixes_perFamily_ceaseNamesTheFamily() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.41");
    InetAddress b = InetAddress.getByName("127.253.0.42");
    int port = 11195;
    Set<AddressFamily> both = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    io.speakerkit.bgp.wire.CodecContext ctx = io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS;
    PathAttributes v4 = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath(64602)
        .nextHop(b).build();
    PathAttributes v6 = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath(64602)
        .nextHop(InetAddress.getByName("2001:db8::2")).build();
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      try (BgpTransport ta = BgpTransport.builder().build()) {
        BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a).maxPrefixes(2)
            .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
                .families(both).build())
            .build();
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          peer.setSoTimeout(10_000);
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeOpenAndKeepalive(out, rawPeerConfig().families(both).build());
          for (String p : List.of("198.51.100.0/24", "198.51.101.0/24")) {
            io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, v4, IpPrefix.parse(p), ctx);
          }
          for (String p : List.of("2001:db8:1::/48", "2001:db8:2::/48")) {
            io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, v6, IpPrefix.parse(p), ctx);
          }
          writeTo(peer, out);
          Poll.until(LIMIT, "four routes received",
              () -> sa.counters().updatesReceived() == 4 && sa.state() == BgpState.Established,
              () -> sa.counters() + " " + sa.lastChange());
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, v6, IpPrefix.parse("2001:db8:3::/48"), ctx);
          writeTo(peer, out);
          out.release();
          byte[] notification = bodyOfNext(peer.getInputStream(), 3, "NOTIFICATION");
          // code 6 subcode 1, then AFI 2 (IPv6), SAFI 1, upper bound 2
          assertEquals(List.of(6, 1, 0, 2, 1, 0, 0, 0, 2), java.util.stream.IntStream.range(0, 9)
              .mapToObj(i -> notification[i] & 0xFF).toList());
        }
      }
    }
  }

  /** RFC 7911 / RFC 4486 §4: with ADD-PATH every path counts toward the maximum, as FRR counts them. */
  @Test
  void maxPrefixes_addPath_everyPathCounts() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.37");
    InetAddress b = InetAddress.getByName("127.253.0.38");
    int port = 11192;
    io.speakerkit.bgp.wire.CodecContext ctx = io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS.withAddPath(
        Set.of(AddressFamily.IPV4_UNICAST), Set.of(AddressFamily.IPV4_UNICAST));
    IpPrefix p = IpPrefix.parse("203.0.113.0/24");
    PathAttributes attrs = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP)
        .asPath(64602).nextHop(b).build();
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      try (BgpTransport ta = BgpTransport.builder().build()) {
        BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a).maxPrefixes(3)
            .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
                .addPath(AddressFamily.IPV4_UNICAST, io.speakerkit.bgp.fsm.AddPathMode.BOTH).build())
            .build();
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          peer.setSoTimeout(10_000);
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeOpenAndKeepalive(out,
              rawPeerConfig().addPath(AddressFamily.IPV4_UNICAST, io.speakerkit.bgp.fsm.AddPathMode.BOTH).build());
          for (int pathId = 1; pathId <= 3; pathId++) {
            io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, attrs, p, pathId, ctx);
          }
          io.speakerkit.bgp.wire.UpdateEncoder.writeWithdrawals(out, List.of(p), 0, 2, ctx); // 2 paths left
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, attrs, p, 4, ctx); // 3: at the maximum
          writeTo(peer, out);
          Poll.until(LIMIT, "Established", () -> sa.state() == BgpState.Established, () -> "" + sa.state());
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, attrs, p, 5, ctx); // 4: one too many
          writeTo(peer, out);
          out.release();
          byte[] notification = bodyOfNext(peer.getInputStream(), 3, "NOTIFICATION");
          assertEquals(List.of(6, 1), List.of((int) notification[0], (int) notification[1]),
              "Cease / Maximum Number of Prefixes Reached");
          assertEquals(6, sa.counters().updatesReceived(), "the Cease came only after the fifth path's UPDATE");
        }
      }
    }
  }

  /**
   * RFC 4760 §7: an MP_REACH_NLRI the family cannot have (an IPv6 one with a 4-octet next hop) ends the session when
   * IPv6 was negotiated.
   */
  @Test
  void afiSafiDisable_sessionClosedWithOptionalAttributeError() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.21");
    InetAddress b = InetAddress.getByName("127.253.0.22");
    int port = 11182;
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      try (BgpTransport ta = BgpTransport.builder().build()) {
        Set<AddressFamily> both = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
        BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
            .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
                .families(both).build())
            .build();
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          peer.setSoTimeout(10_000);
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeOpenAndKeepalive(out, rawPeerConfig().families(both).build());
          // ORIGIN, AS_PATH 64602, and an IPv6 MP_REACH_NLRI with a 4-octet next hop
          // (RFC 7606 §7.11: AFI/SAFI disable)
          byte[] attrs = io.netty.buffer.ByteBufUtil.decodeHexDump("40010100" + "40020602010000fc5a"
              + "900e0010" + "0002" + "01" + "04" + "0a000001" + "00" + "3020010db80001");
          out.writeBytes(io.netty.buffer.ByteBufUtil.decodeHexDump("ff".repeat(16)));
          out.writeShort(23 + attrs.length).writeByte(2).writeShort(0).writeShort(attrs.length).writeBytes(attrs);
          byte[] bytes = new byte[out.readableBytes()];
          out.readBytes(bytes);
          out.release();
          peer.getOutputStream().write(bytes, 0, bytes.length - 23 - attrs.length); // OPEN and KEEPALIVE
          Poll.until(LIMIT, "Established", () -> sa.state() == BgpState.Established, () -> "");
          peer.getOutputStream().write(bytes, bytes.length - 23 - attrs.length, 23 + attrs.length);
          byte[] notification = bodyOfNext(peer.getInputStream(), 3, "NOTIFICATION");
          assertEquals(3, notification[0], "UPDATE Message Error");
          assertEquals(9, notification[1], "Optional Attribute Error");
        }
      }
    }
  }

  /**
   * RFC 4271 §6.8 decides collisions by who dialled which connection: after a session ran on the peer's connection,
   * the next connection this side dials counts as outgoing again (it stayed marked incoming).
   */
  @Test
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  void adoptedIncomingConnection_nextDialledConnectionIsOutgoing() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.25");
    InetAddress b = InetAddress.getByName("127.253.0.26");
    int portA = 11185;
    int portB = 11186;
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, portA)).build().start();
        BgpTransport tb = BgpTransport.builder().build()) {
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(portB).localAddress(a)
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .connectRetryTime(java.time.Duration.ofSeconds(1)).activeOnConnectFailure(true).build())
          .build();
      sa.start(); // nothing listens at b:portB: a's dial fails and it waits in Active
      BgpSession sb = BgpSession.builder().transport(tb).peer(a).peerPort(portA).localAddress(b)
          .config(FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"))
              .build())
          .build();
      sb.start();
      Poll.until(LIMIT, "Established on b's connection", () -> sa.state() == BgpState.Established, () -> "");
      assertFalse(onLoop(sa, sa::primaryOutgoing), "adopted connection is incoming");
      try (java.net.ServerSocket server = new java.net.ServerSocket()) {
        server.bind(new InetSocketAddress(b, portB));
        sb.close();
        try (java.net.Socket dialled = server.accept()) {
          Poll.until(LIMIT, "a's own connection attached", () -> sa.state() == BgpState.OpenSent,
              () -> "" + sa.state());
          assertTrue(onLoop(sa, sa::primaryOutgoing), "the connection a dialled is outgoing");
        }
      }
    }
  }

  /** RFC 4271 §8.2.2: a connection reset in OpenSent takes the session to Active (it went on to Idle). */
  @Test
  void resetInOpenSent_active_notIdle() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.27");
    InetAddress b = InetAddress.getByName("127.253.0.28");
    int port = 11187;
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      try (BgpTransport ta = BgpTransport.builder().build()) {
        BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
            .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
                .connectRetryTime(java.time.Duration.ofSeconds(1)).build())
            .build();
        sa.addListener(changes::add);
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          Poll.until(LIMIT, "OpenSent", () -> sa.state() == BgpState.OpenSent, () -> "" + sa.state());
          peer.setSoLinger(true, 0); // close with a RST
        }
        Poll.until(LIMIT, "the next connect after Active", () -> changes.stream()
            .anyMatch(c -> c.from() == BgpState.Active && c.to() == BgpState.Connect), changes::toString);
        List<BgpState> after = changes.stream().map(BgpAction.StateChanged::to)
            .dropWhile(st -> st != BgpState.OpenSent).limit(3).toList();
        assertEquals(List.of(BgpState.OpenSent, BgpState.Active, BgpState.Connect), after, changes.toString());
      }
    }
  }

  /**
   * RFC 4271 §6.8: the peer's second connection of a collision, closed by the peer in OpenSent, goes with its
   * machine, which neither waits in Active for another connection nor dials the peer itself: the next connection
   * the peer makes is taken as the second one again.
   */
  @Test
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  void collision_secondConnectionClosedInOpenSent_machineGoes_nextConnectionTaken() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.59");
    InetAddress b = InetAddress.getByName("127.253.0.60");
    int portA = 11210;
    int portB = 11211;
    try (java.net.ServerSocket server = new java.net.ServerSocket();
        BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, portA)).build().start()) {
      server.bind(new InetSocketAddress(b, portB));
      BgpSession sa = dialling(ta, a, b, portB, c -> c.connectRetryTime(Duration.ofSeconds(1)));
      sa.start();
      try (java.net.Socket first = server.accept()) { // a's own connection, OpenSent; the peer stays silent on it
        Poll.until(LIMIT, "OpenSent", () -> sa.state() == BgpState.OpenSent, () -> "" + sa.state());
        try (java.net.Socket second = peerDials(b, a, portA)) {
          bodyOfNext(second.getInputStream(), 1, "a's OPEN on the second connection");
          assertTrue(hasSecondConnection(sa));
        } // closed by the peer without a NOTIFICATION: that machine's OpenSent -> Active
        Poll.until(LIMIT, "the second connection's machine gone", () -> !hasSecondConnection(sa),
            () -> "" + sa.state());
        try (java.net.Socket third = peerDials(b, a, portA)) {
          bodyOfNext(third.getInputStream(), 1, "a's OPEN on the peer's next connection (not refused)");
        }
        assertEquals(BgpState.OpenSent, sa.state(), "a's own connection carries on");
      }
    }
  }

  /**
   * RFC 4271 §6.8: after the peer's connection won a collision, the session's automatic restart keeps the
   * configured start mode: a session that connects dials again (Idle -> Connect), not Idle -> Active as the passive
   * machine the accepted connection was started with.
   */
  @Test
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  void collision_wonByPeersConnection_automaticRestartStillConnects() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.61");
    InetAddress b = InetAddress.getByName("127.253.0.62");
    int portA = 11212;
    int portB = 11213;
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (java.net.ServerSocket server = new java.net.ServerSocket();
        BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, portA)).build().start()) {
      server.bind(new InetSocketAddress(b, portB));
      BgpSession sa = dialling(ta, a, b, portB, c -> c.connectRetryTime(Duration.ofSeconds(60)));
      sa.addListener(changes::add);
      sa.start();
      try (java.net.Socket first = server.accept()) {
        Poll.until(LIMIT, "OpenSent", () -> sa.state() == BgpState.OpenSent, () -> "" + sa.state());
        try (java.net.Socket second = peerDials(b, a, portA)) {
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeOpenAndKeepalive(out, rawPeerConfig().build()); // 10.0.0.2 > 10.0.0.1: the peer's connection wins
          writeTo(second, out);
          out.release();
          Poll.until(LIMIT, "Established on the peer's connection", () -> sa.state() == BgpState.Established,
              changes::toString);
        } // the session on it ends
        // the listener has seen it (state() changes before the listeners are told)
        Poll.until(LIMIT, "Idle", () -> changes.stream().anyMatch(c -> c.to() == BgpState.Idle), changes::toString);
        changes.clear();
        Poll.until(LIMIT, "the automatic restart", () -> !changes.isEmpty(), changes::toString);
        assertEquals(BgpState.Connect, changes.get(0).to(), changes::toString);
      }
    }
  }

  /**
   * {@link BgpSession#teardown} (e.g. BFD Down) ends the peer's second connection of a collision too, which would
   * otherwise bring the session back up on the peer's OPEN.
   */
  @Test
  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  void teardown_withSecondConnection_bothConnectionsEnd() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.63");
    InetAddress b = InetAddress.getByName("127.253.0.64");
    int portA = 11214;
    int portB = 11215;
    try (java.net.ServerSocket server = new java.net.ServerSocket();
        BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, portA)).build().start()) {
      server.bind(new InetSocketAddress(b, portB));
      BgpSession sa = dialling(ta, a, b, portB, c -> c.backoff(Duration.ofSeconds(30), Duration.ofSeconds(60)));
      sa.start();
      try (java.net.Socket first = server.accept(); java.net.Socket second = peerDials(b, a, portA)) {
        Poll.until(LIMIT, "OpenSent", () -> sa.state() == BgpState.OpenSent, () -> "" + sa.state());
        bodyOfNext(second.getInputStream(), 1, "a's OPEN on the second connection");
        sa.teardown(io.speakerkit.bgp.fsm.Notification.BFD_DOWN);
        byte[] cease = bodyOfNext(second.getInputStream(), 3, "the NOTIFICATION on the second connection");
        assertEquals(List.of(6, 10), List.of((int) cease[0], (int) cease[1]), "Cease / BFD Down (RFC 9384)");
        assertEquals(-1, second.getInputStream().read(), "the second connection is closed");
        Poll.until(LIMIT, "Idle", () -> sa.state() == BgpState.Idle, () -> "" + sa.state());
        assertFalse(hasSecondConnection(sa));
      }
    }
  }

  /** Session a (AS 64601, 10.0.0.1) on {@code ta}, dialling b:{@code portB}; {@code settings} finish its config. */
  private static BgpSession dialling(BgpTransport ta, InetAddress a, InetAddress b, int portB,
      java.util.function.UnaryOperator<FsmConfig.Builder> settings) {
    return BgpSession.builder().transport(ta).peer(b).peerPort(portB).localAddress(a)
        .config(settings.apply(FsmConfig.builder().localAs(64601).peerAs(64602)
            .bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))).build())
        .random(() -> 0L).build();
  }

  private static boolean hasSecondConnection(BgpSession s) {
    try {
      return onLoop(s, s::hasSecondConnection);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Routes announced with ever new attribute sets (one MED each) all reach the peer, while the connection's cache of
   * their per-peer form stays within {@link BgpSession#OUTBOUND_CACHE_SIZE}.
   */
  @Test
  void manyDistinctAttributeSets_allSent_perPeerFormCacheBounded() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.65");
    InetAddress b = InetAddress.getByName("127.253.0.66");
    int port = 11216;
    int routes = BgpSession.OUTBOUND_CACHE_SIZE + 500;
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, port)).build().start()) {
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).localAddress(a)
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .connectMode(io.speakerkit.bgp.fsm.ConnectMode.PASSIVE).build())
          .build();
      sa.start();
      try (java.net.Socket peer = peerDials(b, a, port)) {
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        writeOpenAndKeepalive(out, rawPeerConfig().build());
        writeTo(peer, out);
        out.release();
        Poll.until(LIMIT, "Established", () -> sa.state() == BgpState.Established, () -> "" + sa.state());
        for (int i = 0; i < routes; i++) {
          sa.announce(IpPrefix.ipv4(0x0a000000 + (i << 8), 24), PathAttributes.builder()
              .origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath().nextHop(a).med(i).build());
        }
        int announced = 0;
        while (announced < routes) {
          byte[] m = nextMessage(peer.getInputStream());
          if (m[0] == 2 && m.length > 5) { // an UPDATE with routes (not the 23-octet End-of-RIB)
            announced++;
          }
        }
        assertTrue(onLoop(sa, sa::outboundCacheSize) <= BgpSession.OUTBOUND_CACHE_SIZE);
      }
    }
  }

  /**
   * A transport with several event loops: connections it accepts start on any of them and are moved to their
   * session's loop, so every session reads on its own loop (no hand-off queue between loops). Routes flow both ways.
   */
  @Test
  void severalEventLoops_acceptedConnectionsMovedToTheirSessionsLoop_routesFlow() throws Exception {
    InetAddress listen = InetAddress.getByName("127.253.0.67");
    int port = 11217;
    int peers = 6;
    List<BgpSession> ours = new java.util.ArrayList<>();
    List<BgpSession> theirs = new java.util.ArrayList<>();
    Set<String> receivedByUs = ConcurrentHashMap.newKeySet();
    Set<String> receivedByThem = ConcurrentHashMap.newKeySet();
    try (BgpTransport ta = BgpTransport.builder().threads(4).listen(new InetSocketAddress(listen, port)).build()
        .start();
        BgpTransport tb = BgpTransport.builder().threads(1).build()) {
      for (int i = 0; i < peers; i++) {
        InetAddress peer = InetAddress.getByName("127.253.0." + (68 + i));
        int n = i;
        BgpSession sa = BgpSession.builder().transport(ta).peer(peer).localAddress(listen)
            .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
                .connectMode(io.speakerkit.bgp.fsm.ConnectMode.PASSIVE).build())
            .routeListener(routesInto(receivedByUs, "from " + n + " ")).build();
        BgpSession sb = BgpSession.builder().transport(tb).peer(listen).peerPort(port).localAddress(peer)
            .config(FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.1." + n))
                .build())
            .routeListener(routesInto(receivedByThem, "to " + n + " ")).build();
        sa.announce(IpPrefix.parse("192.0.2." + n + "/32"), PathAttributes.builder()
            .origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath().nextHop(listen).build());
        sb.announce(IpPrefix.parse("198.51.100." + n + "/32"), PathAttributes.builder()
            .origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath().nextHop(peer).build());
        sa.start();
        sb.start();
        ours.add(sa);
        theirs.add(sb);
      }
      Poll.until(LIMIT, "every session Established and every route received",
          () -> ours.stream().allMatch(s -> s.state() == BgpState.Established)
              && theirs.stream().allMatch(s -> s.state() == BgpState.Established)
              && receivedByUs.size() == peers && receivedByThem.size() == peers,
          () -> receivedByUs + " " + receivedByThem);
      for (int i = 0; i < peers; i++) {
        assertTrue(receivedByUs.contains("from " + i + " 198.51.100." + i + "/32"), receivedByUs::toString);
        assertTrue(receivedByThem.contains("to " + i + " 192.0.2." + i + "/32"), receivedByThem::toString);
        BgpSession sa = ours.get(i);
        assertTrue(onLoop(sa, sa::primaryChannelOnSessionLoop), "session " + i + " reads on another loop");
      }
    }
  }

  private static RouteListener routesInto(Set<String> into, String tag) {
    return new RouteListener() {
      @Override
      public void onUpdate(BgpSession session, io.speakerkit.bgp.wire.UpdateMessage update) {
        io.speakerkit.bgp.wire.PrefixCursor c = update.nlri();
        while (c.next()) {
          into.add(tag + c.prefix());
        }
      }
    };
  }

  /**
   * RFC 7313 §4: no BoRR before our End-of-RIB. A ROUTE-REFRESH that arrives while the initial table is still going
   * out (stalled by a peer that does not read yet) is answered after the End-of-RIB, with BoRR, the table and EoRR,
   * as FRR postpones it.
   */
  @Test
  void routeRefreshDuringInitialTable_borrAfterEndOfRib() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.74");
    InetAddress b = InetAddress.getByName("127.253.0.75");
    int port = 11218;
    try (java.net.ServerSocket server = new java.net.ServerSocket();
        BgpTransport ta = BgpTransport.builder().build()) {
      server.setReceiveBufferSize(64 * 1024); // a small window: our table cannot all be in flight at once
      server.bind(new InetSocketAddress(b, port));
      BgpSession sa = sessionToRawPeer(ta, a, b, port);
      announceHostRoutes(sa, LARGE_TABLE);
      sa.start();
      try (java.net.Socket peer = server.accept()) {
        peer.setSoTimeout(10_000);
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        writeRawPeerOpenAndKeepalive(out);
        writeTo(peer, out);
        // not reading yet: the table stalls in our outbound queue, the End-of-RIB still to come
        Poll.until(LIMIT, "Established with the table stalled", () -> sa.state() == BgpState.Established
            && pending(sa) > 0, () -> sa.state() + " " + pending(sa));
        askRouteRefreshAndWait(peer, sa, out);
        out.release();
        List<String> markers = new java.util.ArrayList<>(); // End-of-RIB, BoRR, EoRR in the order they come
        int announced = 0;
        int afterBorr = 0;
        while (!markers.contains("EoRR")) {
          byte[] m = nextMessage(peer.getInputStream());
          if (m[0] == 2 && m.length == 5) {
            markers.add("End-of-RIB");
          } else if (m[0] == 2) {
            int n = prefixesIn(m);
            announced += n;
            afterBorr += markers.contains("BoRR") ? n : 0;
          } else if (m[0] == 5) {
            markers.add(m[3] == 1 ? "BoRR" : m[3] == 2 ? "EoRR" : "ROUTE-REFRESH " + m[3]);
          }
        }
        assertEquals(List.of("End-of-RIB", "BoRR", "EoRR"), markers);
        assertEquals(LARGE_TABLE, afterBorr, "the whole table again between BoRR and EoRR");
        assertEquals(2 * LARGE_TABLE, announced);
      }
    }
  }

  /**
   * A refresh owed when a session ends (its BoRR sent, or postponed until our End-of-RIB) belongs to that session:
   * the next one, here with a peer that has no route refresh at all, gets no ROUTE-REFRESH (RFC 2918 §3).
   */
  @Test
  void refreshOwedWhenSessionEnds_notSentInTheNextSession() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.76");
    InetAddress b = InetAddress.getByName("127.253.0.77");
    int port = 11219;
    try (java.net.ServerSocket server = new java.net.ServerSocket();
        BgpTransport ta = BgpTransport.builder().build()) {
      server.setReceiveBufferSize(64 * 1024);
      server.bind(new InetSocketAddress(b, port));
      BgpSession sa = sessionToRawPeer(ta, a, b, port,
          c -> c.backoff(Duration.ofMillis(100), Duration.ofSeconds(1)));
      announceHostRoutes(sa, LARGE_TABLE);
      sa.start();
      try (java.net.Socket peer = server.accept()) { // asks for a refresh, then goes away without reading
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        writeRawPeerOpenAndKeepalive(out);
        askRouteRefreshAndWait(peer, sa, out);
        out.release();
      }
      try (java.net.Socket peer = server.accept()) { // a peer without route refresh
        peer.setSoTimeout(10_000);
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        writeOpenAndKeepalive(out, rawPeerConfig().routeRefresh(false).enhancedRouteRefresh(false).build());
        writeTo(peer, out);
        out.release();
        int announced = 0;
        for (;;) {
          byte[] m = nextMessage(peer.getInputStream());
          assertTrue(m[0] != 5, "ROUTE-REFRESH to a peer that has no route refresh");
          if (m[0] == 2 && m.length == 5) {
            break; // End-of-RIB
          }
          announced += m[0] == 2 ? prefixesIn(m) : 0;
        }
        assertEquals(LARGE_TABLE, announced);
        peer.setSoTimeout(1_000);
        try {
          byte[] m = nextMessage(peer.getInputStream());
          assertTrue(m[0] != 5, "ROUTE-REFRESH after the End-of-RIB: an EoRR owed to the previous session");
        } catch (java.net.SocketTimeoutException quiet) {
          // nothing after the End-of-RIB but keepalives, and none within a second
        }
      }
    }
  }

  /**
   * More /32s (about 10 MB of UPDATEs) than the socket buffers (up to 4 MB here) and Netty's outbound queue (1 MB)
   * hold while the peer does not read, as in {@link #withStuckPeer}: the initial table stalls until the peer reads.
   */
  private static final int LARGE_TABLE = 2_000_000;

  private static void announceHostRoutes(BgpSession s, int count) {
    List<IpPrefix> all = new java.util.ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      all.add(IpPrefix.ipv4((100 << 24) + i, 32));
    }
    s.announceAll(all, PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath()
        .nextHop(0x0a000001).build());
  }

  /**
   * Two of our speakers over loopback, A dialling B; runs {@code whileUp} on A once both are Established. Returns B's
   * view: prefix -> the route's attributes as received (absent once withdrawn).
   */
  private static Map<String, PathAttributes> twoSpeakers(String aAddr, String bAddr, int port, boolean fourOctetB,
      SessionAction<BgpSession> whileUp, Map<String, PathAttributes> ribB) throws Exception {
    return twoSpeakers(aAddr, bAddr, port, fourOctetB, 64601, 64601, whileUp, ribB);
  }

  private static Map<String, PathAttributes> twoSpeakers(String aAddr, String bAddr, int port, boolean fourOctetB, long asA,
      long asAatB, SessionAction<BgpSession> whileUp, Map<String, PathAttributes> ribB) throws Exception {
    InetAddress a = InetAddress.getByName(aAddr);
    InetAddress b = InetAddress.getByName(bAddr);
    try (BgpTransport ta = BgpTransport.builder().build();
        BgpTransport tb = BgpTransport.builder().listen(new InetSocketAddress(b, port)).build().start()) {
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
          .config(FsmConfig.builder().localAs(asA).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .build())
          .build();
      BgpSession sb = BgpSession.builder().transport(tb).peer(a).localAddress(b)
          .config(FsmConfig.builder().localAs(64602).peerAs(asAatB).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"))
              .fourOctetAs(fourOctetB).connectMode(ConnectMode.LISTEN_ONLY).build())
          .routeListener((session, u) -> {
            for (IpPrefix p : u.withdrawnAll()) {
              ribB.remove(p.toString());
            }
            for (IpPrefix p : u.announced()) {
              ribB.put(p.toString(), u.attributes().toPathAttributes());
            }
          })
          .build();
      sb.start();
      sa.start();
      Poll.until(LIMIT, "Established", () -> sa.state() == BgpState.Established
          && sb.state() == BgpState.Established, () -> sa.state() + " " + sb.state());
      whileUp.accept(sa);
      sa.close();
      sb.close();
    }
    return ribB;
  }

  interface SessionAction<T> {
    void accept(T t) throws Exception;
  }

  /**
   * RFC 4271 §5.1.2 b: "if the first path segment of the AS_PATH is of type AS_SEQUENCE, the local system prepends
   * its own AS number as the last element of the sequence (put it in the leftmost position with respect to the
   * position of octets in the protocol message)".
   */
  @Test
  void ebgp_ourAsJoinsTheFirstSequence() throws Exception {
    Map<String, PathAttributes> ribB = new ConcurrentHashMap<>();
    twoSpeakers("127.253.0.78", "127.253.0.79", 11220, true, sa -> {
      sa.announce(IpPrefix.parse("192.0.2.10/32"), PathAttributes.builder().asPath(65010).build());
      Poll.until(LIMIT, "route at B", () -> ribB.containsKey("192.0.2.10/32"), ribB::toString);
    }, ribB);
    AsPath path = ribB.get("192.0.2.10/32").get(AsPath.class).orElseThrow();
    assertEquals(List.of(AsPathSegment.sequence(64601, 65010)), path.segments());
  }

  /**
   * A route re-announced with attributes that no longer fit a 4096-octet UPDATE cannot be sent (RFC 4271 §9.2: "the
   * BGP speaker MUST NOT advertise the route"), but the peer still holds the earlier announcement: it must be
   * withdrawn, not left with the old attributes.
   */
  @Test
  void reannouncementTooLargeForTheSession_oldRouteWithdrawn() throws Exception {
    Map<String, PathAttributes> ribB = new ConcurrentHashMap<>();
    twoSpeakers("127.253.0.80", "127.253.0.81", 11221, true, sa -> {
      sa.announce(IpPrefix.parse("192.0.2.20/32"), PathAttributes.builder().communities(new Community(1)).build());
      Poll.until(LIMIT, "route at B", () -> ribB.containsKey("192.0.2.20/32"), ribB::toString);
      List<Community> many = new ArrayList<>();
      for (int i = 0; i < 1100; i++) {
        many.add(new Community(0x10000 + i)); // 4400 octets of COMMUNITIES: no 4096-octet UPDATE holds them
      }
      sa.announce(IpPrefix.parse("192.0.2.20/32"), PathAttributes.builder().communities(many).build());
      sa.announce(IpPrefix.parse("192.0.2.21/32"), PathAttributes.builder().build()); // a marker that comes after
      Poll.until(LIMIT, "marker at B", () -> ribB.containsKey("192.0.2.21/32"), ribB::toString);
    }, ribB);
    assertFalse(ribB.containsKey("192.0.2.20/32"), "B still holds the old route: " + ribB.get("192.0.2.20/32"));
  }

  @Test
  void twoOctetPeer_asTransAndAs4Path_oneSequenceOnceMerged() throws Exception {
    Map<String, PathAttributes> ribB = new ConcurrentHashMap<>();
    twoSpeakers("127.253.0.82", "127.253.0.83", 11222, false, 4200000001L, 23456, sa -> {
      sa.announce(IpPrefix.parse("192.0.2.30/32"), PathAttributes.builder().asPath(65010, 4200000002L)
          .aggregator(4200000003L, (java.net.Inet4Address) InetAddress.getByName("10.0.0.9")).build());
      Poll.until(LIMIT, "route at B", () -> ribB.containsKey("192.0.2.30/32"), ribB::toString);
    }, ribB);
    PathAttributes got = ribB.get("192.0.2.30/32");
    assertEquals(AsPath.sequence(4200000001L, 65010, 4200000002L), got.withAs4AttributesMerged().get(AsPath.class).orElseThrow());
  }

  /**
   * RFC 7313 §4: the peer's BoRR and EoRR reach the route listener as what they are, in order: an Adj-RIB-In marks the
   * family's routes stale at the beginning and drops those not sent again at the end (swapped, every enhanced route
   * refresh of FRR would leave the routes stale until the stale timer). AdjRibIn's own tests call the listener
   * directly; this is the session's part.
   */
  @Test
  void peersBorrAndEorr_reachTheRouteListenerInOrder() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.126");
    InetAddress b = InetAddress.getByName("127.253.0.127");
    int port = 11259;
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    RouteListener listener = new RouteListener() {
      @Override
      public void onUpdate(BgpSession session, io.speakerkit.bgp.wire.UpdateMessage update) {
        heard.add("update");
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
    try (java.net.ServerSocket server = new java.net.ServerSocket();
        BgpTransport t = BgpTransport.builder().build()) {
      server.bind(new InetSocketAddress(b, port));
      BgpSession s = BgpSession.builder().transport(t).peer(b).peerPort(port).localAddress(a).routeListener(listener)
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .build())
          .build();
      s.start();
      try (java.net.Socket peer = server.accept()) {
        peer.setSoTimeout(10_000);
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        writeOpenAndKeepalive(out, rawPeerConfig().build());
        io.speakerkit.bgp.wire.BgpMessageEncoder.encode(
            io.speakerkit.bgp.wire.RouteRefreshMessage.beginning(AddressFamily.IPV4_UNICAST), out,
            io.speakerkit.bgp.wire.CodecContext.INITIAL);
        io.speakerkit.bgp.wire.BgpMessageEncoder.encode(
            io.speakerkit.bgp.wire.RouteRefreshMessage.end(AddressFamily.IPV4_UNICAST), out,
            io.speakerkit.bgp.wire.CodecContext.INITIAL);
        writeTo(peer, out);
        out.release();
        Poll.until(LIMIT, "BoRR and EoRR heard", () -> heard.size() >= 2, heard::toString);
        assertEquals(List.of("begin " + AddressFamily.IPV4_UNICAST, "end " + AddressFamily.IPV4_UNICAST), heard);
      }
      s.close();
    }
  }

  /** Writes what {@code out} holds and an IPv4 ROUTE-REFRESH; returns once {@code s} has received it. */
  private static void askRouteRefreshAndWait(java.net.Socket peer, BgpSession s, io.netty.buffer.ByteBuf out)
      throws java.io.IOException {
    io.speakerkit.bgp.wire.BgpMessageEncoder.encode(
        io.speakerkit.bgp.wire.RouteRefreshMessage.of(AddressFamily.IPV4_UNICAST), out,
        io.speakerkit.bgp.wire.CodecContext.INITIAL);
    writeTo(peer, out);
    Poll.until(LIMIT, "the ROUTE-REFRESH received", () -> s.counters().routeRefreshesReceived() == 1,
        () -> "" + s.counters());
  }

  /** The number of NLRI prefixes of an UPDATE as {@link #nextMessage} returns it (no ADD-PATH). */
  private static int prefixesIn(byte[] m) {
    int withdrawnLength = (m[1] & 0xFF) << 8 | (m[2] & 0xFF);
    int p = 3 + withdrawnLength;
    int attributesLength = (m[p] & 0xFF) << 8 | (m[p + 1] & 0xFF);
    p += 2 + attributesLength;
    int n = 0;
    while (p < m.length) {
      p += 1 + ((m[p] & 0xFF) + 7) / 8;
      n++;
    }
    return n;
  }

  /** A connection from the peer's address {@code from} to {@code to}:{@code port}, reads timing out after 10 s. */
  private static java.net.Socket peerDials(InetAddress from, InetAddress to, int port) throws java.io.IOException {
    java.net.Socket s = new java.net.Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress(to, port), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  /**
   * RFC 2918 §4: a ROUTE-REFRESH for a family that was not negotiated (IPv6 here) is ignored; the IPv4 one that
   * follows is answered, bracketed by BoRR/EoRR for IPv4 (RFC 7313).
   */
  @Test
  void routeRefresh_notNegotiatedFamily_ignored() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.29");
    InetAddress b = InetAddress.getByName("127.253.0.30");
    int port = 11188;
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      try (BgpTransport ta = BgpTransport.builder().build()) {
        BgpSession sa = sessionToRawPeer(ta, a, b, port);
        sa.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build());
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          peer.setSoTimeout(10_000);
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeRawPeerOpenAndKeepalive(out);
          for (AddressFamily f : List.of(AddressFamily.IPV6_UNICAST, AddressFamily.IPV4_UNICAST)) {
            io.speakerkit.bgp.wire.BgpMessageEncoder.encode(io.speakerkit.bgp.wire.RouteRefreshMessage.of(f), out,
                io.speakerkit.bgp.wire.CodecContext.INITIAL);
          }
          byte[] bytes = new byte[out.readableBytes()];
          out.readBytes(bytes);
          out.release();
          peer.getOutputStream().write(bytes);
          byte[] firstRouteRefresh = bodyOfNext(peer.getInputStream(), 5, "ROUTE-REFRESH");
          // AFI 1 (IPv4), subtype 1 (BoRR), SAFI 1
          assertEquals(List.of(0, 1, 1, 1), List.of((int) firstRouteRefresh[0], (int) firstRouteRefresh[1],
              (int) firstRouteRefresh[2], (int) firstRouteRefresh[3]));
        }
      }
    }
  }

  /**
   * RFC 2918 §4 / RFC 7313 §4: a ROUTE-REFRESH for IPv6 re-sends the IPv6 routes only, between BoRR and EoRR for
   * IPv6 (the whole Adj-RIB-Out went out again).
   */
  @Test
  void routeRefresh_oneFamily_onlyThatFamilyResent() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.31");
    InetAddress b = InetAddress.getByName("127.253.0.32");
    int port = 11189;
    Set<AddressFamily> both = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      try (BgpTransport ta = BgpTransport.builder().build()) {
        BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
            .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
                .families(both).build())
            .build();
        sa.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build());
        sa.announce(IpPrefix.parse("2001:db8::1/128"),
            PathAttributes.builder().nextHop(InetAddress.getByName("2001:db8::ff")).build());
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          peer.setSoTimeout(10_000);
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeOpenAndKeepalive(out, rawPeerConfig().families(both).build());
          writeTo(peer, out);
          for (int i = 0; i < 4; i++) { // the two routes, then End-of-RIB for each family
            bodyOfNext(peer.getInputStream(), 2, "UPDATE of the initial table");
          }
          io.speakerkit.bgp.wire.BgpMessageEncoder.encode(
              io.speakerkit.bgp.wire.RouteRefreshMessage.of(AddressFamily.IPV6_UNICAST), out,
              io.speakerkit.bgp.wire.CodecContext.INITIAL);
          writeTo(peer, out);
          out.release();
          byte[] borr = bodyOfNext(peer.getInputStream(), 5, "BoRR");
          assertEquals(List.of(0, 2, 1, 1), List.of((int) borr[0], (int) borr[1], (int) borr[2], (int) borr[3]),
              "BoRR for IPv6");
          List<String> resent = new java.util.ArrayList<>();
          for (byte[] m = nextMessage(peer.getInputStream()); m[0] != 5; m = nextMessage(peer.getInputStream())) {
            if (m[0] == 2) {
              int attributesLength = (m[3] & 0xFF) << 8 | (m[4] & 0xFF);
              resent.add(m.length - 1 > 4 + attributesLength ? "IPv4 NLRI" : "IPv6 (MP_REACH_NLRI)");
            }
          }
          assertEquals(List.of("IPv6 (MP_REACH_NLRI)"), resent);
        }
      }
    }
  }

  /**
   * RFC 4724 §4.2: a graceful-restart peer that connects again while its session still looks Established here has
   * restarted. The old connection ends as if it had failed (its routes stay, stale) and the new one is answered
   * with an OPEN; the peer's End-of-RIB on the new session then removes what it did not announce again. Without
   * graceful restart the new connection gets Cease / Connection Collision Resolution on its OPEN and the session
   * stays (RFC 4271 §6.8).
   */
  @Test
  void gracefulRestartPeer_connectsAgainWhileEstablished_oldSessionEndsRoutesStale() throws Exception {
    restartedPeerConnectsAgain(true, InetAddress.getByName("127.253.0.33"), InetAddress.getByName("127.253.0.34"),
        11190);
  }

  @Test
  void peerWithoutGracefulRestart_connectsAgainWhileEstablished_newConnectionGetsCeaseCollision() throws Exception {
    restartedPeerConnectsAgain(false, InetAddress.getByName("127.253.0.35"), InetAddress.getByName("127.253.0.36"),
        11191);
  }

  private static void restartedPeerConnectsAgain(boolean gracefulRestart, InetAddress a, InetAddress b, int port)
      throws Exception {
    io.speakerkit.bgp.fsm.GracefulRestart gr = new io.speakerkit.bgp.fsm.GracefulRestart(false, 120,
        java.util.Map.of(AddressFamily.IPV4_UNICAST, true));
    FsmConfig.Builder local = FsmConfig.builder().localAs(64601).peerAs(64602)
        .bgpIdentifier(BgpIdentifier.parse("10.0.0.1")).connectMode(io.speakerkit.bgp.fsm.ConnectMode.PASSIVE);
    FsmConfig.Builder remote = rawPeerConfig();
    if (gracefulRestart) {
      local.gracefulRestart(gr);
      remote.gracefulRestart(gr);
    }
    io.speakerkit.bgp.wire.CodecContext ctx = io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS;
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, port)).build().start()) {
      AdjRibIn ribIn = new AdjRibIn();
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).localAddress(a).config(local.build())
          .routeListener(ribIn).build();
      sa.addListener(changes::add);
      sa.start();
      io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
      try (java.net.Socket first = new java.net.Socket(); java.net.Socket second = new java.net.Socket()) {
        first.bind(new InetSocketAddress(b, 0));
        first.connect(new InetSocketAddress(a, port), 5000);
        first.setSoTimeout(10_000);
        writeOpenAndKeepalive(out, remote.build());
        io.speakerkit.bgp.wire.UpdateEncoder.write(out, List.of(), PathAttributes.builder()
            .origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath(64602).nextHop(b).build(),
            List.of(IpPrefix.parse("198.51.100.0/24")), ctx);
        writeTo(first, out);
        Poll.until(LIMIT, "the peer's route", () -> ribIn.size() == 1, ribIn::toString);

        second.bind(new InetSocketAddress(b, 0));
        second.connect(new InetSocketAddress(a, port), 5000);
        second.setSoTimeout(10_000);
        if (!gracefulRestart) {
          // RFC 4271 §6.8, as FRR's bgp_collision_detect: the peer's OPEN on the new connection is answered with
          // Cease / Connection Collision Resolution; the Established session stays
          writeOpenAndKeepalive(out, remote.build());
          writeTo(second, out);
          byte[] cease = bodyOfNext(second.getInputStream(), 3, "NOTIFICATION on the new connection");
          assertEquals(List.of(6, 7), List.of(cease[0] & 0xFF, cease[1] & 0xFF), "Cease / Connection Collision");
          assertEquals(-1, second.getInputStream().read(), "then the new connection is closed");
          assertEquals(BgpState.Established, sa.state());
          assertEquals(1, ribIn.size());
          out.release();
          return;
        }
        bodyOfNext(second.getInputStream(), 1, "OPEN on the new connection");
        assertEquals(-1L, onLoop(sa, () -> sa.primaryTimerRemainingNanos(io.speakerkit.bgp.fsm.BgpTimer.IdleHoldTimer)),
            "the restart stopped the IdleHoldTimer (it would end the new session when it fires)");
        Poll.until(LIMIT, "the old session's route kept, stale", () -> ribIn.staleCount() == 1, ribIn::toString);
        first.getInputStream().readAllBytes(); // to the end: the old connection is closed
        BgpAction.StateChanged end = changes.stream().filter(c -> c.from() == BgpState.Established).findFirst()
            .orElseThrow();
        assertTrue(end.cause().sent().isEmpty(), "no NOTIFICATION on the old connection: " + end);

        writeOpenAndKeepalive(out, remote.build());
        io.speakerkit.bgp.wire.UpdateEncoder.writeEndOfRib(out, AddressFamily.IPV4_UNICAST);
        writeTo(second, out);
        out.release();
        Poll.until(LIMIT, "Established again, End-of-RIB removed the stale route",
            () -> sa.state() == BgpState.Established && ribIn.size() == 0, ribIn::toString);
      }
    }
  }

  private static void writeTo(java.net.Socket peer, io.netty.buffer.ByteBuf out) throws java.io.IOException {
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    out.clear();
    peer.getOutputStream().write(bytes);
  }

  /** Reads BGP messages until one of {@code type} arrives; returns its body (after the 19-octet header). */
  private static byte[] bodyOfNext(java.io.InputStream in, int type, String name) throws java.io.IOException {
    for (;;) {
      byte[] m = nextMessage(in);
      if (m[0] == type) {
        return java.util.Arrays.copyOfRange(m, 1, m.length);
      }
    }
  }

  /** Reads one BGP message: its type, then its body. */
  private static byte[] nextMessage(java.io.InputStream in) throws java.io.IOException {
    byte[] header = new byte[19];
    assertEquals(19, in.readNBytes(header, 0, 19), "a message before the connection closes");
    int len = (header[16] & 0xFF) << 8 | (header[17] & 0xFF);
    byte[] m = new byte[len - 18];
    m[0] = header[18];
    assertEquals(len - 19, in.readNBytes(m, 1, len - 19), "the whole message");
    return m;
  }

  private static <T> T onLoop(BgpSession s, java.util.function.Supplier<T> read) throws Exception {
    java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
    s.execute(() -> f.complete(read.get()));
    return f.get(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void unknownSource_connectionClosed() throws Exception {
    InetAddress listen = InetAddress.getByName("127.253.0.6");
    try (BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(listen, 11181)).build().start();
        java.net.Socket s = new java.net.Socket()) {
      BgpSession.builder().transport(t).peer(InetAddress.getByName("127.253.0.5")).localAddress(listen)
          .config(FsmConfig.builder().localAs(1).peerAs(2).bgpIdentifier(BgpIdentifier.parse("10.0.0.2")).build())
          .build();
      s.bind(new InetSocketAddress(InetAddress.getByName("127.253.0.9"), 0));
      s.connect(new InetSocketAddress(listen, 11181), 2000);
      s.setSoTimeout(5000);
      assertEquals(-1, s.getInputStream().read(), "closed without a byte");
    }
  }

  @Test
  void familyNotNegotiated_routesOfItNotSent() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.13");
    InetAddress b = InetAddress.getByName("127.253.0.14");
    int port = 11182;
    Set<String> receivedByB = ConcurrentHashMap.newKeySet();
    try (BgpTransport ta = BgpTransport.builder().build();
        BgpTransport tb = BgpTransport.builder().listen(new InetSocketAddress(b, port)).build().start()) {
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .build())
          .build();
      BgpSession sb = BgpSession.builder().transport(tb).peer(a).localAddress(b)
          .config(FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"))
              .connectMode(io.speakerkit.bgp.fsm.ConnectMode.LISTEN_ONLY).build())
          .routeListener((session, update) -> update.announced().forEach(p -> receivedByB.add(p.toString())))
          .build();
      sa.announce(IpPrefix.parse("2001:db8::/32"), PathAttributes.builder()
          .nextHop(InetAddress.getByName("2001:db8::1")).build());
      sa.announce(IpPrefix.parse("192.0.2.99/32"), PathAttributes.builder().build());
      sb.start();
      sa.start();
      Poll.until(LIMIT, "IPv4 route at B", () -> receivedByB.contains("192.0.2.99/32"), receivedByB::toString);
      assertEquals(Set.of("192.0.2.99/32"), receivedByB);
      assertEquals(BgpState.Established, sa.state());
      assertEquals(BgpState.Established, sb.state());
    }
  }

  /**
   * RFC 4760 §7: NLRI of a family the OPENs did not negotiate are ignored, as FRR ignores them per NLRI block. The
   * raw peer offers both families to an IPv4-only session: its IPv6-only UPDATEs do not reach the Adj-RIB-In and do
   * not count toward the prefix limit (1, which two IPv6 routes would cross), and an UPDATE announcing IPv4 while
   * withdrawing IPv6 in MP_UNREACH_NLRI gives the IPv4 route only.
   */
  @Test
  void familyNotNegotiated_receivedNlriOfItIgnored() throws Exception {
    io.speakerkit.bgp.wire.CodecContext ctx = io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS;
    PathAttributes v6 = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath(64602)
        .nextHop(InetAddress.getByName("2001:db8::2")).build();
    List<String> held = ribAfterRawPeerUpdates(InetAddress.getByName("127.253.0.43"),
        InetAddress.getByName("127.253.0.44"), 11196, 1,
        rawPeerConfig().families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)).build(), 3, out -> {
          for (String p : List.of("2001:db8:1::/48", "2001:db8:2::/48")) {
            io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, v6, IpPrefix.parse(p), ctx);
          }
          // ORIGIN IGP, AS_PATH 64602, NEXT_HOP 127.253.0.44, MP_UNREACH_NLRI IPv6 2001:db8:1::/48; NLRI 198.51.100.0/24
          byte[] attrs = io.netty.buffer.ByteBufUtil.decodeHexDump("40010100" + "40020602010000fc5a" + "4003047ffd002c"
              + "800f0a" + "000201" + "3020010db80001");
          writeUpdate(out, attrs, new byte[] {24, (byte) 198, 51, 100}); // NLRI 198.51.100.0/24
        });
    assertEquals(List.of("198.51.100.0/24"), held);
  }

  /**
   * RFC 4760 §7 / RFC 7606 §2: AFI/SAFI disable concerns the family of the malformed MP_REACH_NLRI only. On an
   * IPv4-only session, an IPv6 MP_REACH_NLRI with a 4-octet next hop (RFC 7606 §7.11) is for a family that is not
   * negotiated and ignored (FRR: "UPDATE for non-enabled AFI/SAFI"); the well-formed IPv4 route of the same UPDATE's
   * NLRI field, whose ORIGIN, AS_PATH and NEXT_HOP are fine, is kept, not treated as withdrawn.
   */
  @Test
  void afiSafiDisable_ofNotNegotiatedFamily_ipv4RoutesOfTheSameUpdateKept() throws Exception {
    InetAddress b = InetAddress.getByName("127.253.0.105");
    List<String> held = ribAfterRawPeerUpdates(InetAddress.getByName("127.253.0.104"), b, 11242, 0,
        rawPeerConfig().families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)).build(), 1, out -> {
          // ORIGIN IGP, AS_PATH 64602, NEXT_HOP 127.253.0.105, MP_REACH_NLRI IPv6 with a 4-octet next hop
          // (2001:db8:1::/48); NLRI 198.51.100.0/24
          byte[] attrs = io.netty.buffer.ByteBufUtil.decodeHexDump("40010100" + "40020602010000fc5a" + "4003047ffd0069"
              + "800e10" + "000201" + "04" + "0a000001" + "00" + "3020010db80001");
          writeUpdate(out, attrs, new byte[] {24, (byte) 198, 51, 100}); // NLRI 198.51.100.0/24
        });
    assertEquals(List.of("198.51.100.0/24"), held);
  }

  /**
   * RFC 7606 treat-as-withdraw must reach the operator (FRR logs "rcvd UPDATE with errors in attr(s)!! Withdrawing
   * route."): an UPDATE whose first problem is a harmless attribute discard (AS4_PATH on a 4-octet AS session) but
   * which is treated as withdraw (MED of 3 octets) is reported as treated as withdraw, not as "attribute discarded".
   */
  @Test
  void treatAsWithdrawAfterAnAttributeDiscard_loggedAsTreatAsWithdraw() throws Exception {
    InetAddress b = InetAddress.getByName("127.253.0.107");
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    List<String> held;
    System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int x) {
        stderr.write(x);
        synchronized (captured) {
          captured.write(x);
        }
      }
    }, true));
    try {
      held = ribAfterRawPeerUpdates(InetAddress.getByName("127.253.0.106"), b, 11243, 0, rawPeerConfig().build(), 1,
          out -> {
            // ORIGIN IGP, AS4_PATH 64602 (discarded on a 4-octet session), AS_PATH 64602, NEXT_HOP 127.253.0.107,
            // MED of 3 octets (treat-as-withdraw); NLRI 198.51.100.0/24
            byte[] attrs = io.netty.buffer.ByteBufUtil.decodeHexDump("40010100" + "c0110602010000fc5a"
                + "40020602010000fc5a" + "4003047ffd006b" + "800403000001");
            writeUpdate(out, attrs, new byte[] {24, (byte) 198, 51, 100}); // NLRI 198.51.100.0/24
          });
    } finally {
      System.setErr(stderr);
    }
    assertEquals(List.of(), held);
    String log;
    synchronized (captured) {
      log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
    assertTrue(log.contains("UPDATE treated as withdraw: length: 3"), log);
  }

  /**
   * RFC 4271 §6.3 / RFC 7606 §7.2, FRR's default enforce-first-as: a route from the eBGP peer whose AS_PATH does not
   * start with the peer's AS is treated as withdraw, here taking away the route it replaces; the session stays up.
   */
  @Test
  void firstAsNotThePeers_treatedAsWithdraw() throws Exception {
    InetAddress b = InetAddress.getByName("127.253.0.46");
    io.speakerkit.bgp.wire.CodecContext ctx = io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS;
    PathAttributes fromPeer = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP)
        .asPath(64602, 65010).nextHop(b).build();
    PathAttributes notFromPeer = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP)
        .asPath(65010).nextHop(b).build();
    List<String> held = ribAfterRawPeerUpdates(InetAddress.getByName("127.253.0.45"), b, 11197, 0,
        rawPeerConfig().build(), 4, out -> {
          for (String p : List.of("198.51.100.0/24", "198.51.101.0/24")) {
            io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, fromPeer, IpPrefix.parse(p), ctx);
          }
          for (String p : List.of("198.51.101.0/24", "198.51.102.0/24")) {
            io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, notFromPeer, IpPrefix.parse(p), ctx);
          }
        });
    assertEquals(List.of("198.51.100.0/24"), held);
  }

  /**
   * RFC 9234 §5 ingress: a route carrying Only to Customer from our customer is a leak, and from a lateral peer one
   * whose OTC is not the peer's AS; both are ineligible (treated as withdraw), the others kept.
   */
  @Test
  void role_leakedRoutesFromCustomerOrPeer_treatedAsWithdraw() throws Exception {
    io.speakerkit.bgp.wire.CodecContext ctx = io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS;
    java.util.function.LongFunction<PathAttributes> withOtc = otc -> {
      PathAttributes.Builder b = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP)
          .asPath(64602).nextHop(0x7ffd0030);
      if (otc >= 0) {
        b.add(new io.speakerkit.bgp.wire.attribute.OnlyToCustomer(otc));
      }
      return b.build();
    };
    // we are the provider: the peer is our customer, so any OTC is a leak
    List<String> fromCustomer = ribAfterRawPeerUpdates(InetAddress.getByName("127.253.0.47"),
        InetAddress.getByName("127.253.0.48"), 11198, 0,
        FsmConfig.builder().role(io.speakerkit.bgp.fsm.BgpRole.PROVIDER, true),
        rawPeerConfig().role(io.speakerkit.bgp.fsm.BgpRole.CUSTOMER, true).build(), 2, out -> {
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, withOtc.apply(-1), IpPrefix.parse("198.51.100.0/24"), ctx);
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, withOtc.apply(64602), IpPrefix.parse("198.51.101.0/24"), ctx);
        });
    assertEquals(List.of("198.51.100.0/24"), fromCustomer);
    // lateral peers: an OTC of the peer's own AS is fine, another AS's is a leak
    List<String> fromPeer = ribAfterRawPeerUpdates(InetAddress.getByName("127.253.0.49"),
        InetAddress.getByName("127.253.0.50"), 11199, 0,
        FsmConfig.builder().role(io.speakerkit.bgp.fsm.BgpRole.PEER, true),
        rawPeerConfig().role(io.speakerkit.bgp.fsm.BgpRole.PEER, true).build(), 2, out -> {
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, withOtc.apply(64602), IpPrefix.parse("198.51.100.0/24"), ctx);
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, withOtc.apply(65010), IpPrefix.parse("198.51.101.0/24"), ctx);
        });
    assertEquals(List.of("198.51.100.0/24"), fromPeer);
  }

  /**
   * RFC 8538 with the N bit on both sides: a NOTIFICATION other than Hard Reset ends the session gracefully (the
   * peer's route kept, stale); a Hard Reset deletes it; and our stop, an Administrative Shutdown, goes out as
   * Cease / Hard Reset carrying it (§3, §5.1).
   */
  @Test
  void notificationGracefulRestart_softNotificationKeepsRoutes_hardResetDeletes_ourStopIsHardReset() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.51");
    InetAddress b = InetAddress.getByName("127.253.0.52");
    int port = 11200;
    io.speakerkit.bgp.fsm.GracefulRestart withN = new io.speakerkit.bgp.fsm.GracefulRestart(false, 120,
        java.util.Map.of(AddressFamily.IPV4_UNICAST, true), true);
    FsmConfig peerConfig = rawPeerConfig().gracefulRestart(withN).build();
    PathAttributes attrs = PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath(64602)
        .nextHop(b).build();
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      try (BgpTransport ta = BgpTransport.builder().build()) {
        AdjRibIn rib = new AdjRibIn();
        BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a).routeListener(rib)
            .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
                .gracefulRestart(withN).backoff(Duration.ofMillis(100), Duration.ofMillis(500)).build())
            .build();
        sa.start();
        // 1: the peer ends the session with Cease / Administrative Reset, not a Hard Reset: graceful
        try (java.net.Socket peer = server.accept()) {
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeOpenAndKeepalive(out, peerConfig);
          io.speakerkit.bgp.wire.UpdateEncoder.writeAnnouncement(out, attrs, IpPrefix.parse("198.51.100.0/24"),
              io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS);
          writeTo(peer, out);
          Poll.until(LIMIT, "the route", () -> sa.counters().updatesReceived() == 1, () -> "" + sa.counters());
          writeNotification(peer, out, 6, 4);
          Poll.until(LIMIT, "session down", () -> sa.state() != BgpState.Established, () -> "" + sa.state());
          assertEquals(1L, (long) onLoop(sa, rib::staleCount), "kept, stale");
        }
        // 2: back, then a Hard Reset: the route goes
        try (java.net.Socket peer = server.accept()) {
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeOpenAndKeepalive(out, peerConfig);
          writeTo(peer, out);
          Poll.until(LIMIT, "Established again", () -> sa.state() == BgpState.Established, () -> "" + sa.state());
          assertEquals(1, (int) onLoop(sa, rib::size), "still stale, waiting for End-of-RIB");
          writeNotification(peer, out, 6, 9, 6, 4);
          Poll.until(LIMIT, "session down", () -> sa.state() != BgpState.Established, () -> "" + sa.state());
          assertEquals(0, (int) onLoop(sa, rib::size), "deleted by the Hard Reset");
        }
        // 3: our stop is an Administrative Shutdown, sent as Hard Reset
        try (java.net.Socket peer = server.accept()) {
          peer.setSoTimeout(10_000);
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeOpenAndKeepalive(out, peerConfig);
          writeTo(peer, out);
          out.release();
          Poll.until(LIMIT, "Established again", () -> sa.state() == BgpState.Established, () -> "" + sa.state());
          sa.stop("maintenance");
          byte[] notification = bodyOfNext(peer.getInputStream(), 3, "NOTIFICATION");
          assertEquals(List.of(6, 9, 6, 2), java.util.stream.IntStream.range(0, 4)
              .mapToObj(i -> notification[i] & 0xFF).toList(), "Cease / Hard Reset carrying Administrative Shutdown");
        }
      }
    }
  }

  /** An UPDATE with no withdrawn routes, the path attributes {@code attrs} and the NLRI field {@code nlri}. */
  private static void writeUpdate(io.netty.buffer.ByteBuf out, byte[] attrs, byte[] nlri) {
    out.writeBytes(io.netty.buffer.ByteBufUtil.decodeHexDump("ff".repeat(16)));
    out.writeShort(23 + attrs.length + nlri.length).writeByte(2).writeShort(0).writeShort(attrs.length)
        .writeBytes(attrs).writeBytes(nlri);
  }

  /** A NOTIFICATION of {@code codeSubcodeData} (code, subcode, then data octets) from the raw peer. */
  private static void writeNotification(java.net.Socket peer, io.netty.buffer.ByteBuf out, int... codeSubcodeData)
      throws java.io.IOException {
    out.writeBytes(io.netty.buffer.ByteBufUtil.decodeHexDump("ff".repeat(16)));
    out.writeShort(19 + codeSubcodeData.length).writeByte(3);
    for (int octet : codeSubcodeData) {
      out.writeByte(octet);
    }
    writeTo(peer, out);
    out.release();
  }

  /**
   * An IPv4-only eBGP session (AS 64601 at {@code a}, an {@link AdjRibIn} as its listener, {@code maxPrefixes}) meets
   * a raw peer at {@code b} that sends the OPEN of {@code peerConfig} and then what {@code updates} writes. Returns
   * the prefixes the Adj-RIB-In holds once {@code updateCount} UPDATEs have arrived; the session must still be
   * Established.
   */
  private static List<String> ribAfterRawPeerUpdates(InetAddress a, InetAddress b, int port, long maxPrefixes,
      FsmConfig peerConfig, int updateCount, java.util.function.Consumer<io.netty.buffer.ByteBuf> updates)
      throws Exception {
    return ribAfterRawPeerUpdates(a, b, port, maxPrefixes, FsmConfig.builder(), peerConfig, updateCount, updates);
  }

  /** As above, our side configured by {@code ours} as well. */
  private static List<String> ribAfterRawPeerUpdates(InetAddress a, InetAddress b, int port, long maxPrefixes,
      FsmConfig.Builder ours, FsmConfig peerConfig, int updateCount,
      java.util.function.Consumer<io.netty.buffer.ByteBuf> updates) throws Exception {
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      try (BgpTransport ta = BgpTransport.builder().build()) {
        AdjRibIn rib = new AdjRibIn();
        BgpSession sa = BgpSession.builder().transport(ta).peer(b).peerPort(port).localAddress(a)
            .maxPrefixes(maxPrefixes).routeListener(rib)
            .config(ours.localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1")).build())
            .build();
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          peer.setSoTimeout(10_000);
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeOpenAndKeepalive(out, peerConfig);
          updates.accept(out);
          writeTo(peer, out);
          out.release();
          Poll.until(LIMIT, updateCount + " UPDATEs received", () -> sa.counters().updatesReceived() == updateCount,
              () -> sa.counters() + " " + sa.lastChange());
          java.util.concurrent.CompletableFuture<List<String>> routes = new java.util.concurrent.CompletableFuture<>();
          sa.execute(() -> routes.complete(rib.routes().stream().map(r -> r.prefix().toString()).toList()));
          assertEquals(BgpState.Established, sa.state(), () -> "" + sa.lastChange());
          return routes.get();
        }
      }
    }
  }

  /**
   * A peer that completes the OPEN exchange and then stops reading: our outbound queue stays bounded by the write
   * buffer water mark while two million routes wait in the Adj-RIB-Out; closing the transport under it releases
   * what was queued (the leak check fails the test otherwise).
   */
  @Test
  void slowPeer_outboundQueueBounded_transportCloseReleasesIt() throws Exception {
    withStuckPeer(11183, (ta, sa) -> {
      // The transport closes while the peer is still connected and still not reading: the UPDATEs queued for it are
      // released on the running event loops, not left behind with the stopped ones.
      ta.close();
    });
  }

  /**
   * Closing a session whose peer stopped reading: the Cease cannot leave, so the graceful close gives up after a
   * bounded time instead of keeping the connection, and the UPDATEs queued on it, for as long as the peer lives.
   */
  @Test
  void slowPeer_sessionClose_givesUpOnTheConnection() throws Exception {
    withStuckPeer(11184, (ta, sa) -> {
      sa.close();
      sa.runPendingTasks();
      assertTrue(!sa.closingChannels().isEmpty(), "the connection closes gracefully first");
      Poll.until(Duration.ofSeconds(BgpSession.GRACEFUL_CLOSE_LIMIT_SECONDS + 5), "connection closed",
          () -> sa.closingChannels().isEmpty(), () -> sa.closingChannels().size() + " closing");
    });
  }

  /**
   * RFC 9687: a peer that keeps sending KEEPALIVEs (so our hold timer never fires) but stopped reading. Once what we
   * queued has not moved for twice the hold time (3 s here), the session ends with Send Hold Timer Expired instead of
   * staying Established forever with the table stuck.
   */
  @Test
  void peerStopsReadingButKeepsSendingKeepalives_sendHoldTimerEndsTheSession() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.84");
    InetAddress b = InetAddress.getByName("127.253.0.85");
    int port = 11223;
    try (java.net.ServerSocket server = new java.net.ServerSocket();
        BgpTransport ta = BgpTransport.builder().build()) {
      server.setReceiveBufferSize(64 * 1024);
      server.bind(new InetSocketAddress(b, port));
      BgpSession sa = sessionToRawPeer(ta, a, b, port, c -> c.holdTime(Duration.ofSeconds(3)));
      List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
      sa.addListener(changes::add);
      // Megabytes must stall in the socket buffers, in few encoding steps (paranoid leak detection records each):
      // an optional transitive attribute of 4000 octets leaves room for 9 prefixes per UPDATE.
      List<IpPrefix> routes = new ArrayList<>();
      for (int i = 0; i < 40_000; i++) {
        routes.add(IpPrefix.ipv4((100 << 24) + i, 32));
      }
      sa.announceAll(routes, PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP)
          .nextHop(0x0a000001).add(new io.speakerkit.bgp.wire.attribute.UnknownAttribute(0xD0, 255, new byte[4000]))
          .build());
      sa.start();
      try (java.net.Socket peer = server.accept()) {
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        writeOpenAndKeepalive(out, rawPeerConfig().holdTime(Duration.ofSeconds(3)).build());
        writeTo(peer, out);
        out.release();
        // one KEEPALIVE a second, scheduled (no sleeping thread); stopped with the test, or when writing fails
        byte[] keepalive = new byte[19];
        java.util.Arrays.fill(keepalive, 0, 16, (byte) 0xFF);
        keepalive[17] = 19;
        keepalive[18] = 4;
        java.util.concurrent.ScheduledExecutorService keepalives =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        keepalives.scheduleAtFixedRate(() -> {
          try {
            peer.getOutputStream().write(keepalive);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // the session closed the connection: no more runs
          }
        }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        try {
          Poll.until(Duration.ofSeconds(30), "Send Hold Timer expired", () -> changes.stream()
              .anyMatch(c -> c.cause().event() == EventType.SendHoldTimer_Expires), changes::toString);
        } finally {
          keepalives.shutdownNow();
        }
        BgpAction.StateChanged end = changes.stream()
            .filter(c -> c.cause().event() == EventType.SendHoldTimer_Expires).findFirst().orElseThrow();
        assertEquals(BgpState.Established, end.from());
        assertEquals(BgpState.Idle, end.to());
        assertEquals("SendHoldTimer_Expires (Event 29), sent Send Hold Timer Expired / Unspecific",
            end.cause().toString());
      }
    }
  }

  /**
   * Brings up a session to a peer that reads our OPEN and KEEPALIVE and then nothing, waits until the queue towards it
   * is full, and runs {@code end}.
   */
  private static void withStuckPeer(int port, StuckPeerEnding end) throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.17");
    InetAddress b = InetAddress.getByName("127.253.0.18");
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.setReceiveBufferSize(64 * 1024);
      server.bind(new InetSocketAddress(b, port));
      try (BgpTransport ta = BgpTransport.builder().build()) {
        BgpSession sa = sessionToRawPeer(ta, a, b, port);
        PathAttributes attrs = PathAttributes.builder().build();
        for (int from = 0; from < 2_000_000; from += 100_000) {
          List<IpPrefix> chunk = new java.util.ArrayList<>(100_000);
          for (int i = from; i < from + 100_000; i++) {
            chunk.add(IpPrefix.ipv4((100 << 24) + i, 32));
          }
          sa.announceAll(chunk, attrs);
        }
        sa.start();
        try (java.net.Socket peer = server.accept()) {
          // our OPEN, then theirs and a KEEPALIVE; read until our KEEPALIVE, then never read again
          io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
          writeRawPeerOpenAndKeepalive(out);
          byte[] bytes = new byte[out.readableBytes()];
          out.readBytes(bytes);
          out.release();
          peer.getOutputStream().write(bytes);
          java.io.InputStream in = peer.getInputStream();
          int keepalivesSeen = 0;
          byte[] header = new byte[19];
          while (keepalivesSeen == 0) {
            in.readNBytes(header, 0, 19);
            int len = (header[16] & 0xFF) << 8 | (header[17] & 0xFF);
            in.readNBytes(len - 19);
            if (header[18] == 4) {
              keepalivesSeen++;
            }
          }
          Poll.until(LIMIT, "Established", () -> sa.state() == BgpState.Established, () -> "");
          // the socket buffers fill up, then Netty's outbound buffer up to the high water mark, then we wait
          long[] last = {-1};
          Poll.until(LIMIT, "outbound queue settles", () -> {
            long now = pending(sa);
            boolean settled = now > 0 && now == last[0];
            last[0] = now;
            return settled;
          }, () -> "pending " + last[0]);
          long pending = pending(sa);
          System.out.println("slow peer: " + pending + " bytes pending in the outbound buffer");
          assertTrue(pending <= 1024 * 1024 + 64 * 1024, "pending outbound bytes: " + pending);
          java.util.concurrent.CompletableFuture<Boolean> ribPending = new java.util.concurrent.CompletableFuture<>();
          sa.execute(() -> ribPending.complete(sa.adjRibOut().hasPending()));
          assertTrue(ribPending.get(), "routes still waiting in the Adj-RIB-Out, not in a queue");
          end.run(ta, sa);
        }
      }
    }
  }

  private static final int ROUNDS = 100;

  /**
   * Bad input on a live session, {@value #ROUNDS} rounds from a fixed seed: the raw peer reaches Established, then
   * sends a valid UPDATE with 1-4 random octets changed (header included), cut short or followed by random octets,
   * and closes its side. The session must answer only with NOTIFICATIONs of Message Header or UPDATE Message Error
   * (RFC 4271 §6.1, §6.3), or none when RFC 7606 lets it keep the session, and must accept the peer again each
   * round: nothing escapes the pipeline, and paranoid leak detection checks every buffer. Ends with a valid UPDATE
   * whose routes arrive.
   */
  @Test
  void mutatedUpdates_onlyNotificationsOrRfc7606_sessionComesBackEveryRound() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.53");
    InetAddress b = InetAddress.getByName("127.253.0.54");
    int port = 11201;
    io.speakerkit.bgp.wire.CodecContext ctx = io.speakerkit.bgp.wire.CodecContext.FOUR_OCTET_AS;
    io.netty.buffer.ByteBuf valid = io.netty.buffer.Unpooled.buffer();
    io.speakerkit.bgp.wire.UpdateEncoder.write(valid, List.of(IpPrefix.parse("198.51.100.0/24")),
        PathAttributes.builder().origin(io.speakerkit.bgp.wire.attribute.Origin.IGP).asPath(64602, 65010)
            .nextHop(b).med(5).communities(new io.speakerkit.bgp.wire.attribute.Community(64602 << 16 | 7))
            .largeCommunities(new io.speakerkit.bgp.wire.attribute.LargeCommunity(64602, 1, 2)).build(),
        List.of(IpPrefix.parse("198.51.101.0/24"), IpPrefix.parse("203.0.113.128/25")), ctx);
    byte[] update = new byte[valid.readableBytes()];
    valid.readBytes(update);
    valid.release();
    java.util.SplittableRandom random = new java.util.SplittableRandom(20261203);
    java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, port)).build().start()) {
      AdjRibIn rib = new AdjRibIn();
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).localAddress(a)
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .connectMode(io.speakerkit.bgp.fsm.ConnectMode.LISTEN_ONLY).dampPeerOscillations(false)
              .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build())
          .routeListener(rib).build();
      sa.start();
      io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
      try {
        for (int round = 0; round <= ROUNDS; round++) {
          try (java.net.Socket peer = establishedRawPeer(sa, a, b, port, out, "round " + round)) {
            if (round == ROUNDS) { // the last round: a valid UPDATE, and its two routes arrive
              peer.getOutputStream().write(update);
              Poll.until(LIMIT, "the valid routes", () -> rib.size() == 2, rib::toString);
              break;
            }
            peer.getOutputStream().write(mutate(update, random));
            peer.shutdownOutput();
            Ending end = readToEnd(peer.getInputStream());
            assertTrue(end.notificationCode() < 0 || end.notificationCode() == 1 || end.notificationCode() == 3,
                end + " in round " + round);
            outcomes.merge(end.notificationCode() < 0 ? "closed without NOTIFICATION" : end.toString(), 1,
                Integer::sum);
          }
          Poll.until(LIMIT, "the session left Established (round " + round + ")",
              () -> sa.state() != BgpState.Established, () -> "" + sa.lastChange());
        }
      } finally {
        out.release();
      }
    }
    // the mix of outcomes, for the log: mutations hit headers, lengths, flags and values
    System.out.println("[bgp-fsm] mutated UPDATE outcomes: " + outcomes);
    assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith("NOTIFICATION 3/")), outcomes::toString);
  }

  /**
   * Bad OPENs, {@value #ROUNDS} rounds from a fixed seed: the raw peer connects and sends its OPEN (with
   * capabilities: multiprotocol, 4-octet AS, ADD-PATH, graceful restart, route refresh) mutated as above, then
   * closes its side. The session must answer only with Message Header or OPEN Message Error NOTIFICATIONs (RFC 4271
   * §6.1, §6.2), or reach OpenConfirm when the mutation left a valid OPEN, and take the peer again next round.
   */
  @Test
  void mutatedOpens_onlyHeaderOrOpenErrors_sessionTakesThePeerAgain() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.55");
    InetAddress b = InetAddress.getByName("127.253.0.56");
    int port = 11202;
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    io.speakerkit.bgp.wire.BgpMessageEncoder.encode(WireAdapter.toWire(rawPeerConfig()
        .families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
        .addPath(AddressFamily.IPV4_UNICAST, io.speakerkit.bgp.fsm.AddPathMode.BOTH)
        .gracefulRestart(new io.speakerkit.bgp.fsm.GracefulRestart(false, 120,
            java.util.Map.of(AddressFamily.IPV4_UNICAST, true)))
        .build().localOpen()), buf, io.speakerkit.bgp.wire.CodecContext.INITIAL);
    byte[] open = new byte[buf.readableBytes()];
    buf.readBytes(open);
    buf.release();
    java.util.SplittableRandom random = new java.util.SplittableRandom(20261204);
    java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
    try (BgpTransport ta = BgpTransport.builder().listen(new InetSocketAddress(a, port)).build().start()) {
      BgpSession sa = BgpSession.builder().transport(ta).peer(b).localAddress(a)
          .config(FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
              .connectMode(io.speakerkit.bgp.fsm.ConnectMode.LISTEN_ONLY).dampPeerOscillations(false)
              .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build())
          .build();
      sa.start();
      for (int round = 0; round < ROUNDS; round++) {
        try (java.net.Socket peer = connectWhenListening(sa, a, b, port, "round " + round)) {
          java.io.InputStream in = peer.getInputStream();
          byte[] first = in.readNBytes(19);
          assertEquals(19, first.length, "the session's OPEN (round " + round + ")");
          in.readNBytes(((first[16] & 0xFF) << 8 | (first[17] & 0xFF)) - 19);
          peer.getOutputStream().write(mutate(open, random));
          peer.shutdownOutput();
          Ending ending = readToEnd(in);
          assertTrue(ending.notificationCode() < 0 || ending.notificationCode() == 1
              || ending.notificationCode() == 2, ending + " in round " + round);
          outcomes.merge(ending.notificationCode() >= 0 ? ending.toString()
              : ending.keepalive() ? "accepted (KEEPALIVE), then closed" : "closed without NOTIFICATION", 1,
              Integer::sum);
        }
      }
    }
    System.out.println("[bgp-fsm] mutated OPEN outcomes: " + outcomes);
    assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith("NOTIFICATION 2/")), outcomes::toString);
  }

  /**
   * Connects as the raw peer from {@code b} to the session at {@code a:port} once it listens again (Active: after a
   * round's end it is Idle for its short idle hold time) and sends its OPEN and KEEPALIVE; returns once Established.
   */
  private static java.net.Socket establishedRawPeer(BgpSession session, InetAddress a, InetAddress b, int port,
      io.netty.buffer.ByteBuf out, String what) throws Exception {
    java.net.Socket peer = connectWhenListening(session, a, b, port, what);
    writeRawPeerOpenAndKeepalive(out);
    writeTo(peer, out);
    Poll.until(LIMIT, "Established (" + what + ")", () -> session.state() == BgpState.Established,
        () -> "" + session.lastChange());
    return peer;
  }

  /** Connects from {@code b} to the listening-only session at {@code a:port} once it is Active again. */
  private static java.net.Socket connectWhenListening(BgpSession session, InetAddress a, InetAddress b, int port,
      String what) throws java.io.IOException {
    Poll.until(LIMIT, "the session listening (" + what + ")", () -> session.state() == BgpState.Active,
        () -> "" + session.lastChange());
    java.net.Socket peer = new java.net.Socket();
    peer.bind(new InetSocketAddress(b, 0));
    peer.connect(new InetSocketAddress(a, port), 5000);
    peer.setSoTimeout(10_000);
    return peer;
  }

  /** How a connection ended as the raw peer read it: the NOTIFICATION's code/subcode (-1: none), KEEPALIVE seen. */
  private record Ending(int notificationCode, int notificationSubcode, boolean keepalive) {
    @Override
    public String toString() {
      return "NOTIFICATION " + notificationCode + "/" + notificationSubcode;
    }
  }

  /** Reads BGP messages until the session closes the connection. */
  private static Ending readToEnd(java.io.InputStream in) throws java.io.IOException {
    int code = -1;
    int subcode = -1;
    boolean keepalive = false;
    while (true) {
      byte[] header = in.readNBytes(19);
      if (header.length < 19) {
        return new Ending(code, subcode, keepalive);
      }
      byte[] body = in.readNBytes(Math.max(0, ((header[16] & 0xFF) << 8 | (header[17] & 0xFF)) - 19));
      keepalive |= header[18] == 4;
      if (header[18] == 3) {
        code = body[0] & 0xFF;
        subcode = body[1] & 0xFF;
      }
    }
  }

  /** {@code update} with 1-4 random octets changed, or cut short, or followed by random octets. */
  private static byte[] mutate(byte[] update, java.util.SplittableRandom random) {
    byte[] m;
    switch (random.nextInt(4)) {
      case 0 -> m = java.util.Arrays.copyOf(update, 19 + random.nextInt(update.length - 19));
      case 1 -> {
        m = java.util.Arrays.copyOf(update, update.length + 1 + random.nextInt(16));
        for (int i = update.length; i < m.length; i++) {
          m[i] = (byte) random.nextInt(256);
        }
      }
      default -> {
        m = update.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
          m[16 + random.nextInt(m.length - 16)] = (byte) random.nextInt(256); // the marker stays: framing is tested
        }
      }
    }
    return m;
  }

  /** A session from {@code a} (AS 64601) to a raw peer that listens at {@code b:port} and speaks for AS 64602. */
  private static BgpSession sessionToRawPeer(BgpTransport transport, InetAddress a, InetAddress b, int port) {
    return sessionToRawPeer(transport, a, b, port, c -> c);
  }

  /** As above, with the session's configuration changed by {@code tweak}. */
  private static BgpSession sessionToRawPeer(BgpTransport transport, InetAddress a, InetAddress b, int port,
      java.util.function.UnaryOperator<FsmConfig.Builder> tweak) {
    return BgpSession.builder().transport(transport).peer(b).peerPort(port).localAddress(a)
        .config(tweak.apply(FsmConfig.builder().localAs(64601).peerAs(64602)
            .bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))).build())
        .build();
  }

  /** The raw peer's OPEN (AS 64602) and a KEEPALIVE. */
  private static void writeRawPeerOpenAndKeepalive(io.netty.buffer.ByteBuf out) {
    writeOpenAndKeepalive(out, rawPeerConfig().build());
  }

  /** The raw peer's configuration: AS 64602, identifier 10.0.0.2, facing AS 64601. */
  private static FsmConfig.Builder rawPeerConfig() {
    return FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"));
  }

  /** The OPEN of {@code config} and a KEEPALIVE, as a raw peer sends them. */
  private static void writeOpenAndKeepalive(io.netty.buffer.ByteBuf out, FsmConfig config) {
    io.speakerkit.bgp.wire.BgpMessageEncoder.encode(WireAdapter.toWire(config.localOpen()), out,
        io.speakerkit.bgp.wire.CodecContext.INITIAL);
    io.speakerkit.bgp.wire.BgpMessageEncoder.writeKeepalive(out);
  }

  /** What a stuck-peer test does once the queue is full, the peer still connected and not reading. */
  private interface StuckPeerEnding {
    void run(BgpTransport transport, BgpSession session) throws Exception;
  }

  private static long pending(BgpSession s) {
    java.util.concurrent.CompletableFuture<Long> f = new java.util.concurrent.CompletableFuture<>();
    s.execute(() -> f.complete(s.pendingOutboundBytes()));
    try {
      return f.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
