package io.speakerkit.bfd.transport;

import io.netty.channel.unix.RawUnixChannelOption;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The GTSM check of RFC 5881 §5 (TTL / hop limit 255 on single-hop sessions) and RFC 5883 §2 (at least the
 * configured minimum on multihop ones), as a classic BPF socket filter attached with SO_ATTACH_FILTER.
 *
 * <p>Linux's IP_MINTTL filters TCP only, so the kernel must be given a program. It loads the TTL byte (IPv4, network
 * header + 8) or the Hop Limit byte (IPv6, + 7) through the SKF_NET_OFF base and compares it:
 *
 * <pre>
 *   ldb  [SKF_NET_OFF + 8]     ; or + 7 for IPv6
 *   jeq  #255, accept, reject  ; multihop: jge #minimumTtl
 * accept:
 *   ret  #0x40000              ; the whole datagram
 * reject:
 *   ret  #9                    ; UDP header + 1 byte
 * </pre>
 *
 * <p>A rejected datagram is cut by the kernel to a one-byte payload: no BFD packet (24 bytes at least) survives it,
 * so its content never reaches a session, but its source address does, which lets the engine count the drop on
 * the session it was aimed at ({@link io.speakerkit.bfd.BfdCounters#discardedTtl()}). A genuine one-byte datagram
 * is counted the same way; it would have been discarded as malformed anyway.
 */
final class TtlFilter {

  static final int SOL_SOCKET = 1;
  static final int SO_ATTACH_FILTER = 26;
  static final int SKF_NET_OFF = -0x100000;

  /** The payload length of a datagram the filter rejected. */
  static final int REJECTED_PAYLOAD = 1;

  static final RawUnixChannelOption OPTION =
      new RawUnixChannelOption("SO_ATTACH_FILTER", SOL_SOCKET, SO_ATTACH_FILTER, 16);

  private static final short BPF_LD_B_ABS = 0x30;
  private static final short BPF_JMP_JEQ_K = 0x15;
  private static final short BPF_JMP_JGE_K = 0x35;
  private static final short BPF_RET_K = 0x06;

  /** The filter instructions, in native memory the kernel reads during setsockopt; kept with the socket. */
  final ByteBuffer program;
  /** struct sock_fprog pointing at {@link #program}. */
  final ByteBuffer fprog;

  private TtlFilter(boolean ipv6, boolean exact, int ttl) {
    program = ByteBuffer.allocateDirect(4 * 8).order(ByteOrder.nativeOrder());
    insn(BPF_LD_B_ABS, 0, 0, SKF_NET_OFF + (ipv6 ? 7 : 8));
    insn(exact ? BPF_JMP_JEQ_K : BPF_JMP_JGE_K, 0, 1, ttl);
    insn(BPF_RET_K, 0, 0, 0x40000);
    insn(BPF_RET_K, 0, 0, 8 + REJECTED_PAYLOAD);
    program.flip();
    fprog = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    fprog.putShort(0, (short) 4);
    fprog.putLong(8, PlatformDependent.directBufferAddress(program));
  }

  private void insn(short code, int jt, int jf, int k) {
    program.putShort(code);
    program.put((byte) jt);
    program.put((byte) jf);
    program.putInt(k);
  }

  /** Accepts TTL / hop limit exactly 255 (RFC 5881 §5). */
  static TtlFilter singleHop(boolean ipv6) {
    return new TtlFilter(ipv6, true, 255);
  }

  /** Accepts TTL / hop limit {@code minimumTtl} or more (RFC 5883 §2). */
  static TtlFilter multihop(boolean ipv6, int minimumTtl) {
    return new TtlFilter(ipv6, false, minimumTtl);
  }

  /** The option value for {@link #OPTION}: a fresh view, so the option's validation may read it. */
  ByteBuffer optionValue() {
    return fprog.duplicate().order(ByteOrder.nativeOrder()).clear();
  }
}
