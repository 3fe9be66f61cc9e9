package io.speakerkit.bfd;

/**
 * bfd.AuthType (RFC 5880 §4.1 "Auth Type", §6.7): the authentication scheme of a session.
 *
 * <p>The keyed MD5 and SHA1 schemes are the RFC's own constructions (the digest of the packet with the key
 * in the digest field), not HMAC.
 */
public enum AuthType {
  /** 0 -- Reserved: no authentication (the A bit is clear). */
  NONE(0, 0, 0),
  /** 1 -- Simple Password (§6.7.2). */
  SIMPLE_PASSWORD(1, 0, 16),
  /** 2 -- Keyed MD5 (§6.7.3). */
  KEYED_MD5(2, 16, 16),
  /** 3 -- Meticulous Keyed MD5 (§6.7.3). */
  METICULOUS_KEYED_MD5(3, 16, 16),
  /** 4 -- Keyed SHA1 (§6.7.4). */
  KEYED_SHA1(4, 20, 20),
  /** 5 -- Meticulous Keyed SHA1 (§6.7.4). */
  METICULOUS_KEYED_SHA1(5, 20, 20);

  private final int code;
  private final int digestLength;
  private final int maxKeyLength;

  AuthType(int code, int digestLength, int maxKeyLength) {
    this.code = code;
    this.digestLength = digestLength;
    this.maxKeyLength = maxKeyLength;
  }

  /** The Auth Type field value. */
  public int code() {
    return code;
  }

  /** Length of the Auth Key/Digest field, 0 for none and simple password. */
  public int digestLength() {
    return digestLength;
  }

  /** Longest key (password) the scheme carries. */
  public int maxKeyLength() {
    return maxKeyLength;
  }

  /** Whether the scheme carries a sequence number (keyed MD5/SHA1 and their meticulous variants). */
  public boolean hasSequence() {
    return digestLength > 0;
  }

  /** Whether the sequence number must increase with every packet (§6.7.3, §6.7.4 "meticulous"). */
  public boolean isMeticulous() {
    return this == METICULOUS_KEYED_MD5 || this == METICULOUS_KEYED_SHA1;
  }

  /** The Auth Len field value for this scheme, given the password length for simple password. */
  public int authLen(int passwordLength) {
    switch (this) {
      case NONE:
        return 0;
      case SIMPLE_PASSWORD:
        return 3 + passwordLength;
      case KEYED_MD5:
      case METICULOUS_KEYED_MD5:
        return 24;
      default:
        return 28;
    }
  }

  /** The scheme for an Auth Type value, or {@code null} if it is not one the RFC defines. */
  public static AuthType fromCode(int code) {
    for (AuthType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
