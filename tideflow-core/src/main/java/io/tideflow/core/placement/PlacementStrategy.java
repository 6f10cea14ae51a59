package io.tideflow.core.placement;

import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.TaskSpec;

/**
 * Chooses the node a task runs on: filters out nodes that cannot take it, then scores the rest.
 *
 * <p>A pure function of its arguments: no I/O, no clock, no shared mutable state, so one
 * instance may be called from many threads at once.
 */
public interface PlacementStrategy {

  /**
   * Places {@code task} on one node of {@code view}.
   *
   * @param load what the caller knows of each node's load right now, and which nodes it will not
   *     use; read only
   * @return the chosen node, or the reason none could take the task
   */
  Placement place(TaskSpec task, ClusterView view, LiveLoad load);
}
