package io.tideflow.server.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.runtime.transport.ListenAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves a node's metrics over HTTP: {@code GET /metrics} in the Prometheus text format and {@code
 * GET /healthz}. Binds loopback unless told otherwise; beyond loopback only over HTTPS with a
 * bearer token ({@link HttpAccess}). Requests are handled on virtual threads.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private final PrometheusMeterRegistry registry;
  private final ListenAddress listen;
  private final HttpAccess access;

  /** Runs each request on a virtual thread of its own; shut down with the server. */
  private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();

  private MetricsServer(
      HttpServer server,
      PrometheusMeterRegistry registry,
      ListenAddress listen,
      HttpAccess access) {
    this.server = server;
    this.registry = registry;
    this.listen = listen;
    this.access = access;
  }

  /** A registry to hand to the node's parts; scrape it with {@link #start}. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Binds the JVM's and the process's meters to {@code registry} (Micrometer's binders: memory
   * pools, GC pauses, threads, classes, cpu, uptime, open files) — once per process: the GC binder
   * listens to the JVM until {@link AutoCloseable#close()}.
   */
  public static AutoCloseable bindJvm(PrometheusMeterRegistry registry) {
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics().bindTo(registry);
    io.micrometer.core.instrument.binder.jvm.JvmGcMetrics gc =
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics();
    gc.bindTo(registry);
    return gc;
  }

  /**
   * Starts serving {@code registry} on loopback {@code port} (0 for any free port).
   *
   * @throws UncheckedIOException naming the port when it cannot be bound
   */
  public static MetricsServer start(PrometheusMeterRegistry registry, int port) {
    return start(registry, ListenAddress.LOOPBACK, port, null);
  }

  /**
   * Starts serving {@code registry} on {@code listen} and {@code port}; with {@code access} (null
   * for none) over HTTPS, every request but {@code /healthz} carrying its token.
   *
   * @throws IllegalArgumentException when asked to listen beyond loopback without {@code access}
   * @throws UncheckedIOException naming the port when it cannot be bound
   */
  public static MetricsServer start(
      PrometheusMeterRegistry registry, ListenAddress listen, int port, HttpAccess access) {
    if (access == null && !listen.loopbackOnly()) {
      throw new IllegalArgumentException(
          "metrics on "
              + listen.bindHost()
              + " would be readable beyond loopback: give a certificate (--tls-dir) and a token"
              + " (--metrics-token-file), or bind loopback");
    }
    HttpServer server;
    try {
      if (access == null) {
        server = HttpServer.create(listen.bindSocket(port), 64);
      } else {
        HttpsServer https = HttpsServer.create(listen.bindSocket(port), 64);
        https.setHttpsConfigurator(new HttpsConfigurator(access.tls()));
        server = https;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("metrics server cannot listen on port " + port, e);
    }
    MetricsServer metrics = new MetricsServer(server, registry, listen, access);
    server.createContext("/metrics", metrics::scrape);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.setExecutor(metrics.requests);
    server.start();
    return metrics;
  }

  /** Answers 401 and returns false unless the request may read what this server holds. */
  private boolean admitted(HttpExchange exchange) throws IOException {
    if (access == null || access.admits(exchange)) {
      return true;
    }
    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    if (accept != null && accept.contains("text/html")) {
      // A browser cannot send a bearer token itself: the page asks for it once and keeps it in a
      // cookie that only this origin over HTTPS receives.
      respond(
          exchange,
          401,
          "text/html; charset=utf-8",
          HttpAccess.loginPage(exchange.getLocalAddress().getPort()));
    } else {
      respond(exchange, 401, "text/plain", "a bearer token is required\n");
    }
    return false;
  }

  private void scrape(HttpExchange exchange) throws IOException {
    if (!admitted(exchange)) {
      return;
    }
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
          if (!admitted(exchange)) {
            return;
          }
          if (!"GET".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "text/plain", "only GET is supported on " + path + "\n");
            return;
          }
          respond(exchange, 200, "text/plain; charset=utf-8", body.get());
        });
    return this;
  }

  /**
   * Serves {@code handler} at {@code path} and below it, behind the same access as {@code
   * /metrics}; the handler answers every method itself.
   */
  public MetricsServer handle(String path, HttpHandler handler) {
    server.createContext(
        path,
        exchange -> {
          try (exchange) {
            if (admitted(exchange)) {
              handler.handle(exchange);
            }
          }
        });
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return baseUrl() + "/metrics";
  }

  /** Where this server answers, {@code http(s)://host:port}, without a path. */
  public String baseUrl() {
    return (access == null ? "http://" : "https://") + listen.advertised(port());
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    server.stop(0);
    requests.shutdownNow();
  }
}
