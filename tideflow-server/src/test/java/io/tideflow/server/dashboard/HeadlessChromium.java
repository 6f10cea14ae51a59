package io.tideflow.server.dashboard;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;

/**
 * A real headless Chromium showing one page, driven over the DevTools protocol on a WebSocket: it
 * evaluates JavaScript in the page and takes screenshots. Started with the flags a closed network
 * needs (no background requests, no sandbox as root, a fresh profile); the process is killed on
 * close, also when the test failed.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path BINARY = Path.of(System.getProperty("tideflow.chromium", "/usr/bin/chromium"));

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> calls = new ConcurrentHashMap<>();
  private final List<String> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /**
   * Starts Chromium on {@code url}.
   *
   * @throws IllegalStateException naming the binary when there is none (run-tests installs it)
   */
  static HeadlessChromium open(String url, Path profile) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY
              + " is missing: the dashboard test needs Debian's chromium (./run-tests installs it)");
    }
    Process process =
        new ProcessBuilder(
                List.of(
                    BINARY.toString(),
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1400,1100",
                    "--user-data-dir=" + profile,
                    "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=0",
                    url))
            .redirectErrorStream(true)
            .redirectOutput(profile.resolveSibling(profile.getFileName() + ".log").toFile())
            .start();
    try {
      Path port = profile.resolve("DevToolsActivePort");
      Awaitility.await("Chromium's DevTools port")
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(port) && Files.readAllLines(port).size() >= 2);
      int devtools = Integer.parseInt(Files.readAllLines(port).get(0).strip());
      HttpClient http = HttpClient.newHttpClient();
      String[] page = new String[1];
      Awaitility.await("Chromium's page target")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                page[0] = pageSocket(http, devtools);
                return page[0] != null;
              });
      AtomicReference<HeadlessChromium> self = new AtomicReference<>();
      WebSocket socket =
          http.newWebSocketBuilder()
              .buildAsync(URI.create(page[0]), new Replies(self))
              .get(10, TimeUnit.SECONDS);
      HeadlessChromium chromium = new HeadlessChromium(process, profile, socket);
      self.set(chromium);
      chromium.call("Runtime.enable", new JsonObject());
      return chromium;
    } catch (Exception | Error e) {
      kill(process);
      throw e;
    }
  }

  private static String pageSocket(HttpClient http, int port)
      throws IOException, InterruptedException {
    HttpResponse<String> list =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
            HttpResponse.BodyHandlers.ofString());
    for (JsonElement target : JsonParser.parseString(list.body()).getAsJsonArray()) {
      JsonObject t = target.getAsJsonObject();
      if ("page".equals(t.get("type").getAsString()) && t.has("webSocketDebuggerUrl")) {
        return t.get("webSocketDebuggerUrl").getAsString();
      }
    }
    return null;
  }

  /** Collects the protocol's replies, a message possibly in several frames. */
  private static final class Replies implements WebSocket.Listener {
    private final AtomicReference<HeadlessChromium> self;
    private final StringBuilder partial = new StringBuilder();

    Replies(AtomicReference<HeadlessChromium> self) {
      this.self = self;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject message = JsonParser.parseString(partial.toString()).getAsJsonObject();
        partial.setLength(0);
        if (message.has("method")
            && "Runtime.exceptionThrown".equals(message.get("method").getAsString())
            && self.get() != null) {
          self.get().uncaught.add(message.get("params").toString());
        }
        if (message.has("id") && self.get() != null) {
          CompletableFuture<JsonObject> call =
              self.get().calls.remove(message.get("id").getAsInt());
          if (call != null) {
            call.complete(message);
          }
        }
      }
      socket.request(1);
      return null;
    }
  }

  private JsonObject call(String method, JsonObject params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    calls.put(id, reply);
    JsonObject message = new JsonObject();
    message.addProperty("id", id);
    message.addProperty("method", method);
    message.add("params", params);
    socket.sendText(message.toString(), true).get(10, TimeUnit.SECONDS);
    JsonObject r = reply.get(30, TimeUnit.SECONDS);
    if (r.has("error")) {
      throw new IllegalStateException(method + " failed: " + r.get("error"));
    }
    return r.getAsJsonObject("result");
  }

  /** The value of {@code expression} in the page, as JSON; an exception in the page is thrown. */
  JsonElement evaluate(String expression) throws Exception {
    JsonObject params = new JsonObject();
    params.addProperty("expression", expression);
    params.addProperty("returnByValue", true);
    JsonObject result = call("Runtime.evaluate", params);
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException(
          "the page threw on " + expression + ": " + result.get("exceptionDetails"));
    }
    JsonObject value = result.getAsJsonObject("result");
    return value.has("value") ? value.get("value") : JsonParser.parseString("null");
  }

  /** A string the page evaluates {@code expression} to, or null. */
  String text(String expression) throws Exception {
    JsonElement v = evaluate(expression);
    return v.isJsonNull() ? null : v.getAsString();
  }

  /** Writes a PNG of the whole page to {@code file}. */
  byte[] screenshot(Path file) throws Exception {
    JsonObject params = new JsonObject();
    params.addProperty("format", "png");
    params.addProperty("captureBeyondViewport", true);
    String data = call("Page.captureScreenshot", params).get("data").getAsString();
    byte[] png = Base64.getDecoder().decode(data);
    Files.createDirectories(file.getParent());
    Files.write(file, png);
    return png;
  }

  /** What the page threw and did not catch since {@link #open}, as the protocol describes it. */
  List<String> uncaught() {
    return List.copyOf(uncaught);
  }

  /** Chromium's zygote, renderer and GPU processes first: they would outlive their parent. */
  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  @Override
  public void close() throws Exception {
    try {
      socket.abort();
    } finally {
      kill(process);
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
