package io.tideflow.core.model;

import java.util.HashMap;
import java.util.Map;

/**
 * Measured latencies from where nodes are to regions, supplied as data by the caller (from a config
 * file or probes): a node is located by the value of its {@code locationLabel} (for example its
 * {@code zone}), and the table gives that location's latency to each region.
 *
 * @param locationLabel the node label that locates a node
 * @param millis location → region → round-trip milliseconds
 */
public record LatencyTable(String locationLabel, Map<String, Map<String, Integer>> millis) {

  /** A table that knows nothing: every latency bound rejects every node. */
  public static final LatencyTable NONE = new LatencyTable("zone", Map.of());

  public LatencyTable {
    Checks.notBlank("locationLabel", locationLabel);
    Checks.notNull("millis", millis);
    Map<String, Map<String, Integer>> copy = new HashMap<>();
    millis.forEach(
        (location, row) -> {
          Checks.notNull("millis[" + location + "]", row);
          row.forEach(
              (region, ms) -> Checks.nonNegative("millis[" + location + "][" + region + "]", ms));
          copy.put(location, Map.copyOf(row));
        });
    millis = Map.copyOf(copy);
  }

  /** Latency from {@code node} to {@code region}, or -1 when the table does not say. */
  public int millis(NodeInfo node, String region) {
    String location = node.labels().get(locationLabel);
    Map<String, Integer> row = location == null ? null : millis.get(location);
    Integer ms = row == null ? null : row.get(region);
    return ms == null ? -1 : ms;
  }
}
