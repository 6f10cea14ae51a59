package io.tideflow.runtime.provider;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/** Hands out node ids {@code <template>-<n>}, n counting from 1 per template, never twice. */
final class NodeIds {
  private final ConcurrentMap<String, AtomicLong> next = new ConcurrentHashMap<>();

  /** Never hands out {@code nodeId} (a node of {@code template} started elsewhere, adopted). */
  void reserve(NodeTemplate template, String nodeId) {
    String prefix = template.name() + "-";
    if (!nodeId.startsWith(prefix)) {
      return;
    }
    try {
      long n = Long.parseLong(nodeId.substring(prefix.length()));
      next.computeIfAbsent(template.name(), t -> new AtomicLong()).accumulateAndGet(n, Math::max);
    } catch (NumberFormatException e) {
      // Not of the form this hands out: it cannot collide with one.
    }
  }

  String next(NodeTemplate template) {
    return template.name()
        + "-"
        + next.computeIfAbsent(template.name(), t -> new AtomicLong()).incrementAndGet();
  }
}
