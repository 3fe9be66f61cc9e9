package io.speakerkit.benchmarks.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.speakerkit.benchmarks.CpuTime;
import io.speakerkit.benchmarks.SharedDefaults;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The floor under {@code UpdateDecodeBenchmark}: the same corpus in the same pooled direct buffer, but the loop
 * only reads each message's length field and steps over it. One operation is one message. Whatever the decoder
 * does beyond this is the cost of decoding.
 */
@State(Scope.Thread)
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
}
