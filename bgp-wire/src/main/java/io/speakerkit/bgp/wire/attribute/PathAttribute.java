package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;

/**
 * A path attribute as a value (RFC 4271 §4.3): what a speaker builds to announce, and what a received attribute
 * materialises into. Received UPDATEs are read in place through {@code UpdateAttributes} instead; these records are
 * the convenient, allocating form.
 *
 * <pre>
 *  0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Attr. Flags  |Attr. Type Code|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Attr. Length (1 or 2 octets)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Attribute Value (variable)   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public sealed interface PathAttribute
    permits Origin, AsPath, NextHop, MultiExitDisc, LocalPref, AtomicAggregate, Aggregator, Communities,
        OriginatorId, ClusterList, ExtendedCommunities, As4Path, As4Aggregator, LargeCommunities, OnlyToCustomer,
        UnknownAttribute {

  /** The attribute type code. */
  int typeCode();

  /**
   * The flags to send: Optional, Transitive and Partial bits; the Extended Length bit is chosen when writing
   * (set when the value exceeds 255 octets, or kept as received for {@link UnknownAttribute}).
   */
  int flags();

  /** Octets of the value on a session with ({@code fourOctetAs}) or without 4-octet AS numbers. */
  int valueLength(boolean fourOctetAs);

  /** Writes the value only at the writer index of {@code out} (the caller owns {@code out}). */
  void writeValue(ByteBuf out, boolean fourOctetAs);

  /** Writes flags, type, length and value; the caller owns {@code out}. */
  static void write(ByteBuf out, PathAttribute a, boolean fourOctetAs) {
    write(out, a, fourOctetAs, false);
  }

  /**
   * As {@link #write(ByteBuf, PathAttribute, boolean)}, with a 2-octet length even for a short value when
   * {@code extendedLength} is set (RFC 4271 §4.3 allows either form; some speakers, e.g. FRR for AS_PATH, always use
   * the extended one, and {@link io.speakerkit.bgp.wire.UpdateAttributes.AttributeCursor#flags()} tells what was
   * received).
   */
  static void write(ByteBuf out, PathAttribute a, boolean fourOctetAs, boolean extendedLength) {
    write(out, a, fourOctetAs, extendedLength, 0);
  }

  /** As {@link #write(ByteBuf, PathAttribute, boolean, boolean)}, with {@code extraFlags} (the Partial bit) set. */
  static void write(ByteBuf out, PathAttribute a, boolean fourOctetAs, boolean extendedLength, int extraFlags) {
    int len = a.valueLength(fourOctetAs);
    if (len > 0xFFFF) {
      throw new IllegalArgumentException(AttributeType.valueOf(a.typeCode()) + " length: " + len
          + " (expected: <= 65535)");
    }
    int flags = (a.flags() | extraFlags) & 0xE0;
    boolean ext = extendedLength || len > 255
        || (a instanceof UnknownAttribute u && (u.flags() & AttributeFlags.EXTENDED_LENGTH) != 0);
    out.writeByte(ext ? flags | AttributeFlags.EXTENDED_LENGTH : flags);
    out.writeByte(a.typeCode());
    if (ext) {
      out.writeShort(len);
    } else {
      out.writeByte(len);
    }
    a.writeValue(out, fourOctetAs);
  }

  /** Octets {@link #write} produces. */
  static int encodedLength(PathAttribute a, boolean fourOctetAs) {
    int len = a.valueLength(fourOctetAs);
    boolean ext = len > 255 || (a instanceof UnknownAttribute u && (u.flags() & AttributeFlags.EXTENDED_LENGTH) != 0);
    return (ext ? 4 : 3) + len;
  }
}
