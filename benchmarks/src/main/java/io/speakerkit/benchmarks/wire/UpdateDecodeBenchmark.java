package io.speakerkit.benchmarks.wire;

import io.netty.buffer.ByteBuf;
import io.speakerkit.benchmarks.CpuTime;
import io.speakerkit.benchmarks.SharedDefaults;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpFrameDecoder;
import io.speakerkit.bgp.wire.BgpMessage;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.ErrorAction;
import io.speakerkit.bgp.wire.MpReachView;
import io.speakerkit.bgp.wire.MpUnreachView;
import io.speakerkit.bgp.wire.PeerType;
import io.speakerkit.bgp.wire.PrefixCursor;
import io.speakerkit.bgp.wire.UpdateAttributes;
import io.speakerkit.bgp.wire.UpdateChecks;
import io.speakerkit.bgp.wire.UpdateError;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.AsPathView;
import io.speakerkit.bgp.wire.attribute.ExtendedCommunitiesView;
import io.speakerkit.bgp.wire.attribute.LargeCommunitiesView;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.Uint32ListView;
import java.util.List;
import java.util.Set;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Decoding received UPDATEs the way the session pipeline does: the corpus sits in one direct buffer from the
 * transport's allocator, and each operation hands it to {@link BgpFrameDecoder#next} (what the pipeline's
 * {@code BgpFrameDecoder} calls for every message), which frames, validates (RFC 4271 header checks, RFC 7606
 * attribute checks: always on, there is no switch) and returns the message; then the checks the session runs on
 * every UPDATE before its listener sees it ({@link UpdateChecks}: first AS, confederation segments, martian next hops,
 * as {@code BgpSession.onUpdate} calls them), then every withdrawn and announced prefix and every attribute value is
 * read, so lazy decoding cannot skip work, and the message is released. One operation is one message. At the end of
 * the corpus the reader index wraps to 0.
 *
 * <p>Netty's safety checks stay at their defaults: the fork sets no {@code io.netty.*} property, not even leak
 * detection (production runs with Netty's default level; unlike {@link SharedDefaults}, this fork only makes the
 * benchmark thread a {@code FastThreadLocalThread}, as the event loop that decodes in production is). The framing
 * reads the buffer through Netty's checked accessors; the UPDATE it hands out pins the direct buffer and reads it from
 * its address, checked per message instead of per read ({@code MessageBytes}), exactly as in the session pipeline.
 *
 * <p>{@code corpus}: a file of raw BGP messages back to back as read off a TCP session (empty: the built-in mix
 * of {@link UpdateCorpus}); decoded with {@code CodecContext.FOUR_OCTET_AS} (eBGP; iBGP when {@code ibgp} is true),
 * plus ADD-PATH receive for IPv4/IPv6 unicast when {@code addPath} is true; {@code peerAs} is the peer's AS for the
 * first-AS check (the built-in mix's is 4200000001). The setup decodes the corpus once and refuses it when the codec
 * rejects a message or flags one with an RFC 7606 error (the error path is not what this measures): capture the
 * corpus from a session whose context these parameters describe.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar UpdateDecodeBenchmark [-p corpus=/path/to/messages.bin]
 *     [-p addPath=true] [-p ibgp=true] [-p peerAs=65001]</pre>
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms512m",
    "-Xmx512m",
    "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.speakerkit.benchmarks.EventLoopLikeExecutor",
})
public class UpdateDecodeBenchmark extends SharedDefaults {

  @Param({""})
  public String corpus;

  @Param({"false"})
  public boolean addPath;

  @Param({"default"})
  public String allocator;

  @Param({"4200000001"})
  public long peerAs = 4_200_000_001L;

  @Param({"false"})
  public boolean ibgp;

  private ByteBuf buffer;
  private int end;
  private CodecContext context;
  /** Messages and UPDATEs in one pass over the corpus (counted by the setup). */
  int messages;
  int updates;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] bytes = UpdateCorpus.load(corpus);
    UpdateCorpus.offsets(bytes);
    buffer = Allocators.named(allocator).directBuffer(bytes.length);
    buffer.writeBytes(bytes);
    end = bytes.length;
    context = CodecContext.FOUR_OCTET_AS.withPeerType(ibgp ? PeerType.INTERNAL : PeerType.EXTERNAL);
    if (addPath) {
      Set<AddressFamily> both = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
      context = context.withAddPath(both, both);
    }
    // Decode the whole corpus once: a corpus the codec rejects, or whose UPDATEs it or the session's checks flag
    // (treat-as-withdraw, attribute discard: error objects and strings per message), is a setup error, not a
    // benchmark of the normal path.
    try {
      while (buffer.readerIndex() < end) {
        int at = buffer.readerIndex();
        BgpMessage m = BgpFrameDecoder.next(buffer, context);
        messages++;
        if (m instanceof UpdateMessage u) {
          updates++;
          try {
            checks(u);
            if (u.errorAction() != ErrorAction.NONE) {
              throw new IllegalArgumentException("corpus: the UPDATE at offset " + at + " decodes with "
                  + u.errorAction() + " " + u.errors() + " (check the parameters addPath, ibgp, peerAs)");
            }
            visit(u);
          } finally {
            u.release();
          }
        }
      }
    } catch (RuntimeException e) {
      buffer.release();
      throw e;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    buffer.release();
  }

  @Benchmark
  public long decode(CpuTime cpu) {
    cpu.ops++;
    return decodeOne();
  }

  private long decodeOne() {
    if (buffer.readerIndex() == end) {
      buffer.readerIndex(0);
    }
    BgpMessage m = BgpFrameDecoder.next(buffer, context);
    if (m instanceof UpdateMessage u) {
      try {
        return checks(u) + visit(u);
      } finally {
        u.release();
      }
    }
    return m.type().value();
  }

  /** What BgpSession.onUpdate runs on every UPDATE (enforce-first-as on, as by default; not a loopback session). */
  private int checks(UpdateMessage u) {
    List<UpdateError> found = UpdateChecks.check(u, peerAs, true, false, false);
    if (!found.isEmpty()) {
      u.addErrors(found);
    }
    return found.size();
  }

  /** Reads every prefix and every attribute value; returns a sum so nothing is dead code. */
  static long visit(UpdateMessage u) {
    long sum = u.errorAction().ordinal();
    sum += prefixes(u.withdrawn());
    sum += prefixes(u.nlri());
    UpdateAttributes a = u.attributes();
    Origin origin = a.origin();
    if (origin != null) {
      sum += origin.ordinal();
    }
    if (a.hasAsPath()) {
      AsPathView path = a.asPath();
      while (path.nextSegment()) {
        sum += path.segmentType();
        for (int i = 0, n = path.segmentLength(); i < n; i++) {
          sum += path.asn(i);
        }
      }
    }
    if (a.hasNextHop()) {
      sum += a.nextHopIpv4();
    }
    if (a.hasMed()) {
      sum += a.med();
    }
    if (a.hasLocalPref()) {
      sum += a.localPref();
    }
    if (a.atomicAggregate()) {
      sum++;
    }
    if (a.hasAggregator()) {
      sum += a.aggregatorAs() + a.aggregatorAddress();
    }
    Uint32ListView communities = a.communities();
    if (communities != null) {
      for (int i = 0, n = communities.size(); i < n; i++) {
        sum += communities.get(i);
      }
    }
    if (a.hasOriginatorId()) {
      sum += a.originatorId();
    }
    Uint32ListView clusters = a.clusterList();
    if (clusters != null) {
      for (int i = 0, n = clusters.size(); i < n; i++) {
        sum += clusters.get(i);
      }
    }
    ExtendedCommunitiesView ext = a.extendedCommunities();
    if (ext != null) {
      for (int i = 0, n = ext.size(); i < n; i++) {
        sum += ext.get(i);
      }
    }
    LargeCommunitiesView large = a.largeCommunities();
    if (large != null) {
      for (int i = 0, n = large.size(); i < n; i++) {
        sum += large.globalAdministrator(i) + large.localData1(i) + large.localData2(i);
      }
    }
    if (a.hasMpReach()) {
      MpReachView r = a.mpReach();
      sum += r.afi() + r.safi() + r.nextHopLength();
      if (r.nextHopLength() >= 16) {
        sum += r.nextHopIpv6Hi() + r.nextHopIpv6Lo();
        if (r.hasLinkLocalNextHop()) {
          sum += r.linkLocalNextHopHi() + r.linkLocalNextHopLo();
        }
      } else if (r.nextHopLength() == 4) {
        sum += r.nextHopIpv4();
      }
      sum += prefixes(r.prefixes());
    }
    if (a.hasMpUnreach()) {
      MpUnreachView w = a.mpUnreach();
      sum += w.family().afi().value();
      sum += prefixes(w.prefixes());
    }
    if (a.hasOnlyToCustomer()) {
      sum += a.onlyToCustomer();
    }
    if (a.unknownCount() > 0) {
      // attributes the library does not interpret (kept and passed on by a session): every value octet
      ByteBuf content = u.content();
      UpdateAttributes.AttributeCursor c = a.cursor();
      while (c.next()) {
        if (!a.has(c.type())) {
          sum += c.flags() + c.type() + c.valueLength();
          for (int i = c.valueOffset(), e = i + c.valueLength(); i < e; i++) {
            sum += content.getByte(i);
          }
        }
      }
    }
    return sum;
  }

  private static long prefixes(PrefixCursor c) {
    long sum = 0;
    while (c.next()) {
      sum += c.length();
      if (c.hasPathId()) {
        sum += c.pathId();
      }
      if (c.isIpv6()) {
        sum += c.ipv6Hi() + c.ipv6Lo();
      } else {
        sum += c.ipv4();
      }
    }
    return sum;
  }
}
