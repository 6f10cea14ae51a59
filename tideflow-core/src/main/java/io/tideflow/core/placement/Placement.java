package io.tideflow.core.placement;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The outcome of a placement: a node, or why there is none. */
public sealed interface Placement {

  /** The task goes to {@code nodeId}. */
  record Placed(String nodeId) implements Placement {}

  /**
   * No node can take the task.
   *
   * @param nodesConsidered nodes in the view
   * @param rejectedBy how many nodes each filter rejected, by filter name (a node is counted by the
   *     first filter that rejected it)
   */
  record NoFit(int nodesConsidered, Map<String, Integer> rejectedBy) implements Placement {
    public NoFit {
      rejectedBy = Map.copyOf(new TreeMap<>(rejectedBy));
    }

    /**
     * A sentence a user can act on, e.g. "no node fits: 3 nodes, 2 rejected by cpu, 1 by state".
     */
    public String reason() {
      if (nodesConsidered == 0) {
        return "no node fits: the cluster has no nodes";
      }
      String parts =
          new TreeMap<>(rejectedBy)
              .entrySet().stream()
                  .map(e -> e.getValue() + " rejected by " + e.getKey())
                  .collect(Collectors.joining(", "));
      return "no node fits: " + nodesConsidered + " node(s), " + parts;
    }
  }
}
