package io.tideflow.core.partition;

/**
 * Cuts a graph into parts so that the weight of the edges between parts is small and every part
 * stays within its share of the vertex weight. Pure: the same graph, request and seed give the same
 * partition. Implementations are stateless and may be called from any thread.
 */
public interface Partitioner {
  /**
   * A partition of {@code graph} as {@code request} asks. Every vertex is placed. Parts stay within
   * {@link PartitionRequest#maxWeight} unless no assignment can (a vertex heavier than a part's
   * bound); then the result says how far over it is.
   */
  Partition partition(Graph graph, PartitionRequest request);
}
