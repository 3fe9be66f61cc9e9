package io.speakerkit.examples.manifest;

import java.util.List;
import java.util.Map;

/**
 * MetalLB {@code IPAddressPool} (metallb.io/v1beta1). Addresses are kept as written (CIDR or {@code start-end});
 * the allocator parses and checks them.
 */
public record IpAddressPoolSpec(
    ObjectRef ref,
    Map<String, String> labels,
    List<String> addresses,
    boolean autoAssign,
    boolean avoidBuggyIPs,
    ServiceAllocation serviceAllocation) {

  /** {@code spec.serviceAllocation}; {@code priority} is null when unset (the lowest priority). */
  public record ServiceAllocation(
      Integer priority,
      List<String> namespaces,
      List<SelectorSpec> namespaceSelectors,
      List<SelectorSpec> serviceSelectors) {}

  static IpAddressPoolSpec read(ObjectRef ref, Map<String, String> labels, Node spec) {
    List<String> addresses = spec.strings("addresses");
    if (addresses.isEmpty()) {
      throw spec.error("addresses", "required: at least one CIDR or start-end range");
    }
    boolean autoAssign = spec.bool("autoAssign", true);
    boolean avoidBuggy = spec.bool("avoidBuggyIPs", false);
    ServiceAllocation alloc = null;
    if (spec.has("serviceAllocation")) {
      Node sa = spec.child("serviceAllocation");
      // the CRD types it as a plain integer: MetalLB takes a negative priority (sortPools then orders it unpredictably;
      // the allocator puts it before every positive one)
      Long priority = sa.integer("priority", Integer.MIN_VALUE, Integer.MAX_VALUE);
      alloc = new ServiceAllocation(
          priority == null ? null : priority.intValue(),
          sa.distinctStrings("namespaces"),
          SelectorSpec.readAll(sa, "namespaceSelectors"),
          SelectorSpec.readAll(sa, "serviceSelectors"));
    }
    return new IpAddressPoolSpec(ref, Map.copyOf(labels), addresses, autoAssign, avoidBuggy, alloc);
  }
}
