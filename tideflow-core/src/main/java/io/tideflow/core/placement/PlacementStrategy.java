package io.tideflow.core.placement;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.TaskSpec;

/**
 * Chooses the node a task runs on: filters out nodes that cannot take it, then scores the rest.
 *
 * <p>A pure function of its arguments: no I/O, no clock, no shared mutable state, so one instance
 * may be called from many threads at once (each with its own {@link PlacementContext}).
 */
public interface PlacementStrategy {

  /**
   * Places {@code request} on one node of {@code view}, with what the caller has placed already
   * ({@link PlacementContext#allocations()}): a node's capacity less its allocations is what the
   * request's demand must fit in.
   *
   * @return the chosen node or the reason none could take the request, with what the decision
   *     examined and where a sampled scan should start next
   */
  PlacementResult decide(PlacementRequest request, ClusterView view, PlacementContext context);

  /**
   * Places {@code task} on one node of {@code view}, with nothing allocated.
   *
   * @param load what the caller knows of each node's load right now, and which nodes it will not
   *     use; read only
   * @return the chosen node, or the reason none could take the task
   */
  default Placement place(TaskSpec task, ClusterView view, LiveLoad load) {
    return decide(task.placement(), view, PlacementContext.of(Allocations.empty()).withLoad(load))
        .placement();
  }
}
