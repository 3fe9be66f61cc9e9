package io.speakerkit.speaker;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.IpRange;
import io.speakerkit.allocator.LabelSelector;
import io.speakerkit.bfd.BfdProfile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a speaker is configured with, checked across objects the way MetalLB's webhook checks them: names are
 * unique, pools do not overlap, peers name existing BFD profiles, aggregation lengths are not shorter than a pool's own
 * prefixes, and two advertisements that can announce one pool to one peer agree on localPref. Pool and peer names an
 * advertisement lists are not checked: as in MetalLB, a name that matches nothing selects nothing. Immutable; {@link #builder()} builds it.
 *
 * @param poolLabels labels of each pool by pool name, for {@code ipAddressPoolSelectors}
 */
public record SpeakerConfig(
    List<IpAddressPool> pools,
    Map<String, Map<String, String>> poolLabels,
    List<PeerConfig> peers,
    List<AdvertisementConfig> advertisements,
    Map<String, BfdProfile> bfdProfiles) {

  public SpeakerConfig {
    pools = List.copyOf(pools);
    poolLabels = Map.copyOf(poolLabels);
    peers = List.copyOf(peers);
    advertisements = List.copyOf(advertisements);
    bfdProfiles = Map.copyOf(bfdProfiles);
    validate(pools, poolLabels, peers, advertisements, bfdProfiles);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Optional<PeerConfig> peer(String name) {
    return peers.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  public Optional<IpAddressPool> pool(String name) {
    return pools.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The pools an advertisement applies to (every pool when it names none and selects none). */
  public List<IpAddressPool> poolsOf(AdvertisementConfig adv) {
    List<IpAddressPool> out = new ArrayList<>();
    for (IpAddressPool pool : pools) {
      if (appliesTo(adv, pool.name())) {
        out.add(pool);
      }
    }
    return out;
  }

  /** Whether {@code adv} covers addresses of pool {@code poolName}. */
  public boolean appliesTo(AdvertisementConfig adv, String poolName) {
    return appliesTo(adv, poolName, poolLabels);
  }

  /** MetalLB (isAggrLengthDifferent): the two announce different prefixes for every family the pool has. */
  private static boolean aggregationDiffers(AdvertisementConfig a, AdvertisementConfig b, IpAddressPool pool) {
    boolean v4 = pool.hasFamily(IpFamily.IPV4);
    boolean v6 = pool.hasFamily(IpFamily.IPV6);
    boolean differV4 = a.aggregationLength() != b.aggregationLength();
    boolean differV6 = a.aggregationLengthV6() != b.aggregationLengthV6();
    return (!v4 || differV4) && (!v6 || differV6);
  }

  private static String describeLocalPref(AdvertisementConfig adv) {
    return adv.localPref().map(String::valueOf).orElse("unset");
  }

  private static boolean appliesTo(AdvertisementConfig adv, String poolName,
      Map<String, Map<String, String>> poolLabels) {
    if (adv.ipAddressPools().isEmpty() && adv.ipAddressPoolSelectors().isEmpty()) {
      return true;
    }
    if (adv.ipAddressPools().contains(poolName)) {
      return true;
    }
    Map<String, String> labels = poolLabels.getOrDefault(poolName, Map.of());
    for (LabelSelector s : adv.ipAddressPoolSelectors()) {
      if (s.matches(labels)) {
        return true;
      }
    }
    return false;
  }

  private static void validate(List<IpAddressPool> pools, Map<String, Map<String, String>> poolLabels,
      List<PeerConfig> peers, List<AdvertisementConfig> advertisements, Map<String, BfdProfile> bfdProfiles) {
    unique("IPAddressPool", pools.stream().map(IpAddressPool::name).toList());
    IpAddressPool.checkDisjoint(pools);
    unique("BGPPeer", peers.stream().map(PeerConfig::name).toList());
    unique("BGPAdvertisement", advertisements.stream().map(AdvertisementConfig::name).toList());
    Set<String> peerTargets = new LinkedHashSet<>();
    for (PeerConfig p : peers) {
      p.bfdProfile().ifPresent(name -> {
        if (!bfdProfiles.containsKey(name)) {
          throw new IllegalArgumentException("BGPPeer " + p.name() + ": spec.bfdProfile: \"" + name
              + "\": no BFDProfile of that name");
        }
      });
      // one neighbor per address, as FRR has it (whatever the port)
      String target = p.peerAddress().getHostAddress();
      if (p.nodeSelectors().isEmpty() && !peerTargets.add(target)) {
        throw new IllegalArgumentException("BGPPeer " + p.name() + ": spec.peerAddress: " + target
            + " is already the address of another BGPPeer");
      }
    }
    // An advertisement may name pools and peers that do not exist: as in MetalLB, those names select nothing (a pool
    // or peer can be deleted while advertisements still name it, or named before it is created).
    for (AdvertisementConfig adv : advertisements) {
      for (IpAddressPool pool : pools) {
        if (!appliesTo(adv, pool.name(), poolLabels)) {
          continue;
        }
        for (IpRange range : pool.ranges()) {
          int max = range.family() == IpFamily.IPV4 ? adv.aggregationLength() : adv.aggregationLengthV6();
          // MetalLB: an aggregate may not be broader than the pool's prefixes; of a start-end range, whose CIDRs
          // differ, it refuses only an aggregation length shorter than all of them (the broadest CIDR).
          int broadest = Collections.min(Cidrs.prefixLengths(range));
          if (max < broadest) {
            throw new IllegalArgumentException("BGPAdvertisement " + adv.name() + ": spec.aggregationLength"
                + (range.family() == IpFamily.IPV6 ? "V6" : "") + ": " + max + " is shorter than the /" + broadest
                + " prefixes of IPAddressPool " + pool.name() + " (" + range + ")");
          }
        }
      }
    }
    // MetalLB (BGPAdvertisementsHaveCompatibleLocalPref): advertisements without serviceSelectors that can announce the
    // same prefix of one pool to one peer from one node must agree on localPref; unset counts as 0, as there.
    for (int i = 0; i < advertisements.size(); i++) {
      for (int j = i + 1; j < advertisements.size(); j++) {
        AdvertisementConfig a = advertisements.get(i);
        AdvertisementConfig b = advertisements.get(j);
        long lpA = a.localPref().orElse(0L);
        long lpB = b.localPref().orElse(0L);
        // MetalLB (validateBGPAdvPerPool) checks no pair where either selects services: which services it announces
        // is not known from the configuration (RoutePlan then prefers the one that selects the service)
        if (lpA == lpB || !a.serviceSelectors().isEmpty() || !b.serviceSelectors().isEmpty()) {
          continue;
        }
        boolean sharedPeer = a.peers().isEmpty() || b.peers().isEmpty()
            || a.peers().stream().anyMatch(b.peers()::contains);
        // Without the cluster's node list, two different non-empty node selections are taken as disjoint.
        boolean sharedNodes = a.nodeSelectors().isEmpty() || b.nodeSelectors().isEmpty()
            || a.nodeSelectors().equals(b.nodeSelectors());
        if (!sharedPeer || !sharedNodes) {
          continue;
        }
        for (IpAddressPool pool : pools) {
          if (appliesTo(a, pool.name(), poolLabels) && appliesTo(b, pool.name(), poolLabels)
              && !aggregationDiffers(a, b, pool)) {
            throw new IllegalArgumentException("BGPAdvertisement " + a.name() + " and " + b.name()
                + ": spec.localPref: " + describeLocalPref(a) + " and " + describeLocalPref(b) + " for pool "
                + pool.name() + " (expected: the same localPref when both announce a pool to a peer)");
          }
        }
      }
    }
  }

  private static Set<String> unique(String kind, List<String> names) {
    Set<String> seen = new LinkedHashSet<>();
    for (String n : names) {
      if (!seen.add(n)) {
        throw new IllegalArgumentException(kind + " " + n + ": metadata.name: duplicate name");
      }
    }
    return seen;
  }

  /** Builds a {@link SpeakerConfig}. */
  public static final class Builder {
    private final List<IpAddressPool> pools = new ArrayList<>();
    private final Map<String, Map<String, String>> poolLabels = new LinkedHashMap<>();
    private final List<PeerConfig> peers = new ArrayList<>();
    private final List<AdvertisementConfig> advertisements = new ArrayList<>();
    private final Map<String, BfdProfile> bfdProfiles = new LinkedHashMap<>();

    private Builder() {}

    public Builder pool(IpAddressPool pool) {
      pools.add(Objects.requireNonNull(pool));
      return this;
    }

    public Builder pool(IpAddressPool pool, Map<String, String> labels) {
      pools.add(Objects.requireNonNull(pool));
      poolLabels.put(pool.name(), Map.copyOf(labels));
      return this;
    }

    public Builder peer(PeerConfig peer) {
      peers.add(Objects.requireNonNull(peer));
      return this;
    }

    public Builder advertisement(AdvertisementConfig adv) {
      advertisements.add(Objects.requireNonNull(adv));
      return this;
    }

    public Builder bfdProfile(String name, BfdProfile profile) {
      bfdProfiles.put(Objects.requireNonNull(name), Objects.requireNonNull(profile));
      return this;
    }

    public SpeakerConfig build() {
      return new SpeakerConfig(pools, poolLabels, peers, advertisements, bfdProfiles);
    }
  }
}
