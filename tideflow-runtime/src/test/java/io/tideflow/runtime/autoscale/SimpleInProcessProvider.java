package io.tideflow.runtime.autoscale;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.runtime.provider.LaunchResult;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.runtime.provider.ProvidedNode;
import io.tideflow.runtime.provider.ProviderHealth;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Just enough of an in-process provider to drive the autoscaler loop in tests. */
final class SimpleInProcessProvider implements NodeProvider {
  private final ClusterStore store;
  private final TaskHandlers handlers;
  private final MeterRegistry metrics;
  private final Map<String, WorkerNode> nodes = new ConcurrentHashMap<>();
  private final Map<String, String> templates = new ConcurrentHashMap<>();
  private final AtomicInteger seq = new AtomicInteger();
  final AtomicInteger terminated = new AtomicInteger();

  SimpleInProcessProvider(ClusterStore store, TaskHandlers handlers, MeterRegistry metrics) {
    this.store = store;
    this.handlers = handlers;
    this.metrics = metrics;
  }

  WorkerNode node(String id) {
    return nodes.get(id);
  }

  @Override
  public String name() {
    return "in-process";
  }

  @Override
  public CompletableFuture<LaunchResult> launch(NodeTemplate t, int count, String requestId) {
    List<String> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = t.name() + "-" + seq.incrementAndGet();
      WorkerConfig config = WorkerConfig.defaults(id).withLabels(t.labels())
          .withCapacity(t.capacity()).withLeaseTtl(t.leaseTtl()).withMaxConcurrentTasks(64);
      nodes.put(id, WorkerNode.start(config, store, handlers, metrics));
      templates.put(id, t.name());
      started.add(id);
    }
    return CompletableFuture.completedFuture(new LaunchResult(requestId, started, List.of()));
  }

  @Override
  public CompletableFuture<Void> terminate(Collection<String> ids, String requestId) {
    for (String id : ids) {
      WorkerNode n = nodes.remove(id);
      if (n != null) {
        n.close();
        terminated.incrementAndGet();
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public List<ProvidedNode> nodes() {
    List<ProvidedNode> list = new ArrayList<>();
    nodes.keySet().forEach(id -> list.add(new ProvidedNode(id, templates.get(id), name(),
        ProvidedNode.Status.RUNNING, Instant.EPOCH, "")));
    return list;
  }

  @Override
  public ProviderHealth health() {
    return new ProviderHealth(true, 0, "in this JVM");
  }

  @Override
  public void close() {
    terminate(List.copyOf(nodes.keySet()), "close");
  }
}
