/** MetalLB-compatible IP address pools and allocation, with crash-safe persistence. No Netty. */
module io.speakerkit.allocator {
  requires org.slf4j;

  exports io.speakerkit.allocator;
}
