package io.speakerkit.bgp.wire;

import io.speakerkit.bgp.wire.capability.Capability;
import java.util.List;

/**
 * One Capabilities optional parameter of OPEN (RFC 5492 §4: Parameter Type 2). Speakers differ in whether they put
 * all capabilities in one parameter or one per parameter; {@link OpenMessage} keeps the grouping it received so a
 * decoded OPEN re-encodes byte for byte.
 */
public record CapabilityParameter(List<Capability> capabilities) {

  /** RFC 5492 §4: Optional Parameter Type for Capabilities. */
  public static final int TYPE = 2;

  public CapabilityParameter {
    capabilities = List.copyOf(capabilities);
  }
}
