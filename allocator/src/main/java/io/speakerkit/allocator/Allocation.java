package io.speakerkit.allocator;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The addresses one service holds, and what its sharing is checked against.
 *
 * @param serviceKey {@code namespace/name}
 * @param addresses one or two addresses (at most one per family), IPv4 first
 * @param pool name of the pool the addresses come from (of the first address if they differ)
 * @param sharingKey sharing key, if the service allows sharing
 * @param backendKey backend key (empty when not needed)
 * @param ports protocol/port pairs, kept only for services with a sharing key (empty otherwise)
 */
public record Allocation(
    String serviceKey, List<InetAddress> addresses, String pool, Optional<String> sharingKey, String backendKey, Set<ServicePort> ports) {
  public Allocation {
    ServiceRequest.checkServiceKey(serviceKey);
    addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
    if (addresses.isEmpty() || addresses.size() > 2
        || (addresses.size() == 2 && IpFamily.of(addresses.get(0)) == IpFamily.of(addresses.get(1)))) {
      throw new IllegalArgumentException("allocation of " + serviceKey + ": addresses " + addresses + " (expected: one, or one per family)");
    }
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(sharingKey, "sharingKey");
    Objects.requireNonNull(backendKey, "backendKey");
    ports = Set.copyOf(Objects.requireNonNull(ports, "ports"));
  }

  /** The address of {@code family}, if held. */
  public Optional<InetAddress> address(IpFamily family) {
    for (InetAddress a : addresses) {
      if (IpFamily.of(a) == family) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
