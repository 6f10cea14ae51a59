package io.tideflow.server.alert;

import com.google.gson.stream.JsonWriter;
import io.tideflow.core.alert.Alert;
import io.tideflow.core.alert.Silence;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * Alerts as the JSON of Alertmanager's API and webhooks, which most receivers read, and as the
 * dashboard and {@code /api/v1/alerts} show them.
 */
public final class AlertJson {
  private AlertJson() {}

  /** Alertmanager's "no end" in its webhook payloads. */
  static final String NO_END = "0001-01-01T00:00:00Z";

  interface Body {
    void write(JsonWriter w) throws IOException;
  }

  static String write(Body body) {
    StringWriter text = new StringWriter();
    try (JsonWriter w = new JsonWriter(text)) {
      body.write(w);
    } catch (IOException e) {
      throw new UncheckedIOException("a StringWriter does not fail", e);
    }
    return text.toString();
  }

  /**
   * One alert: its labels, its summary as an annotation, when it started and (null while it fires)
   * when it ended.
   */
  static void alert(JsonWriter w, Alert a, String status, Instant endsAt, boolean webhook)
      throws IOException {
    w.beginObject();
    if (status != null) {
      w.name("status").value(status);
    }
    w.name("labels");
    strings(w, a.labels());
    w.name("annotations").beginObject();
    w.name("summary").value(a.summary());
    w.name("value").value(Double.toString(a.value()));
    w.endObject();
    Instant start = a.firingSince() == null ? a.activeSince() : a.firingSince();
    w.name("startsAt").value(start.toString());
    if (endsAt != null) {
      w.name("endsAt").value(endsAt.toString());
    } else if (webhook) {
      w.name("endsAt").value(NO_END);
    }
    if (webhook) {
      w.name("fingerprint").value(Long.toHexString(a.key().hashCode() & 0xffffffffL));
    }
    w.endObject();
  }

  /** An alert as the dashboard and {@code /api/v1/alerts} show it. */
  public static void state(JsonWriter w, Alert a) throws IOException {
    w.beginObject();
    w.name("name").value(a.rule().name());
    w.name("severity").value(a.rule().severity().label());
    w.name("state").value(a.state().name());
    w.name("labels");
    strings(w, a.labels());
    w.name("summary").value(a.summary());
    w.name("value");
    if (Double.isFinite(a.value())) {
      w.value(a.value());
    } else {
      w.nullValue();
    }
    w.name("activeSince").value(a.activeSince().toString());
    w.name("firingSince").value(a.firingSince() == null ? null : a.firingSince().toString());
    w.name("silencedBy").value(a.silencedBy());
    w.endObject();
  }

  static void silence(JsonWriter w, Silence s) throws IOException {
    w.beginObject();
    w.name("id").value(s.id());
    w.name("matchers");
    strings(w, s.matchers());
    w.name("startsAt").value(s.startsAt().toString());
    w.name("endsAt").value(s.endsAt().toString());
    w.name("comment").value(s.comment());
    w.endObject();
  }

  static void strings(JsonWriter w, Map<String, String> map) throws IOException {
    w.beginObject();
    for (Map.Entry<String, String> e : map.entrySet()) {
      w.name(e.getKey()).value(e.getValue());
    }
    w.endObject();
  }
}
