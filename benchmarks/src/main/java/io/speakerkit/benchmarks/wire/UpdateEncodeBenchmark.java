package io.speakerkit.benchmarks.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.speakerkit.benchmarks.CpuTime;
import io.speakerkit.benchmarks.SharedDefaults;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.PeerType;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encoding the announcement a MetalLB-style speaker sends for a service address: a /32 with ORIGIN IGP, AS_PATH
 * (one 4-octet AS), NEXT_HOP, LOCAL_PREF and two communities, on a 4-octet AS iBGP session. Each operation does what
 * the session's Adj-RIB-Out sink does ({@code BgpSession.Connection.writeOut}): takes a buffer from the transport's
 * allocator ({@code buffer(64 + 8 per prefix)}, direct), writes the UPDATE with
 * {@link UpdateEncoder#writeAllAnnouncements} from pre-built {@link PathAttributes}, and releases the buffer (as the
 * transport does once the bytes are on the socket). Not included: the {@code List<IpPrefix>} the sink builds from the
 * Adj-RIB-Out's keys before encoding (one list and one {@code IpPrefix} per announcement batch).
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the heap allocated per UPDATE. The fork's setup
 * ({@link SharedDefaults}) is what reaches 0: the event-loop-like {@code FastThreadLocalThread} makes the pooled
 * allocators serve from their thread-local caches, as they do on an event loop, and leak detection is off (not a
 * production setting: Netty's default sampling tracks about one buffer in 128, ~12 B/op on average).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar UpdateEncodeBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
public class UpdateEncodeBenchmark extends SharedDefaults {

  @Param({"default"})
  public String allocator;

  private ByteBufAllocator alloc;
  private PathAttributes attributes;
  private List<IpPrefix> prefixes;
  private CodecContext context;

  @Setup
  public void setUp() {
    alloc = Allocators.named(allocator);
    attributes = PathAttributes.builder()
        .origin(Origin.IGP)
        .asPath(4_200_000_001L)
        .nextHop(0x0AFE0001) // 10.254.0.1
        .localPref(100)
        .communities(Community.of(65_001, 100), Community.of(65_001, 200))
        .build();
    prefixes = new ArrayList<>(List.of(IpPrefix.parse("10.254.100.7/32"))); // an ArrayList, as the sink passes
    context = CodecContext.FOUR_OCTET_AS.withPeerType(PeerType.INTERNAL);
  }

  @Benchmark
  public int encode(CpuTime cpu) {
    cpu.ops++;
    ByteBuf out = alloc.buffer(64 + 8 * prefixes.size()); // as BgpSession.Connection.writeOut sizes it
    try {
      UpdateEncoder.writeAllAnnouncements(out, attributes, prefixes, context);
      return out.readableBytes();
    } finally {
      out.release();
    }
  }
}
