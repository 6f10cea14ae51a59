package io.tideflow.core.alert;

import java.time.Instant;

/**
 * What an evaluation tells the channels: an alert fired, or a fired alert resolved.
 *
 * @param at when it fired, or when it resolved
 */
public record Notification(Kind kind, Alert alert, Instant at) {
  public enum Kind {
    FIRING,
    RESOLVED
  }
}
