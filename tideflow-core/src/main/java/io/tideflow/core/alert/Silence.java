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
  /** The longest silence: one that outlives the reason for it hides the next incident. */
  public static final java.time.Duration MAX_LENGTH = java.time.Duration.ofDays(30);

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
    if (java.time.Duration.between(startsAt, endsAt).compareTo(MAX_LENGTH) > 0) {
      throw new IllegalArgumentException(
          "silence "
              + id
              + ": at most "
              + MAX_LENGTH.toDays()
              + " days long, was from "
              + startsAt
              + " to "
              + endsAt);
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
