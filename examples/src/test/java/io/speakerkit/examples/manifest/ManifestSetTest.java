package io.speakerkit.examples.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ManifestSetTest {

  private static String fixture(String name) throws IOException {
    try (var in = ManifestSetTest.class.getResourceAsStream("/fixtures/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void labFixture_readsEveryMetalLbObject() throws Exception {
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.parse(fixture("metallb-bgp-lab.yaml"), warnings::add);

    IpAddressPoolSpec pool = set.pools().get(0);
    assertEquals(new ObjectRef("IPAddressPool", "metallb-system", "onp-bgp-pool"), pool.ref());
    assertEquals(List.of("10.0.0.10-10.0.0.20"), pool.addresses());
    assertTrue(pool.autoAssign());
    assertFalse(pool.avoidBuggyIPs());

    var peer = ManifestMapper.toConfig(set).peers().get(0);
    assertEquals(64512, peer.myAsn());
    assertEquals(java.util.Optional.of(64512L), peer.peerAsn());
    assertTrue(peer.internal());
    assertEquals(InetAddress.getByName("192.168.126.2"), peer.peerAddress());
    assertEquals(179, peer.peerPort());
    assertEquals(Duration.ofSeconds(5), peer.holdTime());
    assertEquals(Duration.ofSeconds(1), peer.keepaliveTime(), "hold/3, rounded down as MetalLB does");
    assertTrue(peer.bfdProfile().isEmpty());
    var request = ManifestMapper.requests(set, null).get(0);
    assertEquals("onp-metallb/echoserver", request.serviceKey());

    BgpAdvertisementSpec adv = set.advertisements().get(0);
    assertEquals(List.of("onp-bgp-pool"), adv.ipAddressPools());
    assertEquals(List.of("onp-bgp-peer"), adv.peers());
    assertEquals(List.of("65535:65282"), adv.communities());
    assertEquals(32, adv.aggregationLength());
    assertEquals(128, adv.aggregationLengthV6());
    assertEquals(100L, adv.localPref());

    ServiceSpec svc = set.servicesOfClass(null).get(0);
    assertEquals(new ObjectRef("Service", "onp-metallb", "echoserver"), svc.ref());
    assertEquals(List.of(new ServiceSpec.Port("TCP", 8080)), svc.ports());
    assertEquals(Map.of("app", "echoserver"), svc.selector());
    assertEquals("SingleStack", svc.ipFamilyPolicy());
    assertTrue(svc.requestedAddresses().isEmpty());

    assertTrue(warnings.stream().anyMatch(w -> w.contains("spec.holdTime: bare number 5 taken as 5s")), warnings::toString);
    assertTrue(warnings.contains("kinds not used by the speaker, ignored: Pod (v1)"), warnings::toString);
  }

  @Test
  void bfdLabFixture_peerReferencesProfile() throws Exception {
    ManifestSet set = ManifestSet.parse(fixture("metallb-bgp-lab-bfd.yaml"), w -> { });
    var profile = ManifestMapper.toConfig(set).bfdProfiles().get("fast-failover");
    assertEquals(Duration.ofMillis(100), profile.receiveInterval());
    assertEquals(3, profile.detectMultiplier());
    BfdProfileSpec bfd = set.bfdProfiles().get(0);
    assertEquals("fast-failover", bfd.ref().name());
    assertEquals(100, bfd.receiveInterval());
    assertEquals(100, bfd.transmitInterval());
    assertEquals(3, bfd.detectMultiplier());
    assertNull(bfd.echoInterval());
    assertEquals("fast-failover", set.peers().get(0).bfdProfile());
  }

  @Test
  void communityAliasAndLargeCommunity_resolved() {
    String yaml = """
        apiVersion: metallb.io/v1beta1
        kind: Community
        metadata: {name: communities, namespace: metallb-system}
        spec:
          communities:
          - name: vpn-only
            value: 1234:1
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: p, namespace: metallb-system}
        spec: {addresses: [192.0.2.0/24]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: a, namespace: metallb-system}
        spec:
          ipAddressPools: [p]
          communities: [vpn-only, "large:64512:1:2", NO_EXPORT]
        """;
    ManifestSet set = ManifestSet.parse(yaml, w -> { });
    assertEquals(List.of("1234:1", "large:64512:1:2", "NO_EXPORT"), set.advertisements().get(0).communities());
    var adv = ManifestMapper.toConfig(set).advertisements().get(0);
    assertEquals("[1234:1, 65535:65281]", adv.communities().toString());
    assertEquals("[64512:1:2]", adv.largeCommunities().toString());
  }

  /** MetalLB (communitiesFromCrs): an alias defined in two Community objects is refused, even with one value. */
  @Test
  void communityAlias_definedInTwoObjects_rejected() {
    String community = """
        ---
        apiVersion: metallb.io/v1beta1
        kind: Community
        metadata: {name: %s, namespace: metallb-system}
        spec: {communities: [{name: vpn-only, value: "1234:1"}]}
        """;
    ManifestException e = assertThrows(ManifestException.class,
        () -> ManifestSet.parse(community.formatted("c1") + community.formatted("c2"), w -> { }));
    assertEquals("Community metallb-system/c2: spec.communities: alias \"vpn-only\" already defined in Community "
        + "metallb-system/c1 (expected: each alias defined once)", e.getMessage());
  }

  @Test
  void serviceAnnotations_bothSpellings() {
    String yaml = """
        apiVersion: v1
        kind: Service
        metadata:
          name: a
          namespace: default
          annotations:
            metallb.universe.tf/loadBalancerIPs: 10.0.0.12,fd00::12
            metallb.io/address-pool: p
            metallb.io/allow-shared-ip: key1
        spec:
          type: LoadBalancer
          ipFamilyPolicy: RequireDualStack
          ipFamilies: [IPv4, IPv6]
          externalTrafficPolicy: Local
          selector: {app: web}
          ports:
          - {port: 53, protocol: UDP}
          - {port: 53}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: b, namespace: default}
        spec: {type: LoadBalancer, loadBalancerClass: other.io/lb, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: c, namespace: default}
        spec: {type: ClusterIP, ports: [{port: 80}]}
        """;
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.parse(yaml, warnings::add);
    assertEquals(2, set.services().size());
    ServiceSpec a = set.servicesOfClass(null).get(0);
    assertEquals("a", a.ref().name());
    assertEquals(2, a.requestedAddresses().size());
    assertEquals("p", a.addressPool());
    assertEquals("key1", a.sharingKey());
    assertEquals("Local", a.externalTrafficPolicy());
    assertEquals(List.of(new ServiceSpec.Port("UDP", 53), new ServiceSpec.Port("TCP", 53)), a.ports());
    assertEquals("b", set.servicesOfClass("other.io/lb").get(0).ref().name());
    assertTrue(warnings.contains("1 Service is not of type LoadBalancer, ignored: default/c"), warnings::toString);
  }

  /**
   * MetalLB announces a service from a node only while it has a ready endpoint: on that node with
   * externalTrafficPolicy Local, anywhere with Cluster; {@code ready} absent counts as ready.
   */
  @Test
  void endpointSlices_decideWhichServicesThisNodeAnnounces() {
    String yaml = """
        apiVersion: v1
        kind: Service
        metadata: {name: local-here, namespace: default}
        spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: local-elsewhere, namespace: default}
        spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: cluster-elsewhere, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: cluster-not-ready, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: no-slice, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: local-here-1
          namespace: default
          labels: {kubernetes.io/service-name: local-here}
        addressType: IPv4
        endpoints:
        - addresses: [10.1.0.5]
          conditions: {ready: false, serving: false, terminating: true}
          nodeName: node-a
        - addresses: [10.1.0.6]
          nodeName: node-a
          targetRef: {kind: Pod, name: web-1, namespace: default}
        ports: [{name: http, port: 8080, protocol: TCP}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: local-elsewhere-1
          namespace: default
          labels: {kubernetes.io/service-name: local-elsewhere}
        addressType: IPv4
        endpoints:
        - {addresses: [10.1.0.7], conditions: {ready: true}, nodeName: node-b}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: cluster-elsewhere-1
          namespace: default
          labels: {kubernetes.io/service-name: cluster-elsewhere}
        addressType: IPv4
        endpoints:
        - {addresses: [10.1.0.8], conditions: {ready: true}, nodeName: node-b}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: cluster-not-ready-1
          namespace: default
          labels: {kubernetes.io/service-name: cluster-not-ready}
        addressType: IPv4
        endpoints:
        - {addresses: [10.1.0.9], conditions: {ready: false}, nodeName: node-a}
        """;
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.parse(yaml, warnings::add);
    assertEquals(List.of(), warnings);
    assertEquals(4, set.endpointSlices().size());
    assertEquals(java.util.Set.of("default/local-elsewhere", "default/cluster-not-ready", "default/no-slice"),
        ManifestMapper.withheld(set, null, "node-a"));
    assertEquals(java.util.Set.of("default/local-here", "default/cluster-not-ready", "default/no-slice"),
        ManifestMapper.withheld(set, null, "node-b"));
    // no EndpointSlice at all: nothing to decide from, every service announced
    ManifestSet services = ManifestSet.parse(yaml.substring(0, yaml.indexOf("apiVersion: discovery")), w -> { });
    assertEquals(java.util.Set.of(), ManifestMapper.withheld(services, null, "node-a"));
  }

  /**
   * MetalLB (epslices.EndpointCanServe) counts an endpoint that is not ready but still serving, as a terminating pod
   * of a rolling update is: the service stays announced while it finishes its connections.
   */
  @Test
  void endpointSlices_terminatingButServing_stillAnnounced() {
    String yaml = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-1
          namespace: default
          labels: {kubernetes.io/service-name: web}
        addressType: IPv4
        endpoints:
        - addresses: [10.1.0.5]
          conditions: {ready: false, serving: true, terminating: true}
          nodeName: node-a
        """;
    ManifestSet set = ManifestSet.parse(yaml, w -> { });
    assertEquals(java.util.Set.of(), ManifestMapper.withheld(set, null, "node-a"));
    assertEquals(java.util.Set.of("default/web"), ManifestMapper.withheld(set, null, "node-b"));
  }

  /** MetalLB takes a service's families from its ClusterIPs; without them both are assumed. */
  @Test
  void clusterIps_tellWhetherTheServiceHasBothFamilies() {
    String yaml = """
        apiVersion: v1
        kind: Service
        metadata: {name: one-family, namespace: default}
        spec: {type: LoadBalancer, ipFamilyPolicy: PreferDualStack, clusterIP: 10.96.0.5, clusterIPs: [10.96.0.5],
               ipFamilies: [IPv4], ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: both, namespace: default}
        spec: {type: LoadBalancer, ipFamilyPolicy: PreferDualStack, clusterIPs: [fd00:96::5, 10.96.0.6],
               ipFamilies: [IPv6, IPv4], ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: unknown, namespace: default}
        spec: {type: LoadBalancer, ipFamilyPolicy: PreferDualStack, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: families-only, namespace: default}
        spec: {type: LoadBalancer, ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv4], ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: asks-other-family, namespace: default,
                   annotations: {metallb.io/loadBalancerIPs: "fd00::5"}}
        spec: {type: LoadBalancer, clusterIPs: [10.96.0.7], ports: [{port: 80}]}
        """;
    List<String> warnings = new ArrayList<>();
    var requests = ManifestMapper.requests(ManifestSet.parse(yaml, warnings::add), null);
    assertEquals(List.of(), warnings);
    assertFalse(requests.get(0).dualStackClusterIps());
    assertEquals(io.speakerkit.allocator.IpFamily.IPV4, requests.get(0).ipFamily());
    assertTrue(requests.get(1).dualStackClusterIps());
    assertEquals(io.speakerkit.allocator.IpFamily.IPV6, requests.get(1).ipFamily());
    assertTrue(requests.get(2).dualStackClusterIps());
    assertFalse(requests.get(3).dualStackClusterIps(), "spec.ipFamilies alone tells it too");
    // the requested address does not change the family the ClusterIPs tell, so the allocator can refuse it
    assertEquals(io.speakerkit.allocator.IpFamily.IPV4, requests.get(4).ipFamily());
  }

  @Test
  void nodeObject_labelsOfThisNode() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: v1
        kind: Node
        metadata: {name: node-a, labels: {zone: east, kubernetes.io/hostname: node-a}}
        spec: {podCIDR: 10.244.0.0/24}
        status: {addresses: [{type: InternalIP, address: 192.0.2.10}]}
        """, w -> { throw new AssertionError(w); });
    assertEquals(Map.of("zone", "east", "kubernetes.io/hostname", "node-a"), set.nodeLabels("node-a").orElseThrow());
    assertTrue(set.nodeLabels("node-b").isEmpty());
  }

  @Test
  void endpointSlice_withoutServiceNameLabel_rejected() {
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestSet.parse("""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: s, namespace: default}
        addressType: IPv4
        endpoints: []
        """, w -> { }));
    assertEquals("EndpointSlice default/s: metadata.labels: no kubernetes.io/service-name label (expected: the"
        + " Service it serves)", e.getMessage());
  }

  /**
   * What {@code kubectl get ipaddresspools,bgppeers,services -A -o yaml} prints: one List whose items carry the
   * server's metadata and the controllers' status. Every item is read; none of that is warned about.
   */
  @Test
  void kubectlGetList_itemsRead_serverFieldsQuiet() {
    String yaml = """
        apiVersion: v1
        kind: List
        metadata: {resourceVersion: ""}
        items:
        - apiVersion: metallb.io/v1beta1
          kind: IPAddressPool
          metadata:
            name: pool
            namespace: metallb-system
            uid: 6c1b1d8e-0000-4000-8000-000000000001
            resourceVersion: "1234"
            generation: 1
            creationTimestamp: "2026-12-01T10:00:00Z"
            annotations:
              kubectl.kubernetes.io/last-applied-configuration: |
                {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool"}
            finalizers: [metallb.io/finalizer]
          spec:
            addresses: [10.0.0.10-10.0.0.20]
          status: {assignedIPv4: 1, availableIPv4: 10}
        - apiVersion: metallb.io/v1beta2
          kind: BGPPeer
          metadata: {name: peer, namespace: metallb-system, uid: 6c1b1d8e-0000-4000-8000-000000000002}
          spec: {myASN: 64512, peerASN: 64512, peerAddress: 192.168.126.2}
          status: {}
        - apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: default, ownerReferences: []}
          spec: {type: LoadBalancer, ports: [{port: 80}]}
          status: {loadBalancer: {ingress: [{ip: 10.0.0.10}]}}
        """;
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.parse(yaml, warnings::add);
    assertEquals(List.of(), warnings);
    assertEquals(1, set.pools().size());
    assertEquals(1, set.peers().size());
    assertEquals(1, set.services().size());
  }

  /** A directory, as {@code kubectl apply -f DIR}: its .yaml, .yml and .json files in name order, nothing else. */
  @Test
  void read_directory_manifestFilesInNameOrder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Files.writeString(dir.resolve("b.yml"), """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: second, namespace: metallb-system}
        spec: {addresses: [10.0.1.0/24]}
        """);
    java.nio.file.Files.writeString(dir.resolve("a.yaml"), """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: first, namespace: metallb-system}
        spec: {addresses: [10.0.0.0/24]}
        """);
    java.nio.file.Files.writeString(dir.resolve("README.md"), "# not a manifest");
    java.nio.file.Files.createDirectory(dir.resolve("sub"));
    java.nio.file.Files.writeString(dir.resolve("sub").resolve("c.yaml"), "not: read");
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.read(List.of(dir), warnings::add);
    assertEquals(List.of(), warnings);
    assertEquals(List.of("first", "second"), set.pools().stream().map(p -> p.ref().name()).toList());

    // a directory without manifests is most likely a wrong path: said, not silently empty
    java.nio.file.Files.delete(dir.resolve("sub").resolve("c.yaml"));
    List<String> empty = new ArrayList<>();
    ManifestSet.read(List.of(dir.resolve("sub"), dir.resolve("a.yaml")), empty::add);
    assertEquals(List.of(dir.resolve("sub") + ": no .yaml, .yml or .json file in this directory"), empty);
  }

  /**
   * {@code kubectl get services -A -o yaml} of a real cluster: the ClusterIP services are named in one warning, not
   * seven lines each; a LoadBalancer service as the API server returns it reads without a warning.
   */
  @Test
  void kubectlServices_clusterIpServicesOneWarning_loadBalancerQuiet() {
    String clusterIp = """
        - apiVersion: v1
          kind: Service
          metadata: {name: %s, namespace: kube-system}
          spec:
            clusterIP: 10.96.0.%d
            clusterIPs: [10.96.0.%2$d]
            internalTrafficPolicy: Cluster
            ipFamilies: [IPv4]
            ipFamilyPolicy: SingleStack
            ports: [{name: dns, port: 53, protocol: UDP, targetPort: 53}]
            selector: {k8s-app: kube-dns}
            sessionAffinity: None
            type: ClusterIP
          status: {loadBalancer: {}}
        """;
    StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
    for (int i = 1; i <= 7; i++) {
      yaml.append(clusterIp.formatted("svc-" + i, i));
    }
    yaml.append("""
        - apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: default}
          spec:
            allocateLoadBalancerNodePorts: true
            clusterIP: 10.96.0.50
            clusterIPs: [10.96.0.50]
            externalTrafficPolicy: Cluster
            internalTrafficPolicy: Cluster
            ipFamilies: [IPv4]
            ipFamilyPolicy: SingleStack
            ports: [{nodePort: 30080, port: 80, protocol: TCP, targetPort: 8080}]
            selector: {app: web}
            sessionAffinity: None
            type: LoadBalancer
          status: {loadBalancer: {ingress: [{ip: 10.0.0.10, ipMode: VIP}]}}
        """);
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.parse(yaml.toString(), warnings::add);
    assertEquals(List.of("7 Services are not of type LoadBalancer, ignored: kube-system/svc-1, kube-system/svc-2,"
        + " kube-system/svc-3, kube-system/svc-4, kube-system/svc-5, ..."), warnings);
    assertEquals(1, set.services().size());
  }

  /** An install manifest or a GitOps directory holds many kinds the speaker has no use for: one line names them. */
  @Test
  void unusedKinds_namedInOneWarning() {
    String yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: controller, namespace: metallb-system}
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: speaker, namespace: metallb-system}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: other, namespace: default}
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: l2, namespace: metallb-system}
        """;
    List<String> warnings = new ArrayList<>();
    ManifestSet.parse(yaml, warnings::add);
    assertEquals(List.of("kinds not used by the speaker, ignored: DaemonSet (apps/v1), Deployment (apps/v1),"
        + " L2Advertisement (metallb.io/v1beta1)"), warnings);
  }

  /** {@code kubectl get ... -o json}: JSON is YAML's flow syntax, so the same List reads. */
  @Test
  void kubectlGetJson_itemsRead() {
    String json = """
        {
            "apiVersion": "v1",
            "items": [
                {
                    "apiVersion": "metallb.io/v1beta1",
                    "kind": "IPAddressPool",
                    "metadata": {"name": "pool", "namespace": "metallb-system", "uid": "a1"},
                    "spec": {"addresses": ["10.0.0.10-10.0.0.20"], "autoAssign": true},
                    "status": {}
                }
            ],
            "kind": "List",
            "metadata": {"resourceVersion": ""}
        }
        """;
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.parse(json, warnings::add);
    assertEquals(List.of(), warnings);
    assertEquals(1, set.pools().size());
  }

  @Test
  void service_sameFamilyTwice_rejected() {
    // what the API server refuses is an error of the file (only MetalLB's annotations fail a Service alone)
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestSet.parse("""
        apiVersion: v1
        kind: Service
        metadata: {name: s, namespace: default}
        spec: {type: LoadBalancer, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv4], ports: [{port: 80}]}
        """, w -> { }));
    assertTrue(e.getMessage().contains("spec.ipFamilies: [IPv4, IPv4] (expected: one family, or IPv4 and IPv6)"),
        e.getMessage());
  }

  /** Each row: a BGPPeer spec fragment, and the exact error MetalLB-style validation gives. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "holdTime: 2s | BGPPeer ns/p: spec.holdTime: 2s (expected: 0 or 3-65535 seconds)",
      "holdTime: 2.9s | BGPPeer ns/p: spec.holdTime: 2.9s (expected: 0 or 3-65535 seconds)",
      "holdTime: 30s\\n  keepaliveTime: 40s | BGPPeer ns/p: spec.keepaliveTime: 40s (expected: at most holdTime 30s)",
      "holdTime: 0s\\n  keepaliveTime: 10s | BGPPeer ns/p: spec.keepaliveTime: 10s (expected: 0 when holdTime is 0)",
      "keepaliveTime: 500ms | BGPPeer ns/p: spec.keepaliveTime: 0.5s without holdTime gives a hold time of 1.5s (expected: a hold time of 0 or at least 3 seconds)",
      "holdTime: soon | BGPPeer ns/p: spec.holdTime: \"soon\" (expected: a duration such as 90s, 1m30s or 500ms)",
      "connectTime: 0s | BGPPeer ns/p: spec.connectTime: 0s (expected: 1-65535 whole seconds)",
      "vrf: red | BGPPeer ns/p: spec.vrf: \"red\" not supported: binding sessions to a Linux VRF needs the host's VRF devices, which an embedded speaker does not manage; run the speaker inside the VRF instead",
      "interface: eth0 | BGPPeer ns/p: spec.interface: \"eth0\" not supported: unnumbered BGP (peering over an interface's IPv6 link-local neighbour) is not implemented; set peerAddress",
      "ebgpMultiHop: true | BGPPeer ns/p: spec.ebgpMultiHop: true on an iBGP peer (expected: eBGP only)",
      "dynamicASN: internal | BGPPeer ns/p: spec.dynamicASN: cannot be set together with peerASN",
      "routerID: fd00::1 | BGPPeer ns/p: spec.routerID: fd00:0:0:0:0:0:0:1 (expected: an IPv4 address)",
      "routerID: 1.2.3 | BGPPeer ns/p: spec.routerID: \"1.2.3\" (expected: an IPv4 or IPv6 address)",
      "sourceAddress: 10.1 | BGPPeer ns/p: spec.sourceAddress: \"10.1\" (expected: an IPv4 or IPv6 address)",
      "bfdProfile: missing | BGPPeer ns/p: spec.bfdProfile: \"missing\": no BFDProfile of that name",
      "passwordSecret: {name: s} | BGPPeer ns/p: spec.passwordSecret: \"s\": no Secret of that name in namespace ns",
      "passwordSecret: {name: s, namespace: other} | BGPPeer ns/p: spec.passwordSecret.namespace: \"other\" (expected: ns, the BGPPeer's namespace: MetalLB reads Secrets of its own namespace only)",
      "peerPort: 70000 | BGPPeer ns/p: spec.peerPort: 70000 (expected: 1-16384)",
  })
  void bgpPeer_invalid_namesObjectAndField(String fragment, String expected) {
    String yaml = "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p, namespace: ns}\nspec:\n"
        + "  myASN: 64512\n  peerASN: 64512\n  peerAddress: 192.0.2.1\n  " + fragment.replace("\\n", "\n") + "\n";
    ManifestException e = assertThrows(ManifestException.class,
        () -> ManifestMapper.toConfig(ManifestSet.parse(yaml, w -> { })));
    assertEquals(expected, e.getMessage());
  }

  @Test
  void advertisement_unknownPoolOrPeer_skippedWithWarning() {
    // MetalLB skips them: a pool or peer may be deleted while an advertisement still names it
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: a, namespace: ns}
        spec:
          ipAddressPools: [deleted]
          peers: [gone]
        """, warnings::add);
    assertEquals(List.of("BGPAdvertisement ns/a: spec.ipAddressPools[0]: \"deleted\": no IPAddressPool of that name;"
        + " skipped", "BGPAdvertisement ns/a: spec.peers[0]: \"gone\": no BGPPeer of that name; skipped"), warnings);
    assertEquals(List.of("deleted"), ManifestMapper.toConfig(set).advertisements().get(0).ipAddressPools());
  }

  @Test
  void advertisement_serviceSelectors_mapped() {
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: a, namespace: ns}
        spec:
          serviceSelectors:
          - matchLabels: {tier: web}
        """, warnings::add);
    assertEquals(List.of(), warnings);
    var selectors = ManifestMapper.toConfig(set).advertisements().get(0).serviceSelectors();
    assertEquals(1, selectors.size());
    assertTrue(selectors.get(0).matches(Map.of("tier", "web")));
    assertFalse(selectors.get(0).matches(Map.of("tier", "db")));
  }

  /** kubectl apply puts a namespaced object without metadata.namespace in "default": a Service and an EndpointSlice. */
  @Test
  void endpointSliceWithoutNamespace_matchesItsServiceInDefault() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system}
        spec: {addresses: [10.0.0.10-10.0.0.20]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-1
          labels: {kubernetes.io/service-name: web}
        addressType: IPv4
        endpoints:
        - {addresses: [10.1.0.5], conditions: {ready: true}, nodeName: node-a}
        """, w -> { });
    assertEquals(java.util.Set.of(), ManifestMapper.withheld(set, null, "node-a"));
  }

  /** YAML as kubectl reads it: merge keys, a 0o octal in an ignored object, a cluster dump over 3 MiB. */
  @Test
  void yaml_mergeKeyOctalAndLargeDump_read() {
    ManifestSet merged = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p, namespace: metallb-system}
        spec:
          <<: {myASN: 64512, peerASN: 64513}
          peerAddress: 192.0.2.1
        """, w -> { });
    assertEquals(64513L, ManifestMapper.toConfig(merged).peers().get(0).peerAsn().orElseThrow());
    ManifestSet.parse("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec: {template: {spec: {volumes: [{name: c, secret: {secretName: s, defaultMode: 0o644}}]}}}
        """, w -> { });
    StringBuilder dump = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
    for (int i = 0; dump.length() < 3_400_000; i++) {
      dump.append("- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm-").append(i)
          .append(", namespace: default}\n  data: {k: \"").append("x".repeat(200)).append("\"}\n");
    }
    ManifestSet.parse(dump.toString(), w -> { });
  }

  @Test
  void advertisement_badCommunityOrLength_rejected() {
    String base = """
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: a, namespace: ns}
        spec:
        """;
    ManifestException community = assertThrows(ManifestException.class,
        () -> ManifestMapper.toConfig(ManifestSet.parse(base + "  communities: [\"70000:1\"]\n", w -> { })));
    assertEquals("BGPAdvertisement ns/a: spec.communities[0]: \"70000:1\" (expected: A:B with 16-bit values,"
        + " large:G:L1:L2 with 32-bit values, a well-known name such as no-advertise, or a Community alias)",
        community.getMessage());
    ManifestException length = assertThrows(ManifestException.class,
        () -> ManifestSet.parse(base + "  aggregationLength: 33\n", w -> { }));
    assertEquals("BGPAdvertisement ns/a: spec.aggregationLength: 33 (expected: 1-32)", length.getMessage());
    // the CRD's minimum is 1 (an IPv4 /0 would announce 0.0.0.0/0); aggregationLengthV6 has none
    ManifestException zero = assertThrows(ManifestException.class,
        () -> ManifestSet.parse(base + "  aggregationLength: 0\n", w -> { }));
    assertEquals("BGPAdvertisement ns/a: spec.aggregationLength: 0 (expected: 1-32)", zero.getMessage());
    assertEquals(0, ManifestSet.parse(base + "  aggregationLengthV6: 0\n", w -> { }).advertisements().get(0)
        .aggregationLengthV6());
  }

  /** MetalLB (bgpAdvertisementFromCR, validateDuplicate): a pool, peer or community listed twice is refused. */
  @Test
  void advertisement_entryListedTwice_rejected() {
    String base = """
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: a, namespace: ns}
        spec:
        """;
    assertEquals("BGPAdvertisement ns/a: spec.ipAddressPools[1]: \"p\" listed twice (expected: each entry once)",
        assertThrows(ManifestException.class,
            () -> ManifestSet.parse(base + "  ipAddressPools: [p, p]\n", w -> { })).getMessage());
    assertEquals("BGPAdvertisement ns/a: spec.peers[2]: \"r\" listed twice (expected: each entry once)",
        assertThrows(ManifestException.class,
            () -> ManifestSet.parse(base + "  peers: [r, s, r]\n", w -> { })).getMessage());
    assertEquals("BGPAdvertisement ns/a: spec.communities[1]: \"65535:65282\" listed twice (expected: each entry "
        + "once)", assertThrows(ManifestException.class,
            () -> ManifestSet.parse(base + "  communities: [\"65535:65282\", \"65535:65282\"]\n", w -> { }))
        .getMessage());
  }

  @Test
  void unknownField_warnedNotFatal() {
    List<String> warnings = new ArrayList<>();
    ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: p, namespace: ns}
        spec: {addresses: [192.0.2.0/24], colour: blue}
        """, warnings::add);
    assertEquals(List.of("IPAddressPool ns/p: spec.colour: unknown or unsupported field, ignored"), warnings);
  }

  @Test
  void passwordSecret_basicAuth_resolves() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: v1
        kind: Secret
        metadata: {name: s, namespace: metallb-system}
        type: kubernetes.io/basic-auth
        data: {password: c2VjcmV0}
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p, namespace: metallb-system}
        spec: {myASN: 64512, peerASN: 64513, peerAddress: 192.0.2.1, passwordSecret: {name: s, namespace: metallb-system}}
        """, w -> { });
    assertEquals("secret", set.passwordOf(set.peers().get(0)));
  }

  /** MetalLB reads Secrets of its own namespace only: one of the same name elsewhere is not the peer's. */
  @Test
  void passwordSecret_ofAnotherNamespace_notFound() {
    String yaml = """
        apiVersion: v1
        kind: Secret
        metadata: {name: s, namespace: tenant}
        type: kubernetes.io/basic-auth
        stringData: {password: theirs}
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p, namespace: metallb-system}
        spec: {myASN: 64512, peerASN: 64513, peerAddress: 192.0.2.1, passwordSecret: {name: s}}
        """;
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestSet.parse(yaml, w -> { }));
    assertEquals("BGPPeer metallb-system/p: spec.passwordSecret: \"s\": no Secret of that name in namespace metallb-system",
        e.getMessage());
  }

  /** Written without namespaces, as for one kubectl apply: both land in default. */
  @Test
  void passwordSecret_noNamespaces_resolvesInDefault() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        type: kubernetes.io/basic-auth
        stringData: {password: mine}
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p}
        spec: {myASN: 64512, peerASN: 64513, peerAddress: 192.0.2.1, passwordSecret: {name: s}}
        """, w -> { });
    assertEquals("mine", set.passwordOf(set.peers().get(0)));
  }
}
