package io.speakerkit.speaker;

import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A route the speaker should announce to one peer, before the session adds what only it knows (the next hop, our AS
 * on eBGP): the prefix, the communities of every advertisement that matched (merged, sorted, without duplicates) and
 * the local preference (iBGP peers only).
 */
public record PlannedRoute(
    IpPrefix prefix, List<Community> communities, List<LargeCommunity> largeCommunities, Optional<Long> localPref) {

  public PlannedRoute {
    Objects.requireNonNull(prefix, "prefix");
    communities = List.copyOf(communities);
    largeCommunities = List.copyOf(largeCommunities);
    Objects.requireNonNull(localPref, "localPref");
  }
}
