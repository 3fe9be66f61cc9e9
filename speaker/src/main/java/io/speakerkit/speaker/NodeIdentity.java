package io.speakerkit.speaker;

import java.util.Map;
import java.util.Objects;

/** Who this speaker is for {@code nodeSelectors}: the Kubernetes node name and labels it stands for. */
public record NodeIdentity(String name, Map<String, String> labels) {

  public NodeIdentity {
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
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
