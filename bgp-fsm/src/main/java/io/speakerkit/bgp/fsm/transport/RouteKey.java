package io.speakerkit.bgp.fsm.transport;

import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.MpReachView;
import io.speakerkit.bgp.wire.MpUnreachView;
import io.speakerkit.bgp.wire.PrefixCursor;
import io.speakerkit.bgp.wire.UpdateMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What identifies a route received from a peer: its prefix and, with ADD-PATH (RFC 7911 §3), the path identifier the
 * peer gave it; 0 on a session without ADD-PATH for the prefix's family. Two paths of one prefix are two routes, and
 * a withdrawal removes only the path it names.
 *
 * @param prefix the prefix
 * @param pathId the RFC 7911 path identifier, 0 without ADD-PATH
 */
public record RouteKey(IpPrefix prefix, int pathId) {

  public RouteKey {
    Objects.requireNonNull(prefix, "prefix");
  }

  /** Every route the UPDATE withdraws: the Withdrawn Routes field, then MP_UNREACH_NLRI (allocates). */
  public static List<RouteKey> withdrawn(UpdateMessage u) {
    return withdrawn(u, null);
  }

  /**
   * The routes the UPDATE withdraws in {@code families} (null: all): the Withdrawn Routes field (IPv4 unicast), then
   * MP_UNREACH_NLRI (allocates). Blocks of a family the session did not negotiate are left out this way (RFC 4760 §7).
   */
  public static List<RouteKey> withdrawn(UpdateMessage u, Set<AddressFamily> families) {
    List<RouteKey> out = new ArrayList<>();
    if (families == null || families.contains(AddressFamily.IPV4_UNICAST)) {
      addAll(u.withdrawn(), out);
    }
    MpUnreachView unreach = u.attributes().mpUnreach();
    if (unreach != null && unreach.hasPrefixes() && (families == null || families.contains(unreach.family()))) {
      addAll(unreach.prefixes(), out);
    }
    return out;
  }

  /**
   * Every route the UPDATE announces: the NLRI field, then MP_REACH_NLRI (allocates). Whether they are to be treated
   * as withdrawn instead is the message's {@link UpdateMessage#errorAction()}.
   */
  public static List<RouteKey> announced(UpdateMessage u) {
    return announced(u, null);
  }

  /** The routes the UPDATE announces in {@code families} (null: all); see {@link #withdrawn(UpdateMessage, Set)}. */
  public static List<RouteKey> announced(UpdateMessage u, Set<AddressFamily> families) {
    List<RouteKey> out = new ArrayList<>();
    if (families == null || families.contains(AddressFamily.IPV4_UNICAST)) {
      addAll(u.nlri(), out);
    }
    MpReachView reach = u.attributes().mpReach();
    if (reach != null && reach.hasPrefixes() && (families == null || families.contains(reach.family()))) {
      addAll(reach.prefixes(), out);
    }
    return out;
  }

  private static void addAll(PrefixCursor c, List<RouteKey> out) {
    while (c.next()) {
      out.add(new RouteKey(c.prefix(), c.pathId()));
    }
  }
}
