package io.speakerkit.speaker;

import java.util.Map;
import java.util.Objects;

/** Who this speaker is for {@code nodeSelectors}: the Kubernetes node name and labels it stands for. */
public record NodeIdentity(String name, Map<String, String> labels) {

  /**
   * The Kubernetes label that keeps a node out of external load balancers (kubeadm puts it on control-plane nodes):
   * MetalLB announces nothing from such a node unless started with {@code --ignore-exclude-lb}.
   */
  public static final String EXCLUDE_FROM_LOAD_BALANCERS = "node.kubernetes.io/exclude-from-external-load-balancers";

  public NodeIdentity {
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
  }

  /** Whether the node carries {@link #EXCLUDE_FROM_LOAD_BALANCERS} (any value). */
  public boolean excludedFromLoadBalancers() {
    return labels.containsKey(EXCLUDE_FROM_LOAD_BALANCERS);
  }

  /** This node without {@link #EXCLUDE_FROM_LOAD_BALANCERS}, for a speaker told to ignore it. */
  public NodeIdentity ignoringExclusion() {
    Map<String, String> rest = new java.util.HashMap<>(labels);
    rest.remove(EXCLUDE_FROM_LOAD_BALANCERS);
    return new NodeIdentity(name, rest);
  }

  /** MetalLB matches {@code kubernetes.io/hostname} too: it is added from the name unless set. */
  public Map<String, String> selectorLabels() {
    if (labels.containsKey("kubernetes.io/hostname")) {
      return labels;
    }
    java.util.Map<String, String> all = new java.util.HashMap<>(labels);
    all.put("kubernetes.io/hostname", name);
    return Map.copyOf(all);
  }
}
