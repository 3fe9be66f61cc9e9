package io.speakerkit.benchmarks.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.benchmarks.CpuTime;
import io.speakerkit.bgp.wire.BgpFrameDecoder;
import io.speakerkit.bgp.wire.BgpMessage;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.ErrorAction;
import io.speakerkit.bgp.wire.PrefixCursor;
import io.speakerkit.bgp.wire.UpdateChecks;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.AsPathView;
import io.speakerkit.testing.pcap.PcapReader;
import io.speakerkit.testing.pcap.TcpConnection;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.net.Inet6Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether {@link UpdateDecodeBenchmark} measures what the issue asks: the built-in mix, a corpus file of real
 * messages (the golden captures of bgp-wire), the visit reading every value, and the session's checks. Runs the
 * benchmark's setup and operations as plain calls, no JMH, no timing.
 */
class UpdateDecodeBenchmarkHonestyTest {

  private static final Path GOLDEN = Path.of("../bgp-wire/src/test/resources/golden");
  private static final long MIX_PEER_AS = 4_200_000_001L;

  @TempDir
  Path dir;

  // ---- the built-in mix

  @Test
  void builtInMixIsTheMixTheIssueDescribes() {
    byte[] corpus = UpdateCorpus.builtIn();
    ByteBuf in = Unpooled.wrappedBuffer(corpus);
    TreeMap<String, Integer> kinds = new TreeMap<>();
    TreeMap<Integer, Integer> prefixes = new TreeMap<>();
    TreeMap<Integer, Integer> asns = new TreeMap<>();
    TreeMap<Integer, Integer> communities = new TreeMap<>();
    int announcements = 0;
    int large = 0;
    int ext = 0;
    int linkLocal = 0;
    int bigAsns = 0;
    int messages = 0;
    while (in.isReadable()) {
      BgpMessage m = BgpFrameDecoder.next(in, CodecContext.FOUR_OCTET_AS);
      messages++;
      UpdateMessage u = (UpdateMessage) m;
      try {
        assertEquals(ErrorAction.NONE, u.errorAction(), () -> "message " + u + ": " + u.errors());
        assertEquals(List.of(), UpdateChecks.check(u, MIX_PEER_AS, true), "the session's checks");
        var a = u.attributes();
        String kind;
        int n;
        if (u.nlriLength() > 0) {
          kind = "ipv4 announce";
          n = count(u.nlri());
        } else if (a.hasMpReach()) {
          kind = "ipv6 announce (MP_REACH)";
          n = count(a.mpReach().prefixes());
          linkLocal += a.mpReach().hasLinkLocalNextHop() ? 1 : 0;
        } else if (u.withdrawnLength() > 0) {
          kind = "ipv4 withdraw";
          n = count(u.withdrawn());
        } else {
          kind = "ipv6 withdraw (MP_UNREACH)";
          n = count(a.mpUnreach().prefixes());
        }
        kinds.merge(kind, 1, Integer::sum);
        prefixes.merge(n, 1, Integer::sum);
        if (a.hasAsPath()) {
          announcements++;
          AsPathView p = a.asPath();
          int k = 0;
          while (p.nextSegment()) {
            assertEquals(2, p.segmentType(), "AS_SEQUENCE");
            for (int i = 0; i < p.segmentLength(); i++) {
              k++;
              bigAsns += p.asn(i) > 0xFFFF ? 1 : 0;
            }
          }
          asns.merge(k, 1, Integer::sum);
          communities.merge(a.communities() == null ? 0 : a.communities().size(), 1, Integer::sum);
          large += a.largeCommunities() != null ? 1 : 0;
          ext += a.extendedCommunities() != null ? 1 : 0;
        }
      } finally {
        u.release();
      }
    }
    System.out.printf("built-in mix: %d messages, %d octets; kinds %s; prefixes per message %s; ASNs per path %s "
            + "(%d ASNs above 65535); communities per announcement %s; large %d, extended %d of %d announcements; "
            + "IPv6 with link-local next hop %d%n", messages, corpus.length, kinds, prefixes, asns, bigAsns,
        communities, large, ext, announcements, linkLocal);
    assertEquals(UpdateCorpus.BUILT_IN_MESSAGES, messages);
    assertEquals(4, kinds.size());
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), List.copyOf(prefixes.keySet()));
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), List.copyOf(asns.keySet()));
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), List.copyOf(communities.keySet()));
    assertTrue(large > announcements / 5 && large < announcements / 3, "about a quarter with large communities");
    assertTrue(ext > announcements / 5 && ext < announcements / 3, "about a quarter with extended communities");
  }

  private static int count(PrefixCursor c) {
    int n = 0;
    while (c.next()) {
      n++;
    }
    return n;
  }

  // ---- a corpus file of real messages

  /**
   * Each direction of each TCP connection of the FRR-GoBGP capture (eBGP, 4-octet AS; ADD-PATH on the IPv4
   * connection) written as it came off the wire into a corpus file: the benchmark's setup accepts it, one operation
   * decodes one message, every message is decoded once per pass, and no UPDATE carries an RFC 7606 error.
   */
  @Test
  void corpusFileOfRealMessagesIsDecodedMessageByMessage() throws Exception {
    int files = 0;
    for (TcpConnection c : PcapReader.readTcp(GOLDEN.resolve("frr-gobgp.pcap"))) {
      boolean v6 = c.client().address() instanceof Inet6Address;
      for (byte[] stream : List.of(c.clientToServer(), c.serverToClient())) {
        byte[] whole = wholeMessages(stream);
        int[] offsets = UpdateCorpus.offsets(whole);
        if (offsets.length == 0) {
          continue;
        }
        Path file = dir.resolve("corpus-" + files++ + ".bin");
        Files.write(file, whole);
        int updates = 0;
        ByteBuf check = Unpooled.wrappedBuffer(whole);
        CodecContext ctx = v6 ? CodecContext.FOUR_OCTET_AS : CodecContext.FOUR_OCTET_AS.withAddPath(
            java.util.Set.of(io.speakerkit.bgp.wire.AddressFamily.IPV4_UNICAST,
                io.speakerkit.bgp.wire.AddressFamily.IPV6_UNICAST), java.util.Set.of());
        while (check.isReadable()) {
          if (BgpFrameDecoder.next(check, ctx) instanceof UpdateMessage u) {
            updates++;
            assertEquals(ErrorAction.NONE, u.errorAction(), () -> file + ": " + u + " " + u.errors());
            u.release();
          }
        }
        assertTrue(updates > 0, file + " has UPDATEs");

        UpdateDecodeBenchmark b = new UpdateDecodeBenchmark();
        b.corpus = file.toString();
        b.allocator = "default";
        b.addPath = !v6;
        // the sender's AS, for the session's first-AS check: FRR (the hub, host address 1) is AS 65001, GoBGP 65002
        boolean fromFrr = stream == c.clientToServer() ? isHub(c.client().address()) : isHub(c.server().address());
        b.peerAs = fromFrr ? 65_001 : 65_002;
        b.setUp();
        try {
          ByteBuf buffer = (ByteBuf) field(b, "buffer");
          assertTrue(buffer.isDirect(), "a direct buffer, as the epoll transport reads into");
          CpuTime cpu = new CpuTime();
          // after setup's pass the reader index sits at the end: the first operation wraps to the first message
          for (int i = 0; i < offsets.length; i++) {
            b.decode(cpu);
            int expected = i + 1 < offsets.length ? offsets[i + 1] : whole.length;
            assertEquals(expected, buffer.readerIndex(), "operation " + i + " decodes exactly message " + i);
          }
          assertEquals(offsets.length, cpu.ops);
          assertEquals(offsets.length, b.messages, "setup's pass counted every message");
          assertEquals(updates, b.updates, "setup's pass counted every UPDATE");
          assertEquals(1, buffer.refCnt(), "every message released its reference");
        } finally {
          b.tearDown();
        }
        System.out.printf("%s (%s, addPath=%s): %d messages, %d UPDATEs, all decoded once per pass%n", file, c,
            !v6, offsets.length, updates);
      }
    }
    assertEquals(4, files);
  }

  private static boolean isHub(java.net.InetAddress a) {
    byte[] b = a.getAddress();
    return b[b.length - 1] == 1;
  }

  private static byte[] wholeMessages(byte[] stream) {
    int off = 0;
    while (stream.length - off >= 19) {
      int length = ((stream[off + 16] & 0xFF) << 8) | (stream[off + 17] & 0xFF);
      if (off + length > stream.length) {
        break;
      }
      off += length;
    }
    return Arrays.copyOf(stream, off);
  }

  private static Object field(Object o, String name) throws ReflectiveOperationException {
    Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  // ---- what the setup lets through

  /**
   * A corpus whose UPDATE a real eBGP session treats as withdrawn (NEXT_HOP 0.0.0.0: {@code UpdateChecks}, RFC 7606
   * §7.3, called by BgpSession.onUpdate) is not a corpus of the session's normal path: the setup must refuse it, as it
   * refuses one the decoder rejects. Fails while the benchmark skips the session's checks and ignores errorAction().
   */
  @Test
  void setupRefusesACorpusTheSessionWouldTreatAsWithdraw() throws Exception {
    Path file = dir.resolve("martian.bin");
    Files.write(file, ipv4Update(0x00000000, MIX_PEER_AS, null));
    UpdateDecodeBenchmark b = new UpdateDecodeBenchmark();
    b.corpus = file.toString();
    b.allocator = "default";
    assertThrows(RuntimeException.class, () -> {
      b.setUp();
      b.tearDown();
    });
  }

  /**
   * The iBGP capture (FRR to BIRD, a route-reflector client: LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST) decoded as eBGP
   * makes every UPDATE an RFC 7606 attribute-discard case (an error object and strings per message): the setup must
   * not silently measure that path. Fails while it only refuses what throws.
   */
  @Test
  void setupRefusesACorpusItDecodesWithErrors() throws Exception {
    TcpConnection v4 = PcapReader.readTcp(GOLDEN.resolve("frr-bird.pcap")).stream()
        .filter(c -> !(c.client().address() instanceof Inet6Address)).findFirst().orElseThrow();
    byte[] fromFrr = v4.client().address().getAddress()[3] == 1 ? v4.clientToServer() : v4.serverToClient();
    byte[] whole = wholeMessages(fromFrr);
    // the same bytes decode cleanly as what they are (iBGP, ADD-PATH receive for IPv4), and as eBGP without throwing
    // but with RFC 7606 errors
    var both = java.util.Set.of(io.speakerkit.bgp.wire.AddressFamily.IPV4_UNICAST,
        io.speakerkit.bgp.wire.AddressFamily.IPV6_UNICAST);
    CodecContext ibgp = CodecContext.FOUR_OCTET_AS.withPeerType(io.speakerkit.bgp.wire.PeerType.INTERNAL)
        .withAddPath(both, java.util.Set.of());
    CodecContext ebgp = CodecContext.FOUR_OCTET_AS.withAddPath(both, java.util.Set.of());
    int withErrors = 0;
    for (CodecContext ctx : List.of(ibgp, ebgp)) {
      ByteBuf in = Unpooled.wrappedBuffer(whole);
      while (in.isReadable()) {
        if (BgpFrameDecoder.next(in, ctx) instanceof UpdateMessage u) {
          if (ctx == ibgp) {
            assertEquals(ErrorAction.NONE, u.errorAction(), () -> u + " " + u.errors());
          } else if (u.errorAction() != ErrorAction.NONE) {
            withErrors++;
          }
          u.release();
        }
      }
    }
    System.out.println("FRR -> BIRD (iBGP) decoded as eBGP: " + withErrors + " UPDATEs with RFC 7606 errors");
    assertTrue(withErrors > 0);
    Path file = dir.resolve("ibgp.bin");
    Files.write(file, whole);
    UpdateDecodeBenchmark b = new UpdateDecodeBenchmark();
    b.corpus = file.toString();
    b.allocator = "default";
    b.addPath = true;
    assertThrows(RuntimeException.class, () -> {
      b.setUp();
      b.tearDown();
    });
    // described as what it is, the same corpus is accepted
    UpdateDecodeBenchmark ok = new UpdateDecodeBenchmark();
    ok.corpus = file.toString();
    ok.allocator = "default";
    ok.addPath = true;
    ok.ibgp = true;
    ok.setUp();
    try {
      CpuTime cpu = new CpuTime();
      for (int i = 0; i < 3 * ok.messages; i++) {
        ok.decode(cpu);
      }
    } finally {
      ok.tearDown();
    }
  }

  /** The built-in mix passes the setup (no RFC 7606 error, the session's checks with the mix's peer AS). */
  @Test
  void builtInMixPassesTheSetup() {
    UpdateDecodeBenchmark b = new UpdateDecodeBenchmark();
    b.corpus = "";
    b.allocator = "default";
    b.setUp();
    try {
      assertEquals(UpdateCorpus.BUILT_IN_MESSAGES, b.messages);
      assertEquals(UpdateCorpus.BUILT_IN_MESSAGES, b.updates);
      CpuTime cpu = new CpuTime();
      for (int i = 0; i < 2 * b.messages + 5; i++) {
        b.decode(cpu);
      }
    } finally {
      b.tearDown();
    }
  }

  /** The first-AS check runs as in the session: a peer AS that does not lead the paths is refused at setup. */
  @Test
  void setupRefusesTheMixForAnotherPeerAs() {
    UpdateDecodeBenchmark b = new UpdateDecodeBenchmark();
    b.corpus = "";
    b.allocator = "default";
    b.peerAs = 65_001;
    assertThrows(IllegalArgumentException.class, b::setUp);
  }

  // ---- the visit reads every value

  /** ONLY_TO_CUSTOMER (RFC 9234) is decoded and kept by the session; the visit must read its value. */
  @Test
  void visitReadsOnlyToCustomer() {
    long a = visitOf(ipv4Update(0x0AFE0001, MIX_PEER_AS, new byte[] {(byte) 0xC0, 35, 4, 0, 0, (byte) 0xFD, (byte) 0xE9}));
    long b = visitOf(ipv4Update(0x0AFE0001, MIX_PEER_AS, new byte[] {(byte) 0xC0, 35, 4, 0, 0, (byte) 0xFD, (byte) 0xEA}));
    assertNotEquals(a, b, "OTC 65001 and 65002 visit alike: the value was not read");
  }

  /** An unknown optional transitive attribute is passed on by the session; the visit must read its value. */
  @Test
  void visitReadsUnknownAttributeValues() {
    long a = visitOf(ipv4Update(0x0AFE0001, MIX_PEER_AS, new byte[] {(byte) 0xC0, 99, 2, 0x12, 0x34}));
    long b = visitOf(ipv4Update(0x0AFE0001, MIX_PEER_AS, new byte[] {(byte) 0xC0, 99, 2, 0x12, 0x35}));
    assertNotEquals(a, b, "unknown attribute values 0x1234 and 0x1235 visit alike: the value was not read");
  }

  private static long visitOf(byte[] message) {
    ByteBuf in = Unpooled.directBuffer(message.length).writeBytes(message);
    try {
      UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(in, CodecContext.FOUR_OCTET_AS);
      try {
        assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
        return UpdateDecodeBenchmark.visit(u);
      } finally {
        u.release();
      }
    } finally {
      in.release();
    }
  }

  /** An UPDATE of 10.1.0.0/16 with ORIGIN, AS_PATH (firstAs), NEXT_HOP {@code nextHop} and {@code extra}. */
  static byte[] ipv4Update(int nextHop, long firstAs, byte[] extra) {
    ByteArrayOutputStream attrs = new ByteArrayOutputStream();
    attrs.writeBytes(new byte[] {0x40, 1, 1, 0});
    attrs.writeBytes(new byte[] {0x40, 2, 6, 2, 1, (byte) (firstAs >>> 24), (byte) (firstAs >>> 16),
        (byte) (firstAs >>> 8), (byte) firstAs});
    attrs.writeBytes(new byte[] {0x40, 3, 4, (byte) (nextHop >>> 24), (byte) (nextHop >>> 16), (byte) (nextHop >>> 8),
        (byte) nextHop});
    if (extra != null) {
      attrs.writeBytes(extra);
    }
    byte[] nlri = {16, 10, 1};
    int length = 19 + 2 + 2 + attrs.size() + nlri.length;
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    for (int i = 0; i < 16; i++) {
      m.write(0xFF);
    }
    m.write(length >>> 8);
    m.write(length);
    m.write(2);
    m.write(0);
    m.write(0);
    m.write(attrs.size() >>> 8);
    m.write(attrs.size());
    m.writeBytes(attrs.toByteArray());
    m.writeBytes(nlri);
    return m.toByteArray();
  }
}
