package io.speakerkit.bgp.wire.capability;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Hostname (FQDN) capability, code 73, as FRR sends it (draft-walton-bgp-hostname-capability §3):
 *
 * <pre>
 * +--------------------------------+
 * | Hostname Length (1 octet)      |
 * +--------------------------------+
 * | Hostname (variable)            |
 * +--------------------------------+
 * | Domain Name Length (1 octet)   |
 * +--------------------------------+
 * | Domain Name (variable)         |
 * +--------------------------------+
 * </pre>
 *
 * Text is UTF-8 (ASCII in practice). Together at most 253 octets so the value fits its 1-octet length.
 */
public record FqdnCapability(String hostname, String domainName) implements Capability {

  public FqdnCapability {
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(domainName, "domainName");
    int h = hostname.getBytes(StandardCharsets.UTF_8).length;
    int d = domainName.getBytes(StandardCharsets.UTF_8).length;
    if (h + d > 253) {
      throw new IllegalArgumentException("hostname + domain: " + (h + d) + " octets (expected: <= 253)");
    }
  }

  @Override
  public int code() {
    return 73;
  }

  @Override
  public int valueLength() {
    return 2 + hostname.getBytes(StandardCharsets.UTF_8).length + domainName.getBytes(StandardCharsets.UTF_8).length;
  }

  @Override
  public void writeValue(ByteBuf out) {
    byte[] h = hostname.getBytes(StandardCharsets.UTF_8);
    byte[] d = domainName.getBytes(StandardCharsets.UTF_8);
    out.writeByte(h.length);
    out.writeBytes(h);
    out.writeByte(d.length);
    out.writeBytes(d);
  }
}
