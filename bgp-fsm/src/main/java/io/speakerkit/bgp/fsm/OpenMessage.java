package io.speakerkit.bgp.fsm;

import java.util.Objects;

/**
 * The fields of an OPEN message (RFC 4271 §4.2) the state machine checks and negotiates, already decoded.
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
 * | Opt Parm Len  |   Optional Parameters (capabilities)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param version the BGP version, 4
 * @param myAs the 2-octet My Autonomous System field (AS_TRANS, 23456, when the real AS needs 4 octets)
 * @param holdTime seconds, 0-65535 (range checks against RFC 4271 are the machine's job)
 * @param bgpIdentifier the sender's BGP Identifier
 * @param capabilities what the OPEN advertises
 */
public record OpenMessage(int version, int myAs, int holdTime, BgpIdentifier bgpIdentifier, Capabilities capabilities) {

  /** RFC 4271: the only version this implementation speaks. */
  public static final int VERSION = 4;
  /** RFC 6793 §9: AS_TRANS. */
  public static final int AS_TRANS = 23456;

  public OpenMessage {
    if (version < 0 || version > 255) {
      throw new IllegalArgumentException("version: " + version + " (expected: 0-255)");
    }
    if (myAs < 0 || myAs > 0xFFFF) {
      throw new IllegalArgumentException("my AS: " + myAs + " (expected: 0-65535)");
    }
    if (holdTime < 0 || holdTime > 0xFFFF) {
      throw new IllegalArgumentException("hold time: " + holdTime + " (expected: 0-65535)");
    }
    Objects.requireNonNull(bgpIdentifier, "bgpIdentifier");
    Objects.requireNonNull(capabilities, "capabilities");
  }

  /** The sender's AS: the 4-octet capability's if advertised (RFC 6793 §4.1), else the My AS field. */
  public long effectiveAs() {
    return capabilities.fourOctetAs().orElse(myAs);
  }

  /** This OPEN without optional parameters (RFC 5492 §3: to a peer that does not take capabilities). */
  public OpenMessage withoutCapabilities() {
    return new OpenMessage(version, myAs, holdTime, bgpIdentifier, Capabilities.NONE);
  }
}
