package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The GTSM programs (RFC 5881 §5, RFC 5883 §2) run on a small classic-BPF interpreter over a hand-made IP header,
 * without sockets: which TTL / hop limit and which source each program accepts.
 */
class TtlFilterTest {

  private static final int ACCEPT = 0x40000;
  private static final int REJECT = 8 + TtlFilter.REJECTED_PAYLOAD;

  /** Runs {@code f}'s program over {@code ipHeader} (SKF_NET_OFF loads read it); returns the bytes kept. */
  static int run(TtlFilter f, byte[] ipHeader) {
    ByteBuffer prog = f.program.duplicate().order(ByteOrder.nativeOrder());
    assertEquals(f.length, f.fprog.getShort(0) & 0xFFFF, "sock_fprog.len");
    assertEquals(8 * f.length, prog.remaining());
    assertTrue(f.length <= TtlFilter.MAX_INSNS);
    int a = 0;
    int x = 0;
    int pc = 0;
    for (int steps = 0; steps <= f.length; steps++) {
      int at = 8 * pc;
      int code = prog.getShort(at) & 0xFFFF;
      int jt = prog.get(at + 2) & 0xFF;
      int jf = prog.get(at + 3) & 0xFF;
      int k = prog.getInt(at + 4);
      pc++;
      switch (code) {
        case 0x30 -> a = ipHeader[k - TtlFilter.SKF_NET_OFF] & 0xFF; // ld b abs
        case 0x20 -> a = ByteBuffer.wrap(ipHeader, k - TtlFilter.SKF_NET_OFF, 4).getInt(); // ld w abs, big-endian
        case 0x07 -> x = a; // tax
        case 0x87 -> a = x; // txa
        case 0x05 -> pc += k; // ja
        case 0x15 -> pc += a == k ? jt : jf; // jeq k
        case 0x35 -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf; // jge k
        case 0x06 -> {
          return k; // ret k
        }
        default -> throw new AssertionError("unexpected BPF opcode 0x" + Integer.toHexString(code) + " at " + (pc - 1));
      }
      assertTrue(pc >= 0 && pc < f.length, "jump out of the program to " + pc);
    }
    throw new AssertionError("program did not return");
  }

  /** An IPv4 header: TTL at 8, source at 12, destination at 16. */
  static byte[] ipv4(int ttl, String src, String dst) throws Exception {
    byte[] h = new byte[20];
    h[0] = 0x45;
    h[8] = (byte) ttl;
    h[9] = 17;
    System.arraycopy(InetAddress.getByName(src).getAddress(), 0, h, 12, 4);
    System.arraycopy(InetAddress.getByName(dst).getAddress(), 0, h, 16, 4);
    return h;
  }

  /** An IPv6 header: Hop Limit at 7, source at 8, destination at 24. */
  static byte[] ipv6(int hops, String src, String dst) throws Exception {
    byte[] h = new byte[40];
    h[0] = 0x60;
    h[6] = 17;
    h[7] = (byte) hops;
    System.arraycopy(InetAddress.getByName(src).getAddress(), 0, h, 8, 16);
    System.arraycopy(InetAddress.getByName(dst).getAddress(), 0, h, 24, 16);
    return h;
  }

  @Test
  void singleHop_ipv4_acceptsTtl255Only() throws Exception {
    TtlFilter f = TtlFilter.singleHop(false);
    assertEquals(ACCEPT, run(f, ipv4(255, "192.0.2.1", "192.0.2.2")));
    assertEquals(REJECT, run(f, ipv4(254, "192.0.2.1", "192.0.2.2")));
    assertEquals(REJECT, run(f, ipv4(1, "192.0.2.1", "192.0.2.2")));
  }

  @Test
  void singleHop_ipv6_readsHopLimit() throws Exception {
    TtlFilter f = TtlFilter.singleHop(true);
    byte[] ok = ipv6(255, "2001:db8::1", "2001:db8::2");
    ok[6] = 0; // the Next Header byte must not be what is compared
    assertEquals(ACCEPT, run(f, ok));
    byte[] low = ipv6(254, "2001:db8::1", "2001:db8::2");
    low[8] = (byte) 0xFF; // nor the first source byte
    assertEquals(REJECT, run(f, low));
  }

  @Test
  void rejectedDatagram_cutToOneBytePayload() throws Exception {
    // 8 bytes of UDP header plus one: no BFD packet survives, its source still reaches the engine
    assertEquals(1, TtlFilter.REJECTED_PAYLOAD);
    assertEquals(9, run(TtlFilter.singleHop(false), ipv4(64, "192.0.2.1", "192.0.2.2")));
  }

  @Test
  void multihop_acceptsMinimumTtlAndAbove() throws Exception {
    TtlFilter f = TtlFilter.multihop(false, 250);
    assertEquals(ACCEPT, run(f, ipv4(250, "192.0.2.1", "192.0.2.2")));
    assertEquals(ACCEPT, run(f, ipv4(255, "192.0.2.1", "192.0.2.2")));
    assertEquals(REJECT, run(f, ipv4(249, "192.0.2.1", "192.0.2.2")));
  }

  @Test
  void multihopPerSource_ipv4_eachSourceItsOwnMinimum_othersRejected() throws Exception {
    Map<InetAddress, Integer> m = new LinkedHashMap<>();
    m.put(InetAddress.getByName("198.51.100.1"), 250);
    m.put(InetAddress.getByName("198.51.100.2"), 10);
    TtlFilter f = TtlFilter.multihopPerSource(false, m);
    // destination set to a configured source: the program must read the source field
    assertEquals(ACCEPT, run(f, ipv4(250, "198.51.100.1", "198.51.100.2")));
    assertEquals(REJECT, run(f, ipv4(249, "198.51.100.1", "198.51.100.2")));
    assertEquals(ACCEPT, run(f, ipv4(10, "198.51.100.2", "198.51.100.1")));
    assertEquals(REJECT, run(f, ipv4(9, "198.51.100.2", "198.51.100.1")));
    assertEquals(REJECT, run(f, ipv4(255, "198.51.100.3", "198.51.100.1")), "unknown source");
  }

  @Test
  void multihopPerSource_ipv6_allFourWordsCompared() throws Exception {
    Map<InetAddress, Integer> m = new LinkedHashMap<>();
    m.put(InetAddress.getByName("2001:db8::1"), 254);
    m.put(InetAddress.getByName("2001:db8:1::1"), 20);
    TtlFilter f = TtlFilter.multihopPerSource(true, m);
    assertEquals(ACCEPT, run(f, ipv6(254, "2001:db8::1", "2001:db8::2")));
    assertEquals(REJECT, run(f, ipv6(253, "2001:db8::1", "2001:db8::2")));
    assertEquals(ACCEPT, run(f, ipv6(20, "2001:db8:1::1", "2001:db8::1")));
    assertEquals(REJECT, run(f, ipv6(19, "2001:db8:1::1", "2001:db8::1")));
    // differs from a configured source in one word only
    assertEquals(REJECT, run(f, ipv6(255, "2001:db8::2", "2001:db8::1")));
    assertEquals(REJECT, run(f, ipv6(255, "2001:db9::1", "2001:db8::1")));
    assertEquals(REJECT, run(f, ipv6(255, "2001:db8:0:0:1::1", "2001:db8::1")));
  }

  @Test
  void multihopPerSource_tooManySources_fallsBackToSmallestMinimum() throws Exception {
    Map<InetAddress, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < 700; i++) {
      m.put(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}), i == 300 ? 100 : 200);
    }
    TtlFilter f = TtlFilter.multihopPerSource(false, m);
    assertEquals(4, f.length);
    assertEquals(ACCEPT, run(f, ipv4(100, "192.0.2.9", "10.0.0.1")));
    assertEquals(REJECT, run(f, ipv4(99, "10.0.1.44", "10.0.0.1")));
  }

  @Test
  void multihopPerSource_justUnderTheKernelLimit_stillPerSource() throws Exception {
    // 2 + 6n + 2 <= 4096: 682 IPv4 sources still fit
    Map<InetAddress, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < 682; i++) {
      m.put(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}), 250);
    }
    TtlFilter f = TtlFilter.multihopPerSource(false, m);
    assertEquals(2 + 6 * 682 + 2, f.length);
    assertEquals(ACCEPT, run(f, ipv4(250, "10.0.2.169", "10.0.0.1"))); // the last one (681)
    assertEquals(REJECT, run(f, ipv4(255, "10.0.2.170", "10.0.0.1")));
  }
}
