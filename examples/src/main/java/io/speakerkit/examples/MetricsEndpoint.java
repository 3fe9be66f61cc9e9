package io.speakerkit.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.speakerkit.speaker.MetalLbMetrics;
import io.speakerkit.speaker.Speaker;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The speaker's numbers at {@code GET /metrics} in the Prometheus text format, under MetalLB's names
 * ({@link MetalLbMetrics}: BGP and BFD per peer, the services this node announces, the pools), plus the manifests'
 * state as MetalLB's {@code metallb_k8s_client_*} metrics, with the manifest files in place of the Kubernetes API:
 * {@code metallb_k8s_client_config_loaded_bool}, {@code metallb_k8s_client_config_stale_bool} (1 while the files hold
 * something that did not load, and the previous configuration runs), {@code metallb_k8s_client_updates_total},
 * {@code metallb_k8s_client_update_errors_total}. So MetalLB's alerts work unchanged: a BGP or BFD session down, a
 * pool nearly exhausted, a stale or unloaded configuration.
 */
final class MetricsEndpoint implements AutoCloseable {

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
            body = render(MetalLbMetrics.of(speaker, node), status.get());
          } catch (RuntimeException e) { // not started yet, or stopping
            respond(exchange, 503, e.getMessage() + "\n");
            return;
          }
          exchange.getResponseHeaders().set("Content-Type", MetalLbMetrics.CONTENT_TYPE);
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

  /** The exposition of {@code speaker}'s metrics and the configuration's {@code status}. */
  static String render(MetalLbMetrics speaker, ConfigStatus status) {
    Map<String, String> none = Map.of();
    return speaker
        .gauge("metallb_k8s_client_config_loaded_bool", "1 once a configuration was loaded", none,
            status.loaded() ? 1 : 0)
        .gauge("metallb_k8s_client_config_stale_bool", "1 while the newest configuration failed and an older one runs",
            none, status.stale() ? 1 : 0)
        .counter("metallb_k8s_client_updates_total", "Configurations loaded and applied", none, status.updates())
        .counter("metallb_k8s_client_update_errors_total", "Configurations that failed to load or apply", none,
            status.updateErrors())
        .text();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
