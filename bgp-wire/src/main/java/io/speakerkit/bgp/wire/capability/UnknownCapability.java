package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A capability this library does not interpret (RFC 5492 §4), or a known one whose value could not be interpreted
 * leniently: code and value bytes, re-encoded unchanged.
 */
public record UnknownCapability(int code, byte[] value) implements Capability {

  public UnknownCapability {
    if (code < 0 || code > 255) {
      throw new IllegalArgumentException("capability code: " + code + " (expected: 0-255)");
    }
    value = value.clone();
    if (value.length > 255) {
      throw new IllegalArgumentException("capability length: " + value.length + " (expected: 0-255)");
    }
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  @Override
  public int valueLength() {
    return value.length;
  }

  @Override
  public void writeValue(ByteBuf out) {
    out.writeBytes(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnknownCapability u && u.code == code && Arrays.equals(u.value, value);
  }

  @Override
  public int hashCode() {
    return code * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "UnknownCapability[code=" + code + ", value=" + Arrays.toString(value) + "]";
  }
}
