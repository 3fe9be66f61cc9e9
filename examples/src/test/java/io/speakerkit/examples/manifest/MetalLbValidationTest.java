package io.speakerkit.examples.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What MetalLB v0.14 / v0.15 accepts or refuses (config.go, its webhooks, the API server), read the same way. */
class MetalLbValidationTest {

  private static final String PEER = """
      apiVersion: metallb.io/v1beta2
      kind: BGPPeer
      metadata: {name: p, namespace: metallb-system}
      spec:
        myASN: 64512
        peerASN: 64513
        peerAddress: 192.0.2.1
      """;

  private static final String POOL = """
      ---
      apiVersion: metallb.io/v1beta1
      kind: IPAddressPool
      metadata: {name: pool, namespace: metallb-system}
      spec:
        addresses: [198.51.100.0/28]
      """;

  private static final String GOOD_SERVICE = """
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: good, namespace: default}
      spec:
        type: LoadBalancer
        ports: [{port: 80}]
      """;

  /**
   * MetalLB's controller (getDesiredLbIPs) turns a bad metallb.io/loadBalancerIPs annotation into an error of that
   * Service alone: it gets no address, every other Service and the BGP configuration are served. The API server does
   * not check annotations, so such a Service is in the cluster (and in its dump). Here it makes the whole manifest set
   * fail: the speaker does not start, or a reload keeps the old configuration.
   */
  @Test
  void badLoadBalancerIpsAnnotation_failsOnlyThatService_notTheWholeConfiguration() {
    // net.ParseIP refuses each of these: a bad octet, an empty entry, a zone
    for (String bad : List.of("198.51.100.300", "198.51.100.3,", "fe80::1%eth0")) {
      String yaml = PEER + POOL + GOOD_SERVICE + """
          ---
          apiVersion: v1
          kind: Service
          metadata:
            name: bad
            namespace: default
            annotations: {metallb.io/loadBalancerIPs: "%s"}
          spec:
            type: LoadBalancer
            ports: [{port: 80}]
          """.formatted(bad);
      List<String> warnings = new ArrayList<>();
      ManifestSet set = ManifestSet.parse(yaml, warnings::add);
      assertEquals(1, ManifestMapper.toConfig(set).peers().size());
      assertEquals(List.of("default/good"),
          ManifestMapper.requests(set, null).stream().map(r -> r.serviceKey()).toList(), bad);
      assertTrue(warnings.stream().anyMatch(w -> w.contains(" metadata.annotations[metallb.io/loadBalancerIPs]")
          && w.endsWith("this Service is not served")), bad + ": " + warnings);
    }
  }

  /** The same for a Service with both spec.loadBalancerIP and the annotation ("service can not have both"). */
  @Test
  void loadBalancerIpAndAnnotationTogether_failsOnlyThatService() {
    String yaml = PEER + POOL + GOOD_SERVICE + """
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: both
          namespace: default
          annotations: {metallb.io/loadBalancerIPs: "198.51.100.3"}
        spec:
          type: LoadBalancer
          loadBalancerIP: 198.51.100.4
          ports: [{port: 80}]
        """;
    ManifestSet set = ManifestSet.parse(yaml, w -> { });
    assertEquals(List.of("default/good"),
        ManifestMapper.requests(set, null).stream().map(r -> r.serviceKey()).toList());
  }

  /**
   * Two addresses of one family in metallb.io/loadBalancerIPs: MetalLB (ipfamily.ForAddressesIPs) fails that Service
   * alone.
   */
  @Test
  void twoIpv4LoadBalancerIps_failsOnlyThatService() {
    String yaml = PEER + POOL + GOOD_SERVICE + """
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: two
          namespace: default
          annotations: {metallb.io/loadBalancerIPs: "198.51.100.3,198.51.100.4"}
        spec:
          type: LoadBalancer
          ports: [{port: 80}]
        """;
    ManifestSet set = ManifestSet.parse(yaml, w -> { });
    assertEquals(1, ManifestMapper.toConfig(set).peers().size());
    List<String> keys = new ArrayList<>();
    try {
      ManifestMapper.requests(set, null).forEach(r -> keys.add(r.serviceKey()));
    } catch (ManifestException e) {
      throw new AssertionError("one Service's bad request fails every Service: " + e.getMessage(), e);
    }
    assertTrue(keys.contains("default/good"), keys.toString());
  }

  /**
   * MetalLB (peerFromCR): "password secret for peer ... contains invalid characters" for a Secret password with \n or
   * \r. The usual way to get one is {@code echo pass | base64}: the router is configured with "pass", we would key TCP
   * MD5 with "pass\n" and the session never comes up, without a word.
   */
  @Test
  void secretPasswordWithTrailingNewline_refused_asMetalLb() {
    String yaml = """
        apiVersion: v1
        kind: Secret
        metadata: {name: s, namespace: metallb-system}
        type: kubernetes.io/basic-auth
        data: {password: czNjcmV0Cg==}
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p, namespace: metallb-system}
        spec: {myASN: 64512, peerASN: 64513, peerAddress: 192.0.2.1, passwordSecret: {name: s}}
        """;
    assertThrows(ManifestException.class, () -> ManifestMapper.toConfig(ManifestSet.parse(yaml, w -> { })));
  }

  /** MetalLB (peerFromCR): "password for peer ... contains invalid characters". */
  @Test
  void passwordWithNewline_refused_asMetalLb() {
    assertThrows(ManifestException.class,
        () -> ManifestMapper.toConfig(ManifestSet.parse(PEER + "  password: \"s3cret\\n\"\n", w -> { })));
  }

  /**
   * MetalLB (parseTimers): with both timers given, "keepaliveTime must be lower than holdTime" compares the durations
   * as given: holdTime 0s with keepaliveTime 500ms is refused. We cut the keepalive to 0 s first and accept it.
   */
  @Test
  void holdTimeZeroWithSubSecondKeepalive_refused_asMetalLb() {
    assertThrows(ManifestException.class, () -> ManifestMapper.toConfig(
        ManifestSet.parse(PEER + "  holdTime: 0s\n  keepaliveTime: 500ms\n", w -> { })));
  }

  /**
   * MetalLB (validateLabelSelectorDuplicate, called for BGPPeer nodeSelectors, BGPAdvertisement ipAddressPoolSelectors /
   * nodeSelectors / serviceSelectors and IPAddressPool namespaceSelectors / serviceSelectors): "duplicate definition of
   * nodeSelectors".
   */
  @Test
  void duplicateNodeSelectors_refused_asMetalLb() {
    String yaml = PEER + """
          nodeSelectors:
          - matchLabels: {rack: a}
          - matchLabels: {rack: a}
        """;
    assertThrows(ManifestException.class, () -> ManifestMapper.toConfig(ManifestSet.parse(yaml, w -> { })));
  }

  /** The same check refuses a value listed twice in one matchExpressions entry. */
  @Test
  void duplicateMatchExpressionValues_refused_asMetalLb() {
    String yaml = PEER + """
          nodeSelectors:
          - matchExpressions: [{key: rack, operator: In, values: [a, a]}]
        """;
    assertThrows(ManifestException.class, () -> ManifestMapper.toConfig(ManifestSet.parse(yaml, w -> { })));
  }

  /**
   * metav1.LabelSelectorAsSelector (every selector MetalLB reads) validates label keys and values: a key with a space
   * is "Invalid value", and MetalLB refuses the object.
   */
  @Test
  void invalidLabelKeyInSelector_refused_asMetalLb() {
    String yaml = PEER + """
          nodeSelectors:
          - matchLabels: {"rack a": x}
        """;
    assertThrows(ManifestException.class, () -> ManifestMapper.toConfig(ManifestSet.parse(yaml, w -> { })));
  }

  /**
   * The CRD types serviceAllocation.priority as a plain integer (no minimum) and config.go does not check it: MetalLB
   * takes priority -1 (sortPools puts it with the set priorities, in no defined order; the allocator puts it first).
   */
  @Test
  void negativePriority_accepted_asMetalLb() {
    ManifestSet set = ManifestSet.parse("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system}
        spec:
          addresses: [198.51.100.0/28]
          serviceAllocation: {priority: -1, namespaces: [default]}
        """, w -> { });
    assertEquals(1, ManifestMapper.toConfig(set).pools().size());
  }

  /**
   * MetalLB's community.New parses each part with strconv.ParseUint(s, 10, 16/32): a sign or blank is "invalid
   * community value". Integer.parseInt / Long.parseLong take "+1".
   */
  @Test
  void signedCommunityParts_refused_asMetalLb() {
    String adv = """
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: a, namespace: metallb-system}
        spec:
          communities: ["%s"]
        """;
    for (String c : List.of("+65000:100", "large:+1:2:3")) {
      assertThrows(ManifestException.class,
          () -> ManifestMapper.toConfig(ManifestSet.parse(PEER + POOL + adv.formatted(c), w -> { })), c);
    }
  }

  private static final String SECRET_PEER = """
      apiVersion: metallb.io/v1beta2
      kind: BGPPeer
      metadata: {name: p, namespace: metallb-system}
      spec: {myASN: 64512, peerASN: 64513, peerAddress: 192.0.2.1, passwordSecret: {name: s}%s}
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: s, namespace: metallb-system}
      """;

  /** MetalLB (peerFromCR / passwordForPeer): "can not have both password and secret ref set in peer config". */
  @Test
  void passwordAndPasswordSecretTogether_refused_asMetalLb() {
    String yaml = SECRET_PEER.formatted(", password: pw") + "type: kubernetes.io/basic-auth\nstringData: {password: x}\n";
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestSet.parse(yaml, w -> { }));
    assertTrue(e.getMessage().contains("spec.passwordSecret: cannot be set together with password"), e.getMessage());
  }

  /** MetalLB: "secret type mismatch on ..., type kubernetes.io/basic-auth is expected" (an Opaque Secret is refused). */
  @Test
  void passwordSecretNotBasicAuth_refused_asMetalLb() {
    String yaml = SECRET_PEER.formatted("") + "type: Opaque\nstringData: {password: x}\n";
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestSet.parse(yaml, w -> { }));
    assertTrue(e.getMessage().contains("(expected: kubernetes.io/basic-auth)"), e.getMessage());
  }

  /** MetalLB: "password not specified in the secret" (a basic-auth Secret with a username only). */
  @Test
  void passwordSecretWithoutPasswordKey_refused_asMetalLb() {
    String yaml = SECRET_PEER.formatted("") + "type: kubernetes.io/basic-auth\nstringData: {username: u}\n";
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestSet.parse(yaml, w -> { }));
    assertTrue(e.getMessage().contains("has no \"password\" key"), e.getMessage());
  }

  /** Two objects of one kind and name are one object in a cluster: the second apply replaces the first. */
  @Test
  void samePoolNameTwice_refused() {
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestSet.parse(POOL + POOL, w -> { }));
    assertTrue(e.getMessage().contains("metadata.name: duplicate IPAddressPool name"), e.getMessage());
  }

  /** localPref is a uint32 with omitempty in MetalLB: 0 is unset (no LOCAL_PREF of the advertisement's own). */
  @Test
  void localPrefZero_isUnset_asMetalLb() {
    String adv = """
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: adv, namespace: metallb-system}
        spec: {localPref: %s}
        """;
    assertEquals(Optional.empty(), ManifestMapper.toConfig(ManifestSet.parse(PEER + POOL + adv.formatted("0"), w -> { }))
        .advertisements().get(0).localPref());
    // the whole uint32 range: 4294967295 is a valid LOCAL_PREF
    assertEquals(Optional.of(4294967295L), ManifestMapper.toConfig(
        ManifestSet.parse(PEER + POOL + adv.formatted("4294967295"), w -> { })).advertisements().get(0).localPref());
  }

  /** Go's net.ParseIP (Go 1.17 on) refuses an IPv4 octet with a leading zero, which inet_aton would read as octal. */
  @Test
  void leadingZeroOctet_refused_asGoParseIp() {
    String yaml = PEER.replace("192.0.2.1", "192.0.2.01");
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestSet.parse(yaml, w -> { }));
    assertTrue(e.getMessage().contains("spec.peerAddress"), e.getMessage());
  }

  /**
   * MetalLB turns selectors into labels.Selector (LabelSelectorAsSelector), which refuses a label name over 63
   * characters and a value with characters outside [-A-Za-z0-9_.].
   */
  @Test
  void invalidLabelKeyOrValue_refused_asMetalLb() {
    String name63 = "a".repeat(63);
    String adv = """
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: adv, namespace: metallb-system}
        spec:
          nodeSelectors: [{matchLabels: {"%s": "%s"}}]
        """;
    ManifestSet.parse(PEER + POOL + adv.formatted(name63, "v"), w -> { });
    for (String[] kv : List.of(new String[] {name63 + "a", "v"}, new String[] {"k", "a b"},
        new String[] {"p".repeat(254) + "/k", "v"})) {
      assertThrows(ManifestException.class, () -> ManifestSet.parse(PEER + POOL + adv.formatted(kv[0], kv[1]), w -> { }),
          kv[0] + "=" + kv[1]);
    }
    ManifestSet.parse(PEER + POOL + adv.formatted("p".repeat(253) + "/k", "v"), w -> { });
  }

  /** MetalLB (communitiesFromCrs): "duplicate definition of community", also within one Community object. */
  @Test
  void communityAliasTwiceInOneObject_refused_asMetalLb() {
    String yaml = """
        apiVersion: metallb.io/v1beta1
        kind: Community
        metadata: {name: c, namespace: metallb-system}
        spec:
          communities:
          - {name: a, value: "65000:1"}
          - {name: a, value: "65000:2"}
        """;
    assertThrows(ManifestException.class, () -> ManifestSet.parse(yaml, w -> { }));
  }
}
