package io.speakerkit.bgp.fsm;

import io.speakerkit.bgp.wire.AddressFamily;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The per-peer settings of the state machine (RFC 4271 §8.1 mandatory and optional session attributes), built with
 * {@link #builder()}. Immutable.
 */
public final class FsmConfig {

  /** RFC 4271 §10: suggested HoldTime. */
  public static final Duration DEFAULT_HOLD_TIME = Duration.ofSeconds(90);
  /** RFC 4271 §8.2.2: "a large value (suggested 4 minutes)" for the HoldTimer in OpenSent. */
  public static final Duration DEFAULT_OPEN_SENT_HOLD_TIME = Duration.ofMinutes(4);
  /** The first and smallest backoff step. */
  public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofSeconds(1);
  /** The largest backoff step. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(2);
  /** How long a session must stay Established for the backoff and damping to reset. */
  public static final Duration DEFAULT_STABLE_TIME = Duration.ofMinutes(1);

  private final long localAs;
  private final PeerAs peerAs;
  private final BgpIdentifier bgpIdentifier;
  private final Duration holdTime;
  private final Optional<Duration> keepaliveTime;
  private final Optional<Duration> connectRetryTime;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Duration stableTime;
  private final Duration delayOpenTime;
  private final Duration openSentHoldTime;
  private final ConnectMode connectMode;
  private final boolean allowAutomaticStart;
  private final boolean dampPeerOscillations;
  private final boolean sendNotificationWithoutOpen;
  private final boolean activeOnConnectFailure;
  private final Set<AddressFamily> families;
  private final boolean fourOctetAs;
  private final boolean routeRefresh;
  private final boolean enhancedRouteRefresh;
  private final boolean extendedMessage;
  private final boolean extendedNextHop;
  private final Map<AddressFamily, AddPathMode> addPath;
  private final Optional<GracefulRestart> gracefulRestart;
  private final Optional<BgpRole> role;
  private final boolean strictRole;
  private final Set<Integer> requiredCapabilities;

  private FsmConfig(Builder b) {
    localAs = b.localAs;
    peerAs = b.peerAs;
    bgpIdentifier = b.bgpIdentifier;
    holdTime = b.holdTime;
    keepaliveTime = b.keepaliveTime;
    connectRetryTime = b.connectRetryTime;
    minBackoff = b.minBackoff;
    maxBackoff = b.maxBackoff;
    stableTime = b.stableTime;
    delayOpenTime = b.delayOpenTime;
    openSentHoldTime = b.openSentHoldTime;
    connectMode = b.connectMode;
    allowAutomaticStart = b.allowAutomaticStart;
    dampPeerOscillations = b.dampPeerOscillations;
    sendNotificationWithoutOpen = b.sendNotificationWithoutOpen;
    activeOnConnectFailure = b.activeOnConnectFailure;
    families = Set.copyOf(b.families);
    fourOctetAs = b.fourOctetAs;
    routeRefresh = b.routeRefresh;
    enhancedRouteRefresh = b.enhancedRouteRefresh;
    extendedMessage = b.extendedMessage;
    extendedNextHop = b.extendedNextHop;
    addPath = Map.copyOf(b.addPath);
    gracefulRestart = b.gracefulRestart;
    role = b.role;
    strictRole = b.strictRole;
    requiredCapabilities = Set.copyOf(b.requiredCapabilities);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * This configuration with other hold and keepalive times (empty keepalive: a third of the negotiated hold time).
   *
   * @throws IllegalArgumentException as {@link Builder#build()} for these values
   */
  public FsmConfig withTimers(Duration hold, Optional<Duration> keepalive) {
    Builder b = toBuilder().holdTime(hold);
    b.keepaliveTime = Optional.empty();
    keepalive.ifPresent(b::keepaliveTime);
    return b.build();
  }

  /**
   * This configuration with the Restart State bit of its graceful restart capability set or clear (RFC 4724 §3); the
   * same configuration when it advertises no graceful restart.
   */
  public FsmConfig withRestartState(boolean restartState) {
    Optional<GracefulRestart> gr = gracefulRestart();
    if (gr.isEmpty() || gr.get().restartState() == restartState) {
      return this;
    }
    GracefulRestart g = gr.get();
    return toBuilder().gracefulRestart(new GracefulRestart(restartState, g.restartTimeSeconds(), g.forwardingState(),
        g.notification())).build();
  }

  /** A builder holding these values, to derive a changed configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.localAs = localAs;
    b.peerAs = peerAs;
    b.bgpIdentifier = bgpIdentifier;
    b.holdTime = holdTime;
    b.keepaliveTime = keepaliveTime;
    b.connectRetryTime = connectRetryTime;
    b.minBackoff = minBackoff;
    b.maxBackoff = maxBackoff;
    b.stableTime = stableTime;
    b.delayOpenTime = delayOpenTime;
    b.openSentHoldTime = openSentHoldTime;
    b.connectMode = connectMode;
    b.allowAutomaticStart = allowAutomaticStart;
    b.dampPeerOscillations = dampPeerOscillations;
    b.sendNotificationWithoutOpen = sendNotificationWithoutOpen;
    b.activeOnConnectFailure = activeOnConnectFailure;
    b.families.clear();
    b.families.addAll(families);
    b.fourOctetAs = fourOctetAs;
    b.routeRefresh = routeRefresh;
    b.enhancedRouteRefresh = enhancedRouteRefresh;
    b.extendedMessage = extendedMessage;
    b.extendedNextHop = extendedNextHop;
    b.addPath.putAll(addPath);
    b.gracefulRestart = gracefulRestart;
    b.role = role;
    b.strictRole = strictRole;
    b.requiredCapabilities.addAll(requiredCapabilities);
    return b;
  }

  /** Our AS number, 1-4294967295 but not AS_TRANS (23456). */
  public long localAs() {
    return localAs;
  }

  /** The AS we accept from the peer. */
  public PeerAs peerAs() {
    return peerAs;
  }

  /** Our BGP Identifier. */
  public BgpIdentifier bgpIdentifier() {
    return bgpIdentifier;
  }

  /** The HoldTime we offer: 0 (no keepalives) or 3-65535 s. */
  public Duration holdTime() {
    return holdTime;
  }

  /** The keepalive interval, if set; otherwise a third of the negotiated hold time. */
  public Optional<Duration> keepaliveTime() {
    return keepaliveTime;
  }

  /** A fixed ConnectRetryTime (MetalLB's {@code connectTime}); empty means the exponential backoff. */
  public Optional<Duration> connectRetryTime() {
    return connectRetryTime;
  }

  public Duration minBackoff() {
    return minBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** How long Established must last before the backoff and the damping start over. */
  public Duration stableTime() {
    return stableTime;
  }

  /** RFC 4271 DelayOpenTime; zero means DelayOpen is off. */
  public Duration delayOpenTime() {
    return delayOpenTime;
  }

  public boolean delayOpen() {
    return !delayOpenTime.isZero();
  }

  /** The HoldTimer in OpenSent (RFC 4271: "a large value", 4 minutes). */
  public Duration openSentHoldTime() {
    return openSentHoldTime;
  }

  public ConnectMode connectMode() {
    return connectMode;
  }

  /** RFC 4271 AllowAutomaticStart: after a failure the session restarts by itself after the IdleHoldTimer. */
  public boolean allowAutomaticStart() {
    return allowAutomaticStart;
  }

  /** RFC 4271 DampPeerOscillations: the IdleHoldTimer doubles on each failure that follows an unstable session. */
  public boolean dampPeerOscillations() {
    return dampPeerOscillations;
  }

  /** RFC 4271 SendNOTIFICATIONwithoutOPEN. */
  public boolean sendNotificationWithoutOpen() {
    return sendNotificationWithoutOpen;
  }

  /**
   * Whether a failed connection attempt in Connect leads to Active, waiting for the ConnectRetryTimer (with the
   * backoff) before dialling again, as FRR and GoBGP do and as operators read the states ("stuck in Active: the TCP
   * handshake does not complete"). RFC 4271 §8.2.2 takes that path only while the DelayOpenTimer runs and otherwise
   * falls to Idle, which is what {@code false} (the default) does.
   */
  public boolean activeOnConnectFailure() {
    return activeOnConnectFailure;
  }

  /** The families we advertise in the multiprotocol capability. */
  public Set<AddressFamily> families() {
    return families;
  }

  public boolean fourOctetAs() {
    return fourOctetAs;
  }

  public boolean routeRefresh() {
    return routeRefresh;
  }

  public boolean enhancedRouteRefresh() {
    return enhancedRouteRefresh;
  }

  public boolean extendedMessage() {
    return extendedMessage;
  }

  /** Whether we advertise IPv4 unicast NLRI with an IPv6 next hop (RFC 8950); off by default. */
  public boolean extendedNextHop() {
    return extendedNextHop;
  }

  public Map<AddressFamily, AddPathMode> addPath() {
    return addPath;
  }

  /** The graceful restart capability we advertise; empty (the default) advertises none. */
  public Optional<GracefulRestart> gracefulRestart() {
    return gracefulRestart;
  }

  /** Our RFC 9234 BGP Role, advertised in the OPEN; empty when not configured. */
  public Optional<BgpRole> role() {
    return role;
  }

  /** RFC 9234 §4.2 strict mode: a peer that advertises no BGP Role is refused with Role Mismatch. */
  public boolean strictRole() {
    return strictRole;
  }

  /** Capability codes the peer must advertise, else OPEN Message Error / Unsupported Capability. */
  public Set<Integer> requiredCapabilities() {
    return requiredCapabilities;
  }

  /** Whether the session is iBGP for a peer of AS {@code peerAs}. */
  boolean internal(long peerAs) {
    return peerAs == localAs;
  }

  /** The OPEN we send (RFC 4271 §4.2, RFC 6793 §4.1 for AS_TRANS). */
  public OpenMessage localOpen() {
    Capabilities.Builder caps = Capabilities.builder().multiprotocol(families)
        .routeRefresh(routeRefresh).enhancedRouteRefresh(enhancedRouteRefresh).extendedMessage(extendedMessage);
    if (extendedNextHop) {
      caps.extendedNextHop(AddressFamily.IPV4_UNICAST);
    }
    if (fourOctetAs) {
      caps.fourOctetAs(localAs);
    }
    addPath.forEach(caps::addPath);
    gracefulRestart.ifPresent(caps::gracefulRestart);
    role.ifPresent(r -> caps.role(r.value()));
    int myAs = localAs > 0xFFFF ? OpenMessage.AS_TRANS : (int) localAs;
    return new OpenMessage(OpenMessage.VERSION, myAs, (int) holdTime.toSeconds(), bgpIdentifier, caps.build());
  }

  /** Builds an {@link FsmConfig}; setters check their argument at once, {@link #build()} the combination. */
  public static final class Builder {
    private long localAs;
    private PeerAs peerAs;
    private BgpIdentifier bgpIdentifier;
    private Duration holdTime = DEFAULT_HOLD_TIME;
    private Optional<Duration> keepaliveTime = Optional.empty();
    private Optional<Duration> connectRetryTime = Optional.empty();
    private Duration minBackoff = DEFAULT_MIN_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration stableTime = DEFAULT_STABLE_TIME;
    private Duration delayOpenTime = Duration.ZERO;
    private Duration openSentHoldTime = DEFAULT_OPEN_SENT_HOLD_TIME;
    private ConnectMode connectMode = ConnectMode.ACTIVE;
    private boolean allowAutomaticStart = true;
    private boolean dampPeerOscillations = true;
    private boolean sendNotificationWithoutOpen;
    private boolean activeOnConnectFailure;
    private final Set<AddressFamily> families = new LinkedHashSet<>(Set.of(AddressFamily.IPV4_UNICAST));
    private boolean fourOctetAs = true;
    private boolean routeRefresh = true;
    private boolean enhancedRouteRefresh = true;
    private boolean extendedMessage;
    private boolean extendedNextHop;
    private final Map<AddressFamily, AddPathMode> addPath = new LinkedHashMap<>();
    private Optional<GracefulRestart> gracefulRestart = Optional.empty();
    private Optional<BgpRole> role = Optional.empty();
    private boolean strictRole;
    private final Set<Integer> requiredCapabilities = new LinkedHashSet<>();

    private Builder() {}

    /**
     * 1-4294967295 except 23456, AS_TRANS (RFC 6793 §9): an OPEN carrying it as our own AS (and in the 4-octet AS
     * capability) is refused by FRR with Bad Peer AS ("NEW speaker using AS_TRANS for AS4, not allowed").
     */
    public Builder localAs(long asn) {
      checkAs("local AS", asn);
      if (asn == OpenMessage.AS_TRANS) {
        throw new IllegalArgumentException("local AS: " + asn + " is AS_TRANS, reserved for 2-octet AS speakers"
            + " (expected: 1-4294967295 except 23456, RFC 6793 §9)");
      }
      localAs = asn;
      return this;
    }

    public Builder peerAs(long asn) {
      peerAs = PeerAs.of(asn);
      return this;
    }

    public Builder peerAs(PeerAs value) {
      peerAs = Objects.requireNonNull(value, "peerAs");
      return this;
    }

    public Builder bgpIdentifier(BgpIdentifier value) {
      Objects.requireNonNull(value, "bgpIdentifier");
      if (value.value() == 0) {
        throw new IllegalArgumentException("BGP identifier: 0.0.0.0 (expected: non-zero, RFC 6286 §2.1)");
      }
      bgpIdentifier = value;
      return this;
    }

    /** 0 (no keepalives, no hold timer) or 3-65535 s, whole seconds. */
    public Builder holdTime(Duration value) {
      long s = wholeSeconds("hold time", value);
      if (s != 0 && (s < 3 || s > 65535)) {
        throw new IllegalArgumentException("hold time: " + s + "s (expected: 0 or 3-65535 s)");
      }
      holdTime = value;
      return this;
    }

    /**
     * 1-65535 s, whole seconds, at most the hold time (checked in {@link #build()}), as FRR's {@code timers} and
     * MetalLB take it; the interval used is at most a third of the negotiated hold time (RFC 4271 §10).
     */
    public Builder keepaliveTime(Duration value) {
      long s = wholeSeconds("keepalive time", value);
      if (s < 1 || s > 65535) {
        throw new IllegalArgumentException("keepalive time: " + s + "s (expected: 1-65535 s)");
      }
      keepaliveTime = Optional.of(value);
      return this;
    }

    /** MetalLB's {@code connectTime}: a fixed ConnectRetryTime, 1-65535 s. Unset: exponential backoff. */
    public Builder connectRetryTime(Duration value) {
      long s = wholeSeconds("connect retry time", value);
      if (s < 1 || s > 65535) {
        throw new IllegalArgumentException("connect retry time: " + s + "s (expected: 1-65535 s)");
      }
      connectRetryTime = Optional.of(value);
      return this;
    }

    /** The backoff range (default 1 s to 2 min), used by the ConnectRetryTimer and the IdleHoldTimer. */
    public Builder backoff(Duration min, Duration max) {
      if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("backoff: " + min + ".." + max + " (expected: 0 < min <= max)");
      }
      minBackoff = min;
      maxBackoff = max;
      return this;
    }

    public Builder stableTime(Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException("stable time: " + value + " (expected: >= 0)");
      }
      stableTime = value;
      return this;
    }

    /** RFC 4271 DelayOpenTime, 0 (off) to 65535 s. */
    public Builder delayOpenTime(Duration value) {
      long s = wholeSeconds("delay open time", value);
      if (s > 65535) {
        throw new IllegalArgumentException("delay open time: " + s + "s (expected: 0-65535 s)");
      }
      delayOpenTime = value;
      return this;
    }

    public Builder openSentHoldTime(Duration value) {
      long s = wholeSeconds("OpenSent hold time", value);
      if (s < 3) {
        throw new IllegalArgumentException("OpenSent hold time: " + s + "s (expected: >= 3 s)");
      }
      openSentHoldTime = value;
      return this;
    }

    /**
     * How the session gets its connection: {@link ConnectMode#ACTIVE} (the default) dials and accepts,
     * {@link ConnectMode#PASSIVE} waits for the peer first, {@link ConnectMode#LISTEN_ONLY} never dials (a route
     * collector; needs a listener on the transport, {@code BgpTransport.Builder.listen}).
     */
    public Builder connectMode(ConnectMode value) {
      connectMode = Objects.requireNonNull(value, "connectMode");
      return this;
    }

    public Builder allowAutomaticStart(boolean value) {
      allowAutomaticStart = value;
      return this;
    }

    public Builder dampPeerOscillations(boolean value) {
      dampPeerOscillations = value;
      return this;
    }

    public Builder sendNotificationWithoutOpen(boolean value) {
      sendNotificationWithoutOpen = value;
      return this;
    }

    /** See {@link FsmConfig#activeOnConnectFailure()}. */
    public Builder activeOnConnectFailure(boolean value) {
      activeOnConnectFailure = value;
      return this;
    }

    /** Replaces the advertised families (default: IPv4 unicast). */
    public Builder families(Set<AddressFamily> value) {
      if (value.isEmpty()) {
        throw new IllegalArgumentException("families: empty (expected: at least one)");
      }
      families.clear();
      families.addAll(value);
      return this;
    }

    public Builder fourOctetAs(boolean value) {
      fourOctetAs = value;
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

    /**
     * Advertise the Extended Next Hop Encoding capability for IPv4 unicast with IPv6 next hops (RFC 8950), as FRR's
     * {@code neighbor X capability extended-nexthop} does: once both sides advertise it, IPv4 routes on an IPv6
     * session go with our IPv6 address as next hop, and the peer's may come with its own.
     */
    public Builder extendedNextHop(boolean value) {
      extendedNextHop = value;
      return this;
    }

    public Builder addPath(AddressFamily family, AddPathMode mode) {
      addPath.put(Objects.requireNonNull(family, "family"), Objects.requireNonNull(mode, "mode"));
      return this;
    }

    /** Advertise graceful restart (MetalLB's {@code enableGracefulRestart}); off by default. */
    public Builder gracefulRestart(GracefulRestart value) {
      gracefulRestart = Optional.of(value);
      return this;
    }

    /**
     * Advertise our BGP Role (RFC 9234, eBGP only; FRR's {@code neighbor ... local-role}); with {@code strict} a peer
     * that advertises none is refused (FRR's {@code strict-mode}). Off by default.
     */
    public Builder role(BgpRole value, boolean strict) {
      role = Optional.of(Objects.requireNonNull(value, "role"));
      strictRole = strict;
      return this;
    }

    public Builder requireCapability(int code) {
      if (code < 1 || code > 255) {
        throw new IllegalArgumentException("capability code: " + code + " (expected: 1-255)");
      }
      requiredCapabilities.add(code);
      return this;
    }

    public FsmConfig build() {
      if (localAs == 0) {
        throw new IllegalStateException("local AS: unset (expected: 1-4294967295)");
      }
      if (peerAs == null) {
        throw new IllegalStateException("peer AS: unset");
      }
      if (bgpIdentifier == null) {
        throw new IllegalStateException("BGP identifier: unset");
      }
      if (!fourOctetAs && localAs > 0xFFFF) {
        throw new IllegalStateException(
            "local AS: " + localAs + " needs the 4-octet AS capability (expected: fourOctetAs(true))");
      }
      if (keepaliveTime.isPresent() && !holdTime.isZero() && keepaliveTime.get().compareTo(holdTime) > 0) {
        throw new IllegalStateException(
            "keepalive time: " + keepaliveTime.get().toSeconds() + "s (expected: <= hold time " + holdTime.toSeconds()
                + "s)");
      }
      if (!addPath.isEmpty() && !families.containsAll(addPath.keySet())) {
        throw new IllegalStateException("ADD-PATH families: " + addPath.keySet() + " (expected: within " + families
            + ")");
      }
      if (role.isPresent() && (peerAs == PeerAs.anyInternal()
          || peerAs instanceof PeerAs.Exact exact && exact.asn() == localAs)) {
        throw new IllegalStateException("BGP role on an iBGP session (expected: eBGP only, RFC 9234 §4)");
      }
      return new FsmConfig(this);
    }

    private static long checkAs(String what, long asn) {
      if (asn < 1 || asn > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException(what + ": " + asn + " (expected: 1-4294967295)");
      }
      return asn;
    }

    private static long wholeSeconds(String what, Duration value) {
      Objects.requireNonNull(value, what);
      if (value.isNegative() || value.getNano() != 0) {
        throw new IllegalArgumentException(what + ": " + value + " (expected: whole seconds >= 0)");
      }
      return value.toSeconds();
    }
  }
}
