/**
 * MetalLB-compatible address allocation: {@link io.speakerkit.allocator.IpAddressPool pools} (CIDRs and ranges,
 * autoAssign, avoidBuggyIPs, serviceAllocation with priority, namespaces and label selectors),
 * {@link io.speakerkit.allocator.ServiceRequest requests} (automatic, specific address, named pool, dual-stack
 * policies, sharing keys), and an {@link io.speakerkit.allocator.Allocator} that records every decision in an
 * {@link io.speakerkit.allocator.AllocationStore} before reporting it.
 *
 * <pre>{@code
 * Allocator allocator = Allocator.builder()
 *     .pools(IpAddressPool.builder().name("default").addresses("192.0.2.0/24", "2001:db8::/64").build())
 *     .store(FileAllocationStore.open(Path.of("allocations.journal")))
 *     .build();
 * AllocationResult r = allocator.allocate(ServiceRequest.builder("web/frontend").build());
 * if (r instanceof AllocationResult.Allocated a) {
 *   announce(a.allocation().addresses());          // durable before we get here
 * } else if (r instanceof AllocationResult.Refused f) {
 *   report(f.reason(), f.message());               // says what to change
 * }
 * }</pre>
 *
 * <p>Scale: free space is never enumerated. Used addresses are merged runs in a two-level sorted array, so the lowest
 * free address is a logarithmic lookup however many addresses are used; per-allocation state lives in primitive
 * arrays and two open-addressing tables: about 53 bytes per allocation at one million, with lowest-free or random
 * placement (random placement in ranges of 2^32 addresses or more probes the address table instead of keeping runs).
 */
package io.speakerkit.allocator;
