package io.speakerkit.benchmarks.wire;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/** The {@code allocator} benchmark parameter. */
final class Allocators {

  private Allocators() {}

  /**
   * {@code default}: {@link ByteBufAllocator#DEFAULT}, what a Netty channel (and so the BGP transport, which sets
   * no allocator of its own) allocates from; in Netty 4.2 the adaptive pooling allocator unless
   * {@code -Dio.netty.allocator.type} says otherwise. {@code pooled}: {@link PooledByteBufAllocator#DEFAULT}.
   */
  static ByteBufAllocator named(String name) {
    return switch (name) {
      case "default" -> ByteBufAllocator.DEFAULT;
      case "pooled" -> PooledByteBufAllocator.DEFAULT;
      default -> throw new IllegalArgumentException("allocator: " + name + " (expected: default or pooled)");
    };
  }
}
