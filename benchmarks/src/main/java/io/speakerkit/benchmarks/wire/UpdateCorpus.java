package io.speakerkit.benchmarks.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Raw BGP messages back to back, exactly as read off a TCP session: either a file, or a built-in mix resembling
 * a full-table eBGP feed from a 4-octet-AS peer (no ADD-PATH):
 *
 * <ul>
 *   <li>55 % IPv4 announcements of 1-8 prefixes (/16-/32) with ORIGIN, AS_PATH (one AS_SEQUENCE of 1-8 4-octet
 *       ASNs), NEXT_HOP, MED (half of them), 0-8 COMMUNITIES; a quarter carry 1-3 LARGE_COMMUNITY values, a
 *       quarter 1-4 EXTENDED_COMMUNITIES;
 *   <li>20 % IPv6 announcements of 1-8 prefixes (/32-/64) in MP_REACH_NLRI (global next hop, or global +
 *       link-local), same attributes;
 *   <li>20 % IPv4 withdrawals of 1-8 prefixes;
 *   <li>5 % IPv6 withdrawals of 1-8 prefixes in MP_UNREACH_NLRI.
 * </ul>
 *
 * <p>The messages are written octet by octet here, not with the encoder under test, and are valid for
 * {@code CodecContext.FOUR_OCTET_AS} (eBGP). The mix is seeded: every run decodes the same bytes.
 */
public final class UpdateCorpus {

  /** Number of messages in the built-in mix. */
  public static final int BUILT_IN_MESSAGES = 8192;

  private UpdateCorpus() {}

  /** The file at {@code path}, or the built-in mix when {@code path} is empty. */
  public static byte[] load(String path) {
    if (path == null || path.isEmpty()) {
      return builtIn();
    }
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Start offsets of each message in {@code corpus} (by the length fields); fails on a truncated message. */
  public static int[] offsets(byte[] corpus) {
    int[] out = new int[1024];
    int n = 0;
    int off = 0;
    while (off < corpus.length) {
      if (corpus.length - off < 19) {
        throw new IllegalArgumentException("corpus ends inside a header at offset " + off);
      }
      int length = ((corpus[off + 16] & 0xFF) << 8) | (corpus[off + 17] & 0xFF);
      if (length < 19 || off + length > corpus.length) {
        throw new IllegalArgumentException("message at offset " + off + " has length " + length);
      }
      if (n == out.length) {
        out = Arrays.copyOf(out, n * 2);
      }
      out[n++] = off;
      off += length;
    }
    return Arrays.copyOf(out, n);
  }

  /** The built-in mix (see the class comment). */
  public static byte[] builtIn() {
    Random random = new Random(20261125L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < BUILT_IN_MESSAGES; i++) {
      int kind = random.nextInt(100);
      if (kind < 55) {
        out.writeBytes(ipv4Announcement(random));
      } else if (kind < 75) {
        out.writeBytes(ipv6Announcement(random));
      } else if (kind < 95) {
        out.writeBytes(ipv4Withdrawal(random));
      } else {
        out.writeBytes(ipv6Withdrawal(random));
      }
    }
    return out.toByteArray();
  }

  /** Writes the built-in mix to the file named by the first argument (to feed other tools the same corpus). */
  public static void main(String[] args) throws IOException {
    Files.write(Path.of(args[0]), builtIn());
  }

  private static byte[] ipv4Announcement(Random r) {
    Buf attrs = new Buf();
    commonAttributes(attrs, r);
    attribute(attrs, 0x40, 3, new Buf().u8(10).u8(254).u8(r.nextInt(256)).u8(1 + r.nextInt(254)));
    Buf nlri = new Buf();
    int n = 1 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      ipv4Prefix(nlri, r);
    }
    return update(new Buf(), attrs, nlri);
  }

  private static byte[] ipv6Announcement(Random r) {
    Buf attrs = new Buf();
    Buf mp = new Buf().u16(2).u8(1);
    boolean linkLocal = r.nextBoolean();
    mp.u8(linkLocal ? 32 : 16);
    mp.u32(0x20010db8).u32(r.nextInt()).u32(0).u32(1 + r.nextInt(1000));
    if (linkLocal) {
      mp.u32(0xfe800000).u32(0).u32(r.nextInt()).u32(r.nextInt());
    }
    mp.u8(0); // reserved
    int n = 1 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      ipv6Prefix(mp, r);
    }
    // RFC 7606 §5.1: MP_REACH_NLRI first.
    attribute(attrs, 0x80, 14, mp);
    commonAttributes(attrs, r);
    return update(new Buf(), attrs, new Buf());
  }

  private static byte[] ipv4Withdrawal(Random r) {
    Buf withdrawn = new Buf();
    int n = 1 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      ipv4Prefix(withdrawn, r);
    }
    return update(withdrawn, new Buf(), new Buf());
  }

  private static byte[] ipv6Withdrawal(Random r) {
    Buf mp = new Buf().u16(2).u8(1);
    int n = 1 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      ipv6Prefix(mp, r);
    }
    Buf attrs = new Buf();
    attribute(attrs, 0x80, 15, mp);
    return update(new Buf(), attrs, new Buf());
  }

  /** ORIGIN, AS_PATH, MED?, COMMUNITIES?, LARGE_COMMUNITY?, EXTENDED_COMMUNITIES? (NEXT_HOP is added by IPv4). */
  private static void commonAttributes(Buf attrs, Random r) {
    attribute(attrs, 0x40, 1, new Buf().u8(r.nextInt(3)));
    int asns = 1 + r.nextInt(8);
    Buf path = new Buf().u8(2).u8(asns);
    for (int i = 0; i < asns; i++) {
      path.u32(i == 0 ? 4_200_000_001L : 64_512 + r.nextInt(1_000_000));
    }
    attribute(attrs, 0x40, 2, path);
    if (r.nextBoolean()) {
      attribute(attrs, 0x80, 4, new Buf().u32(r.nextInt(1000)));
    }
    int communities = r.nextInt(9);
    if (communities > 0) {
      Buf c = new Buf();
      for (int i = 0; i < communities; i++) {
        c.u16(64_512 + r.nextInt(1000)).u16(r.nextInt(65536));
      }
      attribute(attrs, 0xC0, 8, c);
    }
    if (r.nextInt(4) == 0) {
      Buf ext = new Buf();
      int n = 1 + r.nextInt(4);
      for (int i = 0; i < n; i++) {
        ext.u8(0x00).u8(0x02).u16(64_512 + r.nextInt(1000)).u32(r.nextInt(100_000)); // route target, 2-octet AS
      }
      attribute(attrs, 0xC0, 16, ext);
    }
    if (r.nextInt(4) == 0) {
      Buf large = new Buf();
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        large.u32(4_200_000_001L).u32(r.nextInt(100)).u32(r.nextInt(100_000));
      }
      attribute(attrs, 0xC0, 32, large);
    }
  }

  private static void ipv4Prefix(Buf b, Random r) {
    int length = 16 + r.nextInt(17);
    int address = (10 << 24) | r.nextInt(1 << 24);
    b.u8(length);
    for (int i = 0; i < (length + 7) / 8; i++) {
      int octet = (address >>> (24 - 8 * i)) & 0xFF;
      int bitsHere = Math.min(8, length - 8 * i);
      b.u8(octet & (0xFF << (8 - bitsHere)) & 0xFF);
    }
  }

  private static void ipv6Prefix(Buf b, Random r) {
    int length = 32 + r.nextInt(33);
    long hi = 0x20010db8_00000000L | (r.nextInt() & 0xFFFFFFFFL);
    b.u8(length);
    for (int i = 0; i < (length + 7) / 8; i++) {
      int octet = (int) (hi >>> (56 - 8 * i)) & 0xFF;
      int bitsHere = Math.min(8, length - 8 * i);
      b.u8(octet & (0xFF << (8 - bitsHere)) & 0xFF);
    }
  }

  private static void attribute(Buf attrs, int flags, int type, Buf value) {
    if (value.size() > 255) {
      attrs.u8(flags | 0x10).u8(type).u16(value.size());
    } else {
      attrs.u8(flags).u8(type).u8(value.size());
    }
    attrs.bytes(value);
  }

  private static byte[] update(Buf withdrawn, Buf attrs, Buf nlri) {
    Buf m = new Buf();
    for (int i = 0; i < 16; i++) {
      m.u8(0xFF);
    }
    m.u16(19 + 2 + withdrawn.size() + 2 + attrs.size() + nlri.size()).u8(2);
    m.u16(withdrawn.size()).bytes(withdrawn).u16(attrs.size()).bytes(attrs).bytes(nlri);
    return m.toByteArray();
  }

  /** A minimal big-endian byte writer. */
  private static final class Buf extends ByteArrayOutputStream {
    Buf u8(int v) {
      write(v);
      return this;
    }

    Buf u16(int v) {
      write(v >>> 8);
      write(v);
      return this;
    }

    Buf u32(long v) {
      u16((int) (v >>> 16) & 0xFFFF);
      return u16((int) v & 0xFFFF);
    }

    Buf bytes(Buf other) {
      other.writeTo0(this);
      return this;
    }

    private void writeTo0(ByteArrayOutputStream target) {
      target.write(buf, 0, count);
    }
  }
}
