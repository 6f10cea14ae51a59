package io.tideflow.core.model;

import java.util.Map;

/**
 * A node as the cluster knows it.
 *
 * @param id unique node id
 * @param provider the node provider that made it ({@code in-process}, {@code local-process}, …)
 * @param address where its task endpoint listens, {@code host:port}
 * @param labels free-form labels ({@code region}, {@code zone}, {@code tier}, …)
 * @param capacity what it can run at once
 * @param state its place in the node life cycle
 * @param load its last load report
 */
public record NodeInfo(
    String id,
    String provider,
    String address,
    Map<String, String> labels,
    Resources capacity,
    NodeState state,
    LoadReport load) {

  public NodeInfo {
    Checks.notBlank("id", id);
    Checks.notBlank("provider", provider);
    Checks.notBlank("address", address);
    labels = Checks.labels("labels", labels);
    Checks.notNull("capacity", capacity);
    Checks.notNull("state", state);
    Checks.notNull("load", load);
  }

  /**
   * Returns this node in {@code next} state.
   *
   * @throws IllegalStateException when the life cycle forbids the move
   */
  public NodeInfo withState(NodeState next) {
    try {
      return new NodeInfo(id, provider, address, labels, capacity, state.moveTo(next), load);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("node " + id + ": " + e.getMessage(), e);
    }
  }

  public NodeInfo withLoad(LoadReport report) {
    return new NodeInfo(id, provider, address, labels, capacity, state, report);
  }
}
