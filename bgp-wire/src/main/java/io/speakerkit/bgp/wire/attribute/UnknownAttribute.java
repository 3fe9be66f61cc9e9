package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * An attribute this library does not interpret: flags (all four bits, including Extended Length, so the attribute
 * re-encodes in the same form), type and value bytes (RFC 4271 §5: optional attributes a speaker does not
 * recognize are passed on if transitive, with the Partial bit set).
 */
public record UnknownAttribute(int flags, int typeCode, byte[] value) implements PathAttribute {

  public UnknownAttribute {
    if (flags < 0 || flags > 255) {
      throw new IllegalArgumentException("attribute flags: " + flags + " (expected: 0-255)");
    }
    if (typeCode < 0 || typeCode > 255) {
      throw new IllegalArgumentException("attribute type: " + typeCode + " (expected: 0-255)");
    }
    value = value.clone();
    if (value.length > 0xFFFF) {
      throw new IllegalArgumentException("attribute length: " + value.length + " (expected: <= 65535)");
    }
    if (value.length > 255 && (flags & AttributeFlags.EXTENDED_LENGTH) == 0) {
      flags |= AttributeFlags.EXTENDED_LENGTH;
    }
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  public boolean isOptional() {
    return (flags & AttributeFlags.OPTIONAL) != 0;
  }

  public boolean isTransitive() {
    return (flags & AttributeFlags.TRANSITIVE) != 0;
  }

  /** This attribute with the Partial bit set (RFC 4271 §5: passing on an unrecognized optional transitive one). */
  public UnknownAttribute withPartial() {
    return new UnknownAttribute(flags | AttributeFlags.PARTIAL, typeCode, value);
  }

  @Override
  public int valueLength(boolean fourOctetAs) {
    return value.length;
  }

  @Override
  public void writeValue(ByteBuf out, boolean fourOctetAs) {
    out.writeBytes(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnknownAttribute u && u.flags == flags && u.typeCode == typeCode
        && Arrays.equals(u.value, value);
  }

  @Override
  public int hashCode() {
    return (flags * 256 + typeCode) * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "UnknownAttribute[flags=" + AttributeFlags.toString(flags) + ", type=" + typeCode + ", length="
        + value.length + "]";
  }
}
