package io.speakerkit.examples.manifest;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A Kubernetes {@code Service} of type LoadBalancer, reduced to what an IP allocator and a BGP speaker need, with
 * MetalLB's annotations ({@code metallb.io/...}, or the older {@code metallb.universe.tf/...} spelling).
 *
 * @param requestedAddresses from {@code metallb.io/loadBalancerIPs} or else {@code spec.loadBalancerIP}; empty for
 *     automatic allocation
 * @param addressPool from {@code metallb.io/address-pool}, or null
 * @param sharingKey from {@code metallb.io/allow-shared-ip}, or null
 * @param ipFamilyPolicy SingleStack (default), PreferDualStack or RequireDualStack
 * @param ipFamilies IPv4 and/or IPv6, in the order written (the first is the primary family)
 * @param selector the backend key for sharing (services with Local traffic policy share only with the same)
 * @param clusterIps {@code spec.clusterIPs} (or {@code spec.clusterIP}), empty when not given or headless: their
 *     families tell a PreferDualStack service's pool, as MetalLB reads them
 */
public record ServiceSpec(
    ObjectRef ref,
    Map<String, String> labels,
    String loadBalancerClass,
    List<InetAddress> requestedAddresses,
    String addressPool,
    String sharingKey,
    String ipFamilyPolicy,
    List<String> ipFamilies,
    String externalTrafficPolicy,
    Map<String, String> selector,
    List<Port> ports,
    List<InetAddress> clusterIps,
    List<InetAddress> heldAddresses) {

  /** One {@code spec.ports} entry; protocol defaults to TCP. */
  public record Port(String protocol, int port) {}

  static final String[] PREFIXES = {"metallb.io/", "metallb.universe.tf/"};

  /**
   * Reads a Service; returns null for services that are not of type LoadBalancer, without a word: a cluster's dump
   * holds many ({@link ManifestSet} names them in one warning).
   */
  static ServiceSpec read(ObjectRef ref, Map<String, String> labels, Map<String, String> annotations, Node spec,
      List<InetAddress> heldAddresses, Consumer<String> warnings) {
    String type = spec.string("type");
    if (!"LoadBalancer".equals(type)) {
      spec.skipAll();
      return null;
    }
    String cls = spec.string("loadBalancerClass");
    List<InetAddress> requested = new ArrayList<>();
    String ips = annotation(annotations, "loadBalancerIPs");
    String lbip = spec.string("loadBalancerIP");
    if (ips != null) {
      // MetalLB (getDesiredLbIPs) parses every comma-separated entry with net.ParseIP: an empty entry ("a,") or a
      // zoned address fails the Service
      for (String ip : ips.split(",", -1)) {
        try {
          if (ip.isBlank() || ip.indexOf('%') >= 0) {
            throw spec.error("", "");
          }
          requested.add(spec.parseAddress("", ip));
        } catch (ManifestException e) {
          throw ManifestException.objectOnly(ref, "metadata.annotations[metallb.io/loadBalancerIPs]",
              "\"" + ip + "\" in \"" + ips + "\" (expected: IPv4 or IPv6 addresses separated by commas)");
        }
      }
      if (lbip != null && !lbip.isEmpty()) {
        throw ManifestException.objectOnly(ref, "spec.loadBalancerIP",
            "cannot be set together with the metallb.io/loadBalancerIPs annotation");
      }
    } else if (lbip != null && !lbip.isEmpty()) {
      requested.add(spec.parseAddress("loadBalancerIP", lbip));
    }
    String policy = spec.string("ipFamilyPolicy");
    if (policy != null && !List.of("SingleStack", "PreferDualStack", "RequireDualStack").contains(policy)) {
      throw spec.error("ipFamilyPolicy",
          "\"" + policy + "\" (expected: SingleStack, PreferDualStack or RequireDualStack)");
    }
    List<String> families = spec.strings("ipFamilies");
    for (int i = 0; i < families.size(); i++) {
      if (!families.get(i).equals("IPv4") && !families.get(i).equals("IPv6")) {
        throw spec.error("ipFamilies[" + i + "]", "\"" + families.get(i) + "\" (expected: IPv4 or IPv6)");
      }
    }
    if (families.size() > 2 || families.size() == 2 && families.get(0).equals(families.get(1))) {
      throw spec.error("ipFamilies", families + " (expected: one family, or IPv4 and IPv6)");
    }
    String etp = spec.string("externalTrafficPolicy");
    if (etp != null && !etp.equals("Cluster") && !etp.equals("Local")) {
      throw spec.error("externalTrafficPolicy", "\"" + etp + "\" (expected: Cluster or Local)");
    }
    List<Port> ports = new ArrayList<>();
    for (Node p : spec.children("ports")) {
      String proto = p.string("protocol");
      Long port = p.integer("port", 1, 65535);
      if (port == null) {
        throw p.error("port", "required");
      }
      if (proto != null && !List.of("TCP", "UDP", "SCTP").contains(proto)) {
        throw p.error("protocol", "\"" + proto + "\" (expected: TCP, UDP or SCTP)");
      }
      for (String ignored : List.of("name", "targetPort", "nodePort", "appProtocol")) {
        p.skip(ignored);
      }
      ports.add(new Port(proto == null ? "TCP" : proto, port.intValue()));
    }
    List<InetAddress> clusterIps = new ArrayList<>();
    List<String> listed = spec.strings("clusterIPs");
    String single = spec.string("clusterIP");
    if (listed.isEmpty() && single != null) {
      listed = List.of(single);
    }
    for (int i = 0; i < listed.size(); i++) {
      if (!listed.get(i).isEmpty() && !listed.get(i).equals("None")) {
        clusterIps.add(spec.parseAddress("clusterIPs[" + i + "]", listed.get(i)));
      }
    }
    for (String ignored : List.of("sessionAffinity", "sessionAffinityConfig", "allocateLoadBalancerNodePorts",
        "healthCheckNodePort", "internalTrafficPolicy", "loadBalancerSourceRanges", "externalIPs",
        "publishNotReadyAddresses", "trafficDistribution")) {
      spec.skip(ignored);
    }
    return new ServiceSpec(
        ref,
        Map.copyOf(labels),
        cls == null || cls.isEmpty() ? null : cls,
        List.copyOf(requested),
        annotation(annotations, "address-pool"),
        annotation(annotations, "allow-shared-ip"),
        policy == null ? "SingleStack" : policy,
        families,
        etp == null ? "Cluster" : etp,
        spec.stringMap("selector"),
        List.copyOf(ports),
        List.copyOf(clusterIps),
        List.copyOf(heldAddresses));
  }

  /** This service asking for the addresses it holds ({@code status.loadBalancer.ingress}) instead. */
  ServiceSpec askingForHeldAddresses() {
    return new ServiceSpec(ref, labels, loadBalancerClass, heldAddresses, addressPool, sharingKey, ipFamilyPolicy,
        ipFamilies, externalTrafficPolicy, selector, ports, clusterIps, heldAddresses);
  }

  private static String annotation(Map<String, String> annotations, String name) {
    for (String prefix : PREFIXES) {
      String v = annotations.get(prefix + name);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }
}
