package io.speakerkit.bgp.fsm;

/**
 * The AS we accept from the peer: one number, or for dynamic peers any internal AS (equal to ours) or any external AS
 * (different from ours).
 */
public sealed interface PeerAs {

  /** Whether {@code peerAs} is acceptable when our AS is {@code localAs}. */
  boolean accepts(long localAs, long peerAs);

  /** Exactly {@code asn}. */
  static PeerAs of(long asn) {
    return new Exact(asn);
  }

  /** Any AS equal to ours: an iBGP peer. */
  static PeerAs anyInternal() {
    return AnyInternal.INSTANCE;
  }

  /** Any AS different from ours: an eBGP peer. */
  static PeerAs anyExternal() {
    return AnyExternal.INSTANCE;
  }

  /** Any AS at all (a route collector): iBGP or eBGP follows from the AS the peer announces. */
  static PeerAs any() {
    return Any.INSTANCE;
  }

  /** One AS number, 1-4294967295. */
  record Exact(long asn) implements PeerAs {
    public Exact {
      if (asn < 1 || asn > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("peer AS: " + asn + " (expected: 1-4294967295)");
      }
    }

    @Override
    public boolean accepts(long localAs, long peerAs) {
      return peerAs == asn;
    }

    @Override
    public String toString() {
      return Long.toString(asn);
    }
  }

  /** Internal: equal to our AS. */
  enum AnyInternal implements PeerAs {
    INSTANCE;

    @Override
    public boolean accepts(long localAs, long peerAs) {
      return peerAs == localAs;
    }

    @Override
    public String toString() {
      return "internal";
    }
  }

  /** External: any AS but ours. */
  enum AnyExternal implements PeerAs {
    INSTANCE;

    @Override
    public boolean accepts(long localAs, long peerAs) {
      return peerAs != localAs && peerAs != 0;
    }

    @Override
    public String toString() {
      return "external";
    }
  }

  /** Any AS: the session is iBGP or eBGP as the peer's OPEN makes it. */
  enum Any implements PeerAs {
    INSTANCE;

    @Override
    public boolean accepts(long localAs, long peerAs) {
      return peerAs != 0;
    }

    @Override
    public String toString() {
      return "any";
    }
  }
}
