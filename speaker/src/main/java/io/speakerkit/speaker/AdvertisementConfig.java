package io.speakerkit.speaker;

import io.speakerkit.allocator.LabelSelector;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How addresses are announced, MetalLB's {@code BGPAdvertisement} field for field.
 *
 * @param ipAddressPools pools by name; with {@link #ipAddressPoolSelectors} both empty, every pool
 * @param ipAddressPoolSelectors pools by label
 * @param peers peers by name; empty means every peer
 * @param aggregationLength IPv4 prefix length announced, 1-32 (32: each address; shorter: one aggregate while any
 *     address inside is in use)
 * @param aggregationLengthV6 the same for IPv6, 0-128 (default 128)
 * @param localPref LOCAL_PREF sent to iBGP peers (never to eBGP peers)
 * @param nodeSelectors announce only from nodes matching one of these (empty: every node)
 * @param serviceSelectors announce only the addresses of services whose labels match one of these (empty: every
 *     service); an address several services share, when one of them matches (MetalLB's BGPAdvertisement
 *     {@code spec.serviceSelectors}, metallb/metallb#2917)
 */
public record AdvertisementConfig(
    String name,
    List<String> ipAddressPools,
    List<LabelSelector> ipAddressPoolSelectors,
    List<String> peers,
    int aggregationLength,
    int aggregationLengthV6,
    Optional<Long> localPref,
    List<Community> communities,
    List<LargeCommunity> largeCommunities,
    List<LabelSelector> nodeSelectors,
    List<LabelSelector> serviceSelectors) {

  public AdvertisementConfig {
    Objects.requireNonNull(name, "name");
    ipAddressPools = List.copyOf(ipAddressPools);
    ipAddressPoolSelectors = List.copyOf(ipAddressPoolSelectors);
    peers = List.copyOf(peers);
    communities = List.copyOf(communities);
    largeCommunities = List.copyOf(largeCommunities);
    nodeSelectors = List.copyOf(nodeSelectors);
    serviceSelectors = List.copyOf(serviceSelectors);
    // MetalLB's BGPAdvertisement CRD: at least 1 (a /0 aggregate would announce 0.0.0.0/0); aggregationLengthV6 has
    // no minimum there
    if (aggregationLength < 1 || aggregationLength > 32) {
      throw new IllegalArgumentException("aggregationLength: " + aggregationLength + " (expected: 1-32)");
    }
    if (aggregationLengthV6 < 0 || aggregationLengthV6 > 128) {
      throw new IllegalArgumentException("aggregationLengthV6: " + aggregationLengthV6 + " (expected: 0-128)");
    }
    // MetalLB (bgpAdvertisementFromCR): mutually exclusive, an aggregate would also carry the services left out
    if (!serviceSelectors.isEmpty() && (aggregationLength != 32 || aggregationLengthV6 != 128)) {
      throw new IllegalArgumentException("serviceSelectors: cannot be set with aggregationLength " + aggregationLength
          + " / aggregationLengthV6 " + aggregationLengthV6 + " (expected: 32 / 128; use a second BGPAdvertisement)");
    }
    localPref.ifPresent(lp -> {
      if (lp < 0 || lp > 4294967295L) {
        throw new IllegalArgumentException("localPref: " + lp + " (expected: 0-4294967295)");
      }
    });
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds an {@link AdvertisementConfig} with MetalLB's defaults (aggregation 32 and 128, every pool and peer). */
  public static final class Builder {
    private final String name;
    private List<String> ipAddressPools = List.of();
    private List<LabelSelector> ipAddressPoolSelectors = List.of();
    private List<String> peers = List.of();
    private int aggregationLength = 32;
    private int aggregationLengthV6 = 128;
    private Long localPref;
    private List<Community> communities = List.of();
    private List<LargeCommunity> largeCommunities = List.of();
    private List<LabelSelector> nodeSelectors = List.of();
    private List<LabelSelector> serviceSelectors = List.of();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    public Builder ipAddressPools(String... pools) {
      this.ipAddressPools = List.of(pools);
      return this;
    }

    public Builder ipAddressPools(List<String> pools) {
      this.ipAddressPools = List.copyOf(pools);
      return this;
    }

    public Builder ipAddressPoolSelectors(List<LabelSelector> selectors) {
      this.ipAddressPoolSelectors = List.copyOf(selectors);
      return this;
    }

    public Builder peers(String... peers) {
      this.peers = List.of(peers);
      return this;
    }

    public Builder peers(List<String> peers) {
      this.peers = List.copyOf(peers);
      return this;
    }

    public Builder aggregationLength(int length) {
      this.aggregationLength = length;
      return this;
    }

    public Builder aggregationLengthV6(int length) {
      this.aggregationLengthV6 = length;
      return this;
    }

    public Builder localPref(long localPref) {
      this.localPref = localPref;
      return this;
    }

    /** Communities as MetalLB writes them: {@code A:B}, {@code large:G:L1:L2}, or a well-known name. */
    public Builder communities(String... values) {
      List<Community> standard = new java.util.ArrayList<>();
      List<LargeCommunity> large = new java.util.ArrayList<>();
      for (String v : values) {
        if (v.startsWith("large:")) {
          large.add(LargeCommunity.parse(v.substring("large:".length())));
        } else {
          standard.add(Community.parse(v));
        }
      }
      this.communities = List.copyOf(standard);
      this.largeCommunities = List.copyOf(large);
      return this;
    }

    public Builder communities(List<Community> communities, List<LargeCommunity> large) {
      this.communities = List.copyOf(communities);
      this.largeCommunities = List.copyOf(large);
      return this;
    }

    public Builder nodeSelectors(List<LabelSelector> selectors) {
      this.nodeSelectors = List.copyOf(selectors);
      return this;
    }

    public Builder serviceSelectors(List<LabelSelector> selectors) {
      this.serviceSelectors = List.copyOf(selectors);
      return this;
    }

    public AdvertisementConfig build() {
      return new AdvertisementConfig(name, ipAddressPools, ipAddressPoolSelectors, peers, aggregationLength,
          aggregationLengthV6, Optional.ofNullable(localPref), communities, largeCommunities, nodeSelectors,
          serviceSelectors);
    }
  }
}
