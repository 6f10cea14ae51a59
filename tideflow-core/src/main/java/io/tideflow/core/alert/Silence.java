package io.tideflow.core.alert;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Mutes the alerts whose labels carry all of {@code matchers} from {@code startsAt} to {@code
 * endsAt}: they are still evaluated and shown, but not sent. As Alertmanager's silences, with
 * equality matchers.
 *
 * @param matchers label values an alert must have, {@code alertname} among them if wanted
 */
public record Silence(
    String id, Map<String, String> matchers, Instant startsAt, Instant endsAt, String comment) {
  public Silence {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("silence id must not be blank");
    }
    if (matchers == null || matchers.isEmpty()) {
      throw new IllegalArgumentException(
          "silence " + id + ": give at least one matcher, or it would mute every alert");
    }
    matchers = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(matchers));
    if (startsAt == null || endsAt == null || !endsAt.isAfter(startsAt)) {
      throw new IllegalArgumentException(
          "silence " + id + ": endsAt must be after startsAt, were " + startsAt + " and " + endsAt);
    }
    comment = comment == null ? "" : comment;
  }

  /** Whether this silence mutes an alert with {@code labels} at {@code now}. */
  public boolean mutes(Map<String, String> labels, Instant now) {
    if (now.isBefore(startsAt) || !now.isBefore(endsAt)) {
      return false;
    }
    for (Map.Entry<String, String> m : matchers.entrySet()) {
      if (!m.getValue().equals(labels.get(m.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
