package io.tideflow.runtime.provider;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/** Hands out node ids {@code <template>-<n>}, n counting from 1 per template, never twice. */
final class NodeIds {
  private final ConcurrentMap<String, AtomicLong> next = new ConcurrentHashMap<>();

  String next(NodeTemplate template) {
    return template.name()
        + "-"
        + next.computeIfAbsent(template.name(), t -> new AtomicLong()).incrementAndGet();
  }
}
