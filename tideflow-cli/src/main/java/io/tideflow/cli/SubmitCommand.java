package io.tideflow.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.ClusterStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Submits tasks to a running cluster and prints their results. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = {
      "Submits tasks to the cluster and waits for their results. Built-in handlers: noop, echo,",
      "primes (counts primes below the number in the payload), sleep (milliseconds)."
    })
final class SubmitCommand implements Callable<Integer> {
  @Mixin StoreOption store;
  @Mixin TlsOption tls;

  @Option(names = "--handler", required = true, description = "Handler name")
  String handler;

  @Option(names = "--payload", description = "Payload text (default: empty)")
  String payload = "";

  @Option(names = "--count", description = "How many copies to submit (default: ${DEFAULT-VALUE})")
  int count = 1;

  @Option(
      names = "--cpu",
      paramLabel = "MILLICORES",
      description = "Cpu demand per task (default: ${DEFAULT-VALUE})")
  long cpuMillis = 0;

  @Option(
      names = "--selector",
      paramLabel = "KEY=VALUE",
      description = "Required node label; repeatable")
  Map<String, String> selector = new LinkedHashMap<>();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "Per-attempt timeout (default: ${DEFAULT-VALUE})",
      converter = Durations.class)
  Duration timeout = Duration.ofSeconds(30);

  @Override
  public Integer call() throws Exception {
    if (count <= 0) {
      throw new IllegalArgumentException("--count must be > 0, was " + count);
    }
    TaskSpec spec =
        TaskSpec.builder(handler)
            .payload(payload.getBytes(StandardCharsets.UTF_8))
            .demand(Resources.of(cpuMillis, 0))
            .labelSelector(selector)
            .timeout(timeout)
            .build();
    try (ClusterStore clusterStore = store.open();
        TideflowClient client =
            TideflowClient.connect(
                clusterStore, ClientConfig.defaults(), new SimpleMeterRegistry(), tls.open())) {
      List<CompletableFuture<TaskResult>> futures = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        futures.add(client.submit(spec));
      }
      int failed = 0;
      for (CompletableFuture<TaskResult> f : futures) {
        try {
          TaskResult r =
              f.get(timeout.toMillis() * spec.maxAttempts() + 5_000, TimeUnit.MILLISECONDS);
          if (count == 1) {
            System.out.println(new String(r.output(), StandardCharsets.UTF_8));
            System.err.println("ran on " + r.nodeId() + " in " + r.attempts() + " attempt(s)");
          }
        } catch (ExecutionException e) {
          failed++;
          System.err.println("task failed: " + TideflowCommand.describe(e));
        }
      }
      if (count > 1) {
        System.out.println((count - failed) + " of " + count + " tasks completed");
      }
      return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }
}
