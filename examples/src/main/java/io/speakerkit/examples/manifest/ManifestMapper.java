package io.speakerkit.examples.manifest;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.IpFamilyPolicy;
import io.speakerkit.allocator.LabelSelector;
import io.speakerkit.allocator.Protocol;
import io.speakerkit.allocator.ServiceAllocation;
import io.speakerkit.allocator.ServicePort;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.speaker.AdvertisementConfig;
import io.speakerkit.speaker.DynamicAsn;
import io.speakerkit.speaker.PeerConfig;
import io.speakerkit.speaker.SpeakerConfig;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Turns MetalLB manifests into the speaker's configuration and the allocator's requests. Range and consistency
 * checks are the engines' own (their messages start with the field's name); this class only puts the object and
 * the field path in front, as MetalLB's webhook reports them.
 */
public final class ManifestMapper {

  private ManifestMapper() {}

  /** The speaker configuration the manifests describe. */
  public static SpeakerConfig toConfig(ManifestSet set) {
    SpeakerConfig.Builder config = SpeakerConfig.builder();
    for (IpAddressPoolSpec pool : set.pools()) {
      config.pool(field(pool.ref(), "spec", () -> pool(pool)), pool.labels());
    }
    for (BfdProfileSpec bfd : set.bfdProfiles()) {
      config.bfdProfile(bfd.ref().name(), field(bfd.ref(), "spec", () -> bfdProfile(bfd)));
    }
    for (BgpPeerSpec peer : set.peers()) {
      config.peer(field(peer.ref(), "spec", () -> peer(peer, set.passwordOf(peer))));
    }
    for (BgpAdvertisementSpec adv : set.advertisements()) {
      config.advertisement(field(adv.ref(), "spec", () -> advertisement(adv)));
    }
    try {
      return config.build();
    } catch (IllegalArgumentException e) {
      throw new ManifestException(null, "", e.getMessage());
    }
  }

  /** The allocation request of every Service this speaker serves (see {@link ManifestSet#servicesOfClass}). */
  public static List<ServiceRequest> requests(ManifestSet set, String loadBalancerClass) {
    List<ServiceRequest> out = new ArrayList<>();
    for (ServiceSpec svc : set.servicesOfClass(loadBalancerClass)) {
      out.add(field(svc.ref(), "spec", () -> request(svc, set.namespaceLabels(svc.ref().namespace()))));
    }
    return out;
  }

  /**
   * For each service that holds addresses ({@code status.loadBalancer.ingress}) and asks for none itself, the request
   * for those addresses: MetalLB's controller keeps what a service holds while the configuration allows it
   * (convergeBalancer), and allocates afresh otherwise.
   */
  public static Map<String, ServiceRequest> heldRequests(ManifestSet set, String loadBalancerClass) {
    Map<String, ServiceRequest> out = new java.util.LinkedHashMap<>();
    for (ServiceSpec svc : set.servicesOfClass(loadBalancerClass)) {
      if (!svc.heldAddresses().isEmpty() && svc.requestedAddresses().isEmpty()) {
        ServiceSpec keeping = svc.askingForHeldAddresses();
        out.put(svc.ref().namespace() + "/" + svc.ref().name(), field(svc.ref(), "status",
            () -> request(keeping, set.namespaceLabels(svc.ref().namespace()))));
      }
    }
    return out;
  }

  /**
   * The services this node should not announce, as MetalLB's BGP speaker decides from EndpointSlices: a service is
   * announced while it has a ready endpoint, on this node when its {@code externalTrafficPolicy} is Local, on any
   * node when it is Cluster. Empty when the manifests hold no EndpointSlice at all (nothing to decide from: every
   * service is announced).
   */
  public static Set<String> withheld(ManifestSet set, String loadBalancerClass, String nodeName) {
    if (set.nodeNetworkUnavailable(nodeName)) {
      Set<String> all = new java.util.TreeSet<>();
      set.servicesOfClass(loadBalancerClass).forEach(svc -> all.add(svc.ref().namespace() + "/" + svc.ref().name()));
      return all;
    }
    if (set.endpointSlices().isEmpty()) {
      return Set.of();
    }
    Map<String, List<EndpointSliceSpec.Endpoint>> endpoints = new java.util.HashMap<>(); // by namespace/service
    for (EndpointSliceSpec slice : set.endpointSlices()) {
      endpoints.computeIfAbsent(slice.ref().namespace() + "/" + slice.service(), k -> new ArrayList<>())
          .addAll(slice.endpoints());
    }
    Set<String> out = new java.util.TreeSet<>();
    for (ServiceSpec svc : set.servicesOfClass(loadBalancerClass)) {
      boolean local = svc.externalTrafficPolicy().equals("Local");
      boolean ready = endpoints.getOrDefault(svc.ref().namespace() + "/" + svc.ref().name(), List.of()).stream()
          .anyMatch(e -> e.ready() && (!local || nodeName.equals(e.nodeName())));
      if (!ready) {
        out.add(svc.ref().namespace() + "/" + svc.ref().name());
      }
    }
    return out;
  }

  private static IpAddressPool pool(IpAddressPoolSpec spec) {
    IpAddressPool.Builder b = IpAddressPool.builder().name(spec.ref().name())
        .addresses(spec.addresses().toArray(String[]::new))
        .autoAssign(spec.autoAssign())
        .avoidBuggyIPs(spec.avoidBuggyIPs());
    IpAddressPoolSpec.ServiceAllocation sa = spec.serviceAllocation();
    if (sa != null) {
      ServiceAllocation.Builder a = ServiceAllocation.builder()
          .namespaces(sa.namespaces().toArray(String[]::new))
          .namespaceSelectors(selectors(sa.namespaceSelectors()).toArray(LabelSelector[]::new))
          .serviceSelectors(selectors(sa.serviceSelectors()).toArray(LabelSelector[]::new));
      if (sa.priority() != null) {
        a.priority(sa.priority());
      }
      b.serviceAllocation(a.build());
    }
    return b.build();
  }

  private static BfdProfile bfdProfile(BfdProfileSpec spec) {
    BfdProfile.Builder b = BfdProfile.builder();
    if (spec.receiveInterval() != null) {
      b.receiveIntervalMillis(spec.receiveInterval());
    }
    if (spec.transmitInterval() != null) {
      b.transmitIntervalMillis(spec.transmitInterval());
    }
    if (spec.detectMultiplier() != null) {
      b.detectMultiplier(spec.detectMultiplier());
    }
    if (spec.echoInterval() != null) {
      b.echoInterval(Duration.ofMillis(spec.echoInterval()));
    }
    if (spec.minimumTtl() != null) {
      b.minimumTtl(spec.minimumTtl());
    }
    return b.echoMode(spec.echoMode()).passiveMode(spec.passiveMode()).build();
  }

  private static PeerConfig peer(BgpPeerSpec spec, String password) {
    PeerConfig.Builder b = PeerConfig.builder()
        .name(spec.ref().name())
        .myAsn(spec.myAsn())
        .peerAddress(spec.peerAddress())
        .peerPort(spec.peerPort())
        .sourceAddress(spec.sourceAddress())
        .routerId(spec.routerId())
        .password(password)
        .bfdProfile(spec.bfdProfile())
        .ebgpMultiHop(spec.ebgpMultiHop())
        .enableGracefulRestart(spec.enableGracefulRestart())
        .dualStackAddressFamily(spec.dualStackAddressFamily())
        .nodeSelectors(selectors(spec.nodeSelectors()));
    if (spec.peerAsn() != null) {
      b.peerAsn(spec.peerAsn());
    } else {
      b.dynamicAsn("internal".equals(spec.dynamicAsn()) ? DynamicAsn.INTERNAL : DynamicAsn.EXTERNAL);
    }
    if (spec.holdTime() != null) {
      b.holdTime(spec.holdTime());
    }
    if (spec.keepaliveTime() != null) {
      b.keepaliveTime(spec.keepaliveTime());
    }
    if (spec.connectTime() != null) {
      b.connectTime(spec.connectTime());
    }
    return b.build();
  }

  private static AdvertisementConfig advertisement(BgpAdvertisementSpec spec) {
    List<Community> communities = new ArrayList<>();
    List<LargeCommunity> large = new ArrayList<>();
    for (int i = 0; i < spec.communities().size(); i++) {
      String value = spec.communities().get(i);
      String field = "communities[" + i + "]";
      try {
        Object parsed = CommunitySpec.parse(value);
        if (parsed instanceof LargeCommunity l) {
          large.add(l);
        } else {
          communities.add((Community) parsed);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ": \"" + value + "\" (expected: A:B with 16-bit values,"
            + " large:G:L1:L2 with 32-bit values, a well-known name such as no-advertise, or a Community alias)");
      }
    }
    AdvertisementConfig.Builder b = AdvertisementConfig.builder(spec.ref().name())
        .ipAddressPools(spec.ipAddressPools())
        .ipAddressPoolSelectors(selectors(spec.ipAddressPoolSelectors()))
        .peers(spec.peers())
        .aggregationLength(spec.aggregationLength())
        .aggregationLengthV6(spec.aggregationLengthV6())
        .communities(communities, large)
        .nodeSelectors(selectors(spec.nodeSelectors()))
        .serviceSelectors(selectors(spec.serviceSelectors()));
    if (spec.localPref() != null && spec.localPref() != 0) { // MetalLB: 0 means unset (no LOCAL_PREF of its own)
      b.localPref(spec.localPref());
    }
    return b.build();
  }

  private static ServiceRequest request(ServiceSpec svc, Map<String, String> namespaceLabels) {
    ServiceRequest.Builder b = ServiceRequest.builder(svc.ref().namespace() + "/" + svc.ref().name())
        .ipFamilyPolicy(switch (svc.ipFamilyPolicy()) {
          case "PreferDualStack" -> IpFamilyPolicy.PREFER_DUAL_STACK;
          case "RequireDualStack" -> IpFamilyPolicy.REQUIRE_DUAL_STACK;
          default -> IpFamilyPolicy.SINGLE_STACK;
        })
        .serviceLabels(svc.labels())
        .namespaceLabels(namespaceLabels);
    if (!svc.clusterIps().isEmpty()) {
      // MetalLB takes the service's families from its ClusterIPs: one family only, in a single-stack cluster
      b.ipFamilies(svc.clusterIps().stream().map(IpFamily::of).distinct().toList());
    } else if (!svc.ipFamilies().isEmpty()) {
      b.ipFamilies(svc.ipFamilies().stream().map(f -> f.equals("IPv6") ? IpFamily.IPV6 : IpFamily.IPV4).toList());
    } else if (!svc.requestedAddresses().isEmpty()) {
      b.ipFamily(IpFamily.of(svc.requestedAddresses().get(0)));
    }
    if (!svc.requestedAddresses().isEmpty()) {
      b.addresses(svc.requestedAddresses().toArray(java.net.InetAddress[]::new));
    }
    if (svc.addressPool() != null) {
      b.pool(svc.addressPool());
    }
    if (svc.sharingKey() != null) {
      b.sharingKey(svc.sharingKey());
      // MetalLB: with externalTrafficPolicy Local, only services with the same selector (backends) may share; no
      // selector gives the empty key there (labels.Set(nil).String()), as a Cluster service has
      if (svc.externalTrafficPolicy().equals("Local") && !svc.selector().isEmpty()) {
        b.backendKey(new TreeMap<>(svc.selector()).toString());
      }
      Set<ServicePort> ports = new HashSet<>();
      for (ServiceSpec.Port p : svc.ports()) {
        ports.add(new ServicePort(Protocol.valueOf(p.protocol()), p.port()));
      }
      b.ports(ports.toArray(ServicePort[]::new));
    }
    return b.build();
  }

  private static List<LabelSelector> selectors(List<SelectorSpec> specs) {
    List<LabelSelector> out = new ArrayList<>();
    for (SelectorSpec s : specs) {
      LabelSelector.Builder b = LabelSelector.builder();
      s.matchLabels().forEach(b::matchLabel);
      for (SelectorSpec.Requirement r : s.matchExpressions()) {
        LabelSelector.Operator op = switch (r.operator()) {
          case "In" -> LabelSelector.Operator.IN;
          case "NotIn" -> LabelSelector.Operator.NOT_IN;
          case "Exists" -> LabelSelector.Operator.EXISTS;
          default -> LabelSelector.Operator.DOES_NOT_EXIST;
        };
        b.matchExpression(r.key(), op, r.values().toArray(String[]::new));
      }
      out.add(b.build());
    }
    return out;
  }

  /**
   * Runs {@code build}; an engine's {@code "field: reason"} error becomes a {@link ManifestException} naming the
   * object and {@code prefix.field}.
   */
  private static <T> T field(ObjectRef ref, String prefix, Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      int colon = message.indexOf(": ");
      String field = colon > 0 ? message.substring(0, colon) : "";
      if (!field.isEmpty() && field.matches("[A-Za-z][A-Za-z0-9]*(\\[\\d+])?")) {
        return rethrow(new ManifestException(ref, prefix + "." + field, message.substring(colon + 2)));
      }
      return rethrow(new ManifestException(ref, prefix, message));
    }
  }

  private static <T> T rethrow(ManifestException e) {
    throw e;
  }
}
