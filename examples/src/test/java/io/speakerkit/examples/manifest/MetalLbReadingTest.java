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
}
