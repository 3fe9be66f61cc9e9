package io.speakerkit.bgp.wire;

import io.speakerkit.bgp.wire.attribute.AttributeType;
import java.util.Arrays;

/**
 * One problem found in a received UPDATE and what RFC 7606 says to do about it.
 *
 * @param action the RFC 7606 §2 action for this problem
 * @param code the NOTIFICATION error code RFC 4271 §6.3 would have sent (3), or 0 where RFC 4271 has no error
 *     (e.g. LOCAL_PREF received from an eBGP peer, RFC 7606 §7.5)
 * @param subcode the NOTIFICATION error subcode RFC 4271 would have sent
 * @param data the NOTIFICATION data RFC 4271 would have sent (usually the whole attribute: flags, type, length,
 *     value)
 * @param attributeType the attribute concerned, or -1
 * @param family for {@link ErrorAction#AFI_SAFI_DISABLE}: the address family to disable, otherwise null
 * @param reason what was seen and what was expected
 */
public record UpdateError(ErrorAction action, int code, int subcode, byte[] data, int attributeType,
    AddressFamily family, String reason) {

  public UpdateError {
    data = data == null ? new byte[0] : data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** The NOTIFICATION to send if the session is reset over this problem, or null when RFC 4271 has none. */
  public Notification notification() {
    return code == 0 ? null : new Notification(code, subcode, data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpdateError e && e.action == action && e.code == code && e.subcode == subcode
        && Arrays.equals(e.data, data) && e.attributeType == attributeType && java.util.Objects.equals(e.family, family)
        && e.reason.equals(reason);
  }

  @Override
  public int hashCode() {
    return action.hashCode() * 31 + code * 256 + subcode + attributeType * 7;
  }

  @Override
  public String toString() {
    return action + " (" + (attributeType >= 0 ? AttributeType.valueOf(attributeType) + ": " : "") + reason
        + (code != 0 ? "; RFC 4271 NOTIFICATION " + code + "/" + subcode : "") + (family != null ? "; " + family : "")
        + ")";
  }
}
