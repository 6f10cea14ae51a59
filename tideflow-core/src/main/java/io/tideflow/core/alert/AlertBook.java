package io.tideflow.core.alert;

import java.util.List;
import java.util.Map;

/**
 * What one evaluation hands the next: the alerts pending or firing, by key, and the recent samples
 * of the series that {@code rate} and {@code increase} read. Immutable.
 *
 * @param history by {@link Series#key()}: {@code [epochMillis, value]} pairs, oldest first
 */
public record AlertBook(Map<String, Alert> alerts, Map<String, List<double[]>> history) {
  public static final AlertBook EMPTY = new AlertBook(Map.of(), Map.of());

  public AlertBook {
    alerts = Map.copyOf(alerts);
    history = Map.copyOf(history);
  }

  /** The alerts firing now, silenced ones among them. */
  public List<Alert> firing() {
    return alerts.values().stream().filter(a -> a.state() == Alert.State.FIRING).toList();
  }
}
