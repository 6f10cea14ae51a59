package io.tideflow.core.model;

import java.util.Set;

/**
 * Work of one shape that waits because no node can take it now: what the autoscaler's
 * pending-demand policy packs into new nodes, and what {@code status} shows.
 *
 * @param demand what each piece holds while it runs
 * @param selector the node labels it requires; a new node helps only if it carries them
 * @param tolerations the taints it tolerates; a new tainted node helps only if it tolerates them
 * @param count how many pieces of this shape wait
 * @param reason why the last one could not be placed, e.g. "no node fits: 3 node(s), 3 rejected by
 *     cpu"
 */
public record PendingWork(
    Resources demand, LabelSelector selector, Set<String> tolerations, int count, String reason) {

  public PendingWork {
    Checks.notNull("demand", demand);
    Checks.notNull("selector", selector);
    tolerations = Set.copyOf(Checks.notNull("tolerations", tolerations));
    Checks.positive("count", count);
    Checks.notNull("reason", reason);
  }

  /** Work that tolerates no taint. */
  public PendingWork(Resources demand, LabelSelector selector, int count, String reason) {
    this(demand, selector, Set.of(), count, reason);
  }

  /** The request a new node would have to admit: this work's demand, selector and tolerations. */
  public PlacementRequest request() {
    return PlacementRequest.builder(demand).selector(selector).tolerations(tolerations).build();
  }

  @Override
  public String toString() {
    return count
        + " × "
        + demand
        + (selector.requirements().isEmpty() ? "" : " on " + selector)
        + ": "
        + reason;
  }
}
