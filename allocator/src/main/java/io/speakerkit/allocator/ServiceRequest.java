package io.speakerkit.allocator;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one Kubernetes service of type LoadBalancer asks of the allocator.
 *
 * <pre>{@code
 * ServiceRequest r = ServiceRequest.builder("web/frontend")
 *     .ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
 *     .sharingKey("shared-vip").ports(ServicePort.tcp(443))
 *     .build();
 * }</pre>
 *
 * @param serviceKey {@code namespace/name}
 * @param ipFamilyPolicy how many families
 * @param ipFamily the family of a single-stack service
 * @param addresses specific addresses asked for ({@code spec.loadBalancerIPs}), at most one per family
 * @param pool pool asked for by name ({@code metallb.io/address-pool})
 * @param sharingKey {@code metallb.io/allow-shared-ip}; services with equal keys may share an address
 * @param backendKey equal for services that may share an address; MetalLB uses the pod selector of services with
 *     {@code externalTrafficPolicy: Local}; empty when not needed
 * @param ports the service's protocol/port pairs, checked for collisions when sharing
 * @param namespaceLabels labels of the service's namespace, for {@code namespaceSelectors}
 * @param serviceLabels labels of the service, for {@code serviceSelectors}
 * @param dualStackClusterIps whether the service has ClusterIPs of both families ({@code spec.ipFamilies} lists two,
 *     as in a dual-stack cluster): MetalLB chooses a PreferDualStack service's pool by this (see
 *     {@link Builder#ipFamilies}), and requested addresses must match it; true unless told otherwise (by
 *     {@code ipFamilies}, or a single requested address)
 */
public record ServiceRequest(
    String serviceKey,
    IpFamilyPolicy ipFamilyPolicy,
    IpFamily ipFamily,
    List<InetAddress> addresses,
    Optional<String> pool,
    Optional<String> sharingKey,
    String backendKey,
    Set<ServicePort> ports,
    Map<String, String> namespaceLabels,
    Map<String, String> serviceLabels,
    boolean dualStackClusterIps) {

  public ServiceRequest {
    checkServiceKey(serviceKey);
    Objects.requireNonNull(ipFamilyPolicy, "ipFamilyPolicy");
    Objects.requireNonNull(ipFamily, "ipFamily");
    addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(sharingKey, "sharingKey");
    Objects.requireNonNull(backendKey, "backendKey");
    ports = Set.copyOf(Objects.requireNonNull(ports, "ports"));
    namespaceLabels = Map.copyOf(Objects.requireNonNull(namespaceLabels, "namespaceLabels"));
    serviceLabels = Map.copyOf(Objects.requireNonNull(serviceLabels, "serviceLabels"));
    if (sharingKey.isPresent() && sharingKey.get().isEmpty()) {
      throw new IllegalArgumentException("sharingKey: \"\" (expected: non-empty, or absent for no sharing)");
    }
  }

  static String checkServiceKey(String serviceKey) {
    Objects.requireNonNull(serviceKey, "serviceKey");
    int slash = serviceKey.indexOf('/');
    if (slash <= 0 || slash == serviceKey.length() - 1 || serviceKey.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException("serviceKey: \"" + serviceKey + "\" (expected: namespace/name)");
    }
    return serviceKey;
  }

  /** The namespace part of the key. */
  public String namespace() {
    return serviceKey.substring(0, serviceKey.indexOf('/'));
  }

  /** A builder for service {@code namespace/name}: single-stack IPv4, automatic, no sharing. */
  public static Builder builder(String serviceKey) {
    return new Builder(checkServiceKey(serviceKey));
  }

  /** Builder for {@link ServiceRequest}. */
  public static final class Builder {
    private final String serviceKey;
    private IpFamilyPolicy policy = IpFamilyPolicy.SINGLE_STACK;
    private IpFamily family = IpFamily.IPV4;
    private final List<InetAddress> addresses = new ArrayList<>();
    private String pool;
    private String sharingKey;
    private String backendKey = "";
    private Set<ServicePort> ports = Set.of();
    private Map<String, String> namespaceLabels = Map.of();
    private Map<String, String> serviceLabels = Map.of();
    private boolean dualStackClusterIps = true;
    /** Whether {@link #ipFamily} or {@link #ipFamilies} was called: requested addresses then do not set the family. */
    private boolean familyStated;
    private boolean familiesStated;

    private Builder(String serviceKey) {
      this.serviceKey = serviceKey;
    }

    public Builder ipFamilyPolicy(IpFamilyPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder ipFamily(IpFamily family) {
      this.family = Objects.requireNonNull(family, "family");
      this.familyStated = true;
      return this;
    }

    /**
     * The service's {@code spec.ipFamilies}, the families of its ClusterIPs: the first is its primary family (as
     * {@link #ipFamily}); a single one tells that the cluster gave it one family only. A PreferDualStack service is
     * then served as MetalLB serves it: from the first pool with a free address of its primary family, plus one of
     * the other family from that pool when it has one, rather than from the first pool that gives both.
     */
    public Builder ipFamilies(java.util.List<IpFamily> families) {
      if (families.isEmpty() || families.size() > 2
          || families.size() == 2 && families.get(0) == families.get(1)) {
        throw new IllegalArgumentException("ipFamilies: " + families + " (expected: one family, or both)");
      }
      this.family = families.get(0);
      this.dualStackClusterIps = families.size() == 2;
      this.familyStated = true;
      this.familiesStated = true;
      return this;
    }

    /**
     * Asks for these addresses. A single one also tells the service's family and that its ClusterIPs have that family
     * only, unless {@link #ipFamily} or {@link #ipFamilies} says otherwise; as MetalLB, the requested addresses must
     * then have the families of the ClusterIPs.
     */
    public Builder addresses(InetAddress... addresses) {
      for (InetAddress a : addresses) {
        this.addresses.add(Objects.requireNonNull(a, "address"));
      }
      return this;
    }

    /** Asks for these addresses ({@code spec.loadBalancerIPs}); see {@link #addresses(InetAddress...)}. */
    public Builder addresses(java.util.Collection<InetAddress> addresses) {
      return addresses(addresses.toArray(new InetAddress[0]));
    }

    public Builder pool(String pool) {
      this.pool = Objects.requireNonNull(pool, "pool");
      return this;
    }

    public Builder sharingKey(String sharingKey) {
      this.sharingKey = Objects.requireNonNull(sharingKey, "sharingKey");
      return this;
    }

    public Builder backendKey(String backendKey) {
      this.backendKey = Objects.requireNonNull(backendKey, "backendKey");
      return this;
    }

    public Builder ports(ServicePort... ports) {
      this.ports = Set.of(ports);
      return this;
    }

    public Builder ports(java.util.Collection<ServicePort> ports) {
      this.ports = Set.copyOf(ports);
      return this;
    }

    public Builder namespaceLabels(Map<String, String> labels) {
      this.namespaceLabels = Map.copyOf(labels);
      return this;
    }

    public Builder serviceLabels(Map<String, String> labels) {
      this.serviceLabels = Map.copyOf(labels);
      return this;
    }

    public ServiceRequest build() {
      IpFamily family = this.family;
      boolean dualStackClusterIps = this.dualStackClusterIps;
      if (addresses.size() == 1) {
        // a single requested address tells the family, and a single-family cluster, unless they were stated
        family = familyStated ? family : IpFamily.of(addresses.get(0));
        dualStackClusterIps = familiesStated && dualStackClusterIps;
      }
      return new ServiceRequest(serviceKey, policy, family, addresses, Optional.ofNullable(pool), Optional.ofNullable(sharingKey),
          backendKey, ports, namespaceLabels, serviceLabels, dualStackClusterIps);
    }
  }
}
