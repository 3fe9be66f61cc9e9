package io.speakerkit.examples.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.IpFamily;
import io.speakerkit.allocator.IpFamilyPolicy;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.speaker.AdvertisementConfig;
import io.speakerkit.speaker.PeerConfig;
import io.speakerkit.speaker.SpeakerConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every field of a MetalLB object reaches the speaker's configuration (ManifestMapper), not only the validated ones. */
class ManifestMapperTest {

  private static SpeakerConfig config(String yaml) {
    return ManifestMapper.toConfig(ManifestSet.parse(yaml, w -> { }));
  }

  /** BGPPeer spec fields to PeerConfig: peerPort, sourceAddress, routerID, enableGracefulRestart, dualStack. */
  @Test
  void bgpPeer_everySessionFieldMapped() throws Exception {
    PeerConfig p = config("""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p, namespace: metallb-system}
        spec:
          myASN: 64512
          peerASN: 64513
          peerAddress: 192.0.2.1
          peerPort: 1179
          sourceAddress: 192.0.2.10
          routerID: 10.10.10.10
          enableGracefulRestart: true
          dualStackAddressFamily: true
        """).peers().get(0);
    assertEquals(1179, p.peerPort());
    assertEquals(Optional.of(InetAddress.getByName("192.0.2.10")), p.sourceAddress());
    assertEquals(Optional.of(InetAddress.getByName("10.10.10.10")), p.routerId());
    assertTrue(p.enableGracefulRestart());
    assertTrue(p.dualStackAddressFamily());
  }

  /** A BGPPeer without those fields: port 179 (MetalLB's default), no graceful restart, no dual-stack session. */
  @Test
  void bgpPeer_defaults() {
    PeerConfig p = config("""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p, namespace: metallb-system}
        spec: {myASN: 64512, peerASN: 64513, peerAddress: 192.0.2.1}
        """).peers().get(0);
    assertEquals(179, p.peerPort());
    assertFalse(p.enableGracefulRestart());
    assertFalse(p.dualStackAddressFamily());
    assertEquals(Optional.empty(), p.routerId());
  }

  /** BFDProfile: every field, passiveMode included (MetalLB's frr bfd profile lines). */
  @Test
  void bfdProfile_everyFieldMapped() {
    BfdProfile b = config("""
        apiVersion: metallb.io/v1beta1
        kind: BFDProfile
        metadata: {name: full, namespace: metallb-system}
        spec:
          receiveInterval: 380
          transmitInterval: 270
          detectMultiplier: 37
          echoInterval: 62
          passiveMode: true
          minimumTtl: 10
        """).bfdProfiles().get("full");
    assertEquals(Duration.ofMillis(380), b.receiveInterval());
    assertEquals(Duration.ofMillis(270), b.transmitInterval());
    assertEquals(37, b.detectMultiplier());
    assertEquals(Duration.ofMillis(62), b.echoInterval());
    assertFalse(b.echoMode(), "refused when true: no raw sockets for the echo function");
    assertTrue(b.passiveMode());
    assertEquals(10, b.minimumTtl());
  }

  /** An IPAddressPool's autoAssign: false and avoidBuggyIPs: true reach the allocator's pool. */
  @Test
  void ipAddressPool_autoAssignAndAvoidBuggyIpsMapped() {
    IpAddressPool pool = config("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system}
        spec: {addresses: [192.0.2.0/28], autoAssign: false, avoidBuggyIPs: true}
        """).pools().get(0);
    assertFalse(pool.autoAssign());
    assertTrue(pool.avoidBuggyIPs());
  }

  /** BGPAdvertisement: aggregationLengthV6, nodeSelectors and ipAddressPoolSelectors reach the advertisement. */
  @Test
  void bgpAdvertisement_v6LengthAndSelectorsMapped() {
    AdvertisementConfig a = config("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system, labels: {zone: a}}
        spec: {addresses: ["2001:db8::/64"]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: adv, namespace: metallb-system}
        spec:
          aggregationLengthV6: 120
          ipAddressPoolSelectors: [{matchLabels: {zone: a}}]
          nodeSelectors: [{matchLabels: {kubernetes.io/hostname: node-a}}]
        """).advertisements().get(0);
    assertEquals(120, a.aggregationLengthV6());
    assertEquals(32, a.aggregationLength(), "the IPv4 default");
    assertEquals(1, a.ipAddressPoolSelectors().size());
    assertTrue(a.ipAddressPoolSelectors().get(0).matches(Map.of("zone", "a")));
    assertEquals(1, a.nodeSelectors().size());
    assertTrue(a.nodeSelectors().get(0).matches(Map.of("kubernetes.io/hostname", "node-a")));
    assertFalse(a.nodeSelectors().get(0).matches(Map.of("kubernetes.io/hostname", "node-b")));
  }

  /** A Service's ipFamilyPolicy and ipFamilies (without clusterIPs) become the request's. */
  @Test
  void service_ipFamilyPolicyAndFamiliesMapped() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: v1
        kind: Service
        metadata: {name: v6, namespace: default}
        spec: {type: LoadBalancer, ipFamilies: [IPv6], ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: prefer, namespace: default}
        spec: {type: LoadBalancer, ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv4, IPv6], ports: [{port: 80}]}
        """, w -> { });
    Map<String, ServiceRequest> byKey = new java.util.HashMap<>();
    ManifestMapper.requests(set, null).forEach(r -> byKey.put(r.serviceKey(), r));
    assertEquals(IpFamily.IPV6, byKey.get("default/v6").ipFamily());
    assertEquals(IpFamilyPolicy.SINGLE_STACK, byKey.get("default/v6").ipFamilyPolicy());
    assertEquals(IpFamilyPolicy.PREFER_DUAL_STACK, byKey.get("default/prefer").ipFamilyPolicy());
  }

  /**
   * A Service that asks for an address (spec.loadBalancerIP) while its status holds another: MetalLB gives it what it
   * asks for, so no "held" request is made for it (it would take the old address first).
   */
  @Test
  void heldRequests_serviceAskingForAnAddress_noHeldRequest() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: v1
        kind: Service
        metadata: {name: asks, namespace: default}
        spec: {type: LoadBalancer, loadBalancerIP: 10.0.0.15, ports: [{port: 80}]}
        status:
          loadBalancer:
            ingress: [{ip: 10.0.0.10}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: holds, namespace: default}
        spec: {type: LoadBalancer, ports: [{port: 80}]}
        status:
          loadBalancer:
            ingress: [{ip: 10.0.0.11}]
        """, w -> { });
    assertEquals(java.util.Set.of("default/holds"), ManifestMapper.heldRequests(set, null).keySet());
  }
}
