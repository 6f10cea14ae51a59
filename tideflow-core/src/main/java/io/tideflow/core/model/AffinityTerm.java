package io.tideflow.core.model;

/**
 * Where a task wants to be relative to work already placed: in (affinity) or out of (anti-affinity)
 * the same topology domain as work labelled {@code workLabelKey=workLabelValue}.
 *
 * <p>Affinity is strict: while no such work is placed anywhere, no node satisfies it (unlike
 * Kubernetes, which lets the first pod of a self-affine group through). A node without the topology
 * label is outside every domain: it never satisfies affinity and never violates anti-affinity.
 *
 * @param workLabelKey label key of the other work (for example {@code app})
 * @param workLabelValue its value (for example {@code checkout})
 * @param topologyKey the node label that names a domain ({@code zone}, {@code region}), or {@link
 *     #NODE} for the node itself
 */
public record AffinityTerm(String workLabelKey, String workLabelValue, String topologyKey) {

  /** The topology key meaning "the same node". */
  public static final String NODE = "node";

  public AffinityTerm {
    Checks.notBlank("workLabelKey", workLabelKey);
    Checks.notNull("workLabelValue", workLabelValue);
    Checks.notBlank("topologyKey", topologyKey);
  }

  public static AffinityTerm sameNodeAs(String key, String value) {
    return new AffinityTerm(key, value, NODE);
  }

  public static AffinityTerm sameDomainAs(String key, String value, String topologyKey) {
    return new AffinityTerm(key, value, topologyKey);
  }

  /** The domain of {@code node} under this term, or null when the node has no such label. */
  public String domainOf(NodeInfo node) {
    return NODE.equals(topologyKey) ? node.id() : node.labels().get(topologyKey);
  }

  @Override
  public String toString() {
    return workLabelKey + "=" + workLabelValue + " per " + topologyKey;
  }
}
