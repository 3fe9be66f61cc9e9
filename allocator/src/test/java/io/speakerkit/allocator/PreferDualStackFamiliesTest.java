package io.speakerkit.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PreferDualStack with ClusterIPs of one family (a single-stack cluster): MetalLB v0.15 (metallb/metallb#2726,
 * allocation.go selectIPsForFamilyAndPolicy) gives the ClusterIPs' family only, also from a pool of both, whether the
 * pool is picked or named.
 */
class PreferDualStackFamiliesTest {

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static List<InetAddress> got(AllocationResult r) {
    return ((AllocationResult.Allocated) r).allocation().addresses();
  }

  @Test
  void singleFamilyClusterIps_dualPool_getClusterIpFamilyOnly() {
    Allocator a = Allocator.builder()
        .pools(IpAddressPool.builder().name("d").addresses("10.0.1.0/24", "fd00::/64").build()).build();
    assertEquals(List.of(ip("10.0.1.0")), got(a.allocate(ServiceRequest.builder("ns/a")
        .ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK).ipFamilies(List.of(IpFamily.IPV4)).build())));
    assertEquals(List.of(ip("fd00::")), got(a.allocate(ServiceRequest.builder("ns/b")
        .ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK).ipFamilies(List.of(IpFamily.IPV6)).pool("d").build())));
    // asked again (as on every resync), the single address stays: no second family is added
    assertEquals(List.of(ip("10.0.1.0")), got(a.allocate(ServiceRequest.builder("ns/a")
        .ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK).ipFamilies(List.of(IpFamily.IPV4)).build())));
  }
}
