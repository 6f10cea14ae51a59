package io.tideflow.examples;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.memory.MemoryClusterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an example runs: {@code embedded} starts a cluster of three workers in this JVM (with the
 * handlers of this jar, found as any worker finds them); a store URI such as {@code
 * etcd://127.0.0.1:2379} joins a running cluster as a client.
 */
final class Cluster implements AutoCloseable {
  private final ClusterStore store;
  private final List<WorkerNode> workers;
  final TideflowClient client;

  private Cluster(ClusterStore store, List<WorkerNode> workers) {
    this.store = store;
    this.workers = workers;
    this.client = TideflowClient.connect(store, ClientConfig.defaults(), new SimpleMeterRegistry());
  }

  static Cluster open(String where) {
    if (where.equals("embedded")) {
      MemoryClusterStore store = new MemoryClusterStore();
      List<WorkerNode> workers = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        workers.add(
            WorkerNode.start(
                WorkerConfig.defaults("example-" + i),
                store,
                TaskHandlers.discover(),
                new SimpleMeterRegistry()));
      }
      return new Cluster(store, workers);
    }
    return new Cluster(ClusterStores.open(where), List.of());
  }

  @Override
  public void close() {
    client.close();
    for (WorkerNode w : workers) {
      w.close();
    }
    store.close();
  }
}
