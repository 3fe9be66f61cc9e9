package io.speakerkit.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.speakerkit.allocator.PoolUsage;
import io.speakerkit.bfd.BfdCounters;
import io.speakerkit.bgp.fsm.transport.BgpSessionCounters;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.speaker.PeerMetrics;
import io.speakerkit.speaker.Speaker;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The speaker's numbers at {@code GET /metrics} in the Prometheus text exposition format (version 0.0.4), under the
 * names MetalLB exports, so that its dashboards and alerts read them unchanged:
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
 *       {@code metallb_allocator_addresses_total};
 *   <li>of the configuration, with the manifest files in place of the Kubernetes API:
 *       {@code metallb_k8s_client_config_loaded_bool}, {@code metallb_k8s_client_config_stale_bool} (1 while the
 *       files hold something that did not load, and the previous configuration runs),
 *       {@code metallb_k8s_client_updates_total}, {@code metallb_k8s_client_update_errors_total}.
 * </ul>
 *
 * <p>So MetalLB's alerts work unchanged: a BGP or BFD session down, a pool nearly exhausted, a stale or unloaded
 * configuration.
 *
 * <p>MetalLB's {@code metallb_bfd_zebra_notifications} counts messages between FRR's own daemons and has no
 * counterpart here.
 */
final class MetricsEndpoint implements AutoCloseable {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private MetricsEndpoint(HttpServer server) {
    this.server = server;
  }

  /**
   * The state of the configuration, as MetalLB's {@code metallb_k8s_client_*} metrics tell it.
   *
   * @param loaded a configuration was loaded at least once
   * @param stale the newest one failed to load or apply, an older one runs
   * @param updates configurations loaded and applied
   * @param updateErrors configurations that failed
   */
  record ConfigStatus(boolean loaded, boolean stale, long updates, long updateErrors) {}

  /**
   * Serves {@code speaker}'s metrics on {@code address} until closed: {@code node} is this node's name, {@code status}
   * the configuration's state.
   */
  static MetricsEndpoint start(InetSocketAddress address, Speaker speaker, String node,
      Supplier<ConfigStatus> status) throws IOException {
    HttpServer server = HttpServer.create(address, 16);
    server.createContext("/", exchange -> {
      try (exchange) {
        if (!exchange.getRequestURI().getPath().equals("/metrics")) {
          respond(exchange, 404, "not found: try /metrics\n");
        } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
          respond(exchange, 405, "GET only\n");
        } else {
          String body;
          try {
            body = render(speaker.metrics(), speaker.announced(), node, speaker.poolUsage(), status.get());
          } catch (RuntimeException e) { // not started yet, or stopping
            respond(exchange, 503, e.getMessage() + "\n");
            return;
          }
          exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
          respond(exchange, 200, body);
        }
      }
    });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "speakerkit-metrics");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return new MetricsEndpoint(server);
  }

  /** Where it listens (the port chosen when 0 was asked for). */
  InetSocketAddress address() {
    return server.getAddress();
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /**
   * The exposition of {@code peers}, the services {@code node} {@code announced}, {@code pools} and {@code config}: one
   * HELP and TYPE line per family, then its samples.
   */
  static String render(List<PeerMetrics> peers, Map<String, List<InetAddress>> announced, String node,
      List<PoolUsage> pools, ConfigStatus config) {
    Families f = new Families();
    for (PeerMetrics p : peers) {
      String bgpPeer = "peer=\"" + escape(text(p.peerAddress()) + ":" + p.peerPort()) + "\",vrf=\"default\"";
      BgpSessionCounters c = p.bgp();
      f.gauge("metallb_bgp_session_up", "BGP session state (1 Established, 0 otherwise)", bgpPeer,
          p.sessionUp() ? 1 : 0);
      f.gauge("metallb_bgp_announced_prefixes_total", "Prefixes this speaker advertises to the peer", bgpPeer,
          p.prefixesAnnounced());
      f.counter("metallb_bgp_opens_sent", "OPEN messages sent", bgpPeer, c.opensSent());
      f.counter("metallb_bgp_opens_received", "OPEN messages received", bgpPeer, c.opensReceived());
      f.counter("metallb_bgp_notifications_sent", "NOTIFICATION messages sent", bgpPeer, c.notificationsSent());
      f.counter("metallb_bgp_updates_total", "UPDATE messages sent", bgpPeer, c.updatesSent());
      f.counter("metallb_bgp_updates_total_received", "UPDATE messages received", bgpPeer, c.updatesReceived());
      f.counter("metallb_bgp_keepalives_sent", "KEEPALIVE messages sent", bgpPeer, c.keepalivesSent());
      f.counter("metallb_bgp_keepalives_received", "KEEPALIVE messages received", bgpPeer, c.keepalivesReceived());
      f.counter("metallb_bgp_route_refresh_sent", "ROUTE-REFRESH messages sent", bgpPeer, c.routeRefreshesSent());
      f.counter("metallb_bgp_total_sent", "BGP messages sent, all types", bgpPeer, c.opensSent() + c.updatesSent()
          + c.notificationsSent() + c.keepalivesSent() + c.routeRefreshesSent());
      f.counter("metallb_bgp_total_received", "BGP messages received, all types", bgpPeer, c.opensReceived()
          + c.updatesReceived() + c.notificationsReceived() + c.keepalivesReceived() + c.routeRefreshesReceived());
    }
    for (PeerMetrics p : peers) {
      if (p.bfd().isEmpty()) {
        continue;
      }
      String bfdPeer = "peer=\"" + escape(text(p.peerAddress())) + "\",vrf=\"default\"";
      BfdCounters b = p.bfd().get();
      f.gauge("metallb_bfd_session_up", "BFD session state (1 Up, 0 otherwise)", bfdPeer, p.bfdSessionUp() ? 1 : 0);
      f.counter("metallb_bfd_control_packet_input", "BFD control packets received and accepted", bfdPeer,
          b.controlPacketsIn());
      f.counter("metallb_bfd_control_packet_output", "BFD control packets sent", bfdPeer, b.controlPacketsOut());
      f.counter("metallb_bfd_echo_packet_input", "BFD echo packets received (echo is not used)", bfdPeer, 0);
      f.counter("metallb_bfd_echo_packet_output", "BFD echo packets sent (echo is not used)", bfdPeer, 0);
      f.counter("metallb_bfd_session_up_events", "BFD transitions into Up", bfdPeer, b.upTransitions());
      f.counter("metallb_bfd_session_down_events", "BFD transitions from Up to Down or AdminDown", bfdPeer,
          b.downTransitions());
    }
    announced.forEach((service, addresses) -> {
      for (InetAddress ip : addresses) {
        f.gauge("metallb_speaker_announced", "Services this node announces (desired state, sessions up or not)",
            "service=\"" + escape(service) + "\",protocol=\"bgp\",node=\"" + escape(node) + "\",ip=\""
                + escape(text(ip)) + "\"", 1);
      }
    });
    Map<String, long[]> inUse = new LinkedHashMap<>();
    Map<String, BigInteger> total = new LinkedHashMap<>();
    for (PoolUsage u : pools) {
      inUse.computeIfAbsent(u.pool(), k -> new long[1])[0] += u.inUse();
      total.merge(u.pool(), u.capacity(), BigInteger::add);
    }
    for (Map.Entry<String, long[]> e : inUse.entrySet()) {
      String pool = "pool=\"" + escape(e.getKey()) + "\"";
      f.gauge("metallb_allocator_addresses_in_use_total", "Addresses of the pool allocated to services", pool,
          e.getValue()[0]);
      f.gauge("metallb_allocator_addresses_total", "Addresses the pool can allocate", pool,
          total.get(e.getKey()).doubleValue());
    }
    f.gauge("metallb_k8s_client_config_loaded_bool", "1 once a configuration was loaded", "", config.loaded() ? 1 : 0);
    f.gauge("metallb_k8s_client_config_stale_bool", "1 while the newest configuration failed and an older one runs",
        "", config.stale() ? 1 : 0);
    f.counter("metallb_k8s_client_updates_total", "Configurations loaded and applied", "", config.updates());
    f.counter("metallb_k8s_client_update_errors_total", "Configurations that failed to load or apply", "",
        config.updateErrors());
    return f.text();
  }

  /** Addresses as MetalLB prints them (Go's net.IP.String: IPv6 in the RFC 5952 short form). */
  private static String text(InetAddress a) {
    if (a instanceof Inet6Address) {
      ByteBuffer b = ByteBuffer.wrap(a.getAddress());
      return IpPrefix.formatIpv6(b.getLong(), b.getLong());
    }
    return a.getHostAddress();
  }

  /** Label value escaping of the text format: backslash, double quote and line feed. */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** Metric families in the order first seen, each with its samples (the format wants a family's samples together). */
  private static final class Families {
    private final Map<String, Family> byName = new LinkedHashMap<>();

    void gauge(String name, String help, String labels, double value) {
      add(name, "gauge", help, labels, value);
    }

    void counter(String name, String help, String labels, double value) {
      add(name, "counter", help, labels, value);
    }

    private void add(String name, String type, String help, String labels, double value) {
      byName.computeIfAbsent(name, n -> new Family(type, help)).samples
          .add((labels.isEmpty() ? "" : "{" + labels + "}") + " " + number(value));
    }

    String text() {
      StringBuilder out = new StringBuilder();
      byName.forEach((name, family) -> {
        out.append("# HELP ").append(name).append(' ').append(family.help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(family.type).append('\n');
        for (String sample : family.samples) {
          out.append(name).append(sample).append('\n');
        }
      });
      return out.toString();
    }

    private static String number(double value) {
      return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
  }

  private record Family(String type, String help, List<String> samples) {
    Family(String type, String help) {
      this(type, help, new ArrayList<>());
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
