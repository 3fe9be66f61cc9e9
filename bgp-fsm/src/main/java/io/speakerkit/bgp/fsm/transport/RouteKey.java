package io.speakerkit.bgp.fsm.transport;

import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.MpReachView;
import io.speakerkit.bgp.wire.MpUnreachView;
import io.speakerkit.bgp.wire.PrefixCursor;
import io.speakerkit.bgp.wire.UpdateMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
    List<RouteKey> out = new ArrayList<>();
    addAll(u.withdrawn(), out);
    MpUnreachView unreach = u.attributes().mpUnreach();
    if (unreach != null && unreach.hasPrefixes()) {
      addAll(unreach.prefixes(), out);
    }
    return out;
  }

  /**
   * Every route the UPDATE announces: the NLRI field, then MP_REACH_NLRI (allocates). Whether they are to be treated
   * as withdrawn instead is the message's {@link UpdateMessage#errorAction()}.
   */
  public static List<RouteKey> announced(UpdateMessage u) {
    List<RouteKey> out = new ArrayList<>();
    addAll(u.nlri(), out);
    MpReachView reach = u.attributes().mpReach();
    if (reach != null && reach.hasPrefixes()) {
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
