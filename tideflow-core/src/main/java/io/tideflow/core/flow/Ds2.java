package io.tideflow.core.flow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DS2's parallelism for every process of a flow in one decision (Kalavri et al., OSDI 2018). Each
 * process's true processing rate (records an instance handles per useful second, waiting excluded)
 * does not depend on how many instances there are or on backpressure, so from one window of
 * measurements and the rates the sources must produce, the rate every process must take in follows
 * along the flow (upstream rates times their selectivities), and with it the number of instances
 * that can: {@code ceil(target input rate / true processing rate)}. Every connection of a process
 * carries all it emits. Pure.
 */
public final class Ds2 {
  private Ds2() {}

  /**
   * The parallelism each process needs.
   *
   * @param observed each process's rates over the window; a process without measurements (or
   *     without useful time) keeps its parallelism
   * @param sourceRates records per second each source must produce
   * @param maxParallelism the most instances of one process
   * @throws IllegalArgumentException for a source without a rate
   */
  public static Map<String, Integer> decide(
      Flow flow,
      Map<String, ProcessRates> observed,
      Map<String, Double> sourceRates,
      int maxParallelism) {
    Map<String, List<String>> upstream = new HashMap<>();
    Map<String, Integer> pending = new HashMap<>();
    for (ProcessSpec p : flow.processes()) {
      upstream.put(p.name(), new ArrayList<>());
      pending.put(p.name(), 0);
    }
    for (Connection c : flow.connections()) {
      upstream.get(c.to()).add(c.from());
      pending.merge(c.to(), 1, Integer::sum);
    }
    // Target rates in topological order: a process's input is what its upstream must send it.
    Map<String, Double> targetOutput = new HashMap<>();
    Map<String, Integer> decided = new LinkedHashMap<>();
    Deque<String> ready = new ArrayDeque<>();
    for (ProcessSpec p : flow.processes()) {
      if (pending.get(p.name()) == 0) {
        ready.add(p.name());
      }
    }
    Map<String, List<String>> downstream = new HashMap<>();
    for (Connection c : flow.connections()) {
      downstream.computeIfAbsent(c.from(), k -> new ArrayList<>()).add(c.to());
    }
    while (!ready.isEmpty()) {
      String name = ready.poll();
      ProcessSpec p = flow.process(name);
      ProcessRates rates = observed.get(name);
      double targetInput;
      if (upstream.get(name).isEmpty()) {
        Double r = sourceRates.get(name);
        if (r == null) {
          throw new IllegalArgumentException("source " + name + " has no target rate");
        }
        targetInput = r;
        targetOutput.put(name, r);
      } else {
        targetInput = 0;
        for (String u : upstream.get(name)) {
          targetInput += targetOutput.get(u);
        }
        double selectivity = rates == null ? 1 : rates.selectivity();
        targetOutput.put(name, targetInput * selectivity);
      }
      double trueRate = rates == null ? Double.NaN : rates.trueProcessingRate();
      int parallelism =
          Double.isNaN(trueRate) || trueRate <= 0
              ? p.parallelism()
              : (int)
                  Math.min(maxParallelism, Math.max(1, Math.ceil(targetInput / trueRate - 1e-9)));
      decided.put(name, parallelism);
      for (String d : downstream.getOrDefault(name, List.of())) {
        if (pending.merge(d, -1, Integer::sum) == 0) {
          ready.add(d);
        }
      }
    }
    return decided;
  }
}
