package io.speakerkit.bgp.fsm;

/**
 * Connection collision resolution (RFC 4271 §6.8, with RFC 6286 §2.3 for equal identifiers). Pure.
 *
 * <p>When both speakers connect at once there are two connections; once the peer's BGP Identifier is known on one
 * of them (an OPEN arrived there), the speaker with the higher identifier keeps the connection it initiated. A
 * connection that collides with one already Established is the one closed. The loser gets
 * {@link BgpEvent.OpenCollisionDump}, which sends Cease / Connection Collision Resolution. {@link #onOpen} is the
 * whole decision, as the session's transport takes it.
 */
public final class Collision {

  /** Which of the two connections survives. */
  public enum Keep {
    /** The connection we initiated (our active connect). */
    LOCALLY_INITIATED,
    /** The connection the peer initiated (accepted on our listener). */
    REMOTELY_INITIATED
  }

  private Collision() {}

  /**
   * RFC 4271 §6.8: "If the value of the local BGP Identifier is less than the remote one, the local system closes the
   * BGP connection that already exists (the one that is already in the OpenConfirm state), and accepts the BGP
   * connection initiated by the remote system" — in effect, the higher identifier keeps the connection it initiated.
   * RFC 6286 §2.3: with equal identifiers (possible between ASes), the higher AS number decides the same way.
   */
  public static Keep resolve(BgpIdentifier local, long localAs, BgpIdentifier remote, long remoteAs) {
    int c = local.compareTo(remote);
    if (c == 0) {
      c = Long.compare(localAs, remoteAs);
    }
    return c > 0 ? Keep.LOCALLY_INITIATED : Keep.REMOTELY_INITIATED;
  }

  /** Which connection {@link #onOpen} closes. */
  public enum Close {
    /** No collision: the OPEN is processed as usual. */
    NONE,
    /** The connection the OPEN arrived on: it gets OpenCollisionDump instead of the OPEN. */
    ARRIVED,
    /** The other connection: it gets OpenCollisionDump, then the OPEN is processed as usual. */
    OTHER
  }

  /**
   * The decision when the peer's OPEN arrives on one connection while the other is in {@code other} state, taken
   * before the OPEN is processed (so that the losing connection never answers with a KEEPALIVE and the peer never
   * sees it Established). RFC 4271 §6.8: connections in OpenConfirm must be examined, and may be in OpenSent when the
   * peer's identifier is known by other means: here it is, from this OPEN, so both are. A connection colliding
   * with an Established one is the one closed. Both speakers examining OpenSent connections take the same decision
   * on whichever connection an OPEN arrives first; a speaker waiting for OpenConfirm can decide after the peer's
   * side of the same connection is Established, and then both connections go.
   *
   * @param arrivedOutgoing whether the OPEN arrived on the connection we initiated
   * @param remote the BGP Identifier in the OPEN (of an OPEN negotiation accepts)
   * @param remoteAs the peer's AS from that OPEN
   */
  public static Close onOpen(BgpState other, boolean arrivedOutgoing, BgpIdentifier local, long localAs,
      BgpIdentifier remote, long remoteAs) {
    if (!collides(other)) {
      return Close.NONE;
    }
    if (other == BgpState.Established) {
      return Close.ARRIVED;
    }
    boolean keepOutgoing = resolve(local, localAs, remote, remoteAs) == Keep.LOCALLY_INITIATED;
    return arrivedOutgoing == keepOutgoing ? Close.OTHER : Close.ARRIVED;
  }

  /**
   * Whether a connection in {@code other} state collides with one on which an OPEN just arrived: once it has sent
   * its OPEN (OpenSent, OpenConfirm) or is Established.
   */
  public static boolean collides(BgpState other) {
    return other == BgpState.OpenSent || other == BgpState.OpenConfirm || other == BgpState.Established;
  }
}
