package io.speakerkit.allocator;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * MetalLB's {@code IPAddressPool.spec.serviceAllocation}: pins a pool to some namespaces and services and orders it
 * among the pinned pools.
 *
 * <p>A service matches when its namespace is listed in {@code namespaces} or selected by one of
 * {@code namespaceSelectors} (either list empty and the other empty too means any namespace), and when one of
 * {@code serviceSelectors} selects its labels (empty means any service). For automatic assignment a pool with a
 * service allocation is used only for the services it matches, before any pool without one; one that sets none of
 * namespaces and selectors, only a priority, matches every service (MetalLB from v0.15, metallb/metallb#2714: it
 * selects everything; v0.14 left such a pool out of automatic assignment).
 *
 * @param priority lower wins; {@code 0} means unset and sorts after every set priority, as in MetalLB; a negative
 *     priority sorts before every positive one (MetalLB takes it, in an order its comparator leaves undefined)
 * @param namespaces namespace names
 * @param namespaceSelectors selectors over namespace labels
 * @param serviceSelectors selectors over service labels
 */
public record ServiceAllocation(
    int priority, Set<String> namespaces, List<LabelSelector> namespaceSelectors, List<LabelSelector> serviceSelectors) {
  public ServiceAllocation {
    namespaces = Set.copyOf(Objects.requireNonNull(namespaces, "namespaces"));
    namespaceSelectors = List.copyOf(Objects.requireNonNull(namespaceSelectors, "namespaceSelectors"));
    serviceSelectors = List.copyOf(Objects.requireNonNull(serviceSelectors, "serviceSelectors"));
  }

  /** True if this allocation admits a service in {@code namespace} with the given labels. */
  public boolean matches(String namespace, Map<String, String> namespaceLabels, Map<String, String> serviceLabels) {
    if (!namespaces.isEmpty() || !namespaceSelectors.isEmpty()) {
      boolean ns = namespaces.contains(namespace);
      for (int i = 0; !ns && i < namespaceSelectors.size(); i++) {
        ns = namespaceSelectors.get(i).matches(namespaceLabels);
      }
      if (!ns) {
        return false;
      }
    }
    if (!serviceSelectors.isEmpty()) {
      for (LabelSelector s : serviceSelectors) {
        if (s.matches(serviceLabels)) {
          return true;
        }
      }
      return false;
    }
    return true;
  }

  /** A builder; everything empty and priority unset by default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link ServiceAllocation}. */
  public static final class Builder {
    private int priority;
    private Set<String> namespaces = Set.of();
    private List<LabelSelector> namespaceSelectors = List.of();
    private List<LabelSelector> serviceSelectors = List.of();

    private Builder() {}

    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    public Builder namespaces(String... namespaces) {
      this.namespaces = Set.of(namespaces);
      return this;
    }

    public Builder namespaceSelectors(LabelSelector... selectors) {
      this.namespaceSelectors = List.of(selectors);
      return this;
    }

    public Builder serviceSelectors(LabelSelector... selectors) {
      this.serviceSelectors = List.of(selectors);
      return this;
    }

    public ServiceAllocation build() {
      return new ServiceAllocation(priority, namespaces, namespaceSelectors, serviceSelectors);
    }
  }
}
