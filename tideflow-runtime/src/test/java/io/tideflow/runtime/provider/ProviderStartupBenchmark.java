package io.tideflow.runtime.provider;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Decision-to-first-task time: from the {@code launch} call to the completion of a no-op task
 * submitted at that same moment (so it waits for the node to appear, and then includes the client's
 * connection to it). Cold in-process, cold local-process and warm-pool nodes; one node at a time,
 * the previous one terminated and gone from the registry before the next sample.
 *
 * <p>Run: {@code java -cp <runtime test class path>
 * io.tideflow.runtime.provider.ProviderStartupBenchmark [samples]}
 */
public final class ProviderStartupBenchmark {
  private static final NodeTemplate TEMPLATE =
      new NodeTemplate("bench", Resources.of(1_000, 256L << 20), Map.of(), Duration.ofSeconds(2));

  private ProviderStartupBenchmark() {}

  /** One row: median, min and max of the samples, in milliseconds. */
  record Row(String what, List<Double> millis, List<Double> launched) {
    String format() {
      List<Double> sorted = new ArrayList<>(millis);
      Collections.sort(sorted);
      List<Double> up = new ArrayList<>(launched);
      Collections.sort(up);
      return String.format(
          "| %-40s | %3d | %9.1f | %9.1f | %9.1f | %9.1f |",
          what,
          sorted.size(),
          sorted.get(sorted.size() / 2),
          sorted.get(0),
          sorted.get(sorted.size() - 1),
          up.get(up.size() / 2));
    }
  }

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<Row> rows = new ArrayList<>();
    try (MemoryClusterStore memory = new MemoryClusterStore()) {
      rows.add(measure("in-process, cold, memory store", memory, samples, s -> inProcess(s)));
      rows.add(
          measure(
              "warm pool(in-process), memory store",
              memory,
              samples,
              s -> new WarmPool(inProcess(s), TEMPLATE, 1)));
    }
    try (EtcdProcess etcd = EtcdProcess.start();
        ClusterStore store = ClusterStores.open(etcd.uri())) {
      rows.add(measure("in-process, cold, etcd", store, samples, s -> inProcess(s)));
      rows.add(
          measure(
              "warm pool(in-process), etcd",
              store,
              samples,
              s -> new WarmPool(inProcess(s), TEMPLATE, 1)));
      rows.add(
          measure(
              "local-process, cold, etcd",
              store,
              samples,
              s -> new LocalProcessNodeProvider(etcd.uri())));
      rows.add(
          measure(
              "warm pool(local-process), etcd",
              store,
              samples,
              s -> new WarmPool(new LocalProcessNodeProvider(etcd.uri()), TEMPLATE, 1)));
    }
    System.out.println(
        "| decision to first task                   |   n | median ms |    min ms |    max ms | launch ms |");
    System.out.println(
        "| ---------------------------------------- | --- | --------- | --------- | --------- | --------- |");
    rows.forEach(r -> System.out.println(r.format()));
  }

  private static NodeProvider inProcess(ClusterStore store) {
    return new InProcessNodeProvider(store, TaskHandlers.builtins(), new SimpleMeterRegistry());
  }

  private static Row measure(
      String what, ClusterStore store, int samples, Function<ClusterStore, NodeProvider> factory)
      throws Exception {
    List<Double> millis = new ArrayList<>();
    List<Double> launched = new ArrayList<>();
    try (NodeProvider provider = factory.apply(store);
        TideflowClient client =
            TideflowClient.connect(store, ClientConfig.defaults(), new SimpleMeterRegistry())) {
      // One unmeasured round first: class loading of the first node in this JVM is not a start.
      for (int i = 0; i <= samples; i++) {
        awaitWarm(provider);
        long begin = System.nanoTime();
        CompletableFuture<LaunchResult> launch = provider.launch(TEMPLATE, 1, what + "-" + i);
        CompletableFuture<Double> launchedAt =
            launch.thenApply(r -> (System.nanoTime() - begin) / 1e6);
        client
            .submit(TaskSpec.builder("noop").timeout(Duration.ofSeconds(90)).build())
            .get(90, TimeUnit.SECONDS);
        double took = (System.nanoTime() - begin) / 1e6;
        if (i > 0) {
          millis.add(took);
          launched.add(launchedAt.get(90, TimeUnit.SECONDS));
        }
        LaunchResult result = launch.get(90, TimeUnit.SECONDS);
        provider.terminate(result.started(), what + "-stop-" + i).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.view().nodes().isEmpty());
      }
    }
    Row row = new Row(what, millis, launched);
    System.out.println(row.format());
    return row;
  }

  private static void awaitWarm(NodeProvider provider) {
    if (provider instanceof WarmPool pool) {
      await().atMost(Duration.ofSeconds(90)).until(() -> pool.warmNodes() == 1);
    }
  }
}
