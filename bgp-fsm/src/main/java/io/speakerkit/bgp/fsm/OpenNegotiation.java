package io.speakerkit.bgp.fsm;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.PeerType;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a received OPEN against the local configuration (RFC 4271 §6.2, RFC 6793, RFC 6286, RFC 5492) and, when it
 * passes, negotiates the session. Pure: no state, no I/O.
 */
public final class OpenNegotiation {

  /** The outcome: either a session or the NOTIFICATION to send, with a message saying what was seen and expected. */
  public sealed interface Result {}

  /** The OPEN passed its checks. */
  public record Accepted(NegotiatedSession session) implements Result {}

  /** The OPEN failed a check. */
  public record Rejected(Notification notification, String detail) implements Result {}

  private OpenNegotiation() {}

  /** Checks {@code open} as received by a session configured with {@code config}. */
  public static Result negotiate(FsmConfig config, OpenMessage open) {
    // RFC 4271 §6.2: version; the data is the largest locally supported version, 2 octets.
    if (open.version() != OpenMessage.VERSION) {
      return new Rejected(new Notification(Notification.OPEN_MESSAGE_ERROR, Notification.UNSUPPORTED_VERSION_NUMBER,
          new byte[] {0, OpenMessage.VERSION}), "version: " + open.version() + " (expected: 4)");
    }
    Capabilities caps = open.capabilities();
    // RFC 6793 §4.1: the AS comes from the capability when both sides speak it.
    boolean fourOctet = config.fourOctetAs() && caps.fourOctetAs().isPresent();
    long peerAs = fourOctet ? caps.fourOctetAs().getAsLong() : open.myAs();
    if (fourOctet && peerAs <= 0xFFFF && open.myAs() != peerAs && open.myAs() != OpenMessage.AS_TRANS) {
      // RFC 6793 §4.1: a 2-octet AS goes in My AS as is. AS_TRANS there with a small AS in the capability is odd but
      // harmless, and FRR and GoBGP take the capability's AS: so do we.
      return badPeerAs(open, "my AS: " + open.myAs() + " with 4-octet AS capability " + peerAs
          + " (expected: the same number)");
    }
    if (fourOctet && peerAs > 0xFFFF && open.myAs() != OpenMessage.AS_TRANS) {
      // RFC 6793 §4.1: an AS that needs 4 octets goes as AS_TRANS in My AS; another AS there contradicts the
      // capability (FRR: "got AS4 capability, but remote_as ... mismatch with 16bit 'myasn'", Bad Peer AS)
      return badPeerAs(open, "my AS: " + open.myAs() + " with 4-octet AS capability " + peerAs
          + " (expected: AS_TRANS, 23456)");
    }
    if (peerAs == 0 || peerAs == OpenMessage.AS_TRANS && fourOctet) {
      return badPeerAs(open, "peer AS: " + peerAs + " (expected: a real AS number)");
    }
    if (!config.peerAs().accepts(config.localAs(), peerAs)) {
      return badPeerAs(open, "peer AS: " + peerAs + " (expected: " + config.peerAs() + ")");
    }
    boolean internal = config.internal(peerAs);
    // RFC 4271 §6.2 as relaxed by RFC 6286 §2.2: non-zero; within an AS, different from ours.
    BgpIdentifier id = open.bgpIdentifier();
    if (id.value() == 0) {
      return new Rejected(Notification.of(Notification.OPEN_MESSAGE_ERROR, Notification.BAD_BGP_IDENTIFIER),
          "BGP identifier: 0.0.0.0 (expected: non-zero)");
    }
    if (internal && id.equals(config.bgpIdentifier())) {
      return new Rejected(Notification.of(Notification.OPEN_MESSAGE_ERROR, Notification.BAD_BGP_IDENTIFIER),
          "BGP identifier: " + id + " (expected: different from ours within AS " + config.localAs() + ")");
    }
    // RFC 4271 §6.2: hold time 1 or 2 is unacceptable.
    if (open.holdTime() == 1 || open.holdTime() == 2) {
      return new Rejected(Notification.of(Notification.OPEN_MESSAGE_ERROR, Notification.UNACCEPTABLE_HOLD_TIME),
          "hold time: " + open.holdTime() + " (expected: 0 or >= 3)");
    }
    // RFC 5492 §5: a capability we require and the peer lacks. The data would list it as encoded in an OPEN; a code
    // with length 0 is not that encoding for most capabilities, so none is sent, as FRR sends none.
    for (int code : config.requiredCapabilities()) {
      if (!caps.has(code)) {
        return new Rejected(new Notification(Notification.OPEN_MESSAGE_ERROR, Notification.UNSUPPORTED_CAPABILITY,
            new byte[0]), "capability " + code + ": absent (expected: advertised)");
      }
    }
    // RFC 9234 §4.2: on eBGP, a peer whose BGP Role does not face ours (or that advertises several), or none at all
    // in strict mode, is refused with Role Mismatch. A role received on iBGP is ignored.
    if (config.role().isPresent() && !internal) {
      BgpRole mine = config.role().get();
      Set<Integer> theirs = caps.roles();
      boolean mismatch = theirs.isEmpty() ? config.strictRole()
          : theirs.size() > 1 || !mine.pairsWith(theirs.iterator().next());
      if (mismatch) {
        return new Rejected(Notification.of(Notification.OPEN_MESSAGE_ERROR, Notification.ROLE_MISMATCH),
            "BGP role: " + (theirs.isEmpty() ? "none" : theirs) + " (expected: the role facing " + mine + ")");
      }
    }
    long holdSeconds = Math.min(config.holdTime().toSeconds(), open.holdTime());
    Duration hold = Duration.ofSeconds(holdSeconds);
    Duration keepalive;
    if (holdSeconds == 0) {
      keepalive = Duration.ZERO;
    } else {
      // RFC 4271 §4.4 / §10: at most a third of the negotiated hold time; the configured keepalive when shorter (as
      // FRR and GoBGP: a peer offering a shorter hold time lowers it)
      keepalive = Duration.ofSeconds(Math.max(1, holdSeconds / 3));
      if (config.keepaliveTime().isPresent() && config.keepaliveTime().get().compareTo(keepalive) < 0) {
        keepalive = config.keepaliveTime().get();
      }
    }
    Set<AddressFamily> families = new LinkedHashSet<>(config.families());
    families.retainAll(caps.families());
    if (families.isEmpty() && !caps.multiprotocol().isEmpty()) {
      // RFC 5492 §5: a session that could exchange no route is refused with Unsupported Capability, listing the
      // peer's Multiprotocol capabilities we do not share (FRR: "Configured AFI/SAFIs do not overlap").
      return new Rejected(new Notification(Notification.OPEN_MESSAGE_ERROR, Notification.UNSUPPORTED_CAPABILITY,
          multiprotocolCapabilities(caps.multiprotocol())), "address families: " + caps.multiprotocol()
          + " (expected: at least one of " + config.families() + ")");
    }
    Set<AddressFamily> addPathReceive = new HashSet<>();
    Set<AddressFamily> addPathSend = new HashSet<>();
    config.addPath().forEach((family, mine) -> {
      AddPathMode theirs = caps.addPath().get(family);
      if (theirs != null && families.contains(family)) {
        if (mine.receives() && theirs.sends()) {
          addPathReceive.add(family);
        }
        if (mine.sends() && theirs.receives()) {
          addPathSend.add(family);
        }
      }
    });
    // RFC 8950 §4: IPv4 NLRI may carry an IPv6 next hop once both sides advertised it for the family
    Set<AddressFamily> extendedNextHop = new HashSet<>();
    if (config.extendedNextHop() && caps.extendedNextHop().contains(AddressFamily.IPV4_UNICAST)
        && families.contains(AddressFamily.IPV4_UNICAST)) {
      extendedNextHop.add(AddressFamily.IPV4_UNICAST);
    }
    Optional<GracefulRestart> gr = config.gracefulRestart().isPresent() ? caps.gracefulRestart() : Optional.empty();
    NegotiatedSession session = new NegotiatedSession(peerAs, id, internal ? PeerType.INTERNAL : PeerType.EXTERNAL,
        hold, keepalive, families, fourOctet, addPathReceive, addPathSend,
        config.extendedMessage() && caps.extendedMessage(), extendedNextHop, caps.routeRefresh(),
        config.enhancedRouteRefresh() && caps.enhancedRouteRefresh(), gr, open);
    return new Accepted(session);
  }

  /** RFC 4760 §8: one Multiprotocol Extensions capability (code 1, length 4: AFI, reserved, SAFI) per family. */
  private static byte[] multiprotocolCapabilities(Set<AddressFamily> families) {
    byte[] data = new byte[6 * families.size()];
    int i = 0;
    for (AddressFamily f : families) {
      int afi = f.afi().value();
      data[i] = 1;
      data[i + 1] = 4;
      data[i + 2] = (byte) (afi >>> 8);
      data[i + 3] = (byte) afi;
      data[i + 5] = (byte) f.safi().value();
      i += 6;
    }
    return data;
  }

  private static Rejected badPeerAs(OpenMessage open, String detail) {
    // RFC 4271 §6.2: Bad Peer AS carries no data.
    return new Rejected(Notification.of(Notification.OPEN_MESSAGE_ERROR, Notification.BAD_PEER_AS), detail);
  }
}
