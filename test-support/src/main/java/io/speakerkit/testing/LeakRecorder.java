package io.speakerkit.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Records every leak Netty's {@link ResourceLeakDetector} reports, so tests can fail on them instead of leaving a
 * log line nobody reads. Installed once per test JVM, before any {@code ByteBuf} class is initialised, by
 * {@link LeakCheckSessionListener}.
 */
public final class LeakRecorder {

  private static final List<String> leaks = new ArrayList<>();
  private static volatile boolean installed;

  private LeakRecorder() {}

  /** Installs the recording detector factory; idempotent. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }
  }

  /**
   * Collects garbage, lets the detectors poll their queues, and returns (and clears) the leaks reported since the
   * last call.
   */
  public static List<String> collectLeaks() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      LockSupport.parkNanos(10_000_000L);
      // Leak reports are produced when a detector tracks a new object: allocate one of each kind.
      ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(1);
      pooled.release();
      ByteBuf heap = PooledByteBufAllocator.DEFAULT.heapBuffer(1);
      heap.release();
      ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.directBuffer(1);
      unpooled.release();
    }
    synchronized (leaks) {
      List<String> out = new ArrayList<>(leaks);
      leaks.clear();
      return out;
    }
  }

  static String describe(List<String> found) {
    StringBuilder sb = new StringBuilder();
    sb.append(found.size()).append(" Netty leak report(s):");
    for (String leak : found) {
      sb.append("\n  ").append(leak);
    }
    return sb.toString();
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      super.reportTracedLeak(resourceType, records);
      synchronized (leaks) {
        leaks.add("LEAK " + resourceType + records);
      }
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      super.reportUntracedLeak(resourceType);
      synchronized (leaks) {
        leaks.add("LEAK " + resourceType + " (untraced)");
      }
    }
  }
}
