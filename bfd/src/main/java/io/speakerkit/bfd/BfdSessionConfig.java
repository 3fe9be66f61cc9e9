package io.speakerkit.bfd;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What a client gives to create a session: the two ends, single-hop or multihop, the profile and the
 * authentication.
 *
 * @param localAddress the address this system sends from (and receives on)
 * @param remoteAddress the peer
 * @param multihop RFC 5883 (port 4784, TTL at least {@link BfdProfile#minimumTtl()}) instead of RFC 5881 (port
 *     3784, TTL 255)
 * @param profile the timers
 * @param authentication the authentication, {@link BfdAuthentication#NONE} for none
 */
public record BfdSessionConfig(
    InetAddress localAddress,
    InetAddress remoteAddress,
    boolean multihop,
    BfdProfile profile,
    BfdAuthentication authentication) {

  public BfdSessionConfig {
    Objects.requireNonNull(localAddress, "localAddress");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(authentication, "authentication");
    if (localAddress.getClass() != remoteAddress.getClass()) {
      throw new IllegalArgumentException("remoteAddress: " + remoteAddress.getHostAddress()
          + " (expected: same family as localAddress " + localAddress.getHostAddress() + ")");
    }
  }

  /** A builder; local and remote address are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link BfdSessionConfig}s. */
  public static final class Builder {
    private InetAddress localAddress;
    private InetAddress remoteAddress;
    private boolean multihop;
    private BfdProfile profile = BfdProfile.DEFAULT;
    private BfdAuthentication authentication = BfdAuthentication.NONE;

    private Builder() {}

    public Builder localAddress(InetAddress v) {
      localAddress = Objects.requireNonNull(v, "localAddress");
      return this;
    }

    public Builder remoteAddress(InetAddress v) {
      remoteAddress = Objects.requireNonNull(v, "remoteAddress");
      return this;
    }

    public Builder multihop(boolean v) {
      multihop = v;
      return this;
    }

    public Builder profile(BfdProfile v) {
      profile = Objects.requireNonNull(v, "profile");
      return this;
    }

    public Builder authentication(BfdAuthentication v) {
      authentication = Objects.requireNonNull(v, "authentication");
      return this;
    }

    public BfdSessionConfig build() {
      if (localAddress == null) {
        throw new IllegalStateException("localAddress: not set (expected: an address)");
      }
      if (remoteAddress == null) {
        throw new IllegalStateException("remoteAddress: not set (expected: an address)");
      }
      return new BfdSessionConfig(localAddress, remoteAddress, multihop, profile, authentication);
    }
  }
}
