package io.speakerkit.examples.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.speaker.NodeIdentity;
import io.speakerkit.speaker.PlannedRoute;
import io.speakerkit.speaker.RoutePlan;
import io.speakerkit.speaker.SpeakerConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The shapes of the examples in MetalLB's documentation for each kind, read and acted on as MetalLB would. */
class MetalLbDocsExamplesTest {

  private static final NodeIdentity NODE = new NodeIdentity("worker-1", Map.of("rack", "a"));

  /**
   * MetalLB docs, "Advanced BGP configuration": a /24 pool written with host bits set, one advertisement of /32s
   * with localPref and NO_ADVERTISE, one of the /24 with nothing: a service at .10 gives the peer both routes.
   */
  @Test
  void advancedBgp_perIpAndAggregate() throws Exception {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: first-pool, namespace: metallb-system}
        spec:
          addresses:
          - 198.51.100.10/24
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: sample, namespace: metallb-system}
        spec: {myASN: 64500, peerASN: 64500, peerAddress: 10.0.0.1}
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: local, namespace: metallb-system}
        spec:
          ipAddressPools: [first-pool]
          aggregationLength: 32
          localPref: 100
          communities: ["65535:65282"]
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: external, namespace: metallb-system}
        spec:
          ipAddressPools: [first-pool]
          aggregationLength: 24
        """, w -> { });
    SpeakerConfig config = ManifestMapper.toConfig(set);
    RoutePlan plan = new RoutePlan(config, NODE);
    plan.add(InetAddress.getByName("198.51.100.10"), "first-pool");
    assertEquals(List.of(
            new PlannedRoute(IpPrefix.parse("198.51.100.0/24"), List.of(), List.of(), Optional.empty()),
            new PlannedRoute(IpPrefix.parse("198.51.100.10/32"), List.of(Community.NO_ADVERTISE), List.of(),
                Optional.of(100L))),
        plan.routes("sample"));
  }

  /** MetalLB docs, BFD: a BFDProfile with its intervals, referenced by a v1beta2 BGPPeer limited to some nodes. */
  @Test
  void bfdProfileAndNodeSelectors() throws Exception {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: BFDProfile
        metadata: {name: testbfdprofile, namespace: metallb-system}
        spec:
          receiveInterval: 380
          transmitInterval: 270
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: peersample, namespace: metallb-system}
        spec:
          myASN: 64512
          peerASN: 64513
          peerAddress: 172.30.0.3
          bfdProfile: testbfdprofile
          holdTime: 1m30s
          keepaliveTime: 30s
          nodeSelectors:
          - matchLabels:
              kubernetes.io/hostname: worker-1
        """, w -> { });
    SpeakerConfig config = ManifestMapper.toConfig(set);
    var profile = config.bfdProfiles().get("testbfdprofile");
    assertEquals(Duration.ofMillis(380), profile.receiveInterval());
    assertEquals(Duration.ofMillis(270), profile.transmitInterval());
    assertEquals(3, profile.detectMultiplier());
    var peer = config.peers().get(0);
    assertEquals(Duration.ofSeconds(90), peer.holdTime());
    assertEquals(Duration.ofSeconds(30), peer.keepaliveTime());
    assertTrue(new RoutePlan(config, NODE).peerActive(peer), "worker-1 matches kubernetes.io/hostname");
    assertTrue(!new RoutePlan(config, new NodeIdentity("worker-2", Map.of())).peerActive(peer));
  }

  /** MetalLB docs, Community aliases: an advertisement names a community by alias. */
  @Test
  void communityAlias() throws Exception {
    ManifestSet set = ManifestSet.parse("""
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
        metadata: {name: pool, namespace: metallb-system}
        spec: {addresses: [192.168.10.0/24]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: adv, namespace: metallb-system}
        spec:
          communities: [vpn-only]
        """, w -> { });
    assertEquals(List.of(Community.of(1234, 1)), ManifestMapper.toConfig(set).advertisements().get(0).communities());
  }

  /**
   * MetalLB docs, IPAddressPool serviceAllocation and the Service annotations: a pool pinned to namespaces by name
   * and label, and a Service asking for a shared address from a named pool with the older annotation spelling.
   */
  @Test
  void serviceAllocationAndServiceAnnotations() throws Exception {
    List<String> warnings = new ArrayList<>();
    ManifestSet set = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: ns-pool, namespace: metallb-system}
        spec:
          addresses: [192.168.20.0/24, "fc00:f853:0ccd:e799::/124"]
          avoidBuggyIPs: true
          serviceAllocation:
            priority: 50
            namespaces: [namespace-a]
            namespaceSelectors:
            - matchLabels: {foo: bar}
            serviceSelectors:
            - matchExpressions:
              - {key: app, operator: In, values: [bar]}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: namespace-b, labels: {foo: bar}}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: dns-service-tcp
          namespace: namespace-b
          labels: {app: bar}
          annotations:
            metallb.universe.tf/address-pool: ns-pool
            metallb.universe.tf/allow-shared-ip: "key-to-share-1.2.3.4"
        spec:
          type: LoadBalancer
          loadBalancerIP: 192.168.20.4
          ports:
          - {name: dnstcp, protocol: TCP, port: 53, targetPort: 53}
          selector: {app: dns}
        """, warnings::add);
    var request = ManifestMapper.requests(set, null).get(0);
    assertEquals("namespace-b/dns-service-tcp", request.serviceKey());
    assertEquals(Optional.of("ns-pool"), request.pool());
    assertEquals(Optional.of("key-to-share-1.2.3.4"), request.sharingKey());
    assertEquals(List.of(InetAddress.getByName("192.168.20.4")), request.addresses());
    assertEquals(Map.of("foo", "bar", "kubernetes.io/metadata.name", "namespace-b"), request.namespaceLabels());
    var pool = ManifestMapper.toConfig(set).pools().get(0);
    assertEquals(50, pool.serviceAllocation().orElseThrow().priority());
    assertEquals(List.of(), warnings);
  }

  /** Kubernetes labels every namespace with its name; a selector on it works without a Namespace manifest. */
  @Test
  void namespaceWithoutManifest_hasItsNameLabel() throws Exception {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: team-a}
        spec:
          type: LoadBalancer
          ports:
          - {protocol: TCP, port: 80}
        """, w -> { });
    assertEquals(Map.of("kubernetes.io/metadata.name", "team-a"),
        ManifestMapper.requests(set, null).get(0).namespaceLabels());
  }

  /** A Service whose manifest names no namespace is in {@code default}, as {@code kubectl apply} puts it. */
  @Test
  void serviceWithoutNamespace_inDefault() throws Exception {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          type: LoadBalancer
          ports:
          - {protocol: TCP, port: 80}
        """, w -> { });
    var request = ManifestMapper.requests(set, null).get(0);
    assertEquals("default/web", request.serviceKey());
    assertEquals(Map.of("kubernetes.io/metadata.name", "default"), request.namespaceLabels());
  }

  /** MetalLB docs, BGP session password through a basic-auth Secret. */
  @Test
  void passwordSecret_stringData() throws Exception {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: v1
        kind: Secret
        metadata: {name: secretname, namespace: metallb-system}
        type: kubernetes.io/basic-auth
        stringData:
          password: mypassword
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: peer, namespace: metallb-system}
        spec:
          myASN: 64512
          peerASN: 64513
          peerAddress: 172.30.0.3
          passwordSecret: {name: secretname, namespace: metallb-system}
        """, w -> { });
    assertEquals(Optional.of("mypassword"), ManifestMapper.toConfig(set).peers().get(0).password());
  }
}
