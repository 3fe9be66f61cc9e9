package io.speakerkit.bgp.wire;

import io.speakerkit.bgp.wire.attribute.AttributeType;
import java.util.ArrayList;
import java.util.List;

/**
 * UPDATE checks that need more than the bytes: configuration such as the peer's AS (RFC 4271 §6.3, RFC 7606 §7.2,
 * §7.3). Kept apart from {@link BgpMessageDecoder}, which only checks what the bytes alone can tell. The results
 * are extra {@link UpdateError}s; the decoded message itself is not changed.
 */
public final class UpdateChecks {

  private UpdateChecks() {
  }

  /**
   * Runs the checks and returns the problems found (an immutable empty list, not allocated, when none).
   *
   * @param peerAs the peer's AS
   * @param enforceFirstAs whether, on eBGP, the leftmost AS must be the peer's (off for route-server peers)
   */
  public static List<UpdateError> check(UpdateMessage update, long peerAs, boolean enforceFirstAs) {
    return check(update, peerAs, enforceFirstAs, false);
  }

  /**
   * As {@link #check(UpdateMessage, long, boolean)}, and on eBGP also refuses confederation segments unless the
   * peer is a member of our confederation (RFC 5065 §5.1, RFC 7606 §7.2: treat-as-withdraw).
   */
  public static List<UpdateError> check(UpdateMessage update, long peerAs, boolean enforceFirstAs,
      boolean confederationPeer) {
    return check(update, peerAs, enforceFirstAs, confederationPeer, false);
  }

  /**
   * As {@link #check(UpdateMessage, long, boolean, boolean)}; {@code loopbackSession} accepts a NEXT_HOP in 127/8,
   * which on a session over loopback (a lab on one host) is the peer's own address.
   */
  public static List<UpdateError> check(UpdateMessage update, long peerAs, boolean enforceFirstAs,
      boolean confederationPeer, boolean loopbackSession) {
    List<UpdateError> out = List.of();
    UpdateAttributes a = update.attributes();
    boolean hasNlri = update.nlriLength() > 0 || a.hasMpReach();
    if (!hasNlri) {
      return out;
    }
    // read from the bytes, not through an AsPathView: an UPDATE that passes costs no allocation
    boolean external = update.context().peerType() == PeerType.EXTERNAL && a.hasAsPath();
    if (enforceFirstAs && external) {
      // from a peer in our confederation, a leading AS_CONFED_SEQUENCE holds its member AS (RFC 5065 §5.1)
      long first = a.asPathLeftmostAs(confederationPeer);
      if (first != peerAs) {
        // RFC 4271 §6.3: from an external peer the leftmost AS must be the peer's: Malformed AS_PATH;
        // RFC 7606 §7.2: treat-as-withdraw.
        out = add(out, new UpdateError(ErrorAction.TREAT_AS_WITHDRAW, 3,
            UpdateMessageErrorSubcode.MALFORMED_AS_PATH.value(), null, AttributeType.AS_PATH_CODE, null,
            "leftmost AS: " + (first < 0 ? "none" : String.valueOf(first)) + " (expected: " + peerAs
                + ", the eBGP peer's AS)"));
      }
    }
    int confederationSegment = !confederationPeer && external ? a.asPathConfederationSegmentType() : 0;
    if (confederationSegment != 0) {
      // RFC 7606 §7.2: confederation segments from a peer outside the confederation: treat-as-withdraw.
      out = add(out, new UpdateError(ErrorAction.TREAT_AS_WITHDRAW, 3,
          UpdateMessageErrorSubcode.MALFORMED_AS_PATH.value(), null, AttributeType.AS_PATH_CODE, null,
          "segment type: " + confederationSegment
              + " (expected: AS_SET or AS_SEQUENCE from a peer outside the confederation)"));
    }
    if (update.nlriLength() > 0 && a.hasNextHop()) {
      int nh = a.nextHopIpv4();
      int top = nh >>> 24;
      // 0/8, loopback, multicast and 240/4 (with the broadcast address): not a host's address, as FRR's martian
      // check (ipv4_unicast_valid) without allow-reserved-ranges
      if (top == 0 || (top == 127 && !loopbackSession) || top >= 224) {
        // RFC 4271 §6.3: NEXT_HOP must be a valid host address: Invalid NEXT_HOP; RFC 7606 §7.3: treat-as-withdraw.
        out = add(out, new UpdateError(ErrorAction.TREAT_AS_WITHDRAW, 3,
            UpdateMessageErrorSubcode.INVALID_NEXT_HOP_ATTRIBUTE.value(),
            receivedAttribute(a, AttributeType.NEXT_HOP_CODE),
            AttributeType.NEXT_HOP_CODE, null,
            "next hop: " + IpPrefix.formatIpv4(nh) + " (expected: a unicast host address)"));
      }
    }
    MpReachView reach = a.mpReach();
    if (reach != null && martianNextHop(reach, loopbackSession)) {
      // RFC 4760 §3 leaves the check to the receiver: a next hop that is no host's address is treated as NEXT_HOP's
      // (treat-as-withdraw), as FRR filters martian MP_REACH_NLRI next hops
      out = add(out, new UpdateError(ErrorAction.TREAT_AS_WITHDRAW, 3,
          UpdateMessageErrorSubcode.INVALID_NEXT_HOP_ATTRIBUTE.value(), null, AttributeType.MP_REACH_NLRI_CODE,
          null, "MP_REACH_NLRI next hop: " + reachNextHopText(reach) + " (expected: a unicast host address)"));
    }
    return out;
  }

  /**
   * 0/8, loopback (but on a loopback session), multicast and 240/4 for a 4-octet next hop; the unspecified address,
   * ::1 (but on a loopback session) and ff00::/8 for the global address of a 16- or 32-octet one, except "::" followed
   * by a link-local address (32 octets).
   */
  private static boolean martianNextHop(MpReachView reach, boolean loopbackSession) {
    int length = reach.nextHopLength();
    if (length == 4) {
      int top = reach.nextHopIpv4() >>> 24;
      return top == 0 || (top == 127 && !loopbackSession) || top >= 224;
    }
    if (length == 16 || length == 32) {
      long hi = reach.nextHopIpv6Hi();
      long lo = reach.nextHopIpv6Lo();
      if (hi == 0 && lo == 0 && reach.hasLinkLocalNextHop()) {
        // "::" followed by a link-local address: what BIRD sends on a link-local-only session; the link-local one is
        // the next hop (FRR accepts it since FRRouting/frr#6261, BIRD forbids a zero global only without one)
        return false;
      }
      return hi == 0 && (lo == 0 || (lo == 1 && !loopbackSession)) || (hi >>> 56) == 0xFF;
    }
    return false;
  }

  private static String reachNextHopText(MpReachView reach) {
    if (reach.nextHopLength() == 4) {
      return IpPrefix.formatIpv4(reach.nextHopIpv4());
    }
    return IpPrefix.formatIpv6(reach.nextHopIpv6Hi(), reach.nextHopIpv6Lo());
  }

  /** {@code errors} with {@code e} appended: the first problem found allocates the list. */
  private static List<UpdateError> add(List<UpdateError> errors, UpdateError e) {
    List<UpdateError> out = errors.isEmpty() ? new ArrayList<>(2) : errors;
    out.add(e);
    return out;
  }

  /** The first attribute of {@code type} exactly as received: flags, type, length and value (RFC 4271 §6.3 data). */
  private static byte[] receivedAttribute(UpdateAttributes attributes, int type) {
    UpdateAttributes.AttributeCursor c = attributes.cursor();
    while (c.next()) {
      if (c.type() == type) {
        return c.copyAttribute();
      }
    }
    return null;
  }
}
