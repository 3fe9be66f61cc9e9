package io.speakerkit.bgp.wire;

import io.speakerkit.bgp.wire.capability.AddPathCapability;
import io.speakerkit.bgp.wire.capability.Capability;
import io.speakerkit.bgp.wire.capability.ExtendedMessageCapability;
import io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability;
import io.speakerkit.bgp.wire.capability.FourOctetAsCapability;
import io.speakerkit.bgp.wire.capability.MultiprotocolCapability;
import io.speakerkit.bgp.wire.capability.RoleCapability;
import java.util.HashSet;
import java.util.Set;

/**
 * What two OPENs negotiate, and the OPEN checks that need configuration (RFC 4271 §6.2, RFC 6793, RFC 7911, RFC
 * 8654, RFC 8950, RFC 9234). Kept apart from byte parsing: {@link BgpMessageDecoder} only checks what the bytes
 * alone can tell.
 */
public final class OpenNegotiation {

  private OpenNegotiation() {
  }

  /**
   * The codec context for a session once both OPENs are known.
   *
   * <ul>
   *   <li>4-octet AS: both advertised it (RFC 6793 §3).
   *   <li>extended messages: both advertised it (RFC 8654 §3).
   *   <li>ADD-PATH receive for a family: we said receive and the peer said send; send: the reverse (RFC 7911 §4).
   *   <li>extended next hop: IPv4 NLRI families with an IPv6 next hop that both advertised (RFC 8950 §3).
   * </ul>
   * Both only for families the session negotiated: both sent their Multiprotocol capability (RFC 4760 §8; a speaker
   * that sends none has IPv4 unicast only).
   */
  public static CodecContext negotiate(OpenMessage local, OpenMessage remote, PeerType peerType) {
    boolean four = local.capability(FourOctetAsCapability.class).isPresent()
        && remote.capability(FourOctetAsCapability.class).isPresent();
    boolean ext = local.capability(ExtendedMessageCapability.class).isPresent()
        && remote.capability(ExtendedMessageCapability.class).isPresent();
    Set<AddressFamily> families = families(local);
    families.retainAll(families(remote));
    Set<AddressFamily> receive = new HashSet<>();
    Set<AddressFamily> send = new HashSet<>();
    for (AddPathCapability.Family mine : local.addPath()) {
      for (AddPathCapability.Family theirs : remote.addPath()) {
        if (mine.family().equals(theirs.family()) && families.contains(mine.family())) {
          if (mine.canReceive() && theirs.canSend()) {
            receive.add(mine.family());
          }
          if (mine.canSend() && theirs.canReceive()) {
            send.add(mine.family());
          }
        }
      }
    }
    Set<AddressFamily> enh = new HashSet<>();
    var mine = local.capability(ExtendedNextHopCapability.class);
    var theirs = remote.capability(ExtendedNextHopCapability.class);
    if (mine.isPresent() && theirs.isPresent()) {
      for (ExtendedNextHopCapability.Entry e : mine.get().entries()) {
        if (e.nextHopAfi().equals(Afi.IPV6) && theirs.get().entries().contains(e)
            && families.contains(e.nlriFamily())) {
          enh.add(e.nlriFamily());
        }
      }
    }
    return new CodecContext(four, ext, receive, send, enh, peerType);
  }

  /** The families an OPEN's Multiprotocol capabilities name; IPv4 unicast when it has none. */
  private static Set<AddressFamily> families(OpenMessage open) {
    Set<AddressFamily> families = new HashSet<>();
    for (Capability c : open.capabilities()) {
      if (c instanceof MultiprotocolCapability mp) {
        families.add(mp.family());
      }
    }
    if (families.isEmpty()) {
      families.add(AddressFamily.IPV4_UNICAST);
    }
    return families;
  }

  /**
   * Checks a received OPEN against configuration.
   *
   * @param expectedPeerAs the configured peer AS, or -1 to accept any
   * @param localBgpIdentifier our BGP Identifier
   * @param localRole our RFC 9234 role, or null when not configured
   * @param strictRole whether a peer without the role capability is refused (RFC 9234 §4.2 strict mode)
   * @throws BgpDecodeException OPEN Message Error: Bad Peer AS (RFC 4271 §6.2, data: none), Bad BGP Identifier (the
   *     same identifier as ours on an iBGP session, RFC 6286 §2.2), Role Mismatch (RFC 9234 §4.2)
   */
  public static void check(OpenMessage received, long expectedPeerAs, int localBgpIdentifier, PeerType peerType,
      RoleCapability localRole, boolean strictRole) {
    long as = received.asNumber();
    if (expectedPeerAs >= 0 && as != expectedPeerAs) {
      // RFC 4271 §6.2: the peer's AS is not the one configured: Bad Peer AS.
      throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.BAD_PEER_AS.value(), null,
          "peer AS: " + as + " (expected: " + expectedPeerAs + ")");
    }
    if (peerType == PeerType.INTERNAL && received.bgpIdentifier() == localBgpIdentifier) {
      // RFC 6286 §2.2: within an AS the BGP Identifiers must differ: Bad BGP Identifier.
      throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.BAD_BGP_IDENTIFIER.value(), null,
          "BGP identifier: " + IpPrefix.formatIpv4(received.bgpIdentifier()) + " (expected: not ours on iBGP)");
    }
    if (localRole != null) {
      var peerRole = received.capability(RoleCapability.class);
      for (Capability c : received.capabilities()) {
        if (c instanceof RoleCapability other && !other.equals(peerRole.get())) {
          // RFC 9234 §4.2: several BGP Role capabilities that differ: Role Mismatch.
          throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.ROLE_MISMATCH.value(), null,
              "peer roles: " + peerRole.get() + " and " + other + " (expected: one role)");
        }
      }
      if (peerRole.isPresent() && !localRole.matches(peerRole.get())) {
        // RFC 9234 §4.2: roles that do not pair: Role Mismatch.
        throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.ROLE_MISMATCH.value(), null,
            "peer role: " + peerRole.get() + " (expected: the counterpart of " + localRole + ")");
      }
      if (peerRole.isEmpty() && strictRole) {
        // RFC 9234 §4.2: strict mode and no role capability: Role Mismatch.
        throw BgpDecodeException.openMessageError(OpenMessageErrorSubcode.ROLE_MISMATCH.value(), null,
            "peer role: none (expected: the counterpart of " + localRole + ", strict mode)");
      }
    }
  }
}
