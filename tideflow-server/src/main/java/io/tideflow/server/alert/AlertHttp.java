package io.tideflow.server.alert;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import io.tideflow.core.alert.Alert;
import io.tideflow.core.alert.AlertRule;
import io.tideflow.core.alert.Silence;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.server.http.Replies;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The alert loop over HTTP, behind the node's access: {@code GET /api/v1/alerts} (alerts, silences
 * and rules), {@code POST /api/v1/silences} with {@code {"matchers": {...}, "duration": "2h",
 * "comment": "..."}} (or {@code "endsAt"}), and {@code DELETE /api/v1/silences/ID}.
 */
public final class AlertHttp {
  /** The largest silence accepted. */
  static final int MAX_BODY_BYTES = 16 * 1024;

  private final AlertLoop loop;
  private final InstantSource clock;

  private AlertHttp(AlertLoop loop, InstantSource clock) {
    this.loop = loop;
    this.clock = clock;
  }

  public static void serve(MetricsServer server, AlertLoop loop, InstantSource clock) {
    AlertHttp http = new AlertHttp(loop, clock);
    server.handle("/api/v1/alerts", http::alerts);
    server.handle("/api/v1/silences", http::silences);
  }

  private void alerts(HttpExchange exchange) throws IOException {
    if (!"GET".equals(exchange.getRequestMethod())) {
      Replies.text(exchange, 405, "only GET is supported on /api/v1/alerts");
      return;
    }
    String body =
        AlertJson.write(
            w -> {
              w.beginObject();
              w.name("alerts").beginArray();
              for (Alert a : loop.alerts()) {
                AlertJson.state(w, a);
              }
              w.endArray();
              w.name("silences").beginArray();
              for (Silence s : loop.silences()) {
                AlertJson.silence(w, s);
              }
              w.endArray();
              w.name("rules").beginArray();
              for (AlertRule r : loop.rules()) {
                w.beginObject();
                w.name("name").value(r.name());
                w.name("expr").value(r.query().text());
                w.name("for").value(r.forDuration().toString());
                w.name("keepFiringFor").value(r.keepFiringFor().toString());
                w.name("severity").value(r.severity().label());
                w.endObject();
              }
              w.endArray();
              w.endObject();
            });
    Replies.json(exchange, 200, body);
  }

  private void silences(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    // A page of another site may send a "simple" POST: asking for JSON makes the browser ask
    // first (a preflight this server never grants), and a browser says when a request is foreign.
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    String site = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
    if ("cross-site".equals(site)
        || ("POST".equals(method) && (type == null || !type.startsWith("application/json")))) {
      Replies.text(exchange, 415, "send a silence as Content-Type: application/json, same site");
      return;
    }
    if ("DELETE".equals(method) && path.startsWith("/api/v1/silences/")) {
      String id = path.substring("/api/v1/silences/".length());
      if (loop.expire(id)) {
        exchange.sendResponseHeaders(204, -1);
      } else {
        Replies.text(exchange, 404, "no silence " + id);
      }
      return;
    }
    if (!"POST".equals(method) || !path.equals("/api/v1/silences")) {
      Replies.text(exchange, 405, "POST /api/v1/silences or DELETE /api/v1/silences/ID");
      return;
    }
    Silence silence;
    try {
      silence = silence(read(exchange));
      loop.silence(silence);
    } catch (RuntimeException e) {
      // Whatever the JSON held (a null id, an object for a comment, a duration past the end of
      // time): the sender hears why, and nothing is kept.
      Replies.text(exchange, 400, e.getMessage() == null ? e.toString() : e.getMessage());
      return;
    }
    Replies.json(exchange, 201, AlertJson.write(w -> AlertJson.silence(w, silence)));
  }

  private Silence silence(String body) {
    JsonObject o;
    try {
      JsonElement e = JsonParser.parseString(body);
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException("a silence is a JSON object");
      }
      o = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    for (String key : o.keySet()) {
      if (!java.util.Set.of("id", "matchers", "duration", "endsAt", "comment").contains(key)) {
        throw new IllegalArgumentException(
            "unknown field '" + key + "' (known: id, matchers, duration, endsAt, comment)");
      }
    }
    Map<String, String> matchers = new LinkedHashMap<>();
    if (o.has("matchers") && o.get("matchers").isJsonObject()) {
      for (Map.Entry<String, JsonElement> m : o.getAsJsonObject("matchers").entrySet()) {
        if (!m.getValue().isJsonPrimitive()) {
          throw new IllegalArgumentException("matchers." + m.getKey() + " must be text");
        }
        matchers.put(m.getKey(), m.getValue().getAsString());
      }
    }
    Instant now = clock.instant();
    Instant ends;
    try {
      if (o.has("endsAt")) {
        ends = Instant.parse(o.get("endsAt").getAsString());
      } else if (o.has("duration")) {
        ends = now.plus(AlertRulesFile.duration(o.get("duration").getAsString(), "duration"));
      } else {
        throw new IllegalArgumentException("give duration (e.g. \"2h\") or endsAt");
      }
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "endsAt must be an ISO-8601 instant: " + e.getMessage(), e);
    }
    String id = o.has("id") ? o.get("id").getAsString() : UUID.randomUUID().toString();
    String comment = o.has("comment") ? o.get("comment").getAsString() : "";
    return new Silence(id, matchers, now, ends, comment);
  }

  private static String read(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        throw new IllegalArgumentException("a silence is at most " + MAX_BODY_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
