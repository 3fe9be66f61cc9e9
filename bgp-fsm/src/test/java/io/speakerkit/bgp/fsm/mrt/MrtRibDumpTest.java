package io.speakerkit.bgp.fsm.mrt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.transport.AdjRibIn;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessageDecoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.As4Path;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.timers.ManualScheduler;
import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The records of {@link MrtRibDump}, field by field as RFC 6396 §4.3 lays them out. */
class MrtRibDumpTest {

  @Test
  void peerIndexAndRibRecords_ipv4AndIpv6_fieldsAsRfc6396() throws Exception {
    InetAddress v4Peer = InetAddress.getByName("192.0.2.1");
    InetAddress v6Peer = InetAddress.getByName("2001:db8::2");
    List<MrtRibDump.Peer> peers = List.of(new MrtRibDump.Peer(0x0A000001, v4Peer, 4_200_000_000L),
        new MrtRibDump.Peer(0x0A000002, v6Peer, 65002));
    PathAttributes v4 = PathAttributes.builder().origin(Origin.IGP).asPath(4_200_000_000L).nextHop(v4Peer).build();
    PathAttributes v6 = PathAttributes.builder().origin(Origin.IGP).asPath(65002)
        .ipv6NextHop((Inet6Address) v6Peer, null).build();
    TreeMap<IpPrefix, List<MrtRibDump.Entry>> rib = new TreeMap<>();
    rib.put(IpPrefix.parse("198.51.100.0/24"), List.of(new MrtRibDump.Entry(0, 1_699_999_000L, v4)));
    rib.put(IpPrefix.parse("2001:db8:1::/48"), List.of(new MrtRibDump.Entry(1, 1_699_999_500L, v6)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MrtRibDump.write(out, 0x0A0000FE, 1_700_000_000L, peers, rib);
    ByteBuffer r = ByteBuffer.wrap(out.toByteArray());

    header(r, MrtRibDump.SUBTYPE_PEER_INDEX_TABLE, 4 + 2 + 2 + (1 + 4 + 4 + 4) + (1 + 4 + 16 + 4));
    assertEquals(0x0A0000FE, r.getInt(), "collector BGP ID");
    assertEquals(0, r.getShort(), "view name length");
    assertEquals(2, r.getShort(), "peer count");
    assertEquals(0x02, r.get(), "peer type: IPv4 address, 4-octet AS");
    assertEquals(0x0A000001, r.getInt());
    assertArrayEquals(v4Peer.getAddress(), bytes(r, 4));
    assertEquals(4_200_000_000L, Integer.toUnsignedLong(r.getInt()));
    assertEquals(0x03, r.get(), "peer type: IPv6 address, 4-octet AS");
    assertEquals(0x0A000002, r.getInt());
    assertArrayEquals(v6Peer.getAddress(), bytes(r, 16));
    assertEquals(65002, r.getInt());

    byte[] v4Attributes = {
        0x40, 1, 1, 0, // ORIGIN IGP
        0x40, 2, 6, 2, 1, (byte) 0xFA, 0x56, (byte) 0xEA, 0x00, // AS_PATH: AS_SEQUENCE of 4200000000, 4 octets
        0x40, 3, 4, (byte) 192, 0, 2, 1}; // NEXT_HOP
    header(r, MrtRibDump.SUBTYPE_RIB_IPV4_UNICAST, 4 + 1 + 3 + 2 + 2 + 4 + 2 + v4Attributes.length);
    assertEquals(0, r.getInt(), "sequence number");
    assertEquals(24, r.get(), "prefix length");
    assertArrayEquals(new byte[] {(byte) 198, 51, 100}, bytes(r, 3));
    assertEquals(1, r.getShort(), "entry count");
    assertEquals(0, r.getShort(), "peer index");
    assertEquals(1_699_999_000, r.getInt(), "originated time");
    assertEquals(v4Attributes.length, r.getShort());
    assertArrayEquals(v4Attributes, bytes(r, v4Attributes.length));

    byte[] v6Attributes = {
        0x40, 1, 1, 0,
        0x40, 2, 6, 2, 1, 0, 0, (byte) 0xFD, (byte) 0xEA, // AS 65002, still 4 octets (RFC 6396 §4.3.4)
        (byte) 0x80, 14, 17, 16, // MP_REACH_NLRI cut to next hop length and next hop
        0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    header(r, MrtRibDump.SUBTYPE_RIB_IPV6_UNICAST, 4 + 1 + 6 + 2 + 2 + 4 + 2 + v6Attributes.length);
    assertEquals(1, r.getInt(), "sequence number");
    assertEquals(48, r.get());
    assertArrayEquals(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 1}, bytes(r, 6));
    assertEquals(1, r.getShort());
    assertEquals(1, r.getShort(), "peer index");
    assertEquals(1_699_999_500, r.getInt());
    assertEquals(v6Attributes.length, r.getShort());
    assertArrayEquals(v6Attributes, bytes(r, v6Attributes.length));
    assertFalse(r.hasRemaining());
  }

  /**
   * Two peers' Adj-RIB-In, one of them a 2-octet AS session whose AS_PATH carries AS_TRANS with AS4_PATH: one
   * record per prefix, entries in peer order, each with its arrival time and the path in 4-octet form.
   */
  @Test
  void entries_twoAdjRibIns_peerOrderArrivalTimeAndFourOctetPaths() throws Exception {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_699_999_000L), ZoneOffset.UTC);
    AdjRibIn fourOctet = new AdjRibIn(new ManualScheduler(), clock);
    AdjRibIn twoOctet = new AdjRibIn(new ManualScheduler(), clock);
    IpPrefix shared = IpPrefix.parse("198.51.100.0/24");
    PathAttributes path4 = PathAttributes.builder().origin(Origin.IGP).asPath(65010).nextHop(0x0A000001).build();
    PathAttributes path2 = PathAttributes.builder().origin(Origin.IGP).asPath(65001, 4_200_000_000L)
        .nextHop(0x0A000002).build();
    announce(twoOctet, CodecContext.INITIAL, path2, shared, IpPrefix.parse("203.0.113.0/24"));
    announce(fourOctet, CodecContext.FOUR_OCTET_AS, path4, shared);
    assertEquals("65001 23456", twoOctet.get(shared).orElseThrow().pathAttributes().get(AsPath.class).orElseThrow()
        .toString(), "as stored: the 2-octet AS_PATH");

    SortedMap<IpPrefix, List<MrtRibDump.Entry>> rib = MrtRibDump.entries(List.of(fourOctet, twoOctet));
    assertEquals(List.of(shared, IpPrefix.parse("203.0.113.0/24")), List.copyOf(rib.keySet()));
    List<MrtRibDump.Entry> both = rib.get(shared);
    assertEquals(List.of(0, 1), both.stream().map(MrtRibDump.Entry::peerIndex).toList());
    assertEquals(1_699_999_000L, both.get(1).originatedSeconds());
    assertEquals(AsPath.sequence(65010), both.get(0).attributes().get(AsPath.class).orElseThrow());
    PathAttributes rebuilt = both.get(1).attributes();
    assertEquals(AsPath.sequence(65001, 4_200_000_000L), rebuilt.get(AsPath.class).orElseThrow());
    assertTrue(rebuilt.get(As4Path.class).isEmpty(), rebuilt::toString);
    assertSame(rebuilt, rib.get(IpPrefix.parse("203.0.113.0/24")).get(0).attributes(), "decoded once per UPDATE");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MrtRibDump.write(out, 0x0A0000FE, 1_700_000_000L, List.of(
        new MrtRibDump.Peer(0x0A000001, InetAddress.getByName("10.0.0.1"), 65010),
        new MrtRibDump.Peer(0x0A000002, InetAddress.getByName("10.0.0.2"), 65001)), rib);
    byte[] fourOctetPath = {0x40, 2, 10, 2, 2, 0, 0, (byte) 0xFD, (byte) 0xE9, (byte) 0xFA, 0x56, (byte) 0xEA, 0x00};
    assertTrue(contains(out.toByteArray(), fourOctetPath), "AS_PATH 65001 4200000000 in 4 octets");
  }

  /**
   * RFC 6396 §4.3.4: each entry carries its own route's next hop: NEXT_HOP for IPv4 (also from an MP_REACH_NLRI with
   * a 4-octet next hop and no NEXT_HOP, RFC 4760 §3), an MP_REACH_NLRI of the next hop alone for IPv6 (also when the
   * UPDATE carried a NEXT_HOP for its IPv4 routes).
   */
  @Test
  void entries_eachWithItsOwnRoutesNextHop() throws Exception {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_699_999_000L), ZoneOffset.UTC);
    AdjRibIn rib = new AdjRibIn(new ManualScheduler(), clock);
    String originAndPath = "40010100 40020602010000fdea";
    // 198.51.100.0/24 in MP_REACH_NLRI with next hop 10.0.0.2, no NEXT_HOP
    feed(rib, originAndPath + "900e000d 0001 01 04 0a000002 00 18 c63364", "");
    // 203.0.113.0/24 with NEXT_HOP 10.0.0.3, and 2001:db8:1::/48 in MP_REACH_NLRI via 2001:db8::2
    feed(rib, originAndPath + "4003040a000003 900e001c 0002 01 10 20010db8000000000000000000000002 00 30 20010db80001",
        "18 cb0071");
    assertEquals(3, rib.size());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MrtRibDump.write(out, 0x0A0000FE, 1_700_000_000L,
        List.of(new MrtRibDump.Peer(0x0A000002, InetAddress.getByName("10.0.0.2"), 65002)),
        MrtRibDump.entries(List.of(rib)));
    byte[] dump = out.toByteArray();
    assertTrue(contains(dump, hex("4003040a000002")), "NEXT_HOP 10.0.0.2 of the route from MP_REACH_NLRI");
    assertTrue(contains(dump, hex("4003040a000003")), "NEXT_HOP 10.0.0.3");
    assertTrue(contains(dump, hex("800e1110 20010db8000000000000000000000002")), "IPv6 next hop of the IPv6 route");
    assertEquals(2, count(dump, hex("400304")), "a NEXT_HOP in the two IPv4 entries only");
    assertEquals(1, count(dump, hex("800e11")), "an MP_REACH_NLRI in the IPv6 entry only");
  }

  /**
   * RFC 8050 §4: the paths of a peer that sends path identifiers, in a RIB_IPV4_UNICAST_ADDPATH record, each entry with
   * its path identifier after the originated time; a prefix no such peer sent stays in RIB_IPV4_UNICAST.
   */
  @Test
  void entries_addPathPaths_ribIpv4UnicastAddPathWithPathIdentifiers() throws Exception {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_699_999_000L), ZoneOffset.UTC);
    AddressFamily v4 = AddressFamily.IPV4_UNICAST;
    CodecContext sends = CodecContext.FOUR_OCTET_AS.withAddPath(java.util.Set.of(), java.util.Set.of(v4));
    CodecContext receives = CodecContext.FOUR_OCTET_AS.withAddPath(java.util.Set.of(v4), java.util.Set.of());
    AdjRibIn addPath = new AdjRibIn(new ManualScheduler(), clock);
    AdjRibIn plain = new AdjRibIn(new ManualScheduler(), clock);
    IpPrefix prefix = IpPrefix.parse("198.51.100.0/24");
    for (int pathId : new int[] {7, 9}) {
      PathAttributes a = PathAttributes.builder().origin(Origin.IGP).asPath(65010).nextHop(0x0A000000 + pathId).build();
      ByteBuf buf = Unpooled.buffer();
      try {
        UpdateEncoder.writeAnnouncements(buf, a, List.of(prefix), 0, pathId, sends);
        addPath.onUpdate(null, BgpMessageDecoder.decodeUpdate(buf, receives));
      } finally {
        buf.release();
      }
    }
    announce(plain, CodecContext.FOUR_OCTET_AS,
        PathAttributes.builder().origin(Origin.IGP).asPath(65020).nextHop(0x0A000014).build(),
        IpPrefix.parse("203.0.113.0/24"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MrtRibDump.write(out, 0x0A0000FE, 1_700_000_000L, List.of(
        new MrtRibDump.Peer(0x0A000001, InetAddress.getByName("10.0.0.1"), 65010),
        new MrtRibDump.Peer(0x0A000002, InetAddress.getByName("10.0.0.2"), 65020)),
        MrtRibDump.entries(List.of(addPath, plain)));
    ByteBuffer r = ByteBuffer.wrap(out.toByteArray());
    r.position(12 + r.getInt(8)); // past the peer index table
    assertEquals(1_700_000_000, r.getInt());
    assertEquals(MrtRibDump.TYPE_TABLE_DUMP_V2, r.getShort());
    assertEquals(MrtRibDump.SUBTYPE_RIB_IPV4_UNICAST_ADDPATH, r.getShort());
    assertEquals(8, MrtRibDump.SUBTYPE_RIB_IPV4_UNICAST_ADDPATH);
    int length = r.getInt();
    int end = r.position() + length;
    r.getInt(); // sequence
    assertEquals(24, r.get());
    bytes(r, 3);
    assertEquals(2, r.getShort(), "two paths");
    for (int pathId : new int[] {7, 9}) {
      assertEquals(0, r.getShort(), "peer index");
      assertEquals(1_699_999_000, r.getInt(), "originated time");
      assertEquals(pathId, r.getInt(), "path identifier");
      bytes(r, r.getShort());
    }
    assertEquals(end, r.position());
    r.getInt();
    r.getShort();
    assertEquals(MrtRibDump.SUBTYPE_RIB_IPV4_UNICAST, r.getShort(), "the other prefix, no path identifiers");
  }

  private static void feed(AdjRibIn rib, String attributesHex, String nlriHex) {
    byte[] a = hex(attributesHex);
    byte[] n = hex(nlriHex);
    ByteBuf b = Unpooled.buffer();
    try {
      b.writeLong(-1L).writeLong(-1L).writeShort(23 + a.length + n.length).writeByte(2).writeShort(0)
          .writeShort(a.length).writeBytes(a).writeBytes(n);
      rib.onUpdate(null, BgpMessageDecoder.decodeUpdate(b, CodecContext.FOUR_OCTET_AS));
    } finally {
      b.release();
    }
  }

  private static byte[] hex(String s) {
    return io.netty.buffer.ByteBufUtil.decodeHexDump(s.replace(" ", ""));
  }

  private static int count(byte[] haystack, byte[] needle) {
    int n = 0;
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        n++;
      }
    }
    return n;
  }

  private static void announce(AdjRibIn rib, CodecContext ctx, PathAttributes attributes, IpPrefix... prefixes) {
    ByteBuf buf = Unpooled.buffer();
    try {
      UpdateEncoder.writeAllAnnouncements(buf, attributes, List.of(prefixes), ctx);
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(buf, ctx);
      rib.onUpdate(null, u);
    } finally {
      buf.release();
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void header(ByteBuffer r, int subtype, int length) {
    assertEquals(1_700_000_000, r.getInt(), "timestamp");
    assertEquals(MrtRibDump.TYPE_TABLE_DUMP_V2, r.getShort(), "type");
    assertEquals(subtype, r.getShort(), "subtype");
    assertEquals(length, r.getInt(), "length");
  }

  private static byte[] bytes(ByteBuffer r, int n) {
    byte[] b = new byte[n];
    r.get(b);
    return b;
  }

  /**
   * RFC 6396 §4.3.2: the prefix in as few octets as its length needs ((length + 7) / 8), also when the length is not
   * a multiple of 8; the subtype follows the prefix's family, also for an IPv6 prefix of 32 bits or less.
   */
  @Test
  void ribRecords_lengthsOffOctetBoundariesAndShortIpv6Prefix_prefixOctetsAndSubtypeByFamily() throws Exception {
    InetAddress v6Peer = InetAddress.getByName("2001:db8::2");
    PathAttributes v4 = PathAttributes.builder().origin(Origin.IGP).asPath(65002).nextHop(0x0A000002).build();
    PathAttributes v6 = PathAttributes.builder().origin(Origin.IGP).asPath(65002)
        .ipv6NextHop((Inet6Address) v6Peer, null).build();
    TreeMap<IpPrefix, List<MrtRibDump.Entry>> rib = new TreeMap<>();
    rib.put(IpPrefix.parse("172.16.0.0/12"), List.of(new MrtRibDump.Entry(0, 1_699_999_000L, v4)));
    rib.put(IpPrefix.parse("198.51.100.128/25"), List.of(new MrtRibDump.Entry(0, 1_699_999_000L, v4)));
    rib.put(IpPrefix.parse("2001:db8::/32"), List.of(new MrtRibDump.Entry(0, 1_699_999_000L, v6)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MrtRibDump.write(out, 0x0A0000FE, 1_700_000_000L,
        List.of(new MrtRibDump.Peer(0x0A000002, InetAddress.getByName("10.0.0.2"), 65002)), rib);
    ByteBuffer r = ByteBuffer.wrap(out.toByteArray());
    r.position(12 + r.getInt(8));
    Object[][] expected = {
        {MrtRibDump.SUBTYPE_RIB_IPV4_UNICAST, 12, new byte[] {(byte) 172, 16}},
        {MrtRibDump.SUBTYPE_RIB_IPV4_UNICAST, 25, new byte[] {(byte) 198, 51, 100, (byte) 128}},
        {MrtRibDump.SUBTYPE_RIB_IPV6_UNICAST, 32, new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8}}};
    for (Object[] e : expected) {
      r.getInt();
      r.getShort();
      assertEquals((int) e[0], r.getShort(), "subtype of /" + e[1]);
      int end = r.getInt() + r.position();
      r.getInt(); // sequence
      assertEquals((int) e[1], r.get());
      byte[] octets = (byte[]) e[2];
      assertArrayEquals(octets, bytes(r, octets.length), "prefix of /" + e[1]);
      assertEquals(1, r.getShort(), "entry count of /" + e[1]);
      r.position(end);
    }
    assertFalse(r.hasRemaining());
  }

  /**
   * RFC 8050 §4: a prefix that a peer sending path identifiers and one sending none both have goes in one
   * RIB_IPV4_UNICAST_ADDPATH record, path identifier 0 in the entry of the latter.
   */
  @Test
  void ribRecord_addPathAndPlainPeerShareAPrefix_addPathRecordWithPathIdZeroForThePlainOne() throws Exception {
    PathAttributes a = PathAttributes.builder().origin(Origin.IGP).asPath(65010).nextHop(0x0A000001).build();
    TreeMap<IpPrefix, List<MrtRibDump.Entry>> rib = new TreeMap<>();
    rib.put(IpPrefix.parse("198.51.100.0/24"), List.of(new MrtRibDump.Entry(0, 1_699_999_000L, a, 7, true),
        new MrtRibDump.Entry(1, 1_699_999_001L, a)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MrtRibDump.write(out, 0x0A0000FE, 1_700_000_000L, List.of(
        new MrtRibDump.Peer(0x0A000001, InetAddress.getByName("10.0.0.1"), 65010),
        new MrtRibDump.Peer(0x0A000002, InetAddress.getByName("10.0.0.2"), 65020)), rib);
    ByteBuffer r = ByteBuffer.wrap(out.toByteArray());
    r.position(12 + r.getInt(8));
    r.getInt();
    r.getShort();
    assertEquals(MrtRibDump.SUBTYPE_RIB_IPV4_UNICAST_ADDPATH, r.getShort());
    int end = r.getInt() + r.position();
    r.getInt();
    assertEquals(24, r.get());
    bytes(r, 3);
    assertEquals(2, r.getShort());
    for (int i = 0; i < 2; i++) {
      assertEquals(i, r.getShort(), "peer index");
      assertEquals(1_699_999_000 + i, r.getInt(), "originated time");
      assertEquals(i == 0 ? 7 : 0, r.getInt(), "path identifier");
      bytes(r, r.getShort());
    }
    assertEquals(end, r.position());
  }

  /** ADD-PATH received for IPv4 only: the session's IPv6 routes have no path identifier, so RIB_IPV6_UNICAST. */
  @Test
  void entries_addPathForIpv4Only_ipv6RouteWithoutPathIdentifier() throws Exception {
    AddressFamily v4 = AddressFamily.IPV4_UNICAST;
    CodecContext ctx = CodecContext.FOUR_OCTET_AS.withAddPath(java.util.Set.of(v4), java.util.Set.of(v4));
    AdjRibIn rib = new AdjRibIn(new ManualScheduler(), Clock.fixed(Instant.ofEpochSecond(1_699_999_000L),
        ZoneOffset.UTC));
    PathAttributes v6 = PathAttributes.builder().origin(Origin.IGP).asPath(65002)
        .ipv6NextHop((Inet6Address) InetAddress.getByName("2001:db8::2"), null).build();
    announce(rib, ctx, v6, IpPrefix.parse("2001:db8:1::/48"));
    SortedMap<IpPrefix, List<MrtRibDump.Entry>> entries = MrtRibDump.entries(List.of(rib));
    assertFalse(entries.get(IpPrefix.parse("2001:db8:1::/48")).get(0).addPath());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MrtRibDump.write(out, 0x0A0000FE, 1_700_000_000L,
        List.of(new MrtRibDump.Peer(0x0A000002, InetAddress.getByName("2001:db8::2"), 65002)), entries);
    ByteBuffer r = ByteBuffer.wrap(out.toByteArray());
    r.position(12 + r.getInt(8));
    r.getInt();
    r.getShort();
    assertEquals(MrtRibDump.SUBTYPE_RIB_IPV6_UNICAST, r.getShort());
  }

  /** The snapshot is complete in the stream when write returns: a buffered stream is flushed. */
  @Test
  void write_bufferedStream_flushed() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(sink, 1 << 16);
    MrtRibDump.write(buffered, 0x0A0000FE, 1_700_000_000L,
        List.of(new MrtRibDump.Peer(0x0A000002, InetAddress.getByName("10.0.0.2"), 65002)), new TreeMap<>());
    assertEquals(12 + 4 + 2 + 2 + 1 + 4 + 4 + 4, sink.size());
  }
}
