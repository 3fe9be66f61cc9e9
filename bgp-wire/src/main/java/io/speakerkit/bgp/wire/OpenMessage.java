package io.speakerkit.bgp.wire;

import io.speakerkit.bgp.wire.capability.AddPathCapability;
import io.speakerkit.bgp.wire.capability.Capabilities;
import io.speakerkit.bgp.wire.capability.Capability;
import io.speakerkit.bgp.wire.capability.FourOctetAsCapability;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * OPEN (RFC 4271 §4.2), with the extended optional parameters length of RFC 9072 §2:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+
 * |    Version    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     My Autonomous System      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Hold Time           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         BGP Identifier                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Opt Parm Len  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             Optional Parameters (variable)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * With RFC 9072, Opt Parm Len is 255, followed by a Non-Ext OP Type of 255, a 2-octet Extended Opt. Parm. Length,
 * and parameters with 2-octet lengths.
 *
 * @param version BGP version, 4
 * @param myAs the 2-octet My Autonomous System field: {@link FourOctetAsCapability#AS_TRANS} when the real AS does
 *     not fit (see {@link #asNumber()})
 * @param holdTime seconds: 0 or at least 3 (checked on decode, RFC 4271 §6.2)
 * @param bgpIdentifier the BGP Identifier as a big-endian int
 * @param parameters the Capabilities optional parameters, in order, grouped as sent
 * @param extendedParametersLength whether the RFC 9072 encoding is used (set by the constructor when the
 *     parameters do not fit 1-octet lengths)
 */
public record OpenMessage(int version, int myAs, int holdTime, int bgpIdentifier,
    List<CapabilityParameter> parameters, boolean extendedParametersLength) implements BgpMessage {

  public static final int VERSION = 4;

  public OpenMessage {
    if (version < 0 || version > 255) {
      throw new IllegalArgumentException("version: " + version + " (expected: 0-255)");
    }
    if (myAs < 0 || myAs > 0xFFFF) {
      throw new IllegalArgumentException("my AS: " + myAs + " (expected: 0-65535; AS_TRANS for larger)");
    }
    if (holdTime < 0 || holdTime > 0xFFFF) {
      throw new IllegalArgumentException("hold time: " + holdTime + " (expected: 0-65535)");
    }
    parameters = List.copyOf(parameters);
    // RFC 9072 §2: parameters that do not fit 1-octet lengths force the extended encoding.
    int total = 0;
    for (CapabilityParameter p : parameters) {
      int len = Capabilities.encodedLength(p.capabilities());
      if (len > 255) {
        total = Integer.MAX_VALUE / 2;
      }
      total += 2 + len;
    }
    if (total > 255) {
      extendedParametersLength = true;
    }
  }

  /**
   * An OPEN with all capabilities in one parameter. {@code asNumber} is the 4-octet AS: My AS is set to it, or to
   * AS_TRANS when it does not fit 2 octets (RFC 6793 §4.1); include a {@link FourOctetAsCapability} yourself.
   */
  public static OpenMessage of(long asNumber, int holdTime, int bgpIdentifier, List<? extends Capability> caps) {
    if (asNumber < 0 || asNumber > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("AS number: " + asNumber + " (expected: 0-4294967295)");
    }
    if (holdTime == 1 || holdTime == 2) {
      throw new IllegalArgumentException("hold time: " + holdTime + " (expected: 0 or >= 3)");
    }
    int my = asNumber > 0xFFFF ? FourOctetAsCapability.AS_TRANS : (int) asNumber;
    List<CapabilityParameter> params = caps.isEmpty() ? List.of() : List.of(new CapabilityParameter(List.copyOf(caps)));
    return new OpenMessage(VERSION, my, holdTime, bgpIdentifier, params, false);
  }

  @Override
  public MessageType type() {
    return MessageType.OPEN;
  }

  /** All capabilities, in order, across parameters. */
  public List<Capability> capabilities() {
    if (parameters.size() == 1) {
      return parameters.get(0).capabilities();
    }
    List<Capability> all = new ArrayList<>();
    for (CapabilityParameter p : parameters) {
      all.addAll(p.capabilities());
    }
    return all;
  }

  /** The first capability of the given class. */
  public <C extends Capability> Optional<C> capability(Class<C> type) {
    for (CapabilityParameter p : parameters) {
      for (Capability c : p.capabilities()) {
        if (type.isInstance(c)) {
          return Optional.of(type.cast(c));
        }
      }
    }
    return Optional.empty();
  }

  /** The speaker's AS: the 4-octet AS capability's value when present (RFC 6793 §4.1), otherwise My AS. */
  public long asNumber() {
    return capability(FourOctetAsCapability.class).map(FourOctetAsCapability::asNumber).orElse((long) myAs);
  }

  /** ADD-PATH tuples, empty when not advertised. */
  public List<AddPathCapability.Family> addPath() {
    // every ADD-PATH capability's tuples: some speakers send one capability per family
    List<AddPathCapability.Family> families = new ArrayList<>();
    for (Capability c : capabilities()) {
      if (c instanceof AddPathCapability addPath) {
        families.addAll(addPath.families());
      }
    }
    return families;
  }

  /** Octets after the header. */
  int bodyLength() {
    int params = 0;
    boolean ext = extendedParametersLength;
    for (CapabilityParameter p : parameters) {
      params += Capabilities.encodedLength(p.capabilities());
    }
    int perParam = 2;
    int total = params + perParam * parameters.size();
    if (ext || total > 255) {
      return 10 + 3 + params + 3 * parameters.size();
    }
    return 10 + total;
  }

  @Override
  public String toString() {
    return "OPEN version=" + version + " AS=" + asNumber() + " hold=" + holdTime + " id="
        + IpPrefix.formatIpv4(bgpIdentifier) + " capabilities=" + capabilities();
  }
}
