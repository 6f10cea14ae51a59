package io.tideflow.server.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves a node's metrics over HTTP: {@code GET /metrics} in the Prometheus text format and {@code
 * GET /healthz}. Binds to loopback only. Requests are handled on virtual threads.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private final PrometheusMeterRegistry registry;

  private MetricsServer(HttpServer server, PrometheusMeterRegistry registry) {
    this.server = server;
    this.registry = registry;
  }

  /** A registry to hand to the node's parts; scrape it with {@link #start}. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Starts serving {@code registry} on loopback {@code port} (0 for any free port).
   *
   * @throws UncheckedIOException naming the port when it cannot be bound
   */
  public static MetricsServer start(PrometheusMeterRegistry registry, int port) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("metrics server cannot listen on port " + port, e);
    }
    MetricsServer metrics = new MetricsServer(server, registry);
    server.createContext("/metrics", metrics::scrape);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return metrics;
  }

  private void scrape(HttpExchange exchange) throws IOException {
    if (!"GET".equals(exchange.getRequestMethod())) {
      respond(exchange, 405, "text/plain", "only GET is supported on /metrics\n");
      return;
    }
    respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Serves {@code body()} as plain text at {@code path} (e.g. a pool's decision log at {@code
   * /autoscaler}); {@code body} runs on a request thread and must not block for long.
   */
  public MetricsServer route(String path, Supplier<String> body) {
    server.createContext(
        path,
        exchange -> {
          if (!"GET".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "text/plain", "only GET is supported on " + path + "\n");
            return;
          }
          respond(exchange, 200, "text/plain; charset=utf-8", body.get());
        });
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port() + "/metrics";
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
