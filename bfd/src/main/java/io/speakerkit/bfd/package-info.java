/**
 * BFD (RFC 5880) without sockets: {@link io.speakerkit.bfd.BfdFsm}, the session state machine of RFC 5880 §6.8;
 * {@link io.speakerkit.bfd.BfdDriver}, which runs many of them on one {@link io.speakerkit.timers.Scheduler}
 * thread and demultiplexes packets; the control packet ({@link io.speakerkit.bfd.ControlPacket},
 * {@link io.speakerkit.bfd.ControlPacketCodec}); MetalLB's BFDProfile ({@link io.speakerkit.bfd.BfdProfile}); and
 * the client API: {@link io.speakerkit.bfd.BfdSession}, {@link io.speakerkit.bfd.BfdListener},
 * {@link io.speakerkit.bfd.BfdStateChange}, {@link io.speakerkit.bfd.BfdCounters}.
 *
 * <p>The Netty UDP transport is {@link io.speakerkit.bfd.transport.BfdEngine}.
 */
package io.speakerkit.bfd;
