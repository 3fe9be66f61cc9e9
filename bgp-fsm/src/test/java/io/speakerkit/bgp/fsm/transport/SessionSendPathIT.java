package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpRole;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessageDecoder;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.PeerType;
import io.speakerkit.bgp.wire.UpdateAttributes;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.AsPathSegment;
import io.speakerkit.bgp.wire.attribute.AttributeType;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * What our session puts in the UPDATEs it sends (the per-peer form of the Adj-RIB-Out's attributes), and the receive
 * checks the existing loopback tests leave open, against a raw peer on a plain socket: our session dials
 * 127.253.0.110-125, ports 11250-11258, the test speaks BGP by hand and reads what comes. Only the FRR and GoBGP
 * interop tests looked at the attributes before, and those need root daemons.
 */
class SessionSendPathIT {

  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final long OUR_AS = 64601;
  private static final long PEER_AS = 64602;

  /**
   * RFC 4271 §5.1.5: LOCAL_PREF "MUST NOT" go to an external peer; §5.1.2: our AS leads AS_PATH; §5.1.1/§5.1.3:
   * ORIGIN and NEXT_HOP are mandatory, so an application's route without them gets IGP and our address (next hop
   * self), while a next hop the application set is kept.
   */
  @Test
  void ebgp_localPrefStripped_ourAsFirst_originAndNextHopSelfFilled_givenNextHopKept() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.110");
    InetAddress b = InetAddress.getByName("127.253.0.111");
    Map<IpPrefix, UpdateMessage> got = initialTable(a, b, 11250, c -> c, peerConfig(PEER_AS, OUR_AS), s -> {
      s.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().localPref(300).build());
      s.announce(IpPrefix.parse("192.0.2.2/32"),
          PathAttributes.builder().nextHop(InetAddress.getByName("192.0.2.254")).build());
    }, CodecContext.FOUR_OCTET_AS, Set.of(AddressFamily.IPV4_UNICAST));
    UpdateAttributes first = got.get(IpPrefix.parse("192.0.2.1/32")).attributes();
    assertFalse(rawTypes(first).contains(AttributeType.LOCAL_PREF_CODE), "LOCAL_PREF sent to an eBGP peer");
    assertEquals(Origin.IGP, first.origin(), "ORIGIN");
    assertEquals(List.of(AsPathSegment.sequence(OUR_AS)), first.asPath().toSegments());
    assertEquals(ipv4(a), first.nextHopIpv4(), "next hop self");
    assertEquals(ipv4(InetAddress.getByName("192.0.2.254")),
        got.get(IpPrefix.parse("192.0.2.2/32")).attributes().nextHopIpv4(), "the application's next hop");
  }

  /**
   * RFC 4271 §5.1.5: LOCAL_PREF "SHALL" be in every UPDATE to an internal peer (FRR treats one without it as withdraw,
   * RFC 7606 §3 d): 100 (the usual default) when the application set none, its own value otherwise; §5.1.2 a: our AS
   * is not prepended toward an internal peer.
   */
  @Test
  void ibgp_localPrefAddedWhenAbsent_keptWhenSet_asPathNotPrepended() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.112");
    InetAddress b = InetAddress.getByName("127.253.0.113");
    CodecContext ibgp = CodecContext.FOUR_OCTET_AS.withPeerType(PeerType.INTERNAL);
    Map<IpPrefix, UpdateMessage> got = initialTable(a, b, 11251, c -> c.peerAs(OUR_AS), peerConfig(OUR_AS, OUR_AS),
        s -> {
          s.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build());
          s.announce(IpPrefix.parse("192.0.2.2/32"), PathAttributes.builder().localPref(300).asPath(65010).build());
        }, ibgp, Set.of(AddressFamily.IPV4_UNICAST));
    UpdateAttributes plain = got.get(IpPrefix.parse("192.0.2.1/32")).attributes();
    assertTrue(plain.hasLocalPref(), "no LOCAL_PREF to an internal peer");
    assertEquals(100, plain.localPref());
    assertEquals(List.of(), plain.asPath().toSegments(), "our AS prepended toward an internal peer");
    assertEquals(ipv4(a), plain.nextHopIpv4(), "next hop self");
    UpdateAttributes set = got.get(IpPrefix.parse("192.0.2.2/32")).attributes();
    assertEquals(300, set.localPref(), "the application's LOCAL_PREF");
    assertEquals(List.of(AsPathSegment.sequence(65010)), set.asPath().toSegments());
  }

  /**
   * RFC 9234 §5 egress: a route carrying Only to Customer is not sent to a provider (we are its customer); a route to
   * a customer (we are its provider) gets OTC with our AS when it has none.
   */
  @Test
  void role_otcRouteWithheldFromProvider_otcOfOurAsAddedTowardCustomer() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.114");
    InetAddress b = InetAddress.getByName("127.253.0.115");
    Map<IpPrefix, UpdateMessage> toProvider = initialTable(a, b, 11252, c -> c.role(BgpRole.CUSTOMER, true),
        peerConfig(PEER_AS, OUR_AS).role(BgpRole.PROVIDER, true), s -> {
          s.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().onlyToCustomer(65010).build());
          s.announce(IpPrefix.parse("192.0.2.2/32"), PathAttributes.builder().build());
        }, CodecContext.FOUR_OCTET_AS, Set.of(AddressFamily.IPV4_UNICAST));
    assertEquals(Set.of(IpPrefix.parse("192.0.2.2/32")), toProvider.keySet(), "an OTC route went to a provider");
    Map<IpPrefix, UpdateMessage> toCustomer = initialTable(a, b, 11253, c -> c.role(BgpRole.PROVIDER, true),
        peerConfig(PEER_AS, OUR_AS).role(BgpRole.CUSTOMER, true),
        s -> s.announce(IpPrefix.parse("192.0.2.2/32"), PathAttributes.builder().build()),
        CodecContext.FOUR_OCTET_AS, Set.of(AddressFamily.IPV4_UNICAST));
    UpdateAttributes attrs = toCustomer.get(IpPrefix.parse("192.0.2.2/32")).attributes();
    assertTrue(attrs.hasOnlyToCustomer(), "no OTC toward a customer");
    assertEquals(OUR_AS, attrs.onlyToCustomer(), "OTC carries our AS");
  }

  /**
   * RFC 4724 §2 / FRR: an End-of-RIB for every negotiated family once the initial table is out (a graceful-restart
   * peer waits for each family's marker before it removes our stale routes of that family).
   */
  @Test
  void endOfRib_forEveryNegotiatedFamily() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.116");
    InetAddress b = InetAddress.getByName("127.253.0.117");
    Set<AddressFamily> both = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    // initialTable waits for an End-of-RIB of each family in the last argument
    Map<IpPrefix, UpdateMessage> got = initialTable(a, b, 11254, c -> c.families(both),
        peerConfig(PEER_AS, OUR_AS).families(both),
        s -> s.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().build()),
        CodecContext.FOUR_OCTET_AS, both);
    assertEquals(Set.of(IpPrefix.parse("192.0.2.1/32")), got.keySet());
  }

  /**
   * RFC 4271 §5.1.2 b: our AS joins the first AS_SEQUENCE, but a segment holds at most 255 ASes; with 255 there our
   * AS starts a new sequence in front, and the route still goes out.
   */
  @Test
  void ebgp_fullFirstSequence_ourAsInANewSegment() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.118");
    InetAddress b = InetAddress.getByName("127.253.0.119");
    long[] path = new long[255];
    for (int i = 0; i < path.length; i++) {
      path[i] = 65000 + i;
    }
    CodecContext ctx = CodecContext.FOUR_OCTET_AS.withExtendedMessage(false);
    Map<IpPrefix, UpdateMessage> got = initialTable(a, b, 11255, c -> c, peerConfig(PEER_AS, OUR_AS),
        s -> s.announce(IpPrefix.parse("192.0.2.1/32"), PathAttributes.builder().asPath(path).build()),
        ctx, Set.of(AddressFamily.IPV4_UNICAST));
    UpdateMessage u = got.get(IpPrefix.parse("192.0.2.1/32"));
    assertTrue(u != null, "the route was not sent: " + got.keySet());
    List<AsPathSegment> segs = u.attributes().asPath().toSegments();
    assertEquals(2, segs.size(), segs.toString());
    assertEquals(List.of(OUR_AS), segs.get(0).asns());
    assertEquals(255, segs.get(1).asns().size());
  }

  /**
   * RFC 6793 §4.2.3 with RFC 4271 §9.1.2: toward a peer without 4-octet AS support our 4-octet AS is AS_TRANS in
   * AS_PATH and appears only in AS4_PATH; a route whose AS4_PATH holds our AS is still a loop (treated as withdraw),
   * as FRR checks the merged path.
   */
  @Test
  void twoOctetPeer_ourFourOctetAsInAs4Path_loopTreatedAsWithdraw() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.120");
    InetAddress b = InetAddress.getByName("127.253.0.121");
    long ourAs = 4200000001L;
    CodecContext twoOctet = CodecContext.INITIAL;
    PathAttributes clean = PathAttributes.builder().origin(Origin.IGP).asPath(PEER_AS, 65010).nextHop(b).build();
    PathAttributes looped = PathAttributes.builder().origin(Origin.IGP).asPath(PEER_AS, ourAs, 65010).nextHop(b)
        .build();
    List<String> held = receivedRoutes(a, b, 11256, c -> c.localAs(ourAs),
        FsmConfig.builder().localAs(PEER_AS).peerAs(23456).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"))
            .fourOctetAs(false),
        0, out -> {
          UpdateEncoder.writeAnnouncement(out, clean, IpPrefix.parse("198.51.100.0/24"), twoOctet);
          UpdateEncoder.writeAnnouncement(out, looped, IpPrefix.parse("198.51.101.0/24"), twoOctet);
        }, 2);
    assertEquals(List.of("198.51.100.0/24"), held);
  }

  /**
   * RFC 7606 §2: a route treated as withdraw is not in the Adj-RIB-In, so it does not count toward the maximum
   * (FRR counts accepted routes only): two good routes and a looped one stay within maximum-prefix 2.
   */
  @Test
  void maxPrefixes_routesTreatedAsWithdraw_notCounted() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.122");
    InetAddress b = InetAddress.getByName("127.253.0.123");
    CodecContext ctx = CodecContext.FOUR_OCTET_AS;
    PathAttributes clean = PathAttributes.builder().origin(Origin.IGP).asPath(PEER_AS).nextHop(b).build();
    PathAttributes looped = PathAttributes.builder().origin(Origin.IGP).asPath(PEER_AS, OUR_AS).nextHop(b).build();
    List<String> held = receivedRoutes(a, b, 11257, c -> c, peerConfig(PEER_AS, OUR_AS), 2, out -> {
      UpdateEncoder.writeAnnouncement(out, clean, IpPrefix.parse("198.51.100.0/24"), ctx);
      UpdateEncoder.writeAnnouncement(out, clean, IpPrefix.parse("198.51.101.0/24"), ctx);
      UpdateEncoder.writeAnnouncement(out, looped, IpPrefix.parse("198.51.102.0/24"), ctx);
    }, 3);
    assertEquals(List.of("198.51.100.0/24", "198.51.101.0/24"), held);
  }

  /**
   * FRR's {@code maximum-prefix N restart M}: the restart after the limit yields to the operator. A stop() while the
   * restart time runs keeps the session down (the scheduled restart must not start it again behind their back).
   */
  @Test
  void maxPrefixesRestart_stoppedMeanwhile_staysDown() throws Exception {
    InetAddress a = InetAddress.getByName("127.253.0.124");
    InetAddress b = InetAddress.getByName("127.253.0.125");
    int port = 11258;
    try (ServerSocket server = new ServerSocket(); BgpTransport t = BgpTransport.builder().build()) {
      server.bind(new InetSocketAddress(b, port));
      BgpSession s = BgpSession.builder().transport(t).peer(b).peerPort(port).localAddress(a)
          .maxPrefixes(1).maxPrefixesRestart(Duration.ofSeconds(1))
          .config(FsmConfig.builder().localAs(OUR_AS).peerAs(PEER_AS).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
              .backoff(Duration.ofMillis(200), Duration.ofSeconds(1)).build())
          .build();
      s.start();
      server.setSoTimeout(10_000);
      try (Socket sock = server.accept()) {
        sock.setSoTimeout(10_000);
        ByteBuf out = Unpooled.buffer();
        BgpMessageEncoder.encode(WireAdapter.toWire(peerConfig(PEER_AS, OUR_AS).build().localOpen()), out,
            CodecContext.INITIAL);
        BgpMessageEncoder.writeKeepalive(out);
        UpdateEncoder.writeAllAnnouncements(out,
            PathAttributes.builder().origin(Origin.IGP).asPath(PEER_AS).nextHop(b).build(),
            List.of(IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("198.51.101.0/24")), CodecContext.FOUR_OCTET_AS);
        write(sock, out);
        out.release();
        InputStream in = sock.getInputStream();
        for (byte[] h = in.readNBytes(19); h[18] != 3; h = in.readNBytes(19)) {
          in.readNBytes(((h[16] & 0xFF) << 8 | (h[17] & 0xFF)) - 19);
        }
        assertEquals(List.of(6, 1), List.of(in.read(), in.read()), "Cease / Maximum Number of Prefixes Reached");
        Poll.until(LIMIT, "Idle after the prefix limit", () -> s.state() == BgpState.Idle, () -> "" + s.lastChange());
      }
      s.stop("operator");
      server.setSoTimeout(3_000); // the restart time is 1 s
      try (Socket again = server.accept()) {
        fail("dialled again after stop(), from " + again.getInetAddress());
      } catch (java.net.SocketTimeoutException expected) {
        // stays down
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** The raw peer's configuration: identifier 10.0.0.2. */
  private static FsmConfig.Builder peerConfig(long localAs, long peerAs) {
    return FsmConfig.builder().localAs(localAs).peerAs(peerAs).bgpIdentifier(BgpIdentifier.parse("10.0.0.2"));
  }

  private interface SessionAction {
    void accept(BgpSession s) throws Exception;
  }

  /**
   * Our session (AS 64601 unless {@code tweak} says otherwise) from {@code a} to a raw peer at {@code b:port}; runs
   * {@code announce} before the session starts and returns the routes of the initial table by prefix, read until an
   * End-of-RIB of each of {@code eorFamilies} has come (decoded under {@code ctx}).
   */
  private static Map<IpPrefix, UpdateMessage> initialTable(InetAddress a, InetAddress b, int port,
      UnaryOperator<FsmConfig.Builder> tweak, FsmConfig.Builder peer, SessionAction announce, CodecContext ctx,
      Set<AddressFamily> eorFamilies) throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      server.setSoTimeout(10_000);
      try (BgpTransport t = BgpTransport.builder().build()) {
        BgpSession s = BgpSession.builder().transport(t).peer(b).peerPort(port).localAddress(a)
            .config(tweak.apply(FsmConfig.builder().localAs(OUR_AS).peerAs(PEER_AS)
                .bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))).build())
            .build();
        announce.accept(s);
        s.start();
        try (Socket sock = server.accept()) {
          sock.setSoTimeout(10_000);
          ByteBuf out = Unpooled.buffer();
          BgpMessageEncoder.encode(WireAdapter.toWire(peer.build().localOpen()), out, CodecContext.INITIAL);
          BgpMessageEncoder.writeKeepalive(out);
          write(sock, out);
          out.release();
          Map<IpPrefix, UpdateMessage> routes = new HashMap<>();
          Set<AddressFamily> eors = new HashSet<>();
          while (!eors.containsAll(eorFamilies)) {
            UpdateMessage u = nextUpdate(sock.getInputStream(), ctx);
            if (u.isEndOfRib()) {
              eors.add(u.endOfRib());
              continue;
            }
            for (IpPrefix p : u.withdrawnAll()) {
              routes.remove(p);
            }
            for (IpPrefix p : u.announced()) {
              routes.put(p, u);
            }
          }
          return routes;
        }
      }
    }
  }

  private interface Writer {
    void write(ByteBuf out) throws Exception;
  }

  /**
   * Our session (with an {@link AdjRibIn}, {@code maxPrefixes}, configuration tweaked) from {@code a} to a raw peer at
   * {@code b:port} that opens with {@code peer} and sends what {@code updates} writes ({@code count} UPDATEs); returns
   * the prefixes the Adj-RIB-In holds then, the session checked still Established.
   */
  private static List<String> receivedRoutes(InetAddress a, InetAddress b, int port,
      UnaryOperator<FsmConfig.Builder> tweak, FsmConfig.Builder peer, long maxPrefixes, Writer updates, int count)
      throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(b, port));
      server.setSoTimeout(10_000);
      try (BgpTransport t = BgpTransport.builder().build()) {
        AdjRibIn rib = new AdjRibIn();
        BgpSession s = BgpSession.builder().transport(t).peer(b).peerPort(port).localAddress(a).routeListener(rib)
            .maxPrefixes(maxPrefixes)
            .config(tweak.apply(FsmConfig.builder().localAs(OUR_AS).peerAs(PEER_AS)
                .bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))).build())
            .build();
        s.start();
        try (Socket sock = server.accept()) {
          ByteBuf out = Unpooled.buffer();
          BgpMessageEncoder.encode(WireAdapter.toWire(peer.build().localOpen()), out, CodecContext.INITIAL);
          BgpMessageEncoder.writeKeepalive(out);
          updates.write(out);
          write(sock, out);
          out.release();
          Poll.until(LIMIT, count + " UPDATEs received",
              () -> s.counters().updatesReceived() == count || s.state() == BgpState.Idle,
              () -> s.counters() + " " + s.lastChange());
          java.util.concurrent.CompletableFuture<List<String>> held = new java.util.concurrent.CompletableFuture<>();
          s.execute(() -> held.complete(rib.routes().stream().map(r -> r.prefix().toString()).sorted().toList()));
          List<String> routes = held.get(5, java.util.concurrent.TimeUnit.SECONDS);
          assertEquals(BgpState.Established, s.state(), () -> "" + s.lastChange());
          return routes;
        }
      }
    }
  }

  private static void write(Socket sock, ByteBuf out) throws java.io.IOException {
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    out.clear();
    sock.getOutputStream().write(bytes);
  }

  /** Reads messages until an UPDATE; fails on a NOTIFICATION. */
  private static UpdateMessage nextUpdate(InputStream in, CodecContext ctx) throws java.io.IOException {
    for (;;) {
      byte[] header = in.readNBytes(19);
      assertEquals(19, header.length, "a message before the connection closes");
      int len = (header[16] & 0xFF) << 8 | (header[17] & 0xFF);
      byte[] frame = java.util.Arrays.copyOf(header, len);
      assertEquals(len - 19, in.readNBytes(frame, 19, len - 19), "the whole message");
      if (frame[18] == 3) {
        fail("NOTIFICATION from the session: " + java.util.HexFormat.of().formatHex(frame, 19, len));
      }
      if (frame[18] == 2) {
        return BgpMessageDecoder.decodeUpdate(Unpooled.wrappedBuffer(frame), ctx);
      }
    }
  }

  /** The type codes of every attribute as sent, also those the decoder's checks would discard. */
  private static List<Integer> rawTypes(UpdateAttributes attrs) {
    List<Integer> types = new ArrayList<>();
    UpdateAttributes.AttributeCursor c = attrs.cursor();
    while (c.next()) {
      types.add(c.type());
    }
    return types;
  }

  private static int ipv4(InetAddress a) {
    byte[] b = a.getAddress();
    return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
  }
}
