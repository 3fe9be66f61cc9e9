package io.speakerkit.benchmarks.wire;

import io.netty.buffer.ByteBuf;
import io.speakerkit.benchmarks.CpuTime;
import io.speakerkit.benchmarks.SharedDefaults;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpFrameDecoder;
import io.speakerkit.bgp.wire.BgpMessage;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.MpReachView;
import io.speakerkit.bgp.wire.MpUnreachView;
import io.speakerkit.bgp.wire.PrefixCursor;
import io.speakerkit.bgp.wire.UpdateAttributes;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.AsPathView;
import io.speakerkit.bgp.wire.attribute.ExtendedCommunitiesView;
import io.speakerkit.bgp.wire.attribute.LargeCommunitiesView;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.Uint32ListView;
import java.util.Set;
import org.openjdk.jmh.annotations.Benchmark;
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
 * attribute checks: always on, there is no switch) and returns the message; then every withdrawn and announced
 * prefix and every attribute value is read, so lazy decoding cannot skip work, and the message is released.
 * One operation is one message. At the end of the corpus the reader index wraps to 0.
 *
 * <p>Netty's safety checks stay at their defaults (the fork sets no {@code io.netty.buffer.*} property). The framing
 * reads the buffer through Netty's checked accessors; the UPDATE it hands out pins the direct buffer and reads it from
 * its address, checked per message instead of per read ({@code MessageBytes}), exactly as in the session pipeline.
 *
 * <p>{@code corpus}: a file of raw BGP messages back to back as read off a TCP session (empty: the built-in mix
 * of {@link UpdateCorpus}); decoded with {@code CodecContext.FOUR_OCTET_AS} (eBGP), plus ADD-PATH receive for
 * IPv4/IPv6 unicast when {@code addPath} is true.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar UpdateDecodeBenchmark [-p corpus=/path/to/messages.bin]</pre>
 */
@State(Scope.Thread)
public class UpdateDecodeBenchmark extends SharedDefaults {

  @Param({""})
  public String corpus;

  @Param({"false"})
  public boolean addPath;

  @Param({"default"})
  public String allocator;

  private ByteBuf buffer;
  private int end;
  private CodecContext context;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] bytes = UpdateCorpus.load(corpus);
    UpdateCorpus.offsets(bytes);
    buffer = Allocators.named(allocator).directBuffer(bytes.length);
    buffer.writeBytes(bytes);
    end = bytes.length;
    context = CodecContext.FOUR_OCTET_AS;
    if (addPath) {
      Set<AddressFamily> both = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
      context = context.withAddPath(both, both);
    }
    // Decode the whole corpus once: a corpus the codec rejects is a setup error, not a fast benchmark.
    while (buffer.readerIndex() < end) {
      decodeOne();
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
        return visit(u);
      } finally {
        u.release();
      }
    }
    return m.type().value();
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
    if (a.unknownCount() > 0) {
      UpdateAttributes.AttributeCursor c = a.cursor();
      while (c.next()) {
        sum += c.flags() + c.type() + c.valueLength();
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
