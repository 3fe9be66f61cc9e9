package io.speakerkit.benchmarks.bfd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.speakerkit.bfd.AuthType;
import io.speakerkit.bfd.BfdAuthentication;
import io.speakerkit.bfd.BfdFsm;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.Diagnostic;
import io.speakerkit.bfd.DiscardReason;
import io.speakerkit.bfd.SessionState;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The session's share of one packet, apart from sockets and timers: {@code receive} is one Up-state control packet
 * through {@link BfdFsm#onPacket} (all RFC 5880 §6.8.6 checks, authentication, detection timer update);
 * {@code transmit} is one packet written by {@link BfdFsm#writeControlPacket} (with the digest for keyed SHA1).
 * Both read/write reused buffers, as the engine does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class BfdFsmBenchmark {

  /** Authentication of both sessions: none, or keyed SHA1 (non-meticulous, so one packet can be received again). */
  @Param({"NONE", "KEYED_SHA1"})
  String auth;

  BfdFsm a;
  BfdFsm b;
  ByteBuf packetFromB;
  ByteBuf out;
  long now;

  /** Delivers every packet straight to the other machine, so that setup can bring the pair Up. */
  final class Wire implements BfdFsm.Output {
    final ByteBuf buf = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 128, 128);

    @Override
    public void transmit(BfdFsm from, boolean poll, boolean fin) {
      buf.clear();
      from.writeControlPacket(buf, poll, fin);
      (from == a ? b : a).onPacket(buf, now);
    }

    @Override
    public void stateChanged(BfdFsm fsm, SessionState o, SessionState n, Diagnostic d, long at) {}
  }

  @Setup
  public void setup() {
    BfdAuthentication authentication = auth.equals("NONE") ? BfdAuthentication.NONE
        : BfdAuthentication.of(AuthType.valueOf(auth), 1, "benchmark-key");
    BfdProfile p = BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build();
    Wire wire = new Wire();
    a = new BfdFsm(1, p, authentication, new SplittableRandom(1), wire);
    b = new BfdFsm(2, p, authentication, new SplittableRandom(2), wire);
    a.start(0);
    b.start(0);
    while (now < 30_000_000_000L) {
      now = Math.min(a.nextDeadlineNanos(), b.nextDeadlineNanos());
      a.onTimer(now);
      b.onTimer(now);
    }
    if (a.sessionState() != SessionState.Up || b.sessionState() != SessionState.Up) {
      throw new IllegalStateException("pair not Up: " + a + " " + b);
    }
    packetFromB = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 128, 128);
    b.writeControlPacket(packetFromB, false, false);
    out = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 128, 128);
  }

  @Benchmark
  public DiscardReason receive() {
    now += 1000;
    DiscardReason r = a.onPacket(packetFromB, now);
    if (r != null) {
      throw new IllegalStateException("discarded: " + r);
    }
    return r;
  }

  @Benchmark
  public int transmit() {
    out.clear();
    a.writeControlPacket(out, false, false);
    return out.writerIndex();
  }
}
