package io.speakerkit.benchmarks.wire;

import io.speakerkit.benchmarks.AlternatingComparison;
import io.speakerkit.benchmarks.CpuTime;
import java.util.function.LongUnaryOperator;

/**
 * {@link UpdateDecodeBenchmark}'s operation as a plain loop, for {@link AlternatingComparison}: the same setup and the
 * same {@code decode} per message. Configured by the system properties {@code speakerkit.decode.corpus} (default: the
 * built-in mix), {@code speakerkit.decode.allocator} ({@code default}), {@code speakerkit.decode.addPath}
 * ({@code false}), {@code speakerkit.decode.ibgp} ({@code false}) and {@code speakerkit.decode.peerAs}
 * ({@code 4200000001}), as the benchmark's parameters.
 */
public final class UpdateDecodeLoop implements LongUnaryOperator {

  private final UpdateDecodeBenchmark benchmark = new UpdateDecodeBenchmark();
  private final CpuTime cpu = new CpuTime();

  public UpdateDecodeLoop() {
    benchmark.corpus = System.getProperty("speakerkit.decode.corpus", "");
    benchmark.allocator = System.getProperty("speakerkit.decode.allocator", "default");
    benchmark.addPath = Boolean.getBoolean("speakerkit.decode.addPath");
    benchmark.ibgp = Boolean.getBoolean("speakerkit.decode.ibgp");
    benchmark.peerAs = Long.getLong("speakerkit.decode.peerAs", 4_200_000_001L);
    benchmark.setUp();
  }

  /** Decodes and visits {@code messages} messages; returns their sum so that nothing is dead code. */
  @Override
  public long applyAsLong(long messages) {
    long sum = 0;
    for (long i = 0; i < messages; i++) {
      sum += benchmark.decode(cpu);
    }
    return sum;
  }
}
