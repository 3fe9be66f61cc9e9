package io.speakerkit.benchmarks;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's worker threads, made the way Netty makes event loop threads ({@link DefaultThreadFactory} creates
 * {@code FastThreadLocalThread}s), so that allocator thread caches and {@code FastThreadLocal}s behave as they do
 * in the transport. JMH instantiates it reflectively ({@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=io.speakerkit.benchmarks.EventLoopLikeExecutor}) with this constructor signature.
 */
public final class EventLoopLikeExecutor extends ThreadPoolExecutor {

  public EventLoopLikeExecutor(int maxThreads, String prefix) {
    super(maxThreads, maxThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        new DefaultThreadFactory(prefix, true));
  }
}
