package io.tideflow.core.flow;

import io.tideflow.core.partition.Graph;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A flow's instances as a graph for the partitioner: a vertex per process instance, weighted by its
 * cpu demand (millicores, at least 1); an edge between two instances that exchange messages,
 * weighted by the messages per second between them (at least 1), so that a cut that keeps chatty
 * instances on one node is a small one. Immutable.
 */
public final class InstanceGraph {
  private final Graph graph;
  private final Map<String, Integer> first;
  private final String[] names;

  private InstanceGraph(Graph graph, Map<String, Integer> first, String[] names) {
    this.graph = graph;
    this.first = first;
    this.names = names;
  }

  /**
   * The instance graph of {@code flow}, each connection carrying {@code rates} messages per second
   * in all (from every sending instance together); a connection without a rate counts 1.
   *
   * @throws IllegalArgumentException for a negative or non-finite rate
   */
  public static InstanceGraph of(Flow flow, Map<Connection, Double> rates) {
    Map<String, Integer> first = new HashMap<>();
    List<ProcessSpec> processes = flow.processes();
    String[] names = new String[flow.instanceCount()];
    int next = 0;
    for (ProcessSpec p : processes) {
      first.put(p.name(), next);
      for (int i = 0; i < p.parallelism(); i++) {
        names[next++] = p.name() + "#" + i;
      }
    }
    Graph.Builder b = Graph.builder(names.length);
    for (ProcessSpec p : processes) {
      for (int i = 0; i < p.parallelism(); i++) {
        b.vertexWeight(first.get(p.name()) + i, (int) Math.max(1, p.demand().cpuMillis()));
      }
    }
    for (Connection c : flow.connections()) {
      double rate = rates.getOrDefault(c, 1.0);
      if (!(rate >= 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException(
            "rate of " + c + " must be >= 0 and finite, was " + rate);
      }
      int pf = flow.process(c.from()).parallelism();
      int pt = flow.process(c.to()).parallelism();
      int f0 = first.get(c.from());
      int t0 = first.get(c.to());
      switch (c.routing()) {
        case FORWARD -> {
          int w = weight(rate / pf);
          for (int i = 0; i < pf; i++) {
            b.edge(f0 + i, t0 + i, w);
          }
        }
        case ROUND_ROBIN, KEYED, BROADCAST -> {
          // Spread evenly: a sender's share of the rate over the receivers, or all of it to each.
          int w = weight(c.routing() == Routing.BROADCAST ? rate / pf : rate / pf / pt);
          for (int i = 0; i < pf; i++) {
            for (int j = 0; j < pt; j++) {
              b.edge(f0 + i, t0 + j, w);
            }
          }
        }
      }
    }
    return new InstanceGraph(b.build(), Map.copyOf(first), names);
  }

  private static int weight(double messagesPerSecond) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 4, Math.round(messagesPerSecond)));
  }

  public Graph graph() {
    return graph;
  }

  /** The vertex of instance {@code instance} of {@code process}. */
  public int vertex(String process, int instance) {
    Integer f = first.get(process);
    if (f == null) {
      throw new IllegalArgumentException("no process " + process + " in this flow");
    }
    return f + instance;
  }

  /** {@code process#instance} of a vertex. */
  public String instance(int vertex) {
    return names[vertex];
  }
}
