package io.speakerkit.bgp.wire;

import java.util.Objects;
import java.util.Set;

/**
 * What the codec needs to know about the session to read and write its messages: the negotiated result of the two
 * OPENs. One immutable value, replaced (not mutated) when the session reaches OpenConfirm.
 *
 * @param fourOctetAs both sides advertised the 4-octet AS capability (RFC 6793 §3): AS_PATH and AGGREGATOR carry
 *     4-octet AS numbers
 * @param extendedMessage both sides advertised extended messages (RFC 8654): maximum length 65535 instead of 4096
 *     (OPEN and KEEPALIVE stay at most 4096)
 * @param addPathReceive families in which the peer sends us path identifiers (RFC 7911 §3)
 * @param addPathSend families in which we send path identifiers
 * @param extendedNextHop families whose NLRI may carry a next hop of the other address family (RFC 8950), e.g.
 *     IPv4 unicast with an IPv6 next hop
 * @param peerType iBGP or eBGP, for the checks of RFC 7606 that depend on it
 */
public record CodecContext(
    boolean fourOctetAs,
    boolean extendedMessage,
    Set<AddressFamily> addPathReceive,
    Set<AddressFamily> addPathSend,
    Set<AddressFamily> extendedNextHop,
    PeerType peerType) {

  /** RFC 4271 §4.1: the maximum message size without RFC 8654. */
  public static final int MAX_MESSAGE_LENGTH = 4096;
  /** RFC 8654 §4: the maximum message size with extended messages. */
  public static final int MAX_EXTENDED_MESSAGE_LENGTH = 65535;

  /** Before the OPENs are exchanged: 2-octet AS, no ADD-PATH, 4096-octet messages, eBGP checks. */
  public static final CodecContext INITIAL =
      new CodecContext(false, false, Set.of(), Set.of(), Set.of(), PeerType.EXTERNAL);

  /**
   * What a modern eBGP peer usually negotiates: 4-octet AS, nothing else. The checks are eBGP's (RFC 7606 §7.5:
   * LOCAL_PREF from an external peer is discarded); {@code withPeerType(PeerType.INTERNAL)} for an iBGP session.
   */
  public static final CodecContext FOUR_OCTET_AS =
      new CodecContext(true, false, Set.of(), Set.of(), Set.of(), PeerType.EXTERNAL);

  public CodecContext {
    addPathReceive = Set.copyOf(addPathReceive);
    addPathSend = Set.copyOf(addPathSend);
    extendedNextHop = Set.copyOf(extendedNextHop);
    Objects.requireNonNull(peerType, "peerType");
  }

  /** The largest message this session may carry (RFC 4271 §4.1, RFC 8654). */
  public int maxMessageLength() {
    return extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
  }

  /** Whether NLRI of {@code family} received from the peer carry a 4-octet path identifier (RFC 7911 §3). */
  public boolean receivesPathId(AddressFamily family) {
    return !addPathReceive.isEmpty() && addPathReceive.contains(family);
  }

  /** Whether NLRI of {@code family} we send carry a path identifier. */
  public boolean sendsPathId(AddressFamily family) {
    return !addPathSend.isEmpty() && addPathSend.contains(family);
  }

  public CodecContext withFourOctetAs(boolean value) {
    return new CodecContext(value, extendedMessage, addPathReceive, addPathSend, extendedNextHop, peerType);
  }

  public CodecContext withExtendedMessage(boolean value) {
    return new CodecContext(fourOctetAs, value, addPathReceive, addPathSend, extendedNextHop, peerType);
  }

  public CodecContext withAddPath(Set<AddressFamily> receive, Set<AddressFamily> send) {
    return new CodecContext(fourOctetAs, extendedMessage, receive, send, extendedNextHop, peerType);
  }

  public CodecContext withExtendedNextHop(Set<AddressFamily> families) {
    return new CodecContext(fourOctetAs, extendedMessage, addPathReceive, addPathSend, families, peerType);
  }

  public CodecContext withPeerType(PeerType value) {
    return new CodecContext(fourOctetAs, extendedMessage, addPathReceive, addPathSend, extendedNextHop, value);
  }
}
