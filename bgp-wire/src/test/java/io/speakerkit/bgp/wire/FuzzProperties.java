package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Bad input ends in exactly a decoded message (possibly carrying an RFC 7606 action) or a {@link BgpDecodeException};
 * never another exception, never a leak (the leak check of test-support fails the property).
 */
class FuzzProperties {

  static final List<CodecContext> CONTEXTS = List.of(
      CodecContext.INITIAL,
      CodecContext.FOUR_OCTET_AS.withPeerType(PeerType.INTERNAL),
      CodecContext.FOUR_OCTET_AS.withExtendedMessage(true)
          .withAddPath(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST), Set.of())
          .withExtendedNextHop(Set.of(AddressFamily.IPV4_UNICAST)));

  /**
   * Feeds {@code bytes} through the framing step and decoder, once from a heap buffer (read through Netty's checked
   * accessors) and once from a pooled direct buffer (read from its address, each read asserted to lie inside its
   * message); both must decode the same messages with the same values. Every message is fully visited and released.
   *
   * @return the outcome of the last message: its type, RFC 7606 action or NOTIFICATION
   */
  static String feed(byte[] bytes, CodecContext ctx) {
    List<String> heap = new ArrayList<>();
    String outcome = feed(Unpooled.wrappedBuffer(bytes), ctx, heap);
    ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, bytes.length));
    direct.writeBytes(bytes);
    List<String> fromAddress = new ArrayList<>();
    feed(direct, ctx, fromAddress);
    assertEquals(heap, fromAddress, "heap and direct buffers decode differently");
    return outcome;
  }

  /** {@link Visit#all} of the same UPDATE decoded into a new message from a copy of its bytes. */
  private static long freshVisit(UpdateMessage u, CodecContext ctx) {
    ByteBuf copy = Unpooled.buffer(u.length());
    try {
      copy.writeBytes(u.content(), u.offset(), u.length());
      return Visit.all(BgpMessageDecoder.decodeUpdate(copy, ctx));
    } finally {
      copy.release();
    }
  }

  /** Decodes {@code in} (released here) to the end or the first error, adding each outcome and value checksum. */
  private static String feed(ByteBuf in, CodecContext ctx, List<String> decoded) {
    String outcome = "wait";
    try {
      BgpMessage m;
      while ((m = BgpFrameDecoder.next(in, ctx)) != null) {
        try {
          long sum = Visit.all(m);
          outcome = m instanceof UpdateMessage u ? "UPDATE " + u.errorAction() : m.type().toString();
          decoded.add(outcome + " " + sum);
          if (m instanceof UpdateMessage u) {
            // the pipeline reuses message objects: nothing of an earlier message may show through
            assertEquals(freshVisit(u, ctx), sum, "a reused message differs from a fresh decode");
          }
        } finally {
          if (m instanceof UpdateMessage u) {
            u.release();
          }
        }
      }
    } catch (BgpDecodeException expected) {
      // the one allowed failure: check it names a NOTIFICATION
      outcome = "NOTIFICATION " + expected.code() + "/" + expected.subcode();
      Notification.from(expected).describe();
      decoded.add(outcome);
    } finally {
      in.release();
    }
    return outcome;
  }

  @Property(tries = 1000)
  void arbitraryBytes_onlyMessagesOrDecodeException(@ForAll @Size(max = 300) byte[] body,
      @ForAll @IntRange(min = 0, max = 2) int ctx, @ForAll boolean withHeader, @ForAll @IntRange(min = 1, max = 5) int type) {
    byte[] bytes = body;
    if (withHeader) {
      // give arbitrary bodies a valid header so they reach the message decoders
      ByteBuf b = Unpooled.buffer();
      b.writeLong(-1).writeLong(-1).writeShort(19 + body.length).writeByte(type).writeBytes(body);
      bytes = ByteBufUtil.getBytes(b);
      b.release();
    }
    net.jqwik.api.statistics.Statistics.collect(feed(bytes, CONTEXTS.get(ctx)));
  }

  @Provide
  Arbitrary<byte[]> validMessages() {
    Arbitrary<byte[]> updates = net.jqwik.api.Combinators.combine(WireArbitraries.pathAttributes(true),
            WireArbitraries.prefix().list().ofMaxSize(10), WireArbitraries.prefix().list().ofMaxSize(10))
        .as((attrs, w, a) -> encodeUpdate(attrs, w, a));
    Arbitrary<byte[]> others = Arbitraries.oneOf(WireArbitraries.open().map(m -> (BgpMessage) m),
            WireArbitraries.notification().map(m -> (BgpMessage) m),
            WireArbitraries.routeRefresh().map(m -> (BgpMessage) m))
        .map(m -> Hex.encode(m, CodecContext.INITIAL));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, updates), net.jqwik.api.Tuple.of(1, others));
  }

  static byte[] encodeUpdate(PathAttributes attrs, List<IpPrefix> withdrawn, List<IpPrefix> announced) {
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.write(out, withdrawn, attrs, announced, CONTEXTS.get(1).withExtendedMessage(true));
      return ByteBufUtil.getBytes(out);
    } catch (IllegalArgumentException tooBig) {
      return Hex.bytes("M 0017 02 0000 0000");
    } finally {
      out.release();
    }
  }

  @Property(tries = 1000)
  void mutatedMessages_onlyMessagesOrDecodeException(@ForAll("validMessages") byte[] valid, @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 2) int ctx) {
    byte[] bytes = mutate(valid, new Random(seed));
    net.jqwik.api.statistics.Statistics.collect(feed(bytes, CONTEXTS.get(ctx)));
  }

  @Property(tries = 300)
  void validMessages_decodeWithoutError(@ForAll("validMessages") byte[] valid) {
    CodecContext ctx = CONTEXTS.get(1).withExtendedMessage(true);
    ByteBuf in = Unpooled.wrappedBuffer(valid);
    try {
      BgpMessage m = BgpFrameDecoder.next(in, ctx);
      try {
        if (m instanceof UpdateMessage u) {
          assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
        }
        Visit.all(m);
      } finally {
        if (m instanceof UpdateMessage u) {
          u.release();
        }
      }
    } finally {
      in.release();
    }
  }

  @Property(tries = 200)
  void stream_anyChunking_sameMessages(@ForAll @Size(min = 1, max = 8) List<@net.jqwik.api.From("validMessages") byte[]> messages,
      @ForAll long seed) {
    ByteBuf all = Unpooled.buffer();
    for (byte[] m : messages) {
      all.writeBytes(m);
    }
    byte[] stream = ByteBufUtil.getBytes(all);
    all.release();
    CodecContext ctx = CONTEXTS.get(1).withExtendedMessage(true);
    List<String> whole = decodeChunked(stream, ctx, new Random(seed), false);
    List<String> chunked = decodeChunked(stream, ctx, new Random(seed), true);
    assertEquals(messages.size(), whole.size());
    assertEquals(whole, chunked);
  }

  static List<String> decodeChunked(byte[] stream, CodecContext ctx, Random rnd, boolean chunked) {
    List<String> out = new ArrayList<>();
    ByteBuf cumulation = Unpooled.buffer();
    try {
      int i = 0;
      while (i < stream.length) {
        int n = chunked ? Math.min(stream.length - i, 1 + rnd.nextInt(40)) : stream.length;
        cumulation.writeBytes(stream, i, n);
        i += n;
        BgpMessage m;
        while ((m = BgpFrameDecoder.next(cumulation, ctx)) != null) {
          out.add(m.toString());
          if (m instanceof UpdateMessage u) {
            u.release();
          }
        }
        cumulation.discardReadBytes();
      }
    } finally {
      cumulation.release();
    }
    return out;
  }

  /** Flips, truncates, extends, or overwrites a length-like field with a random value. */
  static byte[] mutate(byte[] valid, Random rnd) {
    byte[] b = valid.clone();
    int rounds = 1 + rnd.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      switch (rnd.nextInt(6)) {
        case 0 -> {
          int i = 16 + rnd.nextInt(Math.max(1, b.length - 16));
          if (i < b.length) {
            b[i] ^= (byte) (1 << rnd.nextInt(8));
          }
        }
        case 1 -> b = java.util.Arrays.copyOf(b, Math.max(0, b.length - 1 - rnd.nextInt(Math.max(1, b.length / 4))));
        case 2 -> {
          int extra = 1 + rnd.nextInt(20);
          byte[] c = java.util.Arrays.copyOf(b, b.length + extra);
          for (int i = b.length; i < c.length; i++) {
            c[i] = (byte) rnd.nextInt(256);
          }
          b = c;
        }
        case 3 -> {
          // corrupt a 1-octet field after the header (attribute lengths, prefix lengths, capability lengths)
          if (b.length > 19) {
            b[19 + rnd.nextInt(b.length - 19)] = (byte) rnd.nextInt(256);
          }
        }
        case 4 -> {
          // corrupt a 2-octet field: message length, withdrawn length, attribute block length, extended lengths
          if (b.length > 20) {
            int i = rnd.nextInt(3) == 0 ? 16 : 19 + rnd.nextInt(b.length - 20);
            int v = rnd.nextBoolean() ? rnd.nextInt(65536) : ((b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF)) + rnd.nextInt(9) - 4;
            b[i] = (byte) (v >>> 8);
            b[i + 1] = (byte) v;
          }
        }
        default -> {
          // fix the message length to the mutated size so the body is what gets decoded
          if (b.length >= 19) {
            b[16] = (byte) (b.length >>> 8);
            b[17] = (byte) b.length;
          }
        }
      }
    }
    return b;
  }

  @Property(tries = 300)
  void frameDecoderHandler_mutatedStream_onlyBgpDecodeException(@ForAll("validMessages") byte[] valid,
      @ForAll("validMessages") byte[] second, @ForAll long seed) {
    byte[] bytes = mutate(valid, new Random(seed));
    io.netty.channel.embedded.EmbeddedChannel ch =
        new io.netty.channel.embedded.EmbeddedChannel(new BgpFrameDecoder(CONTEXTS.get(1)));
    try {
      Random rnd = new Random(seed);
      byte[] stream = new byte[bytes.length + second.length];
      System.arraycopy(bytes, 0, stream, 0, bytes.length);
      System.arraycopy(second, 0, stream, bytes.length, second.length);
      for (int i = 0; i < stream.length; ) {
        int n = Math.min(stream.length - i, 1 + rnd.nextInt(64));
        try {
          ch.writeInbound(Unpooled.copiedBuffer(stream, i, n));
        } catch (BgpDecodeException expected) {
          // the one allowed failure
        }
        i += n;
        Object m;
        while ((m = ch.readInbound()) != null) {
          Visit.all((BgpMessage) m);
          io.netty.util.ReferenceCountUtil.release(m);
        }
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }
}
