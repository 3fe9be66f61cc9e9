package io.speakerkit.allocator;

import static io.speakerkit.allocator.AllocatorStatefulProperties.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.AllocationResult.Allocated;
import io.speakerkit.allocator.AllocationResult.Refused;
import io.speakerkit.allocator.LabelSelector.Operator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MetalLB's documented allocation behaviour, one row per rule. Each row cites the page (and section) it replays:
 *
 * <ul>
 *   <li>[usage] https://metallb.universe.tf/usage/ (IP address sharing, requesting specific IPs, dual-stack)
 *   <li>[advanced] https://metallb.universe.tf/configuration/_advanced_ipaddresspool_configuration/ (autoAssign,
 *       avoidBuggyIPs, serviceAllocation priority/namespaces/selectors)
 *   <li>[api] https://metallb.universe.tf/apis/ (IPAddressPool spec: addresses as CIDR or range, defaults)
 * </ul>
 *
 * <p>Expected is the addresses the probe gets, comma-separated, or {@code REFUSED:<reason>}.
 */
class MetalLbBehaviourTest {

  record Row(String cites, List<IpAddressPool> pools, List<ServiceRequest> before, ServiceRequest probe, String expected) {
    @Override
    public String toString() {
      return cites;
    }
  }

  static IpAddressPool.Builder pool(String name, String... ranges) {
    return IpAddressPool.builder().name(name).addresses(ranges);
  }

  static ServiceRequest svc(String key, UnaryOperator<ServiceRequest.Builder> f) {
    return f.apply(ServiceRequest.builder(key)).build();
  }

  static ServiceRequest svc(String key) {
    return ServiceRequest.builder(key).build();
  }

  static Row row(String cites, List<IpAddressPool> pools, List<ServiceRequest> before, ServiceRequest probe, String expected) {
    return new Row(cites, pools, before, probe, expected);
  }

  static final IpAddressPool P24 = pool("default", "192.168.1.0/24").build();

  static Stream<Row> rows() {
    LabelSelector teamA = LabelSelector.matchLabels(Map.of("team", "a"));
    return Stream.of(
        // --- addresses and defaults
        row("[api] addresses: a CIDR; lowest address first", List.of(P24), List.of(), svc("ns/a"), "192.168.1.0"),
        row("[api] addresses: a start-end range", List.of(pool("r", "192.168.10.10-192.168.10.12").build()),
            List.of(svc("ns/a"), svc("ns/b")), svc("ns/c"), "192.168.10.12"),
        row("[api] range exhausted", List.of(pool("r", "192.168.10.10-192.168.10.11").build()),
            List.of(svc("ns/a"), svc("ns/b")), svc("ns/c"), "REFUSED:POOL_EXHAUSTED"),
        // --- autoAssign
        row("[advanced] autoAssign: false pool is skipped for automatic allocation",
            List.of(pool("cheap", "192.168.10.0/24").build(), pool("expensive", "42.176.25.64/30").autoAssign(false).build()),
            List.of(), svc("ns/a"), "192.168.10.0"),
        row("[advanced] autoAssign: false pool still serves an explicit pool request",
            List.of(pool("cheap", "192.168.10.0/24").build(), pool("expensive", "42.176.25.64/30").autoAssign(false).build()),
            List.of(), svc("ns/a", b -> b.pool("expensive")), "42.176.25.64"),
        row("[advanced] autoAssign: false pool still serves a specific address",
            List.of(pool("expensive", "42.176.25.64/30").autoAssign(false).build()),
            List.of(), svc("ns/a", b -> b.addresses(ip("42.176.25.66"))), "42.176.25.66"),
        row("[advanced] only autoAssign: false pools: nothing automatic",
            List.of(pool("expensive", "42.176.25.64/30").autoAssign(false).build()),
            List.of(), svc("ns/a"), "REFUSED:NO_ELIGIBLE_POOL"),
        // --- avoidBuggyIPs
        row("[advanced] avoidBuggyIPs: .0 is skipped", List.of(pool("p", "192.168.1.0/24").avoidBuggyIPs(true).build()),
            List.of(), svc("ns/a"), "192.168.1.1"),
        row("[advanced] avoidBuggyIPs: .255 and the next .0 are skipped",
            List.of(pool("p", "192.168.1.254-192.168.2.2").avoidBuggyIPs(true).build()),
            List.of(svc("ns/a")), svc("ns/b"), "192.168.2.1"),
        row("[advanced] avoidBuggyIPs: a specific .255 is refused",
            List.of(pool("p", "192.168.1.0/24").avoidBuggyIPs(true).build()),
            List.of(), svc("ns/a", b -> b.addresses(ip("192.168.1.255"))), "REFUSED:ADDRESS_NOT_ALLOWED"),
        row("[advanced] avoidBuggyIPs does not touch IPv6",
            List.of(pool("p", "fd00::/120").avoidBuggyIPs(true).build()),
            List.of(), svc("ns/a", b -> b.ipFamily(IpFamily.IPV6)), "fd00::"),
        // --- serviceAllocation
        row("[advanced] priority: lower value wins over higher",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().priority(50).namespaces("ns").build()).build(),
                pool("b", "10.0.2.0/24").serviceAllocation(ServiceAllocation.builder().priority(10).namespaces("ns").build()).build()),
            List.of(), svc("ns/a"), "10.0.2.0"),
        row("[advanced] priority: unset sorts after any set priority",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().namespaces("ns").build()).build(),
                pool("b", "10.0.2.0/24").serviceAllocation(ServiceAllocation.builder().priority(99).namespaces("ns").build()).build()),
            List.of(), svc("ns/a"), "10.0.2.0"),
        row("[our order: MetalLB takes a negative priority, its comparator leaves the order undefined] a negative"
                + " priority comes before every positive one",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().priority(1).namespaces("ns").build()).build(),
                pool("b", "10.0.2.0/24").serviceAllocation(ServiceAllocation.builder().priority(-1).namespaces("ns").build()).build()),
            List.of(), svc("ns/a"), "10.0.2.0"),
        row("[metallb config.go addressPoolServiceAllocationsFromCR, #2714 (v0.15)] priority alone selects every"
                + " service: the pool comes first",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().priority(1).build()).build(),
                pool("b", "10.0.2.0/24").build()),
            List.of(), svc("ns/a"), "10.0.1.0"),
        row("[allocator.go Allocate] PreferDualStack: a pinned pool of one family before an open pool of both",
            List.of(pool("a-open", "10.0.2.0/24", "fd00::/120").build(),
                pool("z-pinned", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().namespaces("ns").build())
                    .build()),
            List.of(), svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
                .ipFamilies(List.of(IpFamily.IPV4, IpFamily.IPV6))), "10.0.1.0"),
        row("[advanced] autoAssign: false pool is skipped for automatic allocation even with a serviceAllocation"
                + " that selects the service (another pool pinned elsewhere)",
            List.of(pool("a-pinned", "10.0.1.0/24").autoAssign(false)
                    .serviceAllocation(ServiceAllocation.builder().priority(1).namespaces("ns").build()).build(),
                pool("b-open", "10.0.2.0/24").build(),
                pool("c-other", "10.0.3.0/24").serviceAllocation(ServiceAllocation.builder().namespaces("other").build())
                    .build()),
            List.of(), svc("ns/a"), "10.0.2.0"),
        row("[our order, as documented on Allocator] pinned pools of equal priority: by name",
            List.of(pool("b", "10.0.2.0/24").serviceAllocation(ServiceAllocation.builder().priority(5).namespaces("ns").build()).build(),
                pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().priority(5).namespaces("ns").build()).build()),
            List.of(), svc("ns/a"), "10.0.1.0"),
        row("[advanced] pinned pools come before pools without serviceAllocation",
            List.of(pool("a-open", "10.0.1.0/24").build(),
                pool("z-pinned", "10.0.2.0/24").serviceAllocation(ServiceAllocation.builder().namespaces("ns").build()).build()),
            List.of(), svc("ns/a"), "10.0.2.0"),
        row("[advanced] a full pinned pool falls through to the next pool",
            List.of(pool("open", "10.0.1.0/24").build(),
                pool("pinned", "10.0.2.0/32").serviceAllocation(ServiceAllocation.builder().priority(1).namespaces("ns").build()).build()),
            List.of(svc("ns/x")), svc("ns/a"), "10.0.1.0"),
        row("[advanced] namespaces: a pool pinned to another namespace is not used",
            List.of(pool("a-team", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().namespaces("team-a").build()).build(),
                pool("b-open", "10.0.2.0/24").build()),
            List.of(), svc("other/a"), "10.0.2.0"),
        row("[advanced] namespaceSelectors: matchLabels selects the namespace",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().namespaceSelectors(teamA).build()).build(),
                pool("b", "10.0.2.0/24").build()),
            List.of(), svc("ns/a", b -> b.namespaceLabels(Map.of("team", "a"))), "10.0.1.0"),
        row("[advanced] serviceSelectors: matchExpressions In selects the service",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().serviceSelectors(
                    LabelSelector.builder().matchExpression("tier", Operator.IN, "web", "api").build()).build()).build(),
                pool("b", "10.0.2.0/24").build()),
            List.of(), svc("ns/a", b -> b.serviceLabels(Map.of("tier", "api"))), "10.0.1.0"),
        row("[advanced] serviceSelectors: NotIn excludes, missing label counts as not in (Kubernetes selector semantics)",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().serviceSelectors(
                    LabelSelector.builder().matchExpression("tier", Operator.NOT_IN, "db").build()).build()).build(),
                pool("b", "10.0.2.0/24").build()),
            List.of(), svc("ns/a", b -> b.serviceLabels(Map.of("tier", "db"))), "10.0.2.0"),
        row("[advanced] serviceSelectors: NotIn selects a service without the label (Kubernetes selector semantics)",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().serviceSelectors(
                    LabelSelector.builder().matchExpression("tier", Operator.NOT_IN, "db").build()).build()).build(),
                pool("b", "10.0.2.0/24").build()),
            List.of(), svc("ns/a", b -> b.serviceLabels(Map.of("app", "web"))), "10.0.1.0"),
        row("[advanced] serviceSelectors: Exists / DoesNotExist",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().serviceSelectors(
                    LabelSelector.builder().matchExpression("public", Operator.EXISTS)
                        .matchExpression("legacy", Operator.DOES_NOT_EXIST).build()).build()).build(),
                pool("b", "10.0.2.0/24").build()),
            List.of(), svc("ns/a", b -> b.serviceLabels(Map.of("public", ""))), "10.0.1.0"),
        row("[advanced] namespaces and service selectors must both match",
            List.of(pool("a", "10.0.1.0/24").serviceAllocation(ServiceAllocation.builder().namespaces("ns")
                    .serviceSelectors(teamA).build()).build(),
                pool("b", "10.0.2.0/24").build()),
            List.of(), svc("ns/a"), "10.0.2.0"),
        // --- sharing
        row("[usage#ip-address-sharing] same key, different ports: same address",
            List.of(P24), List.of(svc("ns/dns-tcp", b -> b.sharingKey("dns").ports(ServicePort.tcp(53)))),
            svc("ns/dns-udp", b -> b.sharingKey("dns").ports(ServicePort.udp(53))), "192.168.1.0"),
        row("[usage#ip-address-sharing] same key, same port: the next address",
            List.of(P24), List.of(svc("ns/a", b -> b.sharingKey("k").ports(ServicePort.tcp(80)))),
            svc("ns/b", b -> b.sharingKey("k").ports(ServicePort.tcp(80))), "192.168.1.1"),
        row("[usage#ip-address-sharing] different keys never share",
            List.of(P24), List.of(svc("ns/a", b -> b.sharingKey("k1").ports(ServicePort.tcp(80)))),
            svc("ns/b", b -> b.sharingKey("k2").ports(ServicePort.tcp(443))), "192.168.1.1"),
        row("[usage#ip-address-sharing] Local policy needs identical pod selectors (backend key)",
            List.of(P24), List.of(svc("ns/a", b -> b.sharingKey("k").backendKey("app=x").ports(ServicePort.tcp(80)))),
            svc("ns/b", b -> b.sharingKey("k").backendKey("app=y").ports(ServicePort.tcp(443))), "192.168.1.1"),
        row("[usage#ip-address-sharing] specific address held without sharing key: refused",
            List.of(P24), List.of(svc("ns/a", b -> b.addresses(ip("192.168.1.7")))),
            svc("ns/b", b -> b.addresses(ip("192.168.1.7"))), "REFUSED:ADDRESS_IN_USE"),
        row("[usage#ip-address-sharing] specific address, same key, port collision: refused",
            List.of(P24), List.of(svc("ns/a", b -> b.addresses(ip("192.168.1.7")).sharingKey("k").ports(ServicePort.tcp(80)))),
            svc("ns/b", b -> b.addresses(ip("192.168.1.7")).sharingKey("k").ports(ServicePort.tcp(80))), "REFUSED:ADDRESS_IN_USE"),
        row("[usage#ip-address-sharing] specific address, same key, disjoint ports: shared",
            List.of(P24), List.of(svc("ns/a", b -> b.addresses(ip("192.168.1.7")).sharingKey("k").ports(ServicePort.tcp(80)))),
            svc("ns/b", b -> b.addresses(ip("192.168.1.7")).sharingKey("k").ports(ServicePort.tcp(443))), "192.168.1.7"),
        // --- specific addresses and pools
        row("[usage#requesting-specific-ips] loadBalancerIPs outside every pool: refused",
            List.of(P24), List.of(), svc("ns/a", b -> b.addresses(ip("10.9.9.9"))), "REFUSED:ADDRESS_NOT_IN_POOL"),
        row("[usage#requesting-specific-ips] address-pool annotation names an unknown pool",
            List.of(P24), List.of(), svc("ns/a", b -> b.pool("gold")), "REFUSED:UNKNOWN_POOL"),
        row("[usage#requesting-specific-ips] address and pool that disagree",
            List.of(P24, pool("other", "10.0.0.0/24").build()), List.of(),
            svc("ns/a", b -> b.addresses(ip("10.0.0.5")).pool("default")), "REFUSED:CONFLICTING_REQUEST"),
        row("[allocator.go isPoolCompatibleWithService] a requested address of a pool pinned to another namespace",
            List.of(pool("team-a", "10.0.3.0/24").serviceAllocation(ServiceAllocation.builder().namespaces("a").build()).build()),
            List.of(), svc("b/web", b -> b.addresses(ip("10.0.3.5"))), "REFUSED:NOT_ADMITTED_BY_POOL"),
        row("[allocator.go isPoolCompatibleWithService] a named pool pinned to another namespace",
            List.of(pool("team-a", "10.0.3.0/24").serviceAllocation(ServiceAllocation.builder().namespaces("a").build()).build()),
            List.of(), svc("b/web", b -> b.pool("team-a")), "REFUSED:NOT_ADMITTED_BY_POOL"),
        row("[allocator.go isPoolCompatibleWithService] a named pool pinned to this namespace",
            List.of(pool("team-a", "10.0.3.0/24").serviceAllocation(ServiceAllocation.builder().namespaces("a").build()).build()),
            List.of(), svc("a/web", b -> b.pool("team-a")), "10.0.3.0"),
        // --- dual stack
        row("[usage#ipv6-and-dual-stack-services] RequireDualStack: both families from one pool",
            List.of(pool("v4only", "10.0.0.0/24").build(), pool("x-dual", "10.0.1.0/24", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK)), "10.0.1.0,fd00:0:0:0:0:0:0:0"),
        row("[allocator.go poolFor] requested addresses of two pools: refused",
            List.of(pool("v4only", "10.0.0.0/24").build(), pool("v6only", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).addresses(ip("10.0.0.5"), ip("fd00::5"))),
            "REFUSED:CONFLICTING_REQUEST"),
        row("[usage#ipv6-and-dual-stack-services] requested addresses of one dual-stack pool",
            List.of(pool("x-dual", "10.0.1.0/24", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK).addresses(ip("10.0.1.5"), ip("fd00::5"))),
            "10.0.1.5,fd00:0:0:0:0:0:0:5"),
        row("[usage#ipv6-and-dual-stack-services] RequireDualStack with no dual pool: refused",
            List.of(pool("v4only", "10.0.0.0/24").build(), pool("v6only", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.REQUIRE_DUAL_STACK)), "REFUSED:FAMILY_MISMATCH"),
        row("[usage#ipv6-and-dual-stack-services] PreferDualStack on a single-family pool: one address",
            List.of(pool("v6only", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)), "fd00:0:0:0:0:0:0:0"),
        row("[usage#ipv6-and-dual-stack-services] SingleStack IPv6 skips IPv4-only pools",
            List.of(pool("a-v4", "10.0.0.0/24").build(), pool("b-v6", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamily(IpFamily.IPV6)), "fd00:0:0:0:0:0:0:0"),
        row("[usage#ipv6-and-dual-stack-services] SingleStack with two addresses: refused",
            List.of(pool("d", "10.0.0.0/24", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.addresses(ip("10.0.0.1"), ip("fd00::1"))), "REFUSED:FAMILY_MISMATCH"),
        row("[usage#ipv6-and-dual-stack-services] single-stack service turned PreferDualStack keeps its address, gains IPv6",
            List.of(pool("d", "10.0.0.0/24", "fd00::/64").build()), List.of(svc("ns/a"), svc("ns/b")),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)), "10.0.0.0,fd00::"),
        // [allocator.go findBestPoolForService] with ClusterIPs of both families: a pool that gives both, else the
        // first that gives the primary family, else the first that gives the other
        row("[allocator.go findBestPoolForService] PreferDualStack, dual-stack ClusterIPs: a pool of both first",
            List.of(pool("a-v4", "10.0.0.0/24").build(), pool("b-dual", "10.0.1.0/24", "fd00::/64").build()),
            List.of(), svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
                .ipFamilies(List.of(IpFamily.IPV4, IpFamily.IPV6))), "10.0.1.0,fd00::"),
        row("[allocation.go selectIPsForFamilyAndPolicy] PreferDualStack, dual-stack ClusterIPs, the primary family"
                + " full: the other alone",
            List.of(pool("d", "10.0.0.0/32", "fd00::/120").build()), List.of(svc("ns/x")),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
                .ipFamilies(List.of(IpFamily.IPV4, IpFamily.IPV6))), "fd00:0:0:0:0:0:0:0"),
        row("[allocator.go findBestPoolForService] PreferDualStack, no pool of both: the primary family's first",
            List.of(pool("a-v6", "fd00::/64").build(), pool("b-v4", "10.0.0.0/24").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
                .ipFamilies(List.of(IpFamily.IPV4, IpFamily.IPV6))), "10.0.0.0"),
        // with ClusterIPs of one family (a single-stack cluster): the first pool with that family free, and that
        // family only
        row("[allocator.go findBestPoolForService] PreferDualStack, IPv4 ClusterIPs only: the first IPv4 pool",
            List.of(pool("a-v4", "10.0.0.0/24").build(), pool("b-dual", "10.0.1.0/24", "fd00::/64").build()),
            List.of(), svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
                .ipFamilies(List.of(IpFamily.IPV4))), "10.0.0.0"),
        // v0.15 (#2726, allocation.go selectIPsForFamilyAndPolicy): ClusterIPs of one family get that family only,
        // also from a pool of both (v0.14 gave both; service.go serviceFamilyChanged then cleared them)
        row("[allocation.go selectIPsForFamilyAndPolicy] PreferDualStack, IPv4 ClusterIPs, a pool of both first",
            List.of(pool("a-dual", "10.0.1.0/24", "fd00::/64").build(), pool("b-v4", "10.0.0.0/24").build()),
            List.of(), svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
                .ipFamilies(List.of(IpFamily.IPV4))), "10.0.1.0"),
        // [service.go allocateIPs] requested addresses must have the family of the ClusterIPs (ipfamily.ForService)
        row("[service.go allocateIPs] SingleStack, IPv4 ClusterIPs, an IPv6 address: refused",
            List.of(pool("d", "10.0.1.0/24", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilies(List.of(IpFamily.IPV4)).addresses(ip("fd00::5"))), "REFUSED:FAMILY_MISMATCH"),
        row("[service.go allocateIPs] PreferDualStack, dual-stack ClusterIPs, one requested address: refused",
            List.of(pool("d", "10.0.1.0/24", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
                .ipFamilies(List.of(IpFamily.IPV4, IpFamily.IPV6)).addresses(ip("10.0.1.5"))),
            "REFUSED:FAMILY_MISMATCH"),
        row("[service.go allocateIPs] PreferDualStack, dual-stack ClusterIPs, an address of each family",
            List.of(pool("d", "10.0.1.0/24", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK)
                .addresses(ip("10.0.1.5"), ip("fd00::5"))), "10.0.1.5,fd00:0:0:0:0:0:0:5"),
        row("[service.go allocateIPs] PreferDualStack, IPv4 ClusterIPs, an address of each family: refused",
            List.of(pool("d", "10.0.1.0/24", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK).ipFamilies(List.of(IpFamily.IPV4))
                .addresses(ip("10.0.1.5"), ip("fd00::5"))), "REFUSED:FAMILY_MISMATCH"),
        row("[service.go allocateIPs] PreferDualStack, IPv4 ClusterIPs, an IPv6 address: refused",
            List.of(pool("d", "10.0.1.0/24", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK).ipFamilies(List.of(IpFamily.IPV4))
                .addresses(ip("fd00::5"))), "REFUSED:FAMILY_MISMATCH"),
        row("[service.go allocateIPs] PreferDualStack, IPv4 ClusterIPs, an IPv4 address",
            List.of(pool("d", "10.0.1.0/24", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK).ipFamilies(List.of(IpFamily.IPV4))
                .addresses(ip("10.0.1.5"))), "10.0.1.5"),
        row("[allocator.go findBestPoolForService] PreferDualStack, IPv4 ClusterIPs, only IPv6 pools: refused",
            List.of(pool("a-v6", "fd00::/64").build()), List.of(),
            svc("ns/a", b -> b.ipFamilyPolicy(IpFamilyPolicy.PREFER_DUAL_STACK).ipFamilies(List.of(IpFamily.IPV4))),
            "REFUSED:FAMILY_MISMATCH"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void metallb_documentedBehaviour(Row row) {
    Allocator a = Allocator.builder().pools(row.pools()).build();
    for (ServiceRequest r : row.before()) {
      assertTrue(a.allocate(r).isAllocated(), () -> "setup " + r.serviceKey());
    }
    AllocationResult res = a.allocate(row.probe());
    String got;
    if (res instanceof Allocated al) {
      List<String> s = new ArrayList<>();
      for (InetAddress x : al.allocation().addresses()) {
        s.add(x.getHostAddress());
      }
      got = String.join(",", s);
    } else {
      Refused f = (Refused) res;
      assertTrue(f.message().contains(row.probe().serviceKey()) || f.message().contains("in use by"), f::message);
      got = "REFUSED:" + f.reason();
    }
    String want = row.expected();
    if (!want.startsWith("REFUSED:")) {
      List<String> norm = new ArrayList<>();
      for (String x : want.split(",")) {
        norm.add(ip(x).getHostAddress());
      }
      want = String.join(",", norm);
    }
    assertEquals(want, got, res::toString);
  }
}
