package io.speakerkit.bgp.fsm.mrt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.transport.AdjRibIn;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A snapshot of the routes peers sent, as an MRT TABLE_DUMP_V2 file (RFC 6396 §4.3): what RouteViews' and RIS's RIB
 * files and FRR's {@code dump bgp routes-mrt} hold, and what bgpdump and BGPStream read. One PEER_INDEX_TABLE, then
 * one RIB_IPV4_UNICAST or RIB_IPV6_UNICAST record per prefix with an entry per peer that sent it (per path, in the
 * RIB_IPV4_UNICAST_ADDPATH or RIB_IPV6_UNICAST_ADDPATH record of RFC 8050 §4, for peers that send path identifiers).
 *
 * <p>Attributes are written as §4.3.4 asks: AS numbers in 4 octets whatever the session negotiated, and
 * MP_REACH_NLRI cut to its next hop (length and address) for IPv6 routes and for IPv4 routes with an IPv6 next hop.
 * Give the attributes of a route from a 2-octet AS session with the path rebuilt from AS_PATH and AS4_PATH
 * ({@link PathAttributes#withAs4AttributesMerged}): the 4-octet form leaves AS4_PATH out.
 *
 * <p>{@link #entries} takes the routes of {@link AdjRibIn}s, one per peer, in that form. The speaker module's
 * {@code Speaker.writeMrtRib} writes its peers' routes this way.
 */
public final class MrtRibDump {

  /** RFC 6396 §4.3: the MRT type of TABLE_DUMP_V2 records. */
  public static final int TYPE_TABLE_DUMP_V2 = 13;
  /** The table of the peers the RIB entries name by index. */
  public static final int SUBTYPE_PEER_INDEX_TABLE = 1;
  /** The IPv4 unicast routes of one prefix. */
  public static final int SUBTYPE_RIB_IPV4_UNICAST = 2;
  /** The IPv6 unicast routes of one prefix. */
  public static final int SUBTYPE_RIB_IPV6_UNICAST = 4;
  /** RFC 8050 §4: the IPv4 unicast routes of one prefix, each entry with its ADD-PATH path identifier. */
  public static final int SUBTYPE_RIB_IPV4_UNICAST_ADDPATH = 8;
  /** RFC 8050 §4: the IPv6 unicast routes of one prefix, each entry with its ADD-PATH path identifier. */
  public static final int SUBTYPE_RIB_IPV6_UNICAST_ADDPATH = 10;
  private static final int PEER_TYPE_IPV6 = 0x01;
  private static final int PEER_TYPE_AS4 = 0x02;
  private static final int MP_REACH_NLRI = 14;

  /** A peer of the index table: its BGP identifier, address and AS. */
  public record Peer(int bgpIdentifier, InetAddress address, long as) {}

  /**
   * One peer's route for a prefix: the peer's index in the table, when the route arrived, its attributes, and its
   * RFC 7911 path identifier when the peer sends them ({@code addPath}).
   */
  public record Entry(int peerIndex, long originatedSeconds, PathAttributes attributes, int pathId, boolean addPath) {

    /** A route without a path identifier. */
    public Entry(int peerIndex, long originatedSeconds, PathAttributes attributes) {
      this(peerIndex, originatedSeconds, attributes, 0, false);
    }
  }

  private MrtRibDump() {}

  /**
   * The routes of {@code ribs}, the Adj-RIB-In of peer {@code i} of the peer index table at index {@code i}: per
   * prefix an entry per path, in peer order, with the time the route was last announced and its attributes with
   * 4-octet AS numbers (those of a 2-octet AS session rebuilt from AS4_PATH and AS4_AGGREGATOR). Decodes the
   * attributes once per UPDATE they came in.
   */
  public static SortedMap<IpPrefix, List<Entry>> entries(List<AdjRibIn> ribs) {
    SortedMap<IpPrefix, List<Entry>> rib = new TreeMap<>();
    Map<byte[], PathAttributes> decoded = new IdentityHashMap<>(); // the routes of one UPDATE share their octets
    for (int peer = 0; peer < ribs.size(); peer++) {
      for (AdjRibIn.Route r : ribs.get(peer).routes()) {
        PathAttributes attributes = decoded.computeIfAbsent(r.attributes(), octets -> {
          PathAttributes a = r.pathAttributes();
          return r.context().fourOctetAs() ? a : a.withAs4AttributesMerged();
        });
        rib.computeIfAbsent(r.prefix(), p -> new ArrayList<>()).add(new Entry(peer, r.receivedMillis() / 1000,
            attributes, r.pathId(), r.context().receivesPathId(r.prefix().family())));
      }
    }
    return rib;
  }

  /**
   * Writes the snapshot: {@code peers} in index order, {@code rib} by prefix. {@code collectorId}: our BGP identifier;
   * {@code timeSeconds}: the time of every record (the dump's time).
   */
  public static void write(OutputStream out, int collectorId, long timeSeconds, List<Peer> peers,
      SortedMap<IpPrefix, List<Entry>> rib) throws IOException {
    ByteBuf body = Unpooled.buffer(4096);
    try {
      body.writeInt(collectorId).writeShort(0); // no view name
      body.writeShort(peers.size());
      for (Peer p : peers) {
        boolean v6 = p.address() instanceof Inet6Address;
        body.writeByte(PEER_TYPE_AS4 | (v6 ? PEER_TYPE_IPV6 : 0)).writeInt(p.bgpIdentifier())
            .writeBytes(p.address().getAddress()).writeInt((int) p.as());
      }
      record(out, timeSeconds, SUBTYPE_PEER_INDEX_TABLE, body);
      int sequence = 0;
      byte[] prefixOctets = new byte[16];
      for (Map.Entry<IpPrefix, List<Entry>> route : rib.entrySet()) {
        IpPrefix prefix = route.getKey();
        boolean v6 = prefix.family() == AddressFamily.IPV6_UNICAST;
        body.clear().writeInt(sequence++).writeByte(prefix.length());
        prefix.copyAddress(prefixOctets, 0);
        body.writeBytes(prefixOctets, 0, (prefix.length() + 7) >>> 3);
        body.writeShort(route.getValue().size());
        // RFC 8050 §4: with a path identifier in any entry, the ADD-PATH subtype and one in every entry (0 for a peer
        // that sends none)
        boolean addPath = route.getValue().stream().anyMatch(Entry::addPath);
        for (Entry e : route.getValue()) {
          body.writeShort(e.peerIndex()).writeInt((int) e.originatedSeconds());
          if (addPath) {
            body.writeInt(e.pathId());
          }
          int lengthAt = body.writerIndex();
          body.writeShort(0);
          writeAttributes(body, e.attributes(), v6);
          body.setShort(lengthAt, body.writerIndex() - lengthAt - 2);
        }
        int subtype = v6 ? (addPath ? SUBTYPE_RIB_IPV6_UNICAST_ADDPATH : SUBTYPE_RIB_IPV6_UNICAST)
            : (addPath ? SUBTYPE_RIB_IPV4_UNICAST_ADDPATH : SUBTYPE_RIB_IPV4_UNICAST);
        record(out, timeSeconds, subtype, body);
      }
      out.flush();
    } finally {
      body.release();
    }
  }

  /**
   * RFC 6396 §4.3.4: 4-octet AS numbers; the next hop of an IPv4 route in NEXT_HOP, of an IPv6 route (or an IPv4 one
   * with an IPv6 next hop, RFC 8950) in an MP_REACH_NLRI holding only the next hop. One UPDATE may carry routes of
   * both families, so the entry's prefix decides.
   */
  private static void writeAttributes(ByteBuf out, PathAttributes a, boolean v6Prefix) {
    boolean ipv4NextHop = !v6Prefix && a.hasIpv4NextHop();
    a.writeBeforeMpReach(out, true, ipv4NextHop);
    if (!ipv4NextHop && a.hasIpv6NextHop()) {
      out.writeByte(0x80).writeByte(MP_REACH_NLRI).writeByte(1 + a.ipv6NextHopLength())
          .writeByte(a.ipv6NextHopLength());
      a.writeIpv6NextHop(out);
    }
    a.writeAfterMpReach(out, true);
  }

  private static void record(OutputStream out, long timeSeconds, int subtype, ByteBuf body) throws IOException {
    ByteBuf header = Unpooled.buffer(12).writeInt((int) timeSeconds).writeShort(TYPE_TABLE_DUMP_V2)
        .writeShort(subtype).writeInt(body.readableBytes());
    out.write(header.array(), 0, 12);
    body.getBytes(body.readerIndex(), out, body.readableBytes());
  }
}
