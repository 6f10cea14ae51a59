package io.tideflow.bench.endtoend;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.memory.MemoryClusterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Tideflow embedded, as {@code demo} runs it: an in-memory store, two worker nodes each with its
 * own gRPC server on loopback, and a client that places every task (least-loaded) and sends it over
 * its bidi stream to that worker. Every task crosses gRPC, like the peer's cross-member tasks.
 */
public final class TideflowBackend implements TaskBackend {
  private static final TaskSpec NOOP = TaskSpec.builder("noop").build();

  private final MemoryClusterStore store = new MemoryClusterStore();
  private final List<WorkerNode> workers = new ArrayList<>();
  private final TideflowClient client;
  private final BenchPki pki;

  public TideflowBackend() {
    this(2);
  }

  public TideflowBackend(int workerCount) {
    this(workerCount, false);
  }

  /**
   * With {@code tls}, every link is mutual TLS 1.3 as a cluster beyond loopback runs it
   * (certificates from a cluster CA in a temporary directory, X25519MLKEM768 agreed).
   */
  public TideflowBackend(int workerCount, boolean tls) {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    pki = tls ? new BenchPki() : null;
    for (int i = 1; i <= workerCount; i++) {
      String id = "worker-" + i;
      workers.add(
          WorkerNode.start(
              WorkerConfig.defaults(id),
              store,
              TaskHandlers.builtins(),
              metrics,
              tls ? pki.links(Identity.Role.NODE, id) : LinkSecurity.plaintext()));
    }
    client =
        TideflowClient.connect(
            store,
            ClientConfig.defaults(),
            metrics,
            tls ? pki.links(Identity.Role.CLIENT, "bench") : LinkSecurity.plaintext());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (client.view().countByState().get(NodeState.READY) < workerCount) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("workers did not become READY within 30 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  @Override
  public String name() {
    return pki == null ? "tideflow" : "tideflow-tls";
  }

  @Override
  public CompletableFuture<?> submitNoop() {
    return client.submit(NOOP);
  }

  @Override
  public void close() {
    client.close();
    workers.forEach(WorkerNode::close);
    store.close();
    if (pki != null) {
      pki.close();
    }
  }
}
