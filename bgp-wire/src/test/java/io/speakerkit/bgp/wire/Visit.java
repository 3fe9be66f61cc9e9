package io.speakerkit.bgp.wire;

import io.speakerkit.bgp.wire.attribute.AsPathView;
import io.speakerkit.bgp.wire.attribute.ExtendedCommunitiesView;
import io.speakerkit.bgp.wire.attribute.LargeCommunitiesView;
import io.speakerkit.bgp.wire.attribute.Uint32ListView;

/** Reads every field of a decoded message, zero-copy accessors and materialising ones, returning a checksum. */
final class Visit {

  private Visit() {
  }

  static long all(BgpMessage m) {
    long h = m.type().value();
    h += m.toString().length();
    if (m instanceof UpdateMessage u) {
      h += update(u);
      h += u.attributes().toPathAttributes().attributes().size();
      h += u.announced().size() + u.withdrawnAll().size();
      u.attributes().effectiveAsPath();
      for (UpdateError e : u.errors()) {
        Notification n = e.notification();
        h += n == null ? 0 : n.describe().length();
      }
    } else if (m instanceof Notification n) {
      h += n.describe().length();
    } else if (m instanceof OpenMessage o) {
      h += o.capabilities().size() + o.asNumber();
    }
    return h;
  }

  /** The zero-copy visit: every prefix and every attribute value. */
  static long update(UpdateMessage u) {
    long h = 0;
    PrefixCursor c = u.withdrawn();
    while (c.next()) {
      h += c.ipv4() + c.length() + c.pathId();
    }
    c = u.nlri();
    while (c.next()) {
      h += c.ipv4() + c.length() + c.pathId();
    }
    UpdateAttributes a = u.attributes();
    h += a.origin() == null ? 0 : a.origin().ordinal();
    AsPathView p = a.asPath();
    if (p != null) {
      while (p.nextSegment()) {
        for (int i = 0; i < p.segmentLength(); i++) {
          h += p.asn(i);
        }
      }
    }
    h += a.nextHopIpv4() + a.med() + a.localPref() + a.aggregatorAs() + a.aggregatorAddress() + a.originatorId();
    h += a.onlyToCustomer() + a.as4AggregatorAs() + (a.atomicAggregate() ? 1 : 0);
    Uint32ListView cs = a.communities();
    if (cs != null) {
      for (int i = 0; i < cs.size(); i++) {
        h += cs.get(i);
      }
    }
    Uint32ListView cl = a.clusterList();
    if (cl != null) {
      for (int i = 0; i < cl.size(); i++) {
        h += cl.get(i);
      }
    }
    ExtendedCommunitiesView ec = a.extendedCommunities();
    if (ec != null) {
      for (int i = 0; i < ec.size(); i++) {
        h += ec.get(i);
      }
    }
    LargeCommunitiesView lc = a.largeCommunities();
    if (lc != null) {
      for (int i = 0; i < lc.size(); i++) {
        h += lc.globalAdministrator(i) + lc.localData1(i) + lc.localData2(i);
      }
    }
    AsPathView p4 = a.as4Path();
    if (p4 != null) {
      h += p4.pathLength();
    }
    MpReachView r = a.mpReach();
    if (r != null) {
      h += r.nextHopLength() + r.afi() + r.safi();
      r.nextHop();
      PrefixCursor rc = r.prefixes();
      while (rc.next()) {
        h += rc.ipv6Hi() + rc.ipv6Lo() + rc.ipv4() + rc.length();
      }
    }
    MpUnreachView w = a.mpUnreach();
    if (w != null) {
      PrefixCursor wc = w.prefixes();
      while (wc.next()) {
        h += wc.ipv6Hi() + wc.ipv6Lo() + wc.length();
      }
    }
    UpdateAttributes.AttributeCursor ac = a.cursor();
    while (ac.next()) {
      h += ac.type() + ac.flags() + ac.valueLength();
    }
    u.endOfRib();
    return h;
  }
}
