package io.speakerkit.examples;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.examples.manifest.ManifestException;
import io.speakerkit.examples.manifest.ManifestMapper;
import io.speakerkit.examples.manifest.ManifestSet;
import io.speakerkit.speaker.NodeIdentity;
import io.speakerkit.speaker.Speaker;
import io.speakerkit.speaker.SpeakerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The MetalLB-YAML speaker's manifests: read once at start ({@link #load}), then watched. When a {@code --config} file
 * changes, what changed reaches the running speaker, as MetalLB reconciles its objects: the new configuration through
 * {@link Speaker#apply} (only the peers, pools and advertisements that changed are touched, and this node's labels
 * follow its Node object), Services no longer
 * present released, new or changed ones announced, and EndpointSlices' verdicts applied. Manifests that no longer
 * read leave the running configuration in place, with a message.
 */
final class ManifestReloader {

  /** What one read of the manifests gives. */
  record Loaded(ManifestSet set, SpeakerConfig config, List<ServiceRequest> requests,
      Map<String, ServiceRequest> heldRequests, Set<String> withheld, NodeIdentity node) {
    Set<String> services() {
      Set<String> keys = new LinkedHashSet<>();
      requests.forEach(r -> keys.add(r.serviceKey()));
      return keys;
    }

    String summary() {
      return "pools: " + config.pools().size() + ", peers: " + config.peers().size() + ", advertisements: "
          + config.advertisements().size() + ", bfd profiles: " + config.bfdProfiles().size() + ", services: "
          + requests.size() + (set.endpointSlices().isEmpty() ? "" : " (" + withheld.size() + " not announced here)");
    }
  }

  private final List<Path> files;
  private final String loadBalancerClass;
  private final String node;
  private final Map<String, String> commandLineLabels;
  private final PrintStream err;
  private final Map<Path, Stamp> stamps = new HashMap<>();
  private Speaker speaker;
  private Set<String> services = Set.of();
  private final AtomicLong updates = new AtomicLong();
  private final AtomicLong updateErrors = new AtomicLong();
  private volatile boolean stale;

  /**
   * @param node this node's name ({@code --node-name})
   * @param commandLineLabels its {@code --node-label}s, over the labels of its Node object when the manifests hold
   *     one
   */
  ManifestReloader(List<Path> files, String loadBalancerClass, String node, Map<String, String> commandLineLabels,
      PrintStream err) {
    this.files = List.copyOf(files);
    this.loadBalancerClass = loadBalancerClass;
    this.node = node;
    this.commandLineLabels = Map.copyOf(commandLineLabels);
    this.err = err;
  }

  /** Reads the manifests; warnings go to stderr. */
  Loaded load() throws IOException {
    Map<Path, Stamp> now = stamps();
    stamps.clear(); // a file gone from a --config directory is forgotten too, or changed() would stay true
    stamps.putAll(now);
    ManifestSet set = ManifestSet.read(files, w -> err.println("warning: " + w));
    Map<String, String> labels = new java.util.LinkedHashMap<>(set.nodeLabels(node).orElse(Map.of()));
    labels.putAll(commandLineLabels);
    Loaded loaded = new Loaded(set, ManifestMapper.toConfig(set), ManifestMapper.requests(set, loadBalancerClass),
        ManifestMapper.heldRequests(set, loadBalancerClass), ManifestMapper.withheld(set, loadBalancerClass, node),
        new NodeIdentity(node, labels));
    if (set.endpointSlices().isEmpty() && !loaded.requests().isEmpty()) {
      err.println("warning: no EndpointSlice in the manifests: every service is announced (MetalLB announces a"
          + " service only while it has ready endpoints)");
    }
    if (set.nodeNetworkUnavailable(node)) {
      err.println("warning: node " + node + ": its NetworkUnavailable condition is True: no service is announced"
          + " from it (as MetalLB), the sessions stay up");
    } else {
      for (String service : loaded.withheld()) {
        err.println("warning: " + service + ": no ready endpoint for this node (" + node + "): allocated, not"
            + " announced");
      }
    }
    return loaded;
  }

  /** Starts serving {@code loaded} on {@code speaker} (already started); later changes go to it. */
  void serve(Speaker speaker, Loaded loaded) {
    this.speaker = speaker;
    announce(loaded);
    updates.incrementAndGet();
  }

  /**
   * What MetalLB's {@code metallb_k8s_client_*} metrics tell, for manifests instead of the Kubernetes API: loaded once
   * (the speaker does not start otherwise), running on an older configuration since the files last changed into
   * something that does not load or apply, configurations applied, and those that failed.
   */
  MetricsEndpoint.ConfigStatus status() {
    return new MetricsEndpoint.ConfigStatus(updates.get() > 0, stale, updates.get(), updateErrors.get());
  }

  /** Whether a file changed (modification time or size) since the last read. */
  boolean changed() {
    return !stamps().equals(stamps);
  }

  /** Re-reads the manifests and applies what changed; manifests that no longer read change nothing. */
  void reload() {
    Loaded loaded;
    Map<Path, Stamp> before = new HashMap<>(stamps);
    try {
      loaded = load(); // (takes the new stamps first: the next edit of an empty file is reloaded)
      for (Path p : ManifestSet.expand(files)) {
        // kubectl get -o yaml > file, cat > file and many editors empty a file before they write it (or create it
        // empty): applying that moment would release every service and end every session. A file already empty at
        // the last read is no such moment (a placeholder in a --config directory): it must not block every reload.
        Stamp last = before.get(p);
        if (Files.size(p) == 0 && (last == null || last.size() != 0)) {
          failed(p + ": empty (being rewritten?), the running configuration stays");
          return;
        }
      }
    } catch (ManifestException e) {
      failed("invalid manifest, the running configuration stays: " + e.getMessage());
      return;
    } catch (IOException | RuntimeException e) {
      failed("cannot read the manifests, the running configuration stays: " + e.getMessage());
      return;
    }
    try {
      speaker.apply(loaded.config(), loaded.node());
      for (String gone : services) {
        if (!loaded.services().contains(gone)) {
          speaker.release(gone);
        }
      }
      announce(loaded);
    } catch (RuntimeException e) { // also IllegalStateException when SIGTERM stopped the speaker meanwhile
      failed("applying the reloaded manifests failed: " + e.getMessage());
      return;
    }
    stale = false;
    updates.incrementAndGet();
    err.println("configuration reloaded: " + loaded.summary());
  }

  private void failed(String message) {
    stale = true;
    updateErrors.incrementAndGet();
    err.println(message);
  }

  private void announce(Loaded loaded) {
    // the verdicts first, so that a new service without endpoints is never announced, not even briefly
    for (String service : loaded.services()) {
      speaker.setAnnounceable(service, !loaded.withheld().contains(service));
    }
    // MetalLB keeps the addresses a service holds (status.loadBalancer.ingress): those services first, asking for
    // them, so that no other service takes them; one the configuration no longer allows is allocated afresh below.
    // Only for a service without an allocation here: a reload must not move a service from what it got.
    List<ServiceRequest> rest = new ArrayList<>();
    for (ServiceRequest request : loaded.requests()) {
      ServiceRequest held = loaded.heldRequests().get(request.serviceKey());
      if (held == null || speaker.allocation(request.serviceKey()).isPresent()
          || !(speaker.announce(held) instanceof AllocationResult.Allocated)) {
        rest.add(request);
      }
    }
    for (ServiceRequest request : rest) {
      speaker.announce(request);
    }
    services = loaded.services();
  }

  /** Looks at the files every {@code interval} and reloads on a change, until interrupted. */
  void watch(Duration interval) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Thread.sleep(interval.toMillis());
        if (changed()) {
          reload();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What a file looked like when read: a change in any part is a change ({@code size} -1: unreadable). */
  private record Stamp(java.nio.file.attribute.FileTime modified, long size, int contentHash) {}

  private Map<Path, Stamp> stamps() {
    Map<Path, Stamp> now = new HashMap<>();
    List<Path> expanded;
    try {
      expanded = ManifestSet.expand(files); // a file added to or removed from a directory is a change
    } catch (IOException e) {
      expanded = files;
    }
    for (Path p : expanded) {
      try {
        // and the content's hash: two edits of the same size within one timestamp tick differ only there
        now.put(p, new Stamp(Files.getLastModifiedTime(p), Files.size(p),
            java.util.Arrays.hashCode(Files.readAllBytes(p))));
      } catch (IOException e) {
        now.put(p, new Stamp(null, -1, 0));
      }
    }
    return now;
  }
}
