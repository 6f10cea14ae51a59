package io.tideflow.runtime.flow;

import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the snapshots of {@link StatefulProcess} instances are kept, by flow, deployment and
 * instance: in the cluster store for a node that follows placements (so that another node takes
 * them up), in memory for a node run on its own.
 */
public interface FlowStateStore {
  /**
   * The largest snapshot one instance may keep: what a store value holds, less room for its key.
   */
  int MAX_STATE_BYTES = ClusterStore.MAX_VALUE_BYTES - 4096;

  /** Keeps {@code state} as the latest of {@code instance}, replacing the one before. */
  CompletableFuture<Void> save(String flow, long generation, String instance, byte[] state);

  /** The latest state kept for {@code instance}, empty when it kept none yet. */
  CompletableFuture<Optional<byte[]>> load(String flow, long generation, String instance);

  /** States kept in this JVM only. */
  static FlowStateStore inMemory() {
    Map<String, byte[]> states = new ConcurrentHashMap<>();
    return new FlowStateStore() {
      @Override
      public CompletableFuture<Void> save(
          String flow, long generation, String instance, byte[] state) {
        states.put(ClusterKeys.flowState(flow, generation, instance), state.clone());
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletableFuture<Optional<byte[]>> load(
          String flow, long generation, String instance) {
        return CompletableFuture.completedFuture(
            Optional.ofNullable(states.get(ClusterKeys.flowState(flow, generation, instance)))
                .map(byte[]::clone));
      }
    };
  }

  /** States kept under {@link ClusterKeys#FLOW_STATE} in {@code store}. */
  static FlowStateStore over(ClusterStore store) {
    return new FlowStateStore() {
      @Override
      public CompletableFuture<Void> save(
          String flow, long generation, String instance, byte[] state) {
        return store
            .put(ClusterKeys.flowState(flow, generation, instance), state, 0)
            .thenApply(revision -> null);
      }

      @Override
      public CompletableFuture<Optional<byte[]>> load(
          String flow, long generation, String instance) {
        return store
            .get(ClusterKeys.flowState(flow, generation, instance))
            .thenApply(kv -> kv.map(KeyValue::value));
      }
    };
  }
}
