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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encoding the announcement a MetalLB-style speaker sends for a service address: a /32 with ORIGIN IGP, AS_PATH
 * (one 4-octet AS), NEXT_HOP, LOCAL_PREF and two communities, on a 4-octet AS iBGP session. Each operation takes a buffer
 * from the transport's allocator ({@code ioBuffer()}, direct), writes the UPDATE with
 * {@link UpdateEncoder#writeAnnouncement} from pre-built {@link PathAttributes}, and releases the buffer (as the
 * transport does once the bytes are on the socket).
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the heap allocated per UPDATE. The fork's setup
 * ({@link SharedDefaults}: event-loop-like {@code FastThreadLocalThread}, leak detection off) is what makes the
 * pooled allocators serve from their thread-local caches, as they do on an event loop.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar UpdateEncodeBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
public class UpdateEncodeBenchmark extends SharedDefaults {

  @Param({"default"})
  public String allocator;

  private ByteBufAllocator alloc;
  private PathAttributes attributes;
  private IpPrefix prefix;
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
    prefix = IpPrefix.parse("10.254.100.7/32");
    context = CodecContext.FOUR_OCTET_AS.withPeerType(PeerType.INTERNAL);
  }

  @Benchmark
  public int encode(CpuTime cpu) {
    cpu.ops++;
    ByteBuf out = alloc.ioBuffer(128);
    try {
      UpdateEncoder.writeAnnouncement(out, attributes, prefix, context);
      return out.readableBytes();
    } finally {
      out.release();
    }
  }
}
