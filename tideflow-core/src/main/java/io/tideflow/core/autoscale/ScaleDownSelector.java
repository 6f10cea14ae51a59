package io.tideflow.core.autoscale;

import io.tideflow.core.autoscale.PoolState.PoolNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses which nodes leave when a pool shrinks: never a pinned node; the least busy first (fewest
 * tasks in flight, then by id, so the choice is stable). When it cannot find enough, its {@link
 * Selection#shortfall()} says why: the answer to "why did it not scale down?".
 */
public final class ScaleDownSelector {

  /** The nodes to drain, and why fewer than asked could be chosen (empty when enough). */
  public record Selection(List<String> nodes, String shortfall) {
    public Selection {
      nodes = List.copyOf(nodes);
    }
  }

  private ScaleDownSelector() {}

  public static Selection select(PoolState pool, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    List<PoolNode> candidates = new ArrayList<>();
    List<String> pinned = new ArrayList<>();
    for (PoolNode n : pool.nodes()) {
      if (n.pinned()) {
        pinned.add(n.id());
      } else {
        candidates.add(n);
      }
    }
    candidates.sort(Comparator.comparingInt(PoolNode::inFlight).thenComparing(PoolNode::id));
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < Math.min(count, candidates.size()); i++) {
      chosen.add(candidates.get(i).id());
    }
    String shortfall = "";
    if (chosen.size() < count) {
      shortfall =
          "asked to remove "
              + count
              + " node(s), found "
              + chosen.size()
              + (pinned.isEmpty() ? "" : "; pinned (hold work that cannot move): " + pinned);
    }
    return new Selection(chosen, shortfall);
  }
}
