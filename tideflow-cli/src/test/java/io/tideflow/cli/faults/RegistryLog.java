package io.tideflow.cli.faults;

import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.store.ClusterStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every change of every node's state in the registry, as a watcher of the store sees it, with when
 * it was seen: whether a node that should have stayed READY through a fault did, and when one that
 * should have left did. A node missing from the registry is {@value #ABSENT}.
 */
final class RegistryLog implements AutoCloseable {
  static final String ABSENT = "absent";

  /** One change: at {@code nanos} (System.nanoTime) {@code node} was seen {@code state}. */
  record Change(long nanos, String node, String state) {}

  private final ClusterWatcher watcher;

  /** Guarded by this. */
  private final Map<String, String> last = new HashMap<>();

  /** Guarded by this. */
  private final List<Change> changes = new ArrayList<>();

  private RegistryLog(ClusterWatcher watcher) {
    this.watcher = watcher;
  }

  static RegistryLog start(ClusterStore store) {
    RegistryLog log = new RegistryLog(ClusterWatcher.start(store, Duration.ofSeconds(10)));
    log.watcher.onChange(log::record);
    log.record(log.watcher.view());
    return log;
  }

  private synchronized void record(ClusterView view) {
    long now = System.nanoTime();
    Set<String> ids = new HashSet<>(last.keySet());
    for (NodeInfo n : view.nodes()) {
      ids.add(n.id());
    }
    for (String id : ids) {
      NodeInfo n = view.node(id);
      String state = n == null ? ABSENT : n.state().name();
      if (!state.equals(last.put(id, state))) {
        changes.add(new Change(now, id, state));
      }
    }
  }

  /** The states {@code node} went through after {@code nanos}, in order. */
  synchronized List<String> statesAfter(String node, long nanos) {
    return changes.stream()
        .filter(c -> c.node().equals(node) && c.nanos() > nanos)
        .map(Change::state)
        .toList();
  }

  /** When {@code node} was first seen {@code state} after {@code nanos}; 0 if it was not. */
  synchronized long firstSeen(String node, String state, long nanos) {
    return changes.stream()
        .filter(c -> c.node().equals(node) && c.state().equals(state) && c.nanos() > nanos)
        .mapToLong(Change::nanos)
        .findFirst()
        .orElse(0);
  }

  @Override
  public void close() {
    watcher.close();
  }
}
