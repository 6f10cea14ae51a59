package io.tideflow.server.dashboard;

import com.sun.net.httpserver.HttpExchange;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.server.http.Replies;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;

/**
 * Serves a {@link Dashboard} on a node's HTTP server, behind its access: the page at {@code /}, its
 * script, style and chart library (uPlot, from its WebJar: no CDN, works offline), the state as
 * JSON at {@code /api/v1/cluster}, and the live stream at {@code /api/v1/events} as server-sent
 * events — one {@code history} event with the chart points kept, then one {@code frame} event per
 * sampling period. Streams are bounded ({@link #MAX_STREAMS}); each holds a virtual thread.
 */
public final class DashboardHttp {
  /** Open pages at once; one more is answered 503 rather than left to grow without bound. */
  public static final int MAX_STREAMS = 32;

  /** A stream idle this long gets a comment line, so proxies keep it open. */
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);

  private static final String PACKAGE = "/io/tideflow/server/dashboard/";

  private record Asset(byte[] body, String type) {}

  private final Dashboard dashboard;
  private final Map<String, Asset> assets;
  private final Semaphore streams = new Semaphore(MAX_STREAMS);

  private DashboardHttp(Dashboard dashboard, Map<String, Asset> assets) {
    this.dashboard = dashboard;
    this.assets = assets;
  }

  /**
   * Serves {@code dashboard} on {@code server}; returns the page's address.
   *
   * @throws IllegalStateException when the page or its chart library is missing from the classpath
   */
  public static String serve(MetricsServer server, Dashboard dashboard) {
    String uplot = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
    Map<String, Asset> assets =
        Map.of(
            "/",
            asset(PACKAGE + "index.html", "text/html; charset=utf-8"),
            "/dashboard/app.js",
            asset(PACKAGE + "app.js", "text/javascript; charset=utf-8"),
            "/dashboard/app.css",
            asset(PACKAGE + "app.css", "text/css; charset=utf-8"),
            "/dashboard/uplot.js",
            asset(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
            "/dashboard/uplot.css",
            asset(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
    DashboardHttp http = new DashboardHttp(dashboard, assets);
    server.handle("/", http::page);
    server.handle("/api/v1/cluster", http::cluster);
    server.handle("/api/v1/events", http::events);
    return server.baseUrl() + "/";
  }

  private static String webjarVersion(String name) {
    String path = "/META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
    try (InputStream in = DashboardHttp.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("the " + name + " WebJar is not on the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static Asset asset(String resource, String type) {
    try (InputStream in = DashboardHttp.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + resource + " is not on the classpath");
      }
      return new Asset(in.readAllBytes(), type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private void page(HttpExchange exchange) throws IOException {
    if (!gets(exchange)) {
      return;
    }
    String path = exchange.getRequestURI().getPath();
    Asset asset = assets.get("/index.html".equals(path) ? "/" : path);
    if (asset == null) {
      Replies.text(exchange, 404, "no such page: " + path);
      return;
    }
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    Replies.bytes(exchange, 200, asset.type(), asset.body());
  }

  private void cluster(HttpExchange exchange) throws IOException {
    if (!gets(exchange)) {
      return;
    }
    String body =
        "{\"history\":" + dashboard.historyJson() + ",\"frame\":" + dashboard.latest().json() + "}";
    Replies.json(exchange, 200, body);
  }

  private void events(HttpExchange exchange) throws IOException {
    if (!gets(exchange)) {
      return;
    }
    if (!streams.tryAcquire()) {
      exchange.getResponseHeaders().set("Retry-After", "10");
      Replies.text(
          exchange,
          503,
          MAX_STREAMS + " dashboard pages are open already; close one or try again later");
      return;
    }
    try {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      // The browser reconnects after this long when the stream breaks.
      write(out, "retry: 2000\n\n");
      Dashboard.Frame frame = dashboard.latest();
      write(out, "event: history\ndata: " + dashboard.historyJson() + "\n\n");
      write(out, "event: frame\ndata: " + frame.json() + "\n\n");
      long seq = frame.seq();
      while (!dashboard.closed()) {
        Dashboard.Frame next = dashboard.awaitAfter(seq, KEEPALIVE);
        if (next == null) {
          write(out, ": still here\n\n");
          continue;
        }
        write(out, "event: frame\ndata: " + next.json() + "\n\n");
        seq = next.seq();
      }
    } catch (IOException e) {
      // Expected: the page was closed or reloaded and its connection went with it.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the server is stopping
    } finally {
      streams.release();
    }
  }

  private static void write(OutputStream out, String event) throws IOException {
    out.write(event.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static boolean gets(HttpExchange exchange) throws IOException {
    if ("GET".equals(exchange.getRequestMethod())) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", "GET");
    Replies.text(exchange, 405, "only GET is supported on " + exchange.getRequestURI().getPath());
    return false;
  }
}
