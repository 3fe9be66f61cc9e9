package io.speakerkit.bfd.transport;

import io.netty.channel.unix.RawUnixChannelOption;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 * <p>Multihop sockets get one such check per source address ({@link #multihopPerSource}), so that each session
 * has its own minimumTtl.
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
  private static final short BPF_LD_W_ABS = 0x20;
  private static final short BPF_TAX = 0x07;
  private static final short BPF_TXA = 0x87;
  private static final short BPF_JMP_JA = 0x05;
  private static final short BPF_JMP_JEQ_K = 0x15;
  private static final short BPF_JMP_JGE_K = 0x35;
  private static final short BPF_RET_K = 0x06;
  /** BPF_MAXINSNS of the kernel. */
  static final int MAX_INSNS = 4096;

  /** The filter instructions, in native memory the kernel reads during setsockopt; kept with the socket. */
  final ByteBuffer program;
  /** struct sock_fprog pointing at {@link #program}. */
  final ByteBuffer fprog;
  /** Number of instructions. */
  final int length;

  private TtlFilter(List<int[]> insns) {
    length = insns.size();
    program = ByteBuffer.allocateDirect(8 * length).order(ByteOrder.nativeOrder());
    for (int[] i : insns) {
      program.putShort((short) i[0]);
      program.put((byte) i[1]);
      program.put((byte) i[2]);
      program.putInt(i[3]);
    }
    program.flip();
    fprog = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    fprog.putShort(0, (short) length);
    fprog.putLong(8, PlatformDependent.directBufferAddress(program));
  }

  private static int[] insn(int code, int jt, int jf, int k) {
    return new int[] {code, jt, jf, k};
  }

  private static TtlFilter simple(boolean ipv6, boolean exact, int ttl) {
    List<int[]> p = new ArrayList<>();
    p.add(insn(BPF_LD_B_ABS, 0, 0, SKF_NET_OFF + (ipv6 ? 7 : 8)));
    p.add(insn(exact ? BPF_JMP_JEQ_K : BPF_JMP_JGE_K, 0, 1, ttl));
    p.add(insn(BPF_RET_K, 0, 0, 0x40000));
    p.add(insn(BPF_RET_K, 0, 0, 8 + REJECTED_PAYLOAD));
    return new TtlFilter(p);
  }

  /** Accepts TTL / hop limit exactly 255 (RFC 5881 §5). */
  static TtlFilter singleHop(boolean ipv6) {
    return simple(ipv6, true, 255);
  }

  /** Accepts TTL / hop limit {@code minimumTtl} or more (RFC 5883 §2), whatever the source. */
  static TtlFilter multihop(boolean ipv6, int minimumTtl) {
    return simple(ipv6, false, minimumTtl);
  }

  /**
   * Accepts a datagram only from one of the given sources and only with at least that source's minimum TTL (each
   * multihop session its own {@code minimumTtl}); anything else is cut as rejected. Falls back to
   * {@link #multihop(boolean, int)} with the smallest minimum when the program would exceed the kernel's 4096
   * instructions (about 680 IPv4 or 340 IPv6 sessions on one local address).
   *
   * <pre>
   *   ldb [ttl]; tax
   *   per source:  ld [src word] ; jeq #word, next, other-source   (4 words for IPv6)
   *                txa ; jge #minimumTtl, accept, reject
   *   reject: ret #9      accept: ret #0x40000
   * </pre>
   */
  static TtlFilter multihopPerSource(boolean ipv6, Map<InetAddress, Integer> minimumTtlBySource) {
    int words = ipv6 ? 4 : 1;
    int block = 2 * words + 4;
    int n = minimumTtlBySource.size();
    if (2 + block * n + 2 > MAX_INSNS || n == 0) {
      int min = 255;
      for (int t : minimumTtlBySource.values()) {
        min = Math.min(min, t);
      }
      return multihop(ipv6, min);
    }
    List<int[]> p = new ArrayList<>();
    p.add(insn(BPF_LD_B_ABS, 0, 0, SKF_NET_OFF + (ipv6 ? 7 : 8)));
    p.add(insn(BPF_TAX, 0, 0, 0));
    int reject = 2 + block * n;
    int accept = reject + 1;
    int srcOffset = ipv6 ? 8 : 12;
    for (Map.Entry<InetAddress, Integer> e : minimumTtlBySource.entrySet()) {
      ByteBuffer addr = ByteBuffer.wrap(e.getKey().getAddress());
      int start = p.size();
      int next = start + block;
      for (int w = 0; w < words; w++) {
        p.add(insn(BPF_LD_W_ABS, 0, 0, SKF_NET_OFF + srcOffset + 4 * w));
        int pc = p.size();
        p.add(insn(BPF_JMP_JEQ_K, 0, next - (pc + 1), addr.getInt(4 * w)));
      }
      p.add(insn(BPF_TXA, 0, 0, 0));
      p.add(insn(BPF_JMP_JGE_K, 0, 1, e.getValue()));
      int pc = p.size();
      p.add(insn(BPF_JMP_JA, 0, 0, accept - (pc + 1)));
      p.add(insn(BPF_JMP_JA, 0, 0, reject - (pc + 2)));
    }
    p.add(insn(BPF_RET_K, 0, 0, 8 + REJECTED_PAYLOAD));
    p.add(insn(BPF_RET_K, 0, 0, 0x40000));
    return new TtlFilter(p);
  }

  /** The option value for {@link #OPTION}: a fresh view, so the option's validation may read it. */
  ByteBuffer optionValue() {
    return fprog.duplicate().order(ByteOrder.nativeOrder()).clear();
  }
}
