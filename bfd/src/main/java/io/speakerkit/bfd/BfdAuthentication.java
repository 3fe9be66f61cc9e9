package io.speakerkit.bfd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A session's authentication (RFC 5880 §6.7): the scheme, the key ID sent in the Auth Key ID field, and the key
 * (the password for simple password). A received packet must carry the same key ID and key.
 *
 * @param type the scheme, {@link AuthType#NONE} for none
 * @param keyId the Auth Key ID, 0-255
 * @param key the key, 1 to {@link AuthType#maxKeyLength()} bytes (empty for NONE); copied
 */
public record BfdAuthentication(AuthType type, int keyId, byte[] key) {

  /** No authentication. */
  public static final BfdAuthentication NONE = new BfdAuthentication(AuthType.NONE, 0, new byte[0]);

  public BfdAuthentication {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(key, "key");
    if (keyId < 0 || keyId > 255) {
      throw new IllegalArgumentException("keyId: " + keyId + " (expected: 0-255)");
    }
    if (type == AuthType.NONE) {
      if (key.length != 0) {
        throw new IllegalArgumentException("key: " + key.length + " bytes (expected: none without authentication)");
      }
    } else if (key.length < 1 || key.length > type.maxKeyLength()) {
      throw new IllegalArgumentException(
          "key: " + key.length + " bytes (expected: 1-" + type.maxKeyLength() + " for " + type + ")");
    }
    key = key.clone();
  }

  /** A scheme with a textual key (UTF-8). */
  public static BfdAuthentication of(AuthType type, int keyId, String key) {
    return new BfdAuthentication(type, keyId, key.getBytes(StandardCharsets.UTF_8));
  }

  /** A copy of the key. */
  @Override
  public byte[] key() {
    return key.clone();
  }

  byte[] keyUnsafe() {
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BfdAuthentication a && a.type == type && a.keyId == keyId && Arrays.equals(a.key, key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, keyId, Arrays.hashCode(key));
  }

  @Override
  public String toString() {
    return "BfdAuthentication[" + type + ", keyId=" + keyId + ", key=<" + key.length + " bytes>]";
  }
}
