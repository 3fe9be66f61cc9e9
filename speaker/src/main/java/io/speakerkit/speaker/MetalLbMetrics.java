package io.speakerkit.speaker;

import io.speakerkit.allocator.PoolUsage;
import io.speakerkit.bfd.BfdCounters;
import io.speakerkit.bgp.fsm.transport.BgpSessionCounters;
import io.speakerkit.bgp.wire.IpPrefix;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A speaker's numbers in the Prometheus text exposition format (version 0.0.4), under the names and labels MetalLB
 * exports, so that MetalLB's dashboards and alerts read them unchanged. Serve {@link #text()} with
 * {@link #CONTENT_TYPE} from any HTTP server:
 *
 * <ul>
 *   <li>per BGP peer, labels {@code peer="address:port"} and {@code vrf="default"}, as MetalLB's FRR-mode metrics:
 *       {@code metallb_bgp_session_up}, {@code metallb_bgp_announced_prefixes_total},
 *       {@code metallb_bgp_updates_total} (sent), {@code metallb_bgp_updates_total_received},
 *       {@code metallb_bgp_opens_sent/received}, {@code metallb_bgp_keepalives_sent/received},
 *       {@code metallb_bgp_notifications_sent}, {@code metallb_bgp_route_refresh_sent},
 *       {@code metallb_bgp_total_sent/received};
 *   <li>per BFD peer, labels {@code peer="address"} and {@code vrf="default"}: {@code metallb_bfd_session_up},
 *       {@code metallb_bfd_control_packet_input/output}, {@code metallb_bfd_echo_packet_input/output} (always 0: the
 *       speaker does not run BFD echo), {@code metallb_bfd_session_up_events/down_events};
 *   <li>per service and address this node announces, {@code metallb_speaker_announced} (labels {@code service},
 *       {@code protocol="bgp"}, {@code node}, {@code ip}): MetalLB's desired state, whether or not the sessions are up;
 *   <li>per pool, label {@code pool}, as MetalLB's controller: {@code metallb_allocator_addresses_in_use_total},
 *       {@code metallb_allocator_addresses_total}.
 * </ul>
 *
 * <p>Addresses are written as MetalLB writes them (Go's {@code net.IP.String}: IPv6 in the RFC 5952 short form).
 * MetalLB's {@code metallb_bfd_zebra_notifications} counts messages between FRR's own daemons and has no counterpart.
 * {@link #gauge} and {@link #counter} add the caller's own families (the example speaker adds MetalLB's
 * {@code metallb_k8s_client_*} for its manifests).
 */
public final class MetalLbMetrics {

  /** The Content-Type of {@link #text()}. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Metric families in the order first seen, each with its samples (the format wants a family's samples together). */
  private final Map<String, Family> families = new LinkedHashMap<>();

  private MetalLbMetrics() {}

  /** The metrics of a running {@code speaker} on the node named {@code node}, all from one moment of its state. */
  public static MetalLbMetrics of(Speaker speaker, String node) {
    return speaker.atOnce(() -> of(speaker.metrics(), speaker.announced(), node, speaker.poolUsage()));
  }

  /** The metrics of {@code peers}, the services {@code node} {@code announced}, and {@code pools}. */
  public static MetalLbMetrics of(List<PeerMetrics> peers, Map<String, List<InetAddress>> announced, String node,
      List<PoolUsage> pools) {
    MetalLbMetrics m = new MetalLbMetrics();
    for (PeerMetrics p : peers) {
      Map<String, String> peer = labels("peer", text(p.peerAddress()) + ":" + p.peerPort(), "vrf", "default");
      BgpSessionCounters c = p.bgp();
      m.gauge("metallb_bgp_session_up", "BGP session state (1 Established, 0 otherwise)", peer, p.sessionUp() ? 1 : 0);
      m.gauge("metallb_bgp_announced_prefixes_total", "Prefixes this speaker advertises to the peer", peer,
          p.prefixesAnnounced());
      m.counter("metallb_bgp_opens_sent", "OPEN messages sent", peer, c.opensSent());
      m.counter("metallb_bgp_opens_received", "OPEN messages received", peer, c.opensReceived());
      m.counter("metallb_bgp_notifications_sent", "NOTIFICATION messages sent", peer, c.notificationsSent());
      m.counter("metallb_bgp_updates_total", "UPDATE messages sent", peer, c.updatesSent());
      m.counter("metallb_bgp_updates_total_received", "UPDATE messages received", peer, c.updatesReceived());
      m.counter("metallb_bgp_keepalives_sent", "KEEPALIVE messages sent", peer, c.keepalivesSent());
      m.counter("metallb_bgp_keepalives_received", "KEEPALIVE messages received", peer, c.keepalivesReceived());
      m.counter("metallb_bgp_route_refresh_sent", "ROUTE-REFRESH messages sent", peer, c.routeRefreshesSent());
      m.counter("metallb_bgp_total_sent", "BGP messages sent, all types", peer, c.opensSent() + c.updatesSent()
          + c.notificationsSent() + c.keepalivesSent() + c.routeRefreshesSent());
      m.counter("metallb_bgp_total_received", "BGP messages received, all types", peer, c.opensReceived()
          + c.updatesReceived() + c.notificationsReceived() + c.keepalivesReceived() + c.routeRefreshesReceived());
    }
    // one BFD series per peer address, as FRR has one BFD peer per address (two BGPPeers of one address on two
    // ports: the first listed, the running one, counts)
    java.util.Set<InetAddress> bfdSeen = new java.util.HashSet<>();
    for (PeerMetrics p : peers) {
      if (p.bfd().isEmpty() || !bfdSeen.add(p.peerAddress())) {
        continue;
      }
      Map<String, String> peer = labels("peer", text(p.peerAddress()), "vrf", "default");
      BfdCounters b = p.bfd().get();
      m.gauge("metallb_bfd_session_up", "BFD session state (1 Up, 0 otherwise)", peer, p.bfdSessionUp() ? 1 : 0);
      m.counter("metallb_bfd_control_packet_input", "BFD control packets received and accepted", peer,
          b.controlPacketsIn());
      m.counter("metallb_bfd_control_packet_output", "BFD control packets sent", peer, b.controlPacketsOut());
      m.counter("metallb_bfd_echo_packet_input", "BFD echo packets received (echo is not used)", peer, 0);
      m.counter("metallb_bfd_echo_packet_output", "BFD echo packets sent (echo is not used)", peer, 0);
      m.counter("metallb_bfd_session_up_events", "BFD transitions into Up", peer, b.upTransitions());
      m.counter("metallb_bfd_session_down_events", "BFD transitions into Down", peer,
          b.downTransitions());
    }
    announced.forEach((service, addresses) -> {
      for (InetAddress ip : addresses) {
        m.gauge("metallb_speaker_announced", "Services this node announces (desired state, sessions up or not)",
            labels("service", service, "protocol", "bgp", "node", node, "ip", text(ip)), 1);
      }
    });
    Map<String, long[]> inUse = new LinkedHashMap<>();
    Map<String, BigInteger> total = new LinkedHashMap<>();
    for (PoolUsage u : pools) {
      inUse.computeIfAbsent(u.pool(), k -> new long[1])[0] += u.inUse();
      // MetalLB's poolCount: a range of 2^62 addresses or more counts as math.MaxInt64
      BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
      BigInteger capacity = u.capacity().bitLength() > 62 ? max : u.capacity();
      total.merge(u.pool(), capacity, (x, y) -> x.add(y).min(max));
    }
    for (Map.Entry<String, long[]> e : inUse.entrySet()) {
      Map<String, String> pool = Map.of("pool", e.getKey());
      m.gauge("metallb_allocator_addresses_in_use_total", "Addresses of the pool allocated to services", pool,
          e.getValue()[0]);
      m.gauge("metallb_allocator_addresses_total", "Addresses the pool can allocate", pool,
          total.get(e.getKey()).doubleValue());
    }
    return m;
  }

  /** Adds a sample of the gauge {@code name} (families keep the order they were first added in). */
  public MetalLbMetrics gauge(String name, String help, Map<String, String> labels, double value) {
    return add(name, "gauge", help, labels, value);
  }

  /** Adds a sample of the counter {@code name}. */
  public MetalLbMetrics counter(String name, String help, Map<String, String> labels, double value) {
    return add(name, "counter", help, labels, value);
  }

  private MetalLbMetrics add(String name, String type, String help, Map<String, String> labels, double value) {
    Family f = families.computeIfAbsent(name, n -> new Family(type, help, new ArrayList<>()));
    if (!f.type.equals(type)) {
      throw new IllegalArgumentException(name + ": a " + f.type + ", not a " + type);
    }
    StringBuilder sample = new StringBuilder();
    if (!labels.isEmpty()) {
      sample.append('{');
      labels.forEach((k, v) -> sample.append(sample.length() > 1 ? "," : "").append(k).append("=\"")
          .append(escape(v)).append('"'));
      sample.append('}');
    }
    f.samples.add(sample.append(' ').append(number(value)).toString());
    return this;
  }

  /** The exposition: one HELP and one TYPE line per family, then its samples. */
  public String text() {
    StringBuilder out = new StringBuilder();
    families.forEach((name, family) -> {
      out.append("# HELP ").append(name).append(' ')
          .append(family.help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n'); // text format 0.0.4
      out.append("# TYPE ").append(name).append(' ').append(family.type).append('\n');
      for (String sample : family.samples) {
        out.append(name).append(sample).append('\n');
      }
    });
    return out.toString();
  }

  /** Label value escaping of the text format: backslash, double quote and line feed. */
  public static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** Labels in the order given (pairs of name and value). */
  private static Map<String, String> labels(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], Objects.requireNonNull(pairs[i + 1], pairs[i]));
    }
    return m;
  }

  /** As MetalLB prints addresses (Go's net.IP.String: IPv6 in the RFC 5952 short form). */
  private static String text(InetAddress a) {
    if (a instanceof Inet6Address) {
      ByteBuffer b = ByteBuffer.wrap(a.getAddress());
      return IpPrefix.formatIpv6(b.getLong(), b.getLong());
    }
    return a.getHostAddress();
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }

  private record Family(String type, String help, List<String> samples) {}
}
