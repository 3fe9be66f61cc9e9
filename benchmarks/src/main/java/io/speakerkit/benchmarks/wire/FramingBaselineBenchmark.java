package io.speakerkit.benchmarks.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.speakerkit.benchmarks.CpuTime;
import io.speakerkit.benchmarks.SharedDefaults;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Floors under {@code UpdateDecodeBenchmark}: the same corpus in the same pooled direct buffer, no codec.
 * {@link #walkLengths} only reads each message's length field and steps over it; {@link #walkStructure} also walks
 * every withdrawn-route and NLRI prefix length, every path attribute header and the prefixes inside
 * MP_REACH_NLRI / MP_UNREACH_NLRI, through the same checked {@code ByteBuf} accessors a decoder uses, without
 * validating or reading any value. One operation is one message. Forked as {@code UpdateDecodeBenchmark} is (no
 * {@code io.netty.*} property), so that the two compare.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms512m",
    "-Xmx512m",
    "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.speakerkit.benchmarks.EventLoopLikeExecutor",
})
public class FramingBaselineBenchmark extends SharedDefaults {

  /** Path of a file of raw BGP messages back to back; empty for the built-in mix ({@link UpdateCorpus}). */
  @Param({""})
  public String corpus;

  private ByteBuf buffer;
  private int end;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] bytes = UpdateCorpus.load(corpus);
    UpdateCorpus.offsets(bytes); // validates the framing once
    buffer = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
    buffer.writeBytes(bytes);
    end = bytes.length;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    buffer.release();
  }

  /** Message lengths only. */
  @Benchmark
  public int walkLengths(CpuTime cpu) {
    cpu.ops++;
    int reader = buffer.readerIndex();
    if (reader == end) {
      reader = 0;
    }
    int length = buffer.getUnsignedShort(reader + 16);
    buffer.readerIndex(reader + length);
    return buffer.getByte(reader + 18);
  }

  /** Message lengths, prefix lengths and attribute headers: the structure a decoder must at least walk. */
  @Benchmark
  public int walkStructure(CpuTime cpu) {
    cpu.ops++;
    ByteBuf b = buffer;
    int reader = b.readerIndex();
    if (reader == end) {
      reader = 0;
    }
    int length = b.getUnsignedShort(reader + 16);
    int messageEnd = reader + length;
    b.readerIndex(messageEnd);
    if (b.getByte(reader + 18) != 2) {
      return 0;
    }
    int sum = 0;
    int p = reader + 19;
    int withdrawnEnd = p + 2 + b.getUnsignedShort(p);
    sum += prefixLengths(b, p + 2, withdrawnEnd);
    int attrEnd = withdrawnEnd + 2 + b.getUnsignedShort(withdrawnEnd);
    p = withdrawnEnd + 2;
    while (p < attrEnd) {
      int flags = b.getUnsignedByte(p);
      int type = b.getUnsignedByte(p + 1);
      int valueLength = (flags & 0x10) != 0 ? b.getUnsignedShort(p + 2) : b.getUnsignedByte(p + 2);
      int value = p + ((flags & 0x10) != 0 ? 4 : 3);
      if (type == 14) {
        int nextHopLength = b.getUnsignedByte(value + 3);
        sum += prefixLengths(b, value + 5 + nextHopLength, value + valueLength);
      } else if (type == 15) {
        sum += prefixLengths(b, value + 3, value + valueLength);
      }
      sum += type;
      p = value + valueLength;
    }
    sum += prefixLengths(b, attrEnd, messageEnd);
    return sum;
  }

  private static int prefixLengths(ByteBuf b, int p, int end) {
    int sum = 0;
    while (p < end) {
      int bits = b.getUnsignedByte(p);
      sum += bits;
      p += 1 + ((bits + 7) >>> 3);
    }
    return sum;
  }
}
