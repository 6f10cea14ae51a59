package io.tideflow.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything placement needs to know of a piece of work: its demand and its constraints. Built from
 * a {@link TaskSpec} by {@link #of(TaskSpec)} (its equality selector becomes {@code in}
 * requirements), or with {@link #builder} for the richer constraints.
 *
 * @param demand resources the work holds while it runs
 * @param selector node labels it requires (for example {@code tier in [edge]})
 * @param tolerations taints it tolerates; a node whose label {@link #TAINTS_LABEL} lists taints
 *     (comma-separated, for example {@code gpu-only,batch}) admits only work tolerating them all
 * @param affinity terms that must each hold: same domain as such work
 * @param antiAffinity terms that must each hold: not in the same domain as such work
 * @param latencyBounds the most latency allowed from the node to each region
 * @param dataKey the data the work reads; nodes holding it carry label {@link #DATA_PREFIX}{@code
 *     dataKey}; empty for none
 * @param workLabels labels of this work itself, recorded in {@link Allocations} once placed so that
 *     later work can be (anti-)affine to it
 */
public record PlacementRequest(
    Resources demand,
    LabelSelector selector,
    Set<String> tolerations,
    List<AffinityTerm> affinity,
    List<AffinityTerm> antiAffinity,
    List<LatencyBound> latencyBounds,
    String dataKey,
    Map<String, String> workLabels) {

  /**
   * The node label listing its taints, comma-separated. One label rather than one per taint, so the
   * common untainted node costs one map lookup per decision.
   */
  public static final String TAINTS_LABEL = "tideflow.io/taints";

  /** Prefix of node labels that advertise a data key held locally. */
  public static final String DATA_PREFIX = "data.tideflow.io/";

  public PlacementRequest {
    Checks.notNull("demand", demand);
    Checks.notNull("selector", selector);
    tolerations = Set.copyOf(Checks.notNull("tolerations", tolerations));
    affinity = List.copyOf(Checks.notNull("affinity", affinity));
    antiAffinity = List.copyOf(Checks.notNull("antiAffinity", antiAffinity));
    latencyBounds = List.copyOf(Checks.notNull("latencyBounds", latencyBounds));
    Checks.notNull("dataKey", dataKey);
    workLabels = Checks.labels("workLabels", workLabels);
  }

  /** No demand, no constraint: any READY node will do. */
  public static final PlacementRequest NONE =
      new PlacementRequest(
          Resources.ZERO,
          LabelSelector.ALL,
          Set.of(),
          List.of(),
          List.of(),
          List.of(),
          "",
          Map.of());

  /** The request of a task: {@link TaskSpec#placement()}. */
  public static PlacementRequest of(TaskSpec task) {
    return task.placement();
  }

  /** A demand and an equality selector (each key must carry exactly its value), nothing else. */
  public static PlacementRequest of(Resources demand, Map<String, String> equalityLabels) {
    if (demand.equals(Resources.ZERO) && equalityLabels.isEmpty()) {
      return NONE;
    }
    return builder(demand).selector(LabelSelector.equality(equalityLabels)).build();
  }

  public static Builder builder(Resources demand) {
    return new Builder(demand);
  }

  /** True when the work holds resources while it runs: its demand is not zero. */
  public boolean holdsResources() {
    return !demand.equals(Resources.ZERO);
  }

  /**
   * True when placing the work changes what later decisions see: it holds resources, or carries
   * labels other work may be (anti-)affine to. Such work is recorded in {@link Allocations}.
   */
  public boolean isAllocated() {
    return holdsResources() || !workLabels.isEmpty();
  }

  /** True when the request has affinity or anti-affinity terms. */
  public boolean hasAffinity() {
    return !affinity.isEmpty() || !antiAffinity.isEmpty();
  }

  /** Builds a {@link PlacementRequest}; only the demand is required. */
  public static final class Builder {
    private final Resources demand;
    private LabelSelector selector = LabelSelector.ALL;
    private Set<String> tolerations = Set.of();
    private final List<AffinityTerm> affinity = new ArrayList<>();
    private final List<AffinityTerm> antiAffinity = new ArrayList<>();
    private final List<LatencyBound> latencyBounds = new ArrayList<>();
    private String dataKey = "";
    private Map<String, String> workLabels = Map.of();

    private Builder(Resources demand) {
      this.demand = demand;
    }

    public Builder selector(LabelSelector selector) {
      this.selector = selector;
      return this;
    }

    public Builder tolerations(Set<String> tolerations) {
      this.tolerations = tolerations;
      return this;
    }

    public Builder affinity(AffinityTerm term) {
      affinity.add(term);
      return this;
    }

    public Builder antiAffinity(AffinityTerm term) {
      antiAffinity.add(term);
      return this;
    }

    public Builder latency(String region, int maxMillis) {
      latencyBounds.add(new LatencyBound(region, maxMillis));
      return this;
    }

    public Builder dataKey(String dataKey) {
      this.dataKey = dataKey;
      return this;
    }

    public Builder workLabels(Map<String, String> workLabels) {
      this.workLabels = workLabels;
      return this;
    }

    public PlacementRequest build() {
      return new PlacementRequest(
          demand,
          selector,
          tolerations,
          affinity,
          antiAffinity,
          latencyBounds,
          dataKey,
          workLabels);
    }
  }
}
