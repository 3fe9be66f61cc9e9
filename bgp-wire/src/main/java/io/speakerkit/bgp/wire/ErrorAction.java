package io.speakerkit.bgp.wire;

/**
 * What RFC 7606 §2 says to do with a malformed UPDATE, ordered from mildest to harshest so that when one UPDATE has
 * several errors the harshest wins ({@code max}).
 */
public enum ErrorAction {
  /** No error. */
  NONE,
  /** RFC 7606 §2: "attribute discard": drop the attribute, process the rest of the UPDATE. */
  ATTRIBUTE_DISCARD,
  /** RFC 7606 §2: "treat-as-withdraw": every NLRI in the UPDATE is treated as withdrawn. */
  TREAT_AS_WITHDRAW,
  /** RFC 7606 §2 / RFC 4760 §7: "AFI/SAFI disable": stop using the address family on this session. */
  AFI_SAFI_DISABLE,
  /** RFC 7606 §2: "session reset": send the NOTIFICATION and close (RFC 4271 §6 behaviour). */
  SESSION_RESET;

  /**
   * Whether none of the UPDATE's announced routes may be used: treat-as-withdraw or harsher (RFC 7606 §3: with several
   * errors the harshest action is the one reported, so an AFI/SAFI disable also withdraws them).
   */
  public boolean withdrawsRoutes() {
    return ordinal() >= TREAT_AS_WITHDRAW.ordinal();
  }

  /** The harsher of the two actions. */
  public ErrorAction max(ErrorAction other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
