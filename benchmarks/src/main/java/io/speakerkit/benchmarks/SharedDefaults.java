package io.speakerkit.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The defaults every speakerkit benchmark inherits (JMH annotations are looked up the class hierarchy): throughput
 * in operations per second, one thread, one fork, 3 × 2 s warm-up and 3 × 2 s measurement (the build machines are
 * shared; pass {@code -f/-wi/-i} for a more careful run).
 *
 * <p>The fork is set up as a Netty event loop is in production, plus one thing production does not do:
 * <ul>
 *   <li>{@code -Dio.netty.leakDetection.level=disabled}: not a production setting (the project sets no level, so
 *       Netty's default, sampling, applies); leak tracking samples allocations and costs ~12 B/op, which the
 *       allocation figures of the encode and BFD benchmarks leave out, as the issue allows for encode; the test
 *       suites run it at paranoid level instead. {@code UpdateDecodeBenchmark} and {@code FramingBaselineBenchmark}
 *       declare their own fork without it: the issue forbids any flag in the decode benchmark that production lacks.
 *   <li>the benchmark thread is a {@code FastThreadLocalThread} ({@link EventLoopLikeExecutor}), like an event
 *       loop thread: Netty's pooled allocator gives such threads a thread-local cache, which plain threads lack by
 *       default in Netty 4.2 ({@code io.netty.allocator.useCacheForAllThreads=false}).
 *   <li>Netty's buffer safety checks (bounds, accessibility) stay on: no {@code io.netty.buffer.checkBounds=false}.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms512m",
    "-Xmx512m",
    "-Dio.netty.leakDetection.level=disabled",
    "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.speakerkit.benchmarks.EventLoopLikeExecutor",
})
public abstract class SharedDefaults {}
