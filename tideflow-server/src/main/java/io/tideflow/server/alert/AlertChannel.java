package io.tideflow.server.alert;

import io.tideflow.core.alert.Alert;
import io.tideflow.core.alert.Notification;
import java.time.Instant;
import java.util.List;

/**
 * Where alerts go: the log, a webhook, Alertmanager. {@link AlertLoop} calls {@link #deliver} on a
 * thread of the channel's own, one delivery at a time, and retries a delivery that throws; a
 * channel may block (on the network) but must give up within its own timeout.
 */
public interface AlertChannel {
  /** Names the channel in meters and logs ({@code log}, {@code webhook}, {@code alertmanager}). */
  String name();

  /**
   * What one evaluation has to say.
   *
   * @param notifications what fired and resolved at this evaluation (may be empty)
   * @param firing every alert firing and not silenced now, for receivers that want the whole state
   *     again and again (Alertmanager forgets an alert not sent again within its resolve timeout)
   */
  record Delivery(List<Notification> notifications, List<Alert> firing, Instant at) {}

  /** Whether this channel wants {@code d}; by default only deliveries with notifications. */
  default boolean wants(Delivery d) {
    return !d.notifications().isEmpty();
  }

  /**
   * Sends {@code d}.
   *
   * @throws Exception when it could not: the loop retries, then counts the delivery as failed
   */
  void deliver(Delivery d) throws Exception;
}
