package io.speakerkit.examples.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.speaker.PeerConfig;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Manifests read as MetalLB v0.14.9+ / v0.15 reads them, where an earlier reading of ours differed. */
class MetalLbReadingTest {

  private static final String PEER = """
      apiVersion: metallb.io/v1beta2
      kind: BGPPeer
      metadata: {name: p, namespace: metallb-system}
      spec:
        myASN: 64512
        peerAddress: 192.0.2.1
      """;

  private static PeerConfig peer(String extra) {
    return ManifestMapper.toConfig(ManifestSet.parse(PEER + extra, w -> { })).peers().get(0);
  }

  /**
   * MetalLB v0.14.9 (#2537) leaves unset timers to FRR: no "neighbor X timers" line (golden
   * TestSingleSessionWithNoTimers), so FRR's defaults apply: hold 180 s, keepalive 60 s (bgp_vty.c BGP_HOLDTIME /
   * BGP_KEEPALIVE, profile traditional).
   */
  @Test
  void peerWithoutTimers_proposesFrrDefaultHoldTime180sAndKeepalive60s() {
    PeerConfig p = peer("  peerASN: 64512\n");
    assertEquals(Duration.ofSeconds(180), p.holdTime());
    assertEquals(Duration.ofSeconds(60), p.keepaliveTime());
  }

  /**
   * v1beta2 BGPPeerSpec.PasswordSecret is a struct (v1.SecretReference), which omitempty does not leave out: tools that
   * write BGPPeers from the Go type emit {@code passwordSecret: {}}. MetalLB (peerFromCR) only reads the Secret when
   * PasswordSecret.Name != "".
   */
  @Test
  void emptyPasswordSecret_meansNoSecret_asMetalLbReadsIt() {
    PeerConfig p = peer("  peerASN: 64512\n  passwordSecret: {}\n");
    assertTrue(p.password().isEmpty());
    PeerConfig withPassword = peer("  peerASN: 64512\n  password: s3cret\n  passwordSecret: {}\n");
    assertEquals(Optional.of("s3cret"), withPassword.password());
  }

  /** v1beta2: peerASN has Minimum=0 and omitempty; MetalLB (peerFromCR) treats 0 as unset next to dynamicASN. */
  @Test
  void peerAsnZeroWithDynamicAsn_isUnset_asInMetalLb() {
    PeerConfig p = peer("  peerASN: 0\n  dynamicASN: external\n");
    assertTrue(p.peerAsn().isEmpty());
    assertFalse(p.internal());
  }

  /**
   * kubectl reads manifests with sigs.k8s.io/yaml (goyaml.v2 resolve.go): yes/no/on/off are booleans, so
   * {@code autoAssign: no} is applied as false.
   */
  @Test
  void yamlOneOneBooleans_areBooleans_asKubectlReadsThem() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system}
        spec:
          addresses: [192.0.2.0/28]
          autoAssign: no
          avoidBuggyIPs: yes
        """, w -> { });
    assertFalse(set.pools().get(0).autoAssign());
    assertTrue(set.pools().get(0).avoidBuggyIPs());
  }

  /**
   * MetalLB (communitiesFromCrs) parses every alias value when it loads the configuration, used or not: a Community
   * whose value is not A:B or large:G:L1:L2 fails the whole configuration.
   */
  @Test
  void communityAliasWithInvalidValue_isRefused_evenWhenUnused() {
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestMapper.toConfig(ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: Community
        metadata: {name: communities, namespace: metallb-system}
        spec:
          communities:
          - name: broken
            value: 65535-65282
        """, w -> { })));
    assertTrue(e.getMessage().contains("broken"), e.getMessage());
  }

  /**
   * MetalLB keys sharing on the backends only for externalTrafficPolicy Local, with labels.Set(selector).String():
   * "" without a selector, as for a Cluster service, so the two may share one address.
   */
  @Test
  void localServiceWithoutSelector_sharesWithClusterService_asInMetalLb() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system}
        spec: {addresses: [192.0.2.0/28]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: local, namespace: default, annotations: {metallb.io/allow-shared-ip: k}}
        spec: {type: LoadBalancer, externalTrafficPolicy: Local, loadBalancerIP: 192.0.2.5, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: cluster, namespace: default, annotations: {metallb.io/allow-shared-ip: k}}
        spec: {type: LoadBalancer, loadBalancerIP: 192.0.2.5, ports: [{port: 81}]}
        """, w -> { });
    io.speakerkit.allocator.Allocator allocator = io.speakerkit.allocator.Allocator.builder()
        .pools(ManifestMapper.toConfig(set).pools()).build();
    for (io.speakerkit.allocator.ServiceRequest r : ManifestMapper.requests(set, null)) {
      assertTrue(allocator.allocate(r) instanceof io.speakerkit.allocator.AllocationResult.Allocated, r::toString);
    }
  }

  private static io.speakerkit.allocator.Allocator allocatorOf(ManifestSet set) {
    return io.speakerkit.allocator.Allocator.builder().pools(ManifestMapper.toConfig(set).pools()).build();
  }

  private static final String NODE = """
      apiVersion: v1
      kind: Node
      metadata: {name: n1}
      status:
        conditions: [{type: NetworkUnavailable, status: "%s"}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: default}
      spec: {type: LoadBalancer, ports: [{port: 80}]}
      """;

  /**
   * MetalLB's speaker withholds announcements only while NetworkUnavailable is True (nodes.IsNetworkUnavailable); CNIs
   * such as Calico set it False on every healthy node.
   */
  @Test
  void networkUnavailableFalse_servicesStillAnnounced_asMetalLb() {
    assertEquals(java.util.Set.of(), ManifestMapper.withheld(ManifestSet.parse(NODE.formatted("False"), w -> { }), null, "n1"));
    assertEquals(java.util.Set.of("default/web"),
        ManifestMapper.withheld(ManifestSet.parse(NODE.formatted("True"), w -> { }), null, "n1"));
  }

  /** MetalLB without --lb-class serves only Services without spec.loadBalancerClass; another controller owns the rest. */
  @Test
  void serviceOfAnotherLoadBalancerClass_notServedWithoutClass_asMetalLb() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: v1
        kind: Service
        metadata: {name: theirs, namespace: default}
        spec: {type: LoadBalancer, loadBalancerClass: example.com/other, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ours, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        """, w -> { });
    assertEquals(java.util.List.of("default/ours"),
        ManifestMapper.requests(set, null).stream().map(r -> r.serviceKey()).toList());
    assertEquals(java.util.List.of("default/theirs"),
        ManifestMapper.requests(set, "example.com/other").stream().map(r -> r.serviceKey()).toList());
  }

  private static final String PINNED_POOLS = """
      apiVersion: metallb.io/v1beta1
      kind: IPAddressPool
      metadata: {name: a-pinned, namespace: metallb-system}
      spec:
        addresses: [10.0.1.0/28]
        serviceAllocation:
          %s
      ---
      apiVersion: metallb.io/v1beta1
      kind: IPAddressPool
      metadata: {name: b-open, namespace: metallb-system}
      spec: {addresses: [10.0.2.0/28]}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: team-a, labels: {team: a}}
      """;

  private static String poolFor(ManifestSet set, String service) {
    io.speakerkit.allocator.Allocator allocator = allocatorOf(set);
    io.speakerkit.allocator.ServiceRequest r = ManifestMapper.requests(set, null).stream()
        .filter(q -> q.serviceKey().equals(service)).findFirst().orElseThrow();
    return ((io.speakerkit.allocator.AllocationResult.Allocated) allocator.allocate(r)).allocation().pool();
  }

  /**
   * A pool whose serviceAllocation has namespaceSelectors only serves the namespaces they select (MetalLB:
   * poolFor / pool matching on namespaceSelectors): a Service of another namespace gets an address elsewhere.
   */
  @Test
  void namespaceSelectorsOnly_poolServesSelectedNamespacesOnly_asMetalLb() {
    ManifestSet set = ManifestSet.parse(PINNED_POOLS.formatted("namespaceSelectors: [{matchLabels: {team: a}}]") + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: in-a, namespace: team-a}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: elsewhere, namespace: team-b}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        """, w -> { });
    assertEquals("a-pinned", poolFor(set, "team-a/in-a"));
    assertEquals("b-open", poolFor(set, "team-b/elsewhere"));
  }

  /**
   * Kubernetes selector semantics (labels.Selector): NotIn matches a Service without the label, and Exists needs
   * the label. MetalLB uses them for serviceSelectors.
   */
  @Test
  void serviceSelectorNotInAndExists_kubernetesSemantics() {
    String services = """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: unlabelled, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: tier-db, namespace: default, labels: {tier: db}}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        """;
    ManifestSet notIn = ManifestSet.parse(PINNED_POOLS.formatted(
        "serviceSelectors: [{matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}]") + services, w -> { });
    assertEquals("a-pinned", poolFor(notIn, "default/unlabelled"));
    assertEquals("b-open", poolFor(notIn, "default/tier-db"));
    ManifestSet exists = ManifestSet.parse(PINNED_POOLS.formatted(
        "serviceSelectors: [{matchExpressions: [{key: tier, operator: Exists}]}]") + services, w -> { });
    assertEquals("b-open", poolFor(exists, "default/unlabelled"));
    assertEquals("a-pinned", poolFor(exists, "default/tier-db"));
  }

  private static final String SHARING = """
      apiVersion: metallb.io/v1beta1
      kind: IPAddressPool
      metadata: {name: pool, namespace: metallb-system}
      spec: {addresses: [192.0.2.0/28]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: one, namespace: default, annotations: {metallb.io/allow-shared-ip: k}}
      spec: {type: LoadBalancer, loadBalancerIP: 192.0.2.5, selector: {app: one}, ports: [{port: 80}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: two, namespace: default, annotations: {metallb.io/allow-shared-ip: k}}
      spec: {type: LoadBalancer, loadBalancerIP: 192.0.2.5, selector: {app: two}, ports: [{port: %d}]%s}
      """;

  private static boolean bothAllocated(String yaml) {
    ManifestSet set = ManifestSet.parse(yaml, w -> { });
    io.speakerkit.allocator.Allocator allocator = allocatorOf(set);
    boolean all = true;
    for (io.speakerkit.allocator.ServiceRequest r : ManifestMapper.requests(set, null)) {
      all &= allocator.allocate(r).isAllocated();
    }
    return all;
  }

  /**
   * MetalLB sharing (allow-shared-ip): Cluster services share whatever their selectors; Local ones only with the same
   * selector; no two services on one address may use the same protocol and port.
   */
  @Test
  void allowSharedIp_selectorsMatterOnlyForLocal_portsMustDiffer_asMetalLb() {
    assertTrue(bothAllocated(SHARING.formatted(81, "")), "Cluster services, different selectors, different ports");
    assertFalse(bothAllocated(SHARING.formatted(81, ", externalTrafficPolicy: Local")),
        "a Local service with another selector");
    assertFalse(bothAllocated(SHARING.formatted(80, "")), "the same port TCP/80 twice");
  }
}
