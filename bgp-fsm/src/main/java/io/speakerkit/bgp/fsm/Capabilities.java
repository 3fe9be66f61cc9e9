package io.speakerkit.bgp.fsm;

import io.speakerkit.bgp.wire.AddressFamily;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What one OPEN advertises in its Capabilities optional parameter (RFC 5492), already decoded: the summary the state
 * machine negotiates from. Unknown capabilities are kept by code only.
 *
 * @param multiprotocol RFC 4760 (code 1): the families advertised
 * @param fourOctetAs RFC 6793 (code 65): the sender's 4-octet AS number, if advertised
 * @param routeRefresh RFC 2918 (code 2)
 * @param enhancedRouteRefresh RFC 7313 (code 70)
 * @param extendedMessage RFC 8654 (code 6)
 * @param extendedNextHop RFC 8950 (code 5): the NLRI families advertised with an IPv6 next hop
 * @param addPath RFC 7911 (code 69): mode per family
 * @param gracefulRestart RFC 4724 (code 64)
 * @param roles RFC 9234 (code 9): every distinct BGP Role value advertised (more than one is a Role Mismatch)
 * @param otherCodes codes of the capabilities not listed above
 */
public record Capabilities(
    Set<AddressFamily> multiprotocol,
    OptionalLong fourOctetAs,
    boolean routeRefresh,
    boolean enhancedRouteRefresh,
    boolean extendedMessage,
    Set<AddressFamily> extendedNextHop,
    Map<AddressFamily, AddPathMode> addPath,
    Optional<GracefulRestart> gracefulRestart,
    Set<Integer> roles,
    Set<Integer> otherCodes) {

  public static final int MULTIPROTOCOL = 1;
  public static final int ROUTE_REFRESH = 2;
  public static final int EXTENDED_NEXT_HOP = 5;
  public static final int EXTENDED_MESSAGE = 6;
  public static final int ROLE = 9;
  public static final int GRACEFUL_RESTART = 64;
  public static final int FOUR_OCTET_AS = 65;
  public static final int ADD_PATH = 69;
  public static final int ENHANCED_ROUTE_REFRESH = 70;

  /** No capabilities at all, as an RFC 1771 speaker sends. */
  public static final Capabilities NONE = builder().build();

  public Capabilities {
    multiprotocol = Set.copyOf(multiprotocol);
    extendedNextHop = Set.copyOf(extendedNextHop);
    Objects.requireNonNull(fourOctetAs, "fourOctetAs");
    addPath = Map.copyOf(addPath);
    Objects.requireNonNull(gracefulRestart, "gracefulRestart");
    roles = Set.copyOf(roles);
    otherCodes = Set.copyOf(otherCodes);
    if (fourOctetAs.isPresent() && (fourOctetAs.getAsLong() < 0 || fourOctetAs.getAsLong() > 0xFFFF_FFFFL)) {
      throw new IllegalArgumentException("4-octet AS: " + fourOctetAs.getAsLong() + " (expected: 0-4294967295)");
    }
  }

  /** Whether a capability with {@code code} is advertised. */
  public boolean has(int code) {
    return switch (code) {
      case MULTIPROTOCOL -> !multiprotocol.isEmpty();
      case ROUTE_REFRESH -> routeRefresh;
      case EXTENDED_MESSAGE -> extendedMessage;
      case EXTENDED_NEXT_HOP -> !extendedNextHop.isEmpty() || otherCodes.contains(code);
      case GRACEFUL_RESTART -> gracefulRestart.isPresent();
      case FOUR_OCTET_AS -> fourOctetAs.isPresent();
      case ADD_PATH -> !addPath.isEmpty();
      case ENHANCED_ROUTE_REFRESH -> enhancedRouteRefresh;
      case ROLE -> !roles.isEmpty();
      default -> otherCodes.contains(code);
    };
  }

  /**
   * The families this OPEN is willing to exchange: the multiprotocol ones, or IPv4 unicast alone when none is
   * advertised (RFC 4760 §8).
   */
  public Set<AddressFamily> families() {
    return multiprotocol.isEmpty() ? Set.of(AddressFamily.IPV4_UNICAST) : multiprotocol;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Capabilities}; can be reused. */
  public static final class Builder {
    private final Set<AddressFamily> multiprotocol = new LinkedHashSet<>();
    private OptionalLong fourOctetAs = OptionalLong.empty();
    private boolean routeRefresh;
    private boolean enhancedRouteRefresh;
    private boolean extendedMessage;
    private final Set<AddressFamily> extendedNextHop = new LinkedHashSet<>();
    private final Map<AddressFamily, AddPathMode> addPath = new LinkedHashMap<>();
    private Optional<GracefulRestart> gracefulRestart = Optional.empty();
    private final Set<Integer> roles = new LinkedHashSet<>();
    private final Set<Integer> otherCodes = new LinkedHashSet<>();

    private Builder() {}

    public Builder multiprotocol(AddressFamily... families) {
      multiprotocol.addAll(Set.of(families));
      return this;
    }

    public Builder multiprotocol(Set<AddressFamily> families) {
      multiprotocol.addAll(families);
      return this;
    }

    public Builder fourOctetAs(long as) {
      if (as < 0 || as > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("4-octet AS: " + as + " (expected: 0-4294967295)");
      }
      fourOctetAs = OptionalLong.of(as);
      return this;
    }

    public Builder routeRefresh(boolean value) {
      routeRefresh = value;
      return this;
    }

    public Builder enhancedRouteRefresh(boolean value) {
      enhancedRouteRefresh = value;
      return this;
    }

    public Builder extendedMessage(boolean value) {
      extendedMessage = value;
      return this;
    }

    /** RFC 8950: NLRI of {@code family} may come with an IPv6 next hop. */
    public Builder extendedNextHop(AddressFamily family) {
      extendedNextHop.add(Objects.requireNonNull(family, "family"));
      return this;
    }

    public Builder addPath(AddressFamily family, AddPathMode mode) {
      addPath.put(Objects.requireNonNull(family, "family"), Objects.requireNonNull(mode, "mode"));
      return this;
    }

    public Builder gracefulRestart(GracefulRestart value) {
      gracefulRestart = Optional.of(value);
      return this;
    }

    /** A BGP Role capability with value {@code role} (0-255; see {@link BgpRole}); may be given more than once. */
    public Builder role(int role) {
      if (role < 0 || role > 255) {
        throw new IllegalArgumentException("role: " + role + " (expected: 0-255)");
      }
      roles.add(role);
      return this;
    }

    public Builder other(int code) {
      if (code < 0 || code > 255) {
        throw new IllegalArgumentException("capability code: " + code + " (expected: 0-255)");
      }
      otherCodes.add(code);
      return this;
    }

    public Capabilities build() {
      return new Capabilities(multiprotocol, fourOctetAs, routeRefresh, enhancedRouteRefresh, extendedMessage,
          extendedNextHop, addPath, gracefulRestart, roles, otherCodes);
    }
  }
}
