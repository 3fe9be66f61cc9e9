package io.speakerkit.examples.manifest;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The MetalLB objects read from one or more multi-document YAML files, checked field by field and across objects
 * (advertisements name existing pools and peers, peers name existing BFD profiles and Secrets, community aliases
 * resolve). Value ranges are checked where the values are used, by {@link ManifestMapper}. Kinds the speaker does not use are ignored, named in one warning.
 */
public final class ManifestSet {

  /** The label Kubernetes (1.21 on) puts on every namespace, with the namespace's name as value. */
  public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
  /** The namespace of a namespaced core object whose manifest names none. */
  public static final String DEFAULT_NAMESPACE = "default";
  private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node");

  private final List<IpAddressPoolSpec> pools = new ArrayList<>();
  private final List<BgpPeerSpec> peers = new ArrayList<>();
  private final List<BgpAdvertisementSpec> advertisements = new ArrayList<>();
  private final List<BfdProfileSpec> bfdProfiles = new ArrayList<>();
  private final List<CommunitySpec> communities = new ArrayList<>();
  private final List<SecretSpec> secrets = new ArrayList<>();
  private final List<ServiceSpec> services = new ArrayList<>();
  private final List<EndpointSliceSpec> endpointSlices = new ArrayList<>();
  private final Map<String, Map<String, String>> namespaceLabels = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> nodeLabels = new LinkedHashMap<>();
  private final Set<String> networkUnavailableNodes = new HashSet<>();
  private final Consumer<String> warnings;
  private final Set<String> unusedKinds = new java.util.TreeSet<>();
  private final List<String> notLoadBalancers = new ArrayList<>();

  private ManifestSet(Consumer<String> warnings) {
    this.warnings = warnings;
  }

  /**
   * Reads and checks the files, and the {@code .yaml}, {@code .yml} and {@code .json} files of each directory given
   * (as {@code kubectl apply -f DIR}: not its subdirectories); warnings (ignored kinds and fields, bare-number
   * durations) go to {@code warnings}.
   */
  public static ManifestSet read(List<Path> files, Consumer<String> warnings) throws IOException {
    ManifestSet set = new ManifestSet(warnings);
    List<Path> expanded = new ArrayList<>();
    for (Path p : files) {
      List<Path> some = expand(List.of(p));
      if (some.isEmpty() && Files.isDirectory(p)) {
        warnings.accept(p + ": no .yaml, .yml or .json file in this directory");
      }
      expanded.addAll(some);
    }
    for (Path file : expanded) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        set.addDocuments(file.toString(), r);
      }
    }
    set.resolve();
    return set;
  }

  /** {@code paths} with each directory replaced by its manifest files, in name order. */
  public static List<Path> expand(List<Path> paths) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : paths) {
      if (!Files.isDirectory(p)) {
        out.add(p);
        continue;
      }
      try (java.util.stream.Stream<Path> entries = Files.list(p)) {
        entries.filter(Files::isRegularFile)
            .filter(f -> f.getFileName().toString().matches("(?i).*\\.(ya?ml|json)"))
            .sorted()
            .forEach(out::add);
      }
    }
    return out;
  }

  /** Reads and checks YAML text (for tests and embedding). */
  public static ManifestSet parse(String yaml, Consumer<String> warnings) {
    ManifestSet set = new ManifestSet(warnings);
    set.addDocuments("<string>", new java.io.StringReader(yaml));
    set.resolve();
    return set;
  }

  private void addDocuments(String source, Reader reader) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    // `kubectl get ... -o yaml` of a cluster runs past SnakeYAML's default 3 MiB; its alias limit still guards
    // against expansion bombs
    options.setCodePointLimit(256 * 1024 * 1024);
    Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
        options, new KubernetesYamlResolver());
    int index = 0;
    try {
      for (Object doc : yaml.loadAll(reader)) {
        index++;
        if (doc == null) {
          continue;
        }
        if (!(doc instanceof Map<?, ?> map)) {
          throw new ManifestException(null, "", source + ": document " + index + " is not a mapping");
        }
        addObject(source, index, map);
      }
    } catch (YAMLException e) {
      throw new ManifestException(null, "", source + ": invalid YAML: " + e.getMessage());
    }
  }

  private void addObject(String source, int index, Map<?, ?> map) {
    addObject(source, String.valueOf(index), map);
  }

  private void addObject(String source, String index, Map<?, ?> map) {
    Node root = new Node(new ObjectRef("?", null, source + "#" + index), "", map);
    String apiVersion = root.string("apiVersion");
    String kind = root.string("kind");
    if (kind == null || apiVersion == null) {
      throw new ManifestException(null, "", source + ": document " + index + " has no apiVersion/kind");
    }
    if (kind.endsWith("List") && map.get("items") instanceof List<?> items) {
      // what `kubectl get ... -o yaml` prints: the objects under items
      for (int i = 0; i < items.size(); i++) {
        if (!(items.get(i) instanceof Map<?, ?> item)) {
          throw new ManifestException(null, "", source + ": document " + index + ", items[" + i
              + "] is not a mapping");
        }
        addObject(source, index + ".items[" + i + "]", item);
      }
      return;
    }
    Node meta = root.child("metadata");
    String name = meta.string("name");
    String namespace = meta.string("namespace");
    if ((namespace == null || namespace.isEmpty())
        && ("v1".equals(apiVersion) || "discovery.k8s.io/v1".equals(apiVersion)) && !CLUSTER_SCOPED.contains(kind)) {
      namespace = DEFAULT_NAMESPACE; // where kubectl apply puts a namespaced object (an EndpointSlice too) that names none
    }
    ObjectRef ref = new ObjectRef(kind, namespace, name == null ? "<unnamed>" : name);
    root = new Node(ref, "", map);
    root.skip("apiVersion");
    root.skip("kind");
    meta = root.child("metadata");
    meta.string("name");
    meta.string("namespace");
    Map<String, String> labels = meta.stringMap("labels");
    Map<String, String> annotations = meta.stringMap("annotations");
    for (String ignored : List.of("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
        "selfLink", "finalizers", "ownerReferences", "generateName")) {
      meta.skip(ignored);
    }
    boolean metallb = apiVersion.startsWith("metallb.io/");
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    if (metallb && name == null) {
      throw new ManifestException(ref, "metadata.name", "required");
    }
    if (metallb) {
      root.skip("status"); // what MetalLB's controllers report, not configuration (kubectl get prints it)
    }
    Node spec;
    String group = metallb ? kind : "v1".equals(apiVersion) ? "core/" + kind
        : "discovery.k8s.io/v1".equals(apiVersion) ? "discovery/" + kind : "other";
    switch (group) {
      case "IPAddressPool" -> {
        requireVersion(ref, version, "v1beta1");
        spec = root.child("spec");
        pools.add(IpAddressPoolSpec.read(ref, labels, spec));
      }
      case "BGPPeer" -> {
        requireVersion(ref, version, "v1beta1", "v1beta2");
        spec = root.child("spec");
        peers.add(BgpPeerSpec.read(ref, apiVersion, spec, warnings));
      }
      case "BGPAdvertisement" -> {
        requireVersion(ref, version, "v1beta1");
        spec = root.child("spec");
        advertisements.add(BgpAdvertisementSpec.read(ref, spec));
      }
      case "BFDProfile" -> {
        requireVersion(ref, version, "v1beta1");
        spec = root.child("spec");
        bfdProfiles.add(BfdProfileSpec.read(ref, spec));
      }
      case "Community" -> {
        requireVersion(ref, version, "v1beta1");
        spec = root.child("spec");
        communities.add(CommunitySpec.read(ref, spec));
      }
      case "core/Namespace" -> {
        root.skip("spec");
        root.skip("status");
        namespaceLabels.put(ref.name(), Map.copyOf(labels));
      }
      case "core/Node" -> {
        root.skip("spec");
        if (networkUnavailable(root.raw("status"))) {
          networkUnavailableNodes.add(ref.name());
        }
        nodeLabels.put(ref.name(), Map.copyOf(labels));
      }
      case "core/Secret" -> {
        root.skip("immutable");
        secrets.add(SecretSpec.read(ref, root));
      }
      case "core/Service" -> {
        spec = root.child("spec");
        ServiceSpec svc;
        try {
          svc = ServiceSpec.read(ref, labels, annotations, spec, heldAddresses(ref, root.raw("status")), warnings);
        } catch (ManifestException e) {
          if (!e.isObjectOnly()) {
            throw e; // what the API server refuses (a port out of range): a typo in the file, not a cluster's state
          }
          // MetalLB's controller fails that Service alone (no address, an AllocationFailed event): the API server
          // does not check MetalLB's annotations, so a cluster can hold such a Service beside working ones
          warnings.accept(e.getMessage() + "; this Service is not served");
          spec.skipAll();
          root.skip("status");
          return;
        }
        if (svc != null) {
          services.add(svc);
        } else {
          notLoadBalancers.add(ref.namespace() + "/" + ref.name());
        }
      }
      case "discovery/EndpointSlice" -> endpointSlices.add(EndpointSliceSpec.read(ref, labels, root));
      default -> {
        unusedKinds.add(kind + " (" + apiVersion + ")");
        return;
      }
    }
    root.warnUnread(warnings);
  }

  private static void requireVersion(ObjectRef ref, String version, String... supported) {
    for (String s : supported) {
      if (s.equals(version)) {
        return;
      }
    }
    throw new ManifestException(ref, "apiVersion", "metallb.io/" + version + " (expected: metallb.io/"
        + String.join(" or metallb.io/", supported) + ")");
  }

  /** Cross-object checks and community alias resolution. */
  private void resolve() {
    if (!unusedKinds.isEmpty()) {
      warnings.accept("kinds not used by the speaker, ignored: " + String.join(", ", unusedKinds));
    }
    if (!notLoadBalancers.isEmpty()) {
      int n = notLoadBalancers.size();
      warnings.accept(n + (n == 1 ? " Service is" : " Services are") + " not of type LoadBalancer, ignored: "
          + String.join(", ", notLoadBalancers.subList(0, Math.min(n, 5))) + (n > 5 ? ", ..." : ""));
    }
    Set<String> poolNames = uniqueNames(pools.stream().map(IpAddressPoolSpec::ref).toList());
    Set<String> peerNames = uniqueNames(peers.stream().map(BgpPeerSpec::ref).toList());
    Set<String> bfdNames = uniqueNames(bfdProfiles.stream().map(BfdProfileSpec::ref).toList());
    uniqueNames(advertisements.stream().map(BgpAdvertisementSpec::ref).toList());
    Map<String, String> aliases = new LinkedHashMap<>();
    Map<String, ObjectRef> definedIn = new LinkedHashMap<>();
    for (CommunitySpec c : communities) {
      for (Map.Entry<String, String> e : c.aliases().entrySet()) {
        // MetalLB (communitiesFromCrs): "duplicate definition of community", whatever the values
        ObjectRef previous = definedIn.putIfAbsent(e.getKey(), c.ref());
        if (previous != null) {
          throw new ManifestException(c.ref(), "spec.communities",
              "alias \"" + e.getKey() + "\" already defined in " + previous + " (expected: each alias defined once)");
        }
        aliases.put(e.getKey(), e.getValue());
      }
    }
    for (BgpPeerSpec p : peers) {
      if (p.bfdProfile() != null && !bfdNames.contains(p.bfdProfile())) {
        throw new ManifestException(p.ref(), "spec.bfdProfile",
            "\"" + p.bfdProfile() + "\": no BFDProfile of that name");
      }
      if (p.passwordSecret() != null) {
        String name = p.passwordSecret().name();
        SecretSpec secret = secretOf(p);
        if (!"kubernetes.io/basic-auth".equals(secret.type())) {
          throw new ManifestException(p.ref(), "spec.passwordSecret", "Secret \"" + name
              + "\" has type " + secret.type() + " (expected: kubernetes.io/basic-auth)");
        }
        if (!secret.values().containsKey("password")) {
          throw new ManifestException(p.ref(), "spec.passwordSecret",
              "Secret \"" + name + "\" has no \"password\" key");
        }
        String password = secret.values().get("password");
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
          // MetalLB (peerFromCR): "password secret for peer ... contains invalid characters"; `echo pw | base64`
          // leaves a newline there, which would key TCP MD5 differently from the router
          throw new ManifestException(p.ref(), "spec.passwordSecret", "Secret \"" + name + "\": its password"
              + " contains a line break (expected: none; written with echo -n?)");
        }
      }
    }
    for (int i = 0; i < advertisements.size(); i++) {
      BgpAdvertisementSpec a = advertisements.get(i);
      // MetalLB skips names of pools and peers that do not exist (yet, or any more: deleting a pool or a peer that
      // an advertisement names is allowed); so do we, with a warning.
      for (int j = 0; j < a.ipAddressPools().size(); j++) {
        if (!poolNames.contains(a.ipAddressPools().get(j))) {
          warnings.accept(a.ref() + ": spec.ipAddressPools[" + j + "]: \"" + a.ipAddressPools().get(j)
              + "\": no IPAddressPool of that name; skipped");
        }
      }
      for (int j = 0; j < a.peers().size(); j++) {
        if (!peerNames.contains(a.peers().get(j))) {
          warnings.accept(a.ref() + ": spec.peers[" + j + "]: \"" + a.peers().get(j)
              + "\": no BGPPeer of that name; skipped");
        }
      }
      List<String> resolved = new ArrayList<>();
      for (int j = 0; j < a.communities().size(); j++) {
        resolved.add(resolveCommunity(a.ref(), "spec.communities[" + j + "]", a.communities().get(j), aliases));
      }
      advertisements.set(i, a.withCommunities(resolved));
    }
  }

  /** A Community alias is replaced by its value; anything else is left for the speaker's parser to check. */
  private static String resolveCommunity(ObjectRef ref, String field, String value, Map<String, String> aliases) {
    return aliases.getOrDefault(value, value);
  }

  private static Set<String> uniqueNames(List<ObjectRef> refs) {
    Set<String> names = new LinkedHashSet<>();
    for (ObjectRef r : refs) {
      if (!names.add(r.name())) {
        throw new ManifestException(r, "metadata.name", "duplicate " + r.kind() + " name");
      }
    }
    return names;
  }

  public List<IpAddressPoolSpec> pools() {
    return List.copyOf(pools);
  }

  public List<BgpPeerSpec> peers() {
    return List.copyOf(peers);
  }

  public List<BgpAdvertisementSpec> advertisements() {
    return List.copyOf(advertisements);
  }

  public List<BfdProfileSpec> bfdProfiles() {
    return List.copyOf(bfdProfiles);
  }

  public List<CommunitySpec> communities() {
    return List.copyOf(communities);
  }

  public List<SecretSpec> secrets() {
    return List.copyOf(secrets);
  }

  /**
   * Labels of a namespace, for pools' {@code namespaceSelectors}: those of its Namespace object (none without one), plus
   * {@code kubernetes.io/metadata.name}, which Kubernetes sets on every namespace to its name.
   */
  public Map<String, String> namespaceLabels(String namespace) {
    Map<String, String> labels = new LinkedHashMap<>(namespaceLabels.getOrDefault(namespace, Map.of()));
    labels.put(NAMESPACE_NAME_LABEL, namespace);
    return Map.copyOf(labels);
  }

  /**
   * Labels of the Node object named {@code node}, as MetalLB's speaker reads its own node for {@code nodeSelectors}
   * and the exclude-from-external-load-balancers label; empty when the manifests hold no such Node.
   */
  public Optional<Map<String, String>> nodeLabels(String node) {
    return Optional.ofNullable(nodeLabels.get(node));
  }

  /**
   * Whether the Node object of {@code node} has its NetworkUnavailable condition True: MetalLB's speaker then
   * announces no service from it (bgp_controller.go ShouldAnnounce, nodes.IsNetworkUnavailable).
   */
  public boolean nodeNetworkUnavailable(String node) {
    return networkUnavailableNodes.contains(node);
  }

  /**
   * The addresses a Service holds, {@code status.loadBalancer.ingress[].ip} (in a cluster's dump, what MetalLB assigned
   * it); none when any of them is not an address, as MetalLB's controller then starts over.
   */
  private static List<InetAddress> heldAddresses(ObjectRef ref, Object status) {
    if (!(status instanceof Map<?, ?> s && s.get("loadBalancer") instanceof Map<?, ?> lb
        && lb.get("ingress") instanceof List<?> ingress)) {
      return List.of();
    }
    Node reader = new Node(ref, "status.loadBalancer", lb);
    List<InetAddress> out = new ArrayList<>();
    for (Object entry : ingress) {
      if (entry instanceof Map<?, ?> m && m.get("ip") != null && !String.valueOf(m.get("ip")).isEmpty()) {
        try {
          out.add(reader.parseAddress("ingress", String.valueOf(m.get("ip"))));
        } catch (ManifestException e) {
          return List.of();
        }
      }
    }
    return out;
  }

  /** The status of the first condition of type NetworkUnavailable is "True" (status: a Node's, may be absent). */
  private static boolean networkUnavailable(Object status) {
    if (status instanceof Map<?, ?> s && s.get("conditions") instanceof List<?> conditions) {
      for (Object c : conditions) {
        if (c instanceof Map<?, ?> m && "NetworkUnavailable".equals(String.valueOf(m.get("type")))) {
          return "True".equals(String.valueOf(m.get("status")));
        }
      }
    }
    return false;
  }

  /** Every LoadBalancer service read, whatever its class. */
  /** The EndpointSlices (discovery.k8s.io/v1), in file order. */
  public List<EndpointSliceSpec> endpointSlices() {
    return List.copyOf(endpointSlices);
  }

  public List<ServiceSpec> services() {
    return List.copyOf(services);
  }

  /**
   * The services this speaker serves, as MetalLB decides: with no class of its own, only services without
   * {@code spec.loadBalancerClass}; with a class, only services of that class.
   */
  public List<ServiceSpec> servicesOfClass(String loadBalancerClass) {
    List<ServiceSpec> out = new ArrayList<>();
    for (ServiceSpec s : services) {
      if (loadBalancerClass == null ? s.loadBalancerClass() == null
          : loadBalancerClass.equals(s.loadBalancerClass())) {
        out.add(s);
      }
    }
    return out;
  }

  /** The password of a peer: {@code spec.password}, or the {@code password} key of its Secret. */
  public String passwordOf(BgpPeerSpec peer) {
    if (peer.passwordSecret() == null) {
      return peer.password();
    }
    return secretOf(peer).values().get("password");
  }

  /**
   * The peer's password Secret. MetalLB reads Secrets of its own namespace only, where its BGPPeers are: the Secret is
   * looked up there, and a {@code passwordSecret.namespace} naming another one is refused. A peer written without a
   * namespace looks in the one {@code passwordSecret} names, else in {@code default}, as kubectl would place both.
   */
  private SecretSpec secretOf(BgpPeerSpec p) {
    ObjectRef wanted = p.passwordSecret();
    String peerNamespace = p.ref().namespace();
    if (peerNamespace != null && wanted.namespace() != null && !wanted.namespace().equals(peerNamespace)) {
      throw new ManifestException(p.ref(), "spec.passwordSecret.namespace", "\"" + wanted.namespace()
          + "\" (expected: " + peerNamespace + ", the BGPPeer's namespace: MetalLB reads Secrets of its own namespace only)");
    }
    String namespace = peerNamespace != null ? peerNamespace
        : wanted.namespace() != null ? wanted.namespace() : DEFAULT_NAMESPACE;
    return secrets.stream()
        .filter(s -> s.ref().name().equals(wanted.name()) && namespace.equals(s.ref().namespace()))
        .findFirst()
        .orElseThrow(() -> new ManifestException(p.ref(), "spec.passwordSecret",
            "\"" + wanted.name() + "\": no Secret of that name in namespace " + namespace));
  }
}
