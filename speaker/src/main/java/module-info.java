/**
 * A MetalLB-equivalent BGP speaker to embed: {@link io.speakerkit.speaker.Speaker} composes the allocator, BGP
 * sessions and BFD; {@link io.speakerkit.speaker.SpeakerConfig} holds MetalLB's peers, advertisements, pools and BFD
 * profiles.
 */
module io.speakerkit.speaker {
  requires transitive io.speakerkit.bgp.fsm;
  requires transitive io.speakerkit.bfd;
  requires transitive io.speakerkit.allocator;
  requires io.netty.buffer;
  requires org.slf4j;

  exports io.speakerkit.speaker;
}
