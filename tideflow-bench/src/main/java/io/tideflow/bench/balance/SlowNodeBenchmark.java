package io.tideflow.bench.balance;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.balance.Balancer;
import io.tideflow.core.balance.LatencyOutlierEjection;
import io.tideflow.core.balance.LeastLoadedBalancer;
import io.tideflow.core.balance.OutlierEjection;
import io.tideflow.core.balance.PeakEwmaBalancer;
import io.tideflow.core.balance.RoundRobinBalancer;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.memory.MemoryClusterStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Task latency with one slow worker: 4 in-process workers on loopback gRPC, each task sleeps 1 ms
 * on three of them and 10 ms on the fourth; a closed loop keeps {@code window} tasks in flight. The
 * same run is made with each balancer in turn, in one JVM, and p50/p99 are printed as a Markdown
 * table with each p99 over round-robin's. Every balancer gets the same load: the same window, the
 * same task count, a fresh cluster, client and balancer for its warm-up and again for its measured
 * run (so latency ejection starts each run knowing nothing). Arguments: [tasks per balancer,
 * default 20000].
 */
public final class SlowNodeBenchmark {
  /**
   * The peak-EWMA time constant: 100 ms, so the estimate follows the last few hundred milliseconds
   * of a node's latency; a longer one (Finagle's 10 s) keeps every node near its worst jitter peak,
   * and on 2 cores sleep-based tasks jitter by milliseconds.
   */
  private static final long TAU_NANOS = Long.getLong("tau.nanos", 100_000_000L);

  /** Tasks kept in flight (system property {@code window}, default 32). */
  private static final int WINDOW = Integer.getInteger("window", 32);

  /** Latencies are kept to 3 significant digits; the histograms resize to the slowest task. */
  private static final int SIGNIFICANT_DIGITS = 3;

  private SlowNodeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    Map<String, Supplier<Balancer>> balancers = new LinkedHashMap<>();
    balancers.put("round-robin", () -> new RoundRobinBalancer(OutlierEjection.DEFAULT));
    balancers.put("least-loaded", () -> new LeastLoadedBalancer(OutlierEjection.DEFAULT));
    balancers.put(
        "p2c-peak-ewma",
        () -> new PeakEwmaBalancer(OutlierEjection.DEFAULT, TAU_NANOS, 1_000_000L));
    balancers.put(
        "p2c-peak-ewma + latency ejection",
        () ->
            new PeakEwmaBalancer(
                OutlierEjection.DEFAULT, LatencyOutlierEjection.DEFAULT, TAU_NANOS, 1_000_000L));
    balancers.put(
        "round-robin + latency ejection",
        () -> new RoundRobinBalancer(OutlierEjection.DEFAULT, LatencyOutlierEjection.DEFAULT));
    System.out.println(
        "| balancer | in flight | tasks | p50 | p99 | p99 of tasks on fast nodes "
            + "| share on the slow node (by tenth of the run) | p99 / round-robin's |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    double roundRobinP99 = Double.NaN;
    for (Map.Entry<String, Supplier<Balancer>> e : balancers.entrySet()) {
      run(tasks / 5, e.getValue()); // warm-up
      Run result = run(tasks, e.getValue());
      double p99 = pct(result.all, 99) / 1e6;
      if (e.getKey().equals("round-robin")) {
        roundRobinP99 = p99;
      }
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %,d | %.2f ms | %.2f ms | %.2f ms | %.1f %% (%s) | %.2f |%n",
          e.getKey(),
          WINDOW,
          tasks,
          pct(result.all, 50) / 1e6,
          p99,
          pct(result.onFast, 99) / 1e6,
          100.0 * result.onSlow / tasks,
          Arrays.toString(result.slowByTenth).replaceAll("[\\[\\]]", ""),
          p99 / roundRobinP99);
    }
  }

  /**
   * One run: every latency and those of tasks that ran on fast nodes, in nanoseconds; how many ran
   * on the slow node, in all and by tenth of the run (by submission order), to show whether they
   * went there at the start (before a balancer learned) or throughout.
   */
  private record Run(Histogram all, Histogram onFast, int onSlow, int[] slowByTenth) {}

  private static Run run(int tasks, Supplier<Balancer> balancer) throws Exception {
    TaskHandlers fast = TaskHandlers.builtins().with("work", sleeping(1));
    TaskHandlers slow = TaskHandlers.builtins().with("work", sleeping(10));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    List<WorkerNode> workers = new ArrayList<>();
    try (MemoryClusterStore store = new MemoryClusterStore()) {
      for (int i = 1; i <= 3; i++) {
        workers.add(WorkerNode.start(WorkerConfig.defaults("fast-" + i), store, fast, metrics));
      }
      workers.add(WorkerNode.start(WorkerConfig.defaults("slow"), store, slow, metrics));
      try (TideflowClient client =
          TideflowClient.connect(store, ClientConfig.defaults().withBalancer(balancer), metrics)) {
        while (client.view().countByState().get(NodeState.READY) < 4) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        Recorder all = new Recorder(SIGNIFICANT_DIGITS);
        Recorder onFast = new Recorder(SIGNIFICANT_DIGITS);
        boolean[] slowTask = new boolean[tasks];
        Semaphore window = new Semaphore(WINDOW);
        CountDownLatch done = new CountDownLatch(tasks);
        TaskSpec spec = TaskSpec.builder("work").build();
        for (int i = 0; i < tasks; i++) {
          window.acquire();
          int index = i;
          long start = System.nanoTime();
          client
              .submit(spec)
              .whenComplete(
                  (r, err) -> {
                    long latency = System.nanoTime() - start;
                    boolean onSlow = err == null && r.nodeId().equals("slow");
                    all.recordValue(latency);
                    if (!onSlow) {
                      onFast.recordValue(latency);
                    }
                    slowTask[index] = onSlow; // read after done.await
                    window.release();
                    done.countDown();
                  });
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
          throw new IllegalStateException("tasks did not finish within 5 minutes");
        }
        int[] byTenth = new int[10];
        int slowCount = 0;
        for (int i = 0; i < tasks; i++) {
          if (slowTask[i]) {
            byTenth[i * 10 / tasks]++;
            slowCount++;
          }
        }
        return new Run(
            all.getIntervalHistogram(), onFast.getIntervalHistogram(), slowCount, byTenth);
      } finally {
        workers.forEach(WorkerNode::close);
      }
    }
  }

  /** The latency in nanoseconds at {@code percentile} (0–100), or 0 when nothing was recorded. */
  private static long pct(Histogram latencies, double percentile) {
    return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile);
  }

  /** A handler that takes {@code millis} per task: the built-in sleep with a fixed duration. */
  private static TaskHandler sleeping(int millis) {
    TaskHandler sleep = TaskHandlers.builtins().get("sleep");
    byte[] duration = Integer.toString(millis).getBytes(StandardCharsets.US_ASCII);
    return payload -> sleep.run(duration);
  }
}
