package io.speakerkit.speaker;

import io.speakerkit.allocator.LabelSelector;
import io.speakerkit.bgp.wire.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One BGP peering, MetalLB's {@code BGPPeer} (v1beta2) field for field. Built with {@link #builder()}; validation
 * messages start with the field's name, as MetalLB's webhook writes them.
 *
 * @param name unique name (advertisements refer to peers by it); the peer address when none is given
 * @param myAsn our AS number (1-4294967295)
 * @param peerAsn the peer's AS number, empty when {@link #dynamicAsn} is set
 * @param dynamicAsn accept any internal or any external AS, empty when {@link #peerAsn} is set
 * @param holdTime proposed hold time: 0 or 3-65535 s (default 180 s, FRR's, as MetalLB v0.14.9+)
 * @param keepaliveTime keepalive interval, at most the hold time (default hold time / 3)
 * @param connectTime ConnectRetry time (1-65535 s); empty means exponential backoff from 1 s to 2 min
 * @param password TCP MD5 password (RFC 2385), empty for none
 * @param bfdProfile name of the BFD profile, empty for no BFD
 * @param dualStackAddressFamily announce both IPv4 and IPv6 routes over this session (RFC 4760 multiprotocol)
 * @param nodeSelectors the peering exists only on nodes matching one of these (empty: every node)
 */
public record PeerConfig(
    String name,
    long myAsn,
    Optional<Long> peerAsn,
    Optional<DynamicAsn> dynamicAsn,
    InetAddress peerAddress,
    int peerPort,
    Optional<InetAddress> sourceAddress,
    Optional<Inet4Address> routerId,
    Duration holdTime,
    Duration keepaliveTime,
    Optional<Duration> connectTime,
    Optional<String> password,
    Optional<String> bfdProfile,
    boolean ebgpMultiHop,
    boolean enableGracefulRestart,
    boolean dualStackAddressFamily,
    List<LabelSelector> nodeSelectors) {

  /**
   * The hold time proposed when neither holdTime nor keepaliveTime is set (keepalive a third of it): FRR's
   * (traditional profile), to which MetalLB leaves unset timers since v0.14.9 (metallb/metallb#2537; 90 s before).
   */
  public static final Duration DEFAULT_HOLD_TIME = Duration.ofSeconds(180);
  public static final int DEFAULT_PORT = 179;
  static final long MAX_ASN = 4294967295L;

  /**
   * Checks each field's range, so that a peer made with this constructor instead of {@link #builder()} cannot fail
   * only when a session is made of it (for a live peer's timers, in the middle of an apply). The builder checks more:
   * the fields against each other, with MetalLB's messages.
   */
  public PeerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(peerAddress, "peerAddress");
    Builder.checkAsn("myASN", myAsn);
    peerAsn.ifPresent(asn -> Builder.checkAsn("peerASN", asn));
    if (peerAsn.isPresent() == dynamicAsn.isPresent()) {
      throw new IllegalArgumentException("peerASN, dynamicASN: " + peerAsn + ", " + dynamicAsn
          + " (expected: exactly one of them)");
    }
    if (peerPort < 1 || peerPort > 65535) {
      throw new IllegalArgumentException("peerPort: " + peerPort + " (expected: 1-65535)");
    }
    long hold = holdTime.getSeconds();
    if (holdTime.getNano() != 0 || hold < 0 || hold > 65535 || (hold != 0 && hold < 3)) {
      throw new IllegalArgumentException("holdTime: " + Builder.seconds(holdTime)
          + " (expected: 0 or 3-65535 whole seconds)");
    }
    if (keepaliveTime.getNano() != 0 || keepaliveTime.isNegative() || keepaliveTime.getSeconds() > hold) {
      throw new IllegalArgumentException("keepaliveTime: " + Builder.seconds(keepaliveTime)
          + " (expected: whole seconds, at most holdTime " + hold + "s; 0 for a third of it)");
    }
    connectTime.ifPresent(t -> {
      if (t.getNano() != 0 || t.getSeconds() < 1 || t.getSeconds() > 65535) {
        throw new IllegalArgumentException("connectTime: " + Builder.seconds(t) + " (expected: 1-65535 whole seconds)");
      }
    });
    password.ifPresent(Builder::checkPassword);
    nodeSelectors = List.copyOf(nodeSelectors);
  }

  /** Whether the session is iBGP: the same AS on both ends, or {@code dynamicASN: internal}. */
  public boolean internal() {
    return peerAsn.map(asn -> asn == myAsn).orElse(dynamicAsn.orElse(null) == DynamicAsn.INTERNAL);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link PeerConfig}; setters check ranges at once, {@link #build()} checks fields against each other. */
  public static final class Builder {
    private String name;
    private long myAsn;
    private Long peerAsn;
    private DynamicAsn dynamicAsn;
    private InetAddress peerAddress;
    private int peerPort = DEFAULT_PORT;
    private InetAddress sourceAddress;
    private Inet4Address routerId;
    private Duration holdTime;
    private Duration keepaliveTime;
    private Duration connectTime;
    private String password;
    private String bfdProfile;
    private boolean ebgpMultiHop;
    private boolean enableGracefulRestart;
    private boolean dualStackAddressFamily;
    private List<LabelSelector> nodeSelectors = List.of();

    private Builder() {}

    public Builder name(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name: \"" + name + "\" (expected: non-blank)");
      }
      this.name = name;
      return this;
    }

    public Builder myAsn(long asn) {
      this.myAsn = checkAsn("myASN", asn);
      return this;
    }

    public Builder peerAsn(long asn) {
      this.peerAsn = checkAsn("peerASN", asn);
      return this;
    }

    public Builder dynamicAsn(DynamicAsn dynamicAsn) {
      this.dynamicAsn = dynamicAsn;
      return this;
    }

    public Builder peerAddress(InetAddress address) {
      this.peerAddress = Objects.requireNonNull(address, "peerAddress");
      return this;
    }

    /** {@link #peerAddress(InetAddress)} from a literal ({@code "192.0.2.1"}, never a host name). */
    public Builder peerAddress(String literal) {
      return peerAddress(IpPrefix.parseAddress(literal));
    }

    public Builder peerPort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("peerPort: " + port + " (expected: 1-65535)");
      }
      this.peerPort = port;
      return this;
    }

    public Builder sourceAddress(InetAddress address) {
      this.sourceAddress = address;
      return this;
    }

    public Builder routerId(Inet4Address routerId) {
      this.routerId = routerId;
      return this;
    }

    /**
     * The proposed hold time, cut to whole seconds as MetalLB does (config.go parseTimers; FRR takes whole seconds):
     * 90.5 s proposes 90 s.
     */
    public Builder holdTime(Duration holdTime) {
      Duration whole = Duration.ofSeconds(holdTime.getSeconds());
      // RFC 4271 §4.2: zero or at least three seconds; the field is 16 bits of seconds.
      if (holdTime.isNegative() || whole.getSeconds() > 65535 || (!whole.isZero() && whole.getSeconds() < 3)) {
        throw new IllegalArgumentException("holdTime: " + seconds(holdTime) + " (expected: 0 or 3-65535 seconds)");
      }
      this.holdTime = holdTime; // cut at build, after the checks MetalLB makes on the value as given
      return this;
    }

    /**
     * The keepalive interval, cut to whole seconds as MetalLB does, after the hold time is derived from it
     * (config.go parseTimers: keepaliveTime alone gives a hold time of 3 x keepaliveTime as given).
     */
    public Builder keepaliveTime(Duration keepaliveTime) {
      if (keepaliveTime.isNegative() || keepaliveTime.getSeconds() > 65535) {
        throw new IllegalArgumentException("keepaliveTime: " + seconds(keepaliveTime) + " (expected: 0-65535 seconds)");
      }
      this.keepaliveTime = keepaliveTime;
      return this;
    }

    public Builder connectTime(Duration connectTime) {
      if (connectTime != null && (connectTime.getNano() != 0 || connectTime.getSeconds() < 1
          || connectTime.getSeconds() > 65535)) {
        throw new IllegalArgumentException("connectTime: " + seconds(connectTime) + " (expected: 1-65535 whole seconds)");
      }
      this.connectTime = connectTime;
      return this;
    }

    public Builder password(String password) {
      if (password != null) {
        checkPassword(password);
      }
      this.password = password == null || password.isEmpty() ? null : password;
      return this;
    }

    /** The key is the password's UTF-8 bytes (as FRR keys it), and Linux's limit counts octets. */
    private static void checkPassword(String password) {
      int octets = password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (octets > 80) {
        throw new IllegalArgumentException("password: " + octets + " octets in UTF-8 (expected: at most 80,"
            + " the TCP MD5 key limit of Linux)");
      }
    }

    public Builder bfdProfile(String profile) {
      this.bfdProfile = profile == null || profile.isEmpty() ? null : profile;
      return this;
    }

    public Builder ebgpMultiHop(boolean value) {
      this.ebgpMultiHop = value;
      return this;
    }

    public Builder enableGracefulRestart(boolean value) {
      this.enableGracefulRestart = value;
      return this;
    }

    public Builder dualStackAddressFamily(boolean value) {
      this.dualStackAddressFamily = value;
      return this;
    }

    public Builder nodeSelectors(List<LabelSelector> selectors) {
      this.nodeSelectors = List.copyOf(selectors);
      return this;
    }

    /** Builds the peer; an unnamed peer is named after its address, as routers name neighbors. */
    public PeerConfig build() {
      if (myAsn == 0) {
        throw new IllegalArgumentException("myASN: required");
      }
      if (peerAddress == null) {
        throw new IllegalArgumentException("peerAddress: required");
      }
      if (peerAsn == null && dynamicAsn == null) {
        throw new IllegalArgumentException("peerASN: required (or dynamicASN)");
      }
      if (peerAsn != null && dynamicAsn != null) {
        throw new IllegalArgumentException("dynamicASN: cannot be set together with peerASN");
      }
      String name = this.name == null ? peerAddress.getHostAddress() : this.name;
      // as MetalLB (config.go parseTimers): either timer alone sets the other (hold = 3 x keepalive, keepalive = hold
      // / 3) on the values as given; the hold time must then be 0 or at least 3 s once cut to whole seconds, and the
      // keepalive at most the hold time; FRR gets both cut to whole seconds
      Duration givenHold = holdTime != null ? holdTime
          : keepaliveTime != null ? keepaliveTime.multipliedBy(3) : DEFAULT_HOLD_TIME;
      Duration givenKeepalive = keepaliveTime != null ? keepaliveTime : givenHold.dividedBy(3);
      Duration hold = Duration.ofSeconds(givenHold.getSeconds());
      Duration keepalive = Duration.ofSeconds(givenKeepalive.getSeconds());
      if (!hold.isZero() && hold.getSeconds() < 3) {
        throw new IllegalArgumentException("keepaliveTime: " + seconds(givenKeepalive) + " without holdTime gives a hold "
            + "time of " + seconds(givenHold) + " (expected: a hold time of 0 or at least 3 seconds)");
      }
      // MetalLB compares the timers as given: holdTime 0s with keepaliveTime 500ms is refused, although both cut to 0
      if (givenKeepalive.compareTo(givenHold) > 0) {
        throw new IllegalArgumentException("keepaliveTime: " + seconds(givenKeepalive) + (hold.isZero()
            ? " (expected: 0 when holdTime is 0)" : " (expected: at most holdTime " + seconds(givenHold) + ")"));
      }
      if (hold.getSeconds() > 65535) {
        throw new IllegalArgumentException("keepaliveTime: " + keepalive.toSeconds()
            + "s without holdTime (expected: at most 21845s, so that the hold time of 3 x keepaliveTime fits 65535s)");
      }
      if (hold.isZero() && !keepalive.isZero()) {
        throw new IllegalArgumentException("keepaliveTime: " + keepalive.toSeconds() + "s (expected: 0 when holdTime is 0)");
      }
      if (keepalive.compareTo(hold) > 0) {
        throw new IllegalArgumentException("keepaliveTime: " + keepalive.toSeconds() + "s (expected: at most holdTime "
            + hold.toSeconds() + "s)");
      }
      PeerConfig built = new PeerConfig(name, myAsn, Optional.ofNullable(peerAsn), Optional.ofNullable(dynamicAsn),
          peerAddress, peerPort, Optional.ofNullable(sourceAddress), Optional.ofNullable(routerId), hold, keepalive,
          Optional.ofNullable(connectTime), Optional.ofNullable(password), Optional.ofNullable(bfdProfile),
          ebgpMultiHop, enableGracefulRestart, dualStackAddressFamily, nodeSelectors);
      // MetalLB (peerFromCR) refuses it when peerASN equals myASN; with dynamicASN it is accepted, and on a session
      // that turns out internal it changes nothing, as FRR ignores ebgp-multihop on iBGP
      if (ebgpMultiHop && peerAsn != null && peerAsn == myAsn) {
        throw new IllegalArgumentException("ebgpMultiHop: true on an iBGP peer (expected: eBGP only)");
      }
      if (sourceAddress != null && (sourceAddress instanceof Inet4Address) != (peerAddress instanceof Inet4Address)) {
        throw new IllegalArgumentException("sourceAddress: " + sourceAddress.getHostAddress()
            + " (expected: the same address family as peerAddress " + peerAddress.getHostAddress() + ")");
      }
      return built;
    }

    /** "5s", "1.5s": how MetalLB users write durations. */
    private static String seconds(Duration d) {
      return java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString() + "s";
    }

    private static long checkAsn(String field, long asn) {
      if (asn < 1 || asn > MAX_ASN) {
        throw new IllegalArgumentException(field + ": " + asn + " (expected: 1-" + MAX_ASN + ")");
      }
      return asn;
    }
  }
}
