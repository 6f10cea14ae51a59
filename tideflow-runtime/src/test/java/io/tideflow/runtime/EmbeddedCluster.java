package io.tideflow.runtime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.TestLeader;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.Leadership;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A cluster in this JVM for tests: memory store, workers on loopback gRPC, a client. */
public final class EmbeddedCluster implements AutoCloseable {
  public final MemoryClusterStore store = new MemoryClusterStore();
  public final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  public final List<WorkerNode> workers = new ArrayList<>();
  private final List<TideflowClient> clients = new ArrayList<>();
  private final TaskHandlers handlers;

  public EmbeddedCluster(TaskHandlers handlers) {
    this.handlers = handlers;
  }

  public WorkerNode startWorker(String id) {
    return startWorker(id, c -> c);
  }

  public WorkerNode startWorker(String id, UnaryOperator<WorkerConfig> tweak) {
    WorkerConfig config =
        tweak.apply(WorkerConfig.defaults(id).withLeaseTtl(Duration.ofSeconds(2)));
    WorkerNode node = WorkerNode.start(config, store, handlers, metrics);
    workers.add(node);
    return node;
  }

  public TideflowClient client() {
    return client(ClientConfig.defaults());
  }

  public TideflowClient client(ClientConfig config) {
    TideflowClient client = TideflowClient.connect(store, config, metrics);
    clients.add(client);
    return client;
  }

  /**
   * Makes the test the cluster's coordinator: wins the coordinator election under a long lease, so
   * drains carrying its fencing token are accepted by the workers (they check it in the store).
   */
  public Leadership lead() {
    return TestLeader.lead(store, "test");
  }

  /** Kills {@code node} as a crash would: connections drop, its lease is left to expire. */
  public void crash(WorkerNode node) {
    store.suspendKeepAlive(node.registration().lease().id());
    node.kill();
  }

  @Override
  public void close() {
    clients.forEach(TideflowClient::close);
    workers.forEach(WorkerNode::close);
    store.close();
  }
}
