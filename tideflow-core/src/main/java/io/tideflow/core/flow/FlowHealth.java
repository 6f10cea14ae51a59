package io.tideflow.core.flow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a placed flow runs, from what its nodes last reported: its partitions (the instances each
 * node holds, the cpu they ask of it and the messages they take), how even the partitions are, and
 * where the flow is held back ({@link Backpressure}). Pure.
 */
public final class FlowHealth {
  /** The share of its time an instance must process to count as busy. */
  public static final double BUSY_THRESHOLD = 0.8;

  /**
   * What one instance did over its node's last report period.
   *
   * @param id {@code process#i}
   * @param receivedPerSecond messages taken from its inputs
   * @param emittedPerSecond messages written to its outputs
   * @param time its busy / backpressured / idle split
   * @param queued messages waiting in its inputs at the end of the period
   */
  public record Instance(
      String id,
      double receivedPerSecond,
      double emittedPerSecond,
      Backpressure.Time time,
      int queued) {}

  /**
   * One node's share of the flow.
   *
   * @param node the node
   * @param instances its instances, in flow order
   * @param cpuMillis the cpu they ask for together
   * @param load {@code cpuMillis} over the node's capacity (0 when the capacity is unknown)
   * @param receivedPerSecond messages its instances take, together
   * @param reported how many of its instances are in the reports
   */
  public record Partition(
      String node,
      List<String> instances,
      long cpuMillis,
      double load,
      double receivedPerSecond,
      int reported) {}

  /**
   * @param partitions by node id
   * @param imbalance how far the partition with the most cpu is over the mean, 0 for even
   * @param diagnosis every instance's state and the root causes of backpressure
   * @param unreported instances no report covers (their node has not reported yet, or is gone)
   * @param parallelism what {@link Ds2} makes of the reported rates: the instances each process
   *     needs for its sources to run unhindered; empty until every instance has reported
   */
  public record Report(
      List<Partition> partitions,
      double imbalance,
      Backpressure.Diagnosis diagnosis,
      List<String> unreported,
      Map<String, Integer> parallelism) {}

  /** The most instances {@link Report#parallelism} asks of one process. */
  public static final int MAX_PARALLELISM = 256;

  // A source held back longer than this share of its time says too little of its own pace.
  private static final double MOST_HELD = 0.99;

  private FlowHealth() {}

  /**
   * @param placement the node of every instance, {@code process#i}
   * @param reported what the nodes reported, by instance; instances not placed are ignored
   * @param capacities the cpu each node offers, in millicores; a node without one has load 0
   */
  public static Report of(
      Flow flow,
      Map<String, String> placement,
      Map<String, Instance> reported,
      Map<String, Long> capacities) {
    Map<String, List<String>> byNode = new TreeMap<>();
    Map<String, Long> cpu = new LinkedHashMap<>();
    Map<String, Double> received = new LinkedHashMap<>();
    Map<String, Integer> counted = new LinkedHashMap<>();
    Map<String, Backpressure.Time> times = new LinkedHashMap<>();
    List<String> unreported = new ArrayList<>();
    for (ProcessSpec p : flow.processes()) {
      for (int i = 0; i < p.parallelism(); i++) {
        String id = p.name() + "#" + i;
        String node = placement.get(id);
        if (node == null) {
          unreported.add(id);
          continue;
        }
        byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(id);
        cpu.merge(node, Math.max(1, p.demand().cpuMillis()), Long::sum);
        Instance r = reported.get(id);
        if (r == null) {
          unreported.add(id);
          continue;
        }
        received.merge(node, r.receivedPerSecond(), Double::sum);
        counted.merge(node, 1, Integer::sum);
        times.put(id, r.time());
      }
    }
    List<Partition> partitions = new ArrayList<>();
    long total = 0;
    long most = 0;
    for (Map.Entry<String, List<String>> e : byNode.entrySet()) {
      String node = e.getKey();
      long millis = cpu.get(node);
      total += millis;
      most = Math.max(most, millis);
      long capacity = capacities.getOrDefault(node, 0L);
      partitions.add(
          new Partition(
              node,
              List.copyOf(e.getValue()),
              millis,
              capacity > 0 ? (double) millis / capacity : 0,
              received.getOrDefault(node, 0.0),
              counted.getOrDefault(node, 0)));
    }
    double mean = partitions.isEmpty() ? 0 : (double) total / partitions.size();
    double imbalance = mean > 0 ? most / mean - 1 : 0;
    return new Report(
        List.copyOf(partitions),
        imbalance,
        Backpressure.diagnose(flow, times, BUSY_THRESHOLD),
        List.copyOf(unreported),
        unreported.isEmpty() ? parallelism(flow, reported) : Map.of());
  }

  /**
   * DS2 on one period's rates: a process's true rate is what its instances take per second of
   * processing; a source must produce what it would without backpressure, its output over the share
   * of its time it was not held back.
   */
  private static Map<String, Integer> parallelism(Flow flow, Map<String, Instance> reported) {
    Map<String, ProcessRates> observed = new LinkedHashMap<>();
    Map<String, Double> sourceRates = new LinkedHashMap<>();
    for (ProcessSpec p : flow.processes()) {
      double in = 0;
      double out = 0;
      double useful = 0;
      double unheld = 0;
      for (int i = 0; i < p.parallelism(); i++) {
        Instance r = reported.get(p.name() + "#" + i);
        in += r.receivedPerSecond();
        out += r.emittedPerSecond();
        useful += r.time().busy();
        unheld += r.emittedPerSecond() / (1 - Math.min(MOST_HELD, r.time().backpressured()));
      }
      if (p.inputs().isEmpty()) {
        sourceRates.put(p.name(), unheld);
        observed.put(p.name(), new ProcessRates(out, out, useful));
      } else {
        observed.put(p.name(), new ProcessRates(in, out, useful));
      }
    }
    return Ds2.decide(flow, observed, sourceRates, MAX_PARALLELISM);
  }
}
