package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.MessageBytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an AS_PATH or AS4_PATH value in place (RFC 4271 §4.3, RFC 6793 §3), segment by segment:
 *
 * <pre>{@code
 * AsPathView p = update.attributes().asPath();
 * while (p.nextSegment()) {
 *   int type = p.segmentType();
 *   for (int i = 0; i < p.segmentLength(); i++) { long asn = p.asn(i); }
 * }
 * }</pre>
 *
 * Does not own the buffer: valid while the message it came from is. Reads only inside {@code [offset, offset +
 * length)}; a segment that would overrun ends the iteration (the decoder has already rejected such paths).
 */
public final class AsPathView {

  private final MessageBytes bytes;
  /** The generation of {@link #bytes} the view was handed out in: reads fail once its message is released. */
  private final int generation;
  private final int start;
  private final int end;
  private final int asSize;
  private int pos;
  private int segType;
  private int segLen;
  private int segAsns;

  /**
   * @param buf the buffer (not retained, not released)
   * @param offset absolute index of the value
   * @param length octets of the value
   * @param asSize 2 or 4
   */
  public AsPathView(ByteBuf buf, int offset, int length, int asSize) {
    this(MessageBytes.of(buf), 0, offset, length, asSize);
  }

  /** Over a value of a decoded message's {@link MessageBytes}, in its current generation. */
  public AsPathView(MessageBytes bytes, int generation, int offset, int length, int asSize) {
    if (asSize != 2 && asSize != 4) {
      throw new IllegalArgumentException("AS size: " + asSize + " (expected: 2 or 4)");
    }
    this.bytes = bytes;
    this.generation = generation;
    this.start = offset;
    this.end = offset + length;
    this.asSize = asSize;
    this.pos = offset;
  }

  /** Octets per AS number: 2 or 4. */
  public int asSize() {
    return asSize;
  }

  /** Moves to the next segment; false at the end. */
  public boolean nextSegment() {
    int p = pos;
    if (p + 2 > end) {
      return false;
    }
    int h = bytes.getUnsignedShort(generation, p);
    int type = h >>> 8;
    int n = h & 0xFF;
    int next = p + 2 + n * asSize;
    if (next > end) {
      pos = end;
      return false;
    }
    segType = type;
    segLen = n;
    segAsns = p + 2;
    pos = next;
    return true;
  }

  /** Rewinds to before the first segment. */
  public void reset() {
    pos = start;
  }

  /** Type of the current segment: 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET. */
  public int segmentType() {
    return segType;
  }

  /** Number of AS numbers in the current segment. */
  public int segmentLength() {
    return segLen;
  }

  /** The {@code i}-th AS number of the current segment, unsigned. */
  public long asn(int i) {
    if (i < 0 || i >= segLen) {
      throw new IndexOutOfBoundsException("AS index: " + i + " (expected: 0-" + (segLen - 1) + ")");
    }
    return asSize == 4 ? bytes.getUnsignedInt(generation, segAsns + 4 * i)
        : bytes.getUnsignedShort(generation, segAsns + 2 * i);
  }

  /** RFC 4271 §9.1.2.2 a: an AS_SET counts 1, confederation segments 0 (RFC 5065 §5.3). Does not move the cursor. */
  public int pathLength() {
    int n = 0;
    int p = start;
    while (p + 2 <= end) {
      int type = bytes.getUnsignedByte(generation, p);
      int len = bytes.getUnsignedByte(generation, p + 1);
      if (type == AsPathSegment.AS_SEQUENCE) {
        n += len;
      } else if (type == AsPathSegment.AS_SET) {
        n++;
      }
      p += 2 + len * asSize;
    }
    return n;
  }

  /** The first AS of the path (the neighbour's AS for eBGP), or -1 if the path does not start with a sequence. */
  public long firstAs() {
    if (start + 2 + asSize > end || bytes.getUnsignedByte(generation, start) != AsPathSegment.AS_SEQUENCE
        || bytes.getUnsignedByte(generation, start + 1) == 0) {
      return -1;
    }
    return asSize == 4 ? bytes.getUnsignedInt(generation, start + 2) : bytes.getUnsignedShort(generation, start + 2);
  }

  /** The segments as values (allocates). Does not move the cursor. */
  public List<AsPathSegment> toSegments() {
    AsPathView v = new AsPathView(bytes, generation, start, end - start, asSize);
    List<AsPathSegment> out = new ArrayList<>();
    while (v.nextSegment()) {
      Long[] asns = new Long[v.segLen];
      for (int i = 0; i < v.segLen; i++) {
        asns[i] = v.asn(i);
      }
      out.add(new AsPathSegment(v.segType, List.of(asns)));
    }
    return out;
  }

  /** The path as an {@link AsPath} value (allocates). */
  public AsPath toAsPath() {
    return new AsPath(toSegments());
  }

  /** {@link #check} result: well-formed. */
  public static final int VALID = 0;
  /** {@link #check} result: malformed segments (RFC 7606 §7.2). */
  public static final int MALFORMED = 1;
  /** {@link #check} result: well-formed but carries AS number 0 (RFC 7607 §2). */
  public static final int AS_ZERO = 2;

  /**
   * Checks an AS_PATH or AS4_PATH value in {@code [offset, offset + length)} of {@code buf} (not retained) as the
   * decoder does: {@link #MALFORMED} for segments RFC 7606 §7.2 rejects (unknown type, zero count, overrun),
   * {@link #AS_ZERO} for well-formed segments carrying AS number 0 (RFC 7607 §2), else {@link #VALID}.
   */
  public static int check(ByteBuf buf, int offset, int length, int asSize) {
    return check(MessageBytes.of(buf), 0, offset, length, asSize);
  }

  /**
   * {@link #check(ByteBuf, int, int, int)} over {@code [offset, offset + length)} of a decoded message, in one pass.
   */
  public static int check(MessageBytes bytes, int generation, int offset, int length, int asSize) {
    int p = offset;
    int end = offset + length;
    boolean zero = false;
    while (p < end) {
      if (end - p < 2) {
        return MALFORMED;
      }
      int h = bytes.getUnsignedShort(generation, p);
      int type = h >>> 8;
      int n = h & 0xFF;
      int q = p + 2;
      p = q + n * asSize;
      if (type < 1 || type > 4 || n == 0 || p > end) {
        return MALFORMED;
      }
      // RFC 7607: no early exit, so the one data-dependent branch is the loop's end
      if (asSize == 4) {
        for (; q < p; q += 4) {
          zero |= bytes.getInt(generation, q) == 0;
        }
      } else {
        for (; q < p; q += 2) {
          zero |= bytes.getUnsignedShort(generation, q) == 0;
        }
      }
    }
    return zero ? AS_ZERO : VALID;
  }

  @Override
  public String toString() {
    return toAsPath().toString();
  }
}
