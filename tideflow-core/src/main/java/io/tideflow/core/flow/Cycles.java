package io.tideflow.core.flow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Finds a cycle in a directed graph of named vertices, by depth-first search. */
final class Cycles {
  private Cycles() {}

  /** A cycle as its path, first vertex repeated at the end; empty when there is none. */
  static List<String> find(Map<String, List<String>> next) {
    Map<String, Integer> state = new HashMap<>(); // absent: unseen, 1: on the path, 2: done
    List<String> path = new ArrayList<>();
    for (String start : next.keySet()) {
      List<String> cycle = visit(start, next, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    return List.of();
  }

  private static List<String> visit(
      String v, Map<String, List<String>> next, Map<String, Integer> state, List<String> path) {
    Integer s = state.get(v);
    if (s != null && s == 2) {
      return List.of();
    }
    if (s != null) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(v), path.size()));
      cycle.add(v);
      return cycle;
    }
    state.put(v, 1);
    path.add(v);
    for (String u : next.getOrDefault(v, List.of())) {
      List<String> cycle = visit(u, next, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    path.removeLast();
    state.put(v, 2);
    return List.of();
  }
}
