package io.tideflow.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.ScatterGather;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.ClusterStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
  @Mixin ClientOptions picking;

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
      names = "--each",
      paramLabel = "FILE",
      description = {
        "Scatter/gather: one task per line of FILE (the line is its payload; - reads standard",
        "input); prints each result on a line of its own, in the input's order"
      })
  Path each;

  @Option(
      names = "--reduce",
      paramLabel = "HOW",
      description = "With --each: also print the results combined: sum (as numbers) or count")
  String reduce;

  @Option(
      names = "--keep-going",
      description = "With --each: run every line even when one fails, and say which failed")
  boolean keepGoing;

  /** The most lines --each reads. */
  static final int MAX_LINES = 1_000_000;

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
    if (reduce != null && !reduce.equals("sum") && !reduce.equals("count")) {
      throw new IllegalArgumentException("--reduce takes sum or count, was '" + reduce + "'");
    }
    if (each != null) {
      return scatter();
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
                clusterStore,
                picking.apply(ClientConfig.defaults()),
                new SimpleMeterRegistry(),
                tls.open())) {
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

  private TaskSpec.Builder spec() {
    return TaskSpec.builder(handler)
        .demand(Resources.of(cpuMillis, 0))
        .labelSelector(selector)
        .timeout(timeout);
  }

  /** One task per line of --each, results in the input's order. */
  private int scatter() throws Exception {
    List<String> lines = new ArrayList<>();
    try (java.io.BufferedReader in =
        each.toString().equals("-")
            ? new java.io.BufferedReader(
                new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
            : java.nio.file.Files.newBufferedReader(each, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (lines.size() == MAX_LINES) {
          throw new IllegalArgumentException(
              "--each " + each + " has more than " + MAX_LINES + " lines: split it");
        }
        lines.add(line);
      }
    }
    List<TaskSpec> pieces = new ArrayList<>(lines.size());
    for (String line : lines) {
      pieces.add(spec().payload(line.getBytes(StandardCharsets.UTF_8)).build());
    }
    try (ClusterStore clusterStore = store.open();
        TideflowClient client =
            TideflowClient.connect(
                clusterStore,
                picking.apply(ClientConfig.defaults()),
                new SimpleMeterRegistry(),
                tls.open())) {
      ScatterGather.Gathered<List<String>> g;
      try {
        g =
            ScatterGather.of(client, pieces, r -> new String(r.output(), StandardCharsets.UTF_8))
                .onFailure(
                    keepGoing ? ScatterGather.Failures.COLLECT : ScatterGather.Failures.FAIL_FAST)
                .collect()
                .get();
      } catch (ExecutionException e) {
        System.err.println(
            "tideflow submit --each: "
                + TideflowCommand.describe(e)
                + " (--keep-going runs the other lines all the same)");
        return ExitCodes.FAILED;
      }
      double sum = 0;
      for (int i = 0; i < g.value().size(); i++) {
        String out = g.value().get(i);
        if (out == null) {
          System.err.println(
              "line " + (i + 1) + " failed: " + TideflowCommand.describe(g.failures().get(i)));
          continue;
        }
        System.out.println(out);
        if ("sum".equals(reduce)) {
          try {
            sum += Double.parseDouble(out.strip());
          } catch (NumberFormatException e) {
            System.err.println(
                "--reduce sum: line " + (i + 1) + "'s result is not a number: " + out);
            return ExitCodes.FAILED;
          }
        }
      }
      if ("sum".equals(reduce)) {
        System.out.println(
            "sum " + (sum == Math.rint(sum) ? Long.toString((long) sum) : Double.toString(sum)));
      } else if ("count".equals(reduce)) {
        System.out.println("count " + g.succeeded());
      }
      System.err.println(g.succeeded() + " of " + lines.size() + " tasks completed");
      return g.complete() ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }
}
