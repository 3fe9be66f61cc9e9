package io.speakerkit.examples.manifest;

import java.util.List;

/**
 * MetalLB {@code BGPAdvertisement} (metallb.io/v1beta1). Communities are as written (after alias resolution by
 * {@link ManifestSet}): {@code A:B}, {@code large:G:L1:L2} or a well-known name.
 *
 * @param localPref null when unset
 * @param serviceSelectors the services whose addresses it announces (metallb/metallb#2917); empty: every service
 */
public record BgpAdvertisementSpec(
    ObjectRef ref,
    List<String> ipAddressPools,
    List<SelectorSpec> ipAddressPoolSelectors,
    List<String> peers,
    int aggregationLength,
    int aggregationLengthV6,
    Long localPref,
    List<String> communities,
    List<SelectorSpec> nodeSelectors,
    List<SelectorSpec> serviceSelectors) {

  static BgpAdvertisementSpec read(ObjectRef ref, Node spec) {
    Long v4 = spec.integer("aggregationLength", 1, 32); // the CRD's minimum: 1
    Long v6 = spec.integer("aggregationLengthV6", 0, 128);
    return new BgpAdvertisementSpec(
        ref,
        spec.distinctStrings("ipAddressPools"),
        SelectorSpec.readAll(spec, "ipAddressPoolSelectors"),
        spec.distinctStrings("peers"),
        v4 == null ? 32 : v4.intValue(),
        v6 == null ? 128 : v6.intValue(),
        spec.integer("localPref", 0, 4294967295L),
        spec.distinctStrings("communities"),
        SelectorSpec.readAll(spec, "nodeSelectors"),
        SelectorSpec.readAll(spec, "serviceSelectors"));
  }

  BgpAdvertisementSpec withCommunities(List<String> resolved) {
    return new BgpAdvertisementSpec(ref, ipAddressPools, ipAddressPoolSelectors, peers, aggregationLength,
        aggregationLengthV6, localPref, List.copyOf(resolved), nodeSelectors, serviceSelectors);
  }
}
