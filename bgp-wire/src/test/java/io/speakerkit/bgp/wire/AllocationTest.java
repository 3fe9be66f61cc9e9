package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.lang.reflect.Method;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * The hot paths allocate nothing: announcing with pre-encoded attributes, flyweight UPDATE decoding, and the
 * configuration checks of an UPDATE that passes them. Counted
 * with the JVM's per-thread allocation counter (not timed). The buffers are plain wrapped arrays, which carry no
 * leak tracking of their own.
 */
class AllocationTest {

  private static final int N = 20_000;

  /** The per-thread allocation counter, through reflection (the module does not read java.management). */
  private static final class Counter {
    private final Object bean;
    private final Method allocated;

    Counter(Object bean, Method allocated) {
      this.bean = bean;
      this.allocated = allocated;
    }

    long bytes() {
      try {
        return (Long) allocated.invoke(bean, Thread.currentThread().getId());
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static Counter threads() {
    try {
      Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
          .invoke(null);
      Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
      if (!type.isInstance(bean) || !(Boolean) type.getMethod("isThreadAllocatedMemorySupported").invoke(bean)) {
        return null;
      }
      type.getMethod("setThreadAllocatedMemoryEnabled", boolean.class).invoke(bean, true);
      return new Counter(bean, type.getMethod("getThreadAllocatedBytes", long.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  @Test
  void writeAnnouncement_allocatesNothing() throws Exception {
    Counter t = threads();
    assumeTrue(t != null);
    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(65000, 65001)
        .nextHop(InetAddress.getByName("10.0.0.1")).nextHop(InetAddress.getByName("2001:db8::1"))
        .communities(Community.NO_EXPORT).build();
    IpPrefix v4 = IpPrefix.parse("10.0.0.10/32");
    IpPrefix v6 = IpPrefix.parse("2001:db8:5::/48");
    CodecContext ctx = CodecContext.FOUR_OCTET_AS;
    ByteBuf out = Unpooled.wrappedBuffer(new byte[256]);
    for (int i = 0; i < N; i++) {
      out.clear();
      UpdateEncoder.writeAnnouncement(out, attrs, (i & 1) == 0 ? v4 : v6, ctx);
    }
    t.bytes();
    long before = t.bytes();
    for (int i = 0; i < N; i++) {
      out.clear();
      UpdateEncoder.writeAnnouncement(out, attrs, (i & 1) == 0 ? v4 : v6, ctx);
    }
    long allocated = t.bytes() - before;
    assertTrue(allocated < N, "allocated " + allocated + " bytes for " + N + " announcements (expected: < 1 B/op)");
  }

  @Test
  void flyweightDecode_allocatesNothing() {
    Counter t = threads();
    assumeTrue(t != null);
    ByteBuf frame = Unpooled.wrappedBuffer(Hex.bytes(UpdateGoldenTest.IPV4_UPDATE));
    UpdateFlyweight fly = new UpdateFlyweight();
    CodecContext ctx = UpdateGoldenTest.IBGP;
    long sum = 0;
    for (int i = 0; i < N; i++) {
      sum += fly.decode(frame, ctx).attributes().med();
    }
    t.bytes();
    long before = t.bytes();
    for (int i = 0; i < N; i++) {
      UpdateMessage u = fly.decode(frame, ctx);
      sum += u.attributes().med() + u.attributes().localPref() + u.attributes().nextHopIpv4() + u.nlriLength();
    }
    long allocated = t.bytes() - before;
    assertEquals(N * 100L + N * (100L + 200 + 0x0a000001 + 9), sum);
    assertTrue(allocated < N, "allocated " + allocated + " bytes for " + N + " decodes (expected: < 1 B/op)");
  }

  /** The session runs the configuration checks on every UPDATE; one that passes them costs no list. */
  @Test
  void updateChecks_cleanUpdate_allocatesNothing() {
    Counter t = threads();
    assumeTrue(t != null);
    // from an eBGP peer, so that every check runs: UpdateGoldenTest.IPV4_UPDATE without its LOCAL_PREF
    ByteBuf frame = Unpooled.wrappedBuffer(Hex.bytes("M 004a 02 0000 002a"
        + "40 01 01 00"
        + "40 02 0a 02 02 0000fde8 0000fde9"
        + "40 03 04 0a000001"
        + "80 04 04 00000064"
        + "c0 08 08 fde80064 ffffff02"
        + "18 0a0102"
        + "20 0a00000a"));
    UpdateFlyweight fly = new UpdateFlyweight();
    CodecContext ctx = CodecContext.FOUR_OCTET_AS.withPeerType(PeerType.EXTERNAL);
    long problems = 0;
    for (int i = 0; i < N; i++) {
      problems += UpdateChecks.check(fly.decode(frame, ctx), 65000, true, false, false).size();
    }
    t.bytes();
    long before = t.bytes();
    for (int i = 0; i < N; i++) {
      problems += UpdateChecks.check(fly.decode(frame, ctx), 65000, true, false, false).size();
    }
    long allocated = t.bytes() - before;
    assertEquals(0, problems + fly.decode(frame, ctx).errors().size());
    assertTrue(allocated < N, "allocated " + allocated + " bytes for " + N + " checks (expected: < 1 B/op)");
  }

  /**
   * The pipeline's entry point: messages, with the cursors and views they hand out, are reused once released. Run
   * on a {@code FastThreadLocalThread}, as event loops are (Netty keeps reusable objects per such thread).
   */
  @Test
  void frameDecoderNext_releasedMessagesReused_allocatesNothing() throws Exception {
    Counter t = threads();
    assumeTrue(t != null);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    Thread loop = new io.netty.util.concurrent.FastThreadLocalThread(() -> {
      try {
        decodeReleaseLoop(t);
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    loop.start();
    loop.join();
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }

  private static void decodeReleaseLoop(Counter t) {
    ByteBuf in = Unpooled.wrappedBuffer(Hex.bytes(UpdateGoldenTest.IPV4_UPDATE));
    CodecContext ctx = UpdateGoldenTest.IBGP;
    long sum = 0;
    for (int round = 0; round < 2; round++) {
      long before = t.bytes();
      for (int i = 0; i < N; i++) {
        in.readerIndex(0);
        UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(in, ctx);
        UpdateAttributes a = u.attributes();
        sum += a.med() + a.localPref() + a.nextHopIpv4() + a.communities().get(1);
        PrefixCursor nlri = u.nlri();
        while (nlri.next()) {
          sum += nlri.length();
        }
        u.release();
      }
      long allocated = t.bytes() - before;
      if (round == 1) {
        assertEquals(2L * N * (100L + 200 + 0x0a000001 + 0xFFFFFF02 + 24 + 32), sum);
        assertEquals(1, in.refCnt());
        assertTrue(allocated < N, "allocated " + allocated + " bytes for " + N + " decodes (expected: < 1 B/op)");
      }
    }
  }
}
