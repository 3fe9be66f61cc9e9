package io.speakerkit.bgp.fsm;

/**
 * Connection collision resolution (RFC 4271 §6.8, with RFC 6286 §2.3 for equal identifiers). Pure.
 *
 * <p>When both speakers connect at once there are two connections; once the peer's BGP Identifier is known on one
 * of them (an OPEN arrived there), the speaker with the higher identifier keeps the connection it initiated. A
 * connection that collides with one already Established is the one closed. The loser gets
 * {@link BgpEvent.OpenCollisionDump}, which sends Cease / Connection Collision Resolution.
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

  /**
   * Whether a connection in {@code other} state must be checked for collision with a connection on which an OPEN
   * just arrived: it must have reached OpenConfirm (its peer identifier known) or Established.
   */
  public static boolean collides(BgpState other) {
    return other == BgpState.OpenConfirm || other == BgpState.Established;
  }
}
