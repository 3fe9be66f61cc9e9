package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;

/**
 * A BGP capability (RFC 5492 §4), carried in the Capabilities optional parameter of OPEN:
 *
 * <pre>
 * +------------------------------+
 * | Capability Code (1 octet)    |
 * +------------------------------+
 * | Capability Length (1 octet)  |
 * +------------------------------+
 * | Capability Value (variable)  |
 * +------------------------------+
 * </pre>
 *
 * <p>Capabilities that this library does not know are kept as {@link UnknownCapability} with their bytes and
 * re-encode unchanged. Decode and encode lists with {@link Capabilities}.
 */
public sealed interface Capability
    permits MultiprotocolCapability, RouteRefreshCapability, EnhancedRouteRefreshCapability,
        FourOctetAsCapability, GracefulRestartCapability, AddPathCapability, ExtendedMessageCapability,
        ExtendedNextHopCapability, LongLivedGracefulRestartCapability, RoleCapability, FqdnCapability,
        UnknownCapability {

  /** The capability code (IANA "Capability Codes"). */
  int code();

  /** Octets of the value (0-255). */
  int valueLength();

  /** Writes the value only (no code, no length) at the writer index; the caller owns {@code out}. */
  void writeValue(ByteBuf out);
}
