package io.speakerkit.bfd;

/** Why a received control packet was discarded (RFC 5880 §6.8.6, RFC 5881 §5, RFC 5883 §2). */
public enum DiscardReason {
  /** TTL / hop limit not 255 on a single-hop session, or below the minimum on a multihop one. */
  TTL,
  /** A bit and bfd.AuthType disagree, or the authentication section failed to verify (§6.7). */
  AUTHENTICATION,
  /** No session has the Your Discriminator, or Your Discriminator 0 from a peer that is not Down/AdminDown. */
  UNKNOWN_DISCRIMINATOR,
  /** Version, Length, Detect Mult, Multipoint or My Discriminator wrong. */
  MALFORMED,
  /** The session is AdminDown (§6.8.6: the packet is discarded after updating the remote variables). */
  ADMIN_DOWN
}
