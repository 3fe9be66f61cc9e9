package io.speakerkit.examples;

import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.Communities;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunities;
import io.speakerkit.bgp.wire.attribute.LocalPref;
import io.speakerkit.bgp.wire.attribute.MultiExitDisc;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.speaker.EventHub;
import io.speakerkit.speaker.PlannedRoute;
import io.speakerkit.speaker.SpeakerEvent;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One JSON object per event, the stdout schema of the {@code speaker} and {@code collector} commands (README,
 * "Event stream"). Every object has {@code time} (ISO-8601 UTC, milliseconds) and {@code kind}; peer events have
 * {@code peer}; state changes have {@code from}, {@code to} (RFC spellings) and {@code reason}.
 */
final class JsonEvents {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private JsonEvents() {}

  static String toJson(Object entry) {
    if (entry instanceof EventHub.Resync<?> r) {
      return new Obj(Instant.now(), "resync").num("dropped", r.droppedEvents()).end();
    }
    SpeakerEvent e = (SpeakerEvent) entry;
    Obj o = new Obj(e.time(), e.kind());
    if (e instanceof SpeakerEvent.BgpStateChanged s) {
      o.str("peer", s.peer()).str("from", s.from()).str("to", s.to()).str("reason", s.reason());
    } else if (e instanceof SpeakerEvent.BfdStateChanged s) {
      o.str("peer", s.peer()).str("from", s.from()).str("to", s.to()).str("reason", s.diagnostic());
    } else if (e instanceof SpeakerEvent.NotificationEvent n) {
      o.str("peer", n.peer()).str("direction", n.sent() ? "sent" : "received").str("notification", n.notification());
    } else if (e instanceof SpeakerEvent.Allocated a) {
      o.str("service", a.service()).list("addresses", a.addresses().stream().map(JsonEvents::text)
          .toList()).str("pool", a.pool());
    } else if (e instanceof SpeakerEvent.AllocationRefused a) {
      o.str("service", a.service()).str("reason", a.reason());
    } else if (e instanceof SpeakerEvent.Released r) {
      o.str("service", r.service()).list("addresses", r.addresses().stream().map(JsonEvents::text)
          .toList());
    } else if (e instanceof SpeakerEvent.RouteSent r) {
      PlannedRoute route = r.route();
      o.str("peer", r.peer()).str("prefix", route.prefix().toString())
          .list("communities", route.communities().stream().map(Community::toString).toList())
          .list("largeCommunities", route.largeCommunities().stream().map(Object::toString).toList());
      route.localPref().ifPresent(lp -> o.num("localPref", lp));
    } else if (e instanceof SpeakerEvent.RouteWithdrawn r) {
      o.str("peer", r.peer()).str("prefix", r.prefix().toString());
    } else if (e instanceof SpeakerEvent.RouteReceived r) {
      o.str("peer", r.peer()).str("prefix", r.prefix().toString());
      attributes(o, r.prefix(), r.attributes());
    } else if (e instanceof SpeakerEvent.RouteUnreachable r) {
      o.str("peer", r.peer()).str("prefix", r.prefix().toString());
    } else if (e instanceof SpeakerEvent.EndOfRibReceived r) {
      o.str("peer", r.peer()).str("family", r.family().toString());
    } else if (e instanceof SpeakerEvent.PeerRefused r) {
      o.str("peer", r.peer()).str("reason", r.reason());
    }
    return o.end();
  }

  /** An address as FRR, GoBGP and the prefixes here print it: dotted quad, or RFC 5952 (2001:db8::1). */
  static String text(InetAddress address) {
    if (address instanceof java.net.Inet6Address) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(address.getAddress());
      return IpPrefix.formatIpv6(b.getLong(0), b.getLong(8));
    }
    return address.getHostAddress();
  }

  private static void attributes(Obj o, IpPrefix prefix, PathAttributes a) {
    // NEXT_HOP belongs to IPv4 NLRI; an IPv6 route's next hop is MP_REACH_NLRI's (RFC 4760 §3)
    if (a.hasIpv4NextHop() && (io.speakerkit.bgp.wire.AddressFamily.IPV4_UNICAST.equals(prefix.family())
        || !a.hasIpv6NextHop())) {
      o.str("nextHop", IpPrefix.formatIpv4(a.ipv4NextHop()));
    } else if (a.hasIpv6NextHop()) {
      java.nio.ByteBuffer nh = java.nio.ByteBuffer.wrap(a.ipv6NextHop()); // the global address first
      o.str("nextHop", IpPrefix.formatIpv6(nh.getLong(0), nh.getLong(8)));
      if (nh.capacity() == 32) { // RFC 2545 §3: global and link-local; BIRD's link-local-only sessions send :: first
        o.str("nextHopLinkLocal", IpPrefix.formatIpv6(nh.getLong(16), nh.getLong(24)));
      }
    }
    a.get(Origin.class).ifPresent(v -> o.str("origin", v.toString()));
    a.get(AsPath.class).ifPresent(v -> o.str("asPath", v.toString()));
    a.get(MultiExitDisc.class).ifPresent(v -> o.num("med", v.value()));
    a.get(LocalPref.class).ifPresent(v -> o.num("localPref", v.value()));
    a.get(Communities.class).ifPresent(v -> o.list("communities",
        v.communities().stream().map(Community::toString).toList()));
    a.get(LargeCommunities.class).ifPresent(v -> o.list("largeCommunities",
        v.communities().stream().map(Object::toString).toList()));
  }

  /** A tiny JSON object writer: string, number and string-list members. */
  private static final class Obj {
    private final StringBuilder sb = new StringBuilder(160);

    Obj(Instant time, String kind) {
      sb.append('{');
      str("time", TIME.format(time));
      str("kind", kind);
    }

    Obj str(String name, String value) {
      key(name);
      quote(value);
      return this;
    }

    Obj num(String name, long value) {
      key(name);
      sb.append(value);
      return this;
    }

    Obj list(String name, List<String> values) {
      key(name);
      sb.append('[');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        quote(values.get(i));
      }
      sb.append(']');
      return this;
    }

    String end() {
      return sb.append('}').toString();
    }

    private void key(String name) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      quote(name);
      sb.append(':');
    }

    private void quote(String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            // control characters, and everything beyond ASCII too: the lines stay intact whatever charset the
            // console has (System.out is ASCII under LANG=C, as in many containers and systemd units)
            if (c < 0x20 || c > 0x7e) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      sb.append('"');
    }
  }
}
