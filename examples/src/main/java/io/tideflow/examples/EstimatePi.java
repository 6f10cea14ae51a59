package io.tideflow.examples;

import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ScatterGather;
import io.tideflow.runtime.client.TideflowClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Estimates pi by throwing darts over many tasks: each task throws its share at the unit square
 * ({@code pi-darts}), the client adds up how many fell inside the quarter circle.
 *
 * <pre>
 * EstimatePi embedded|STORE-URI [TASKS [DARTS-PER-TASK]]
 * </pre>
 */
public final class EstimatePi {
  private EstimatePi() {}

  /** What a run found. */
  public record Estimate(double pi, long darts, long inside, int tasks) {}

  /** Throws {@code darts} darts in each of {@code tasks} tasks on {@code client}'s cluster. */
  public static Estimate estimate(TideflowClient client, int tasks, long darts) throws Exception {
    List<TaskSpec> pieces = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      pieces.add(
          TaskSpec.builder("pi-darts")
              .payload((i + " " + darts).getBytes(StandardCharsets.US_ASCII))
              .build());
    }
    ScatterGather.Gathered<Long> g =
        ScatterGather.of(
                client,
                pieces,
                r -> Long.parseLong(new String(r.output(), StandardCharsets.US_ASCII)))
            .reduce(0L, Long::sum)
            .get(10, TimeUnit.MINUTES);
    long thrown = darts * tasks;
    return new Estimate(4.0 * g.value() / thrown, thrown, g.value(), tasks);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: EstimatePi embedded|STORE-URI [TASKS [DARTS-PER-TASK]]");
      System.exit(2);
    }
    int tasks = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    long darts = args.length > 2 ? Long.parseLong(args[2]) : 1_000_000;
    try (Cluster cluster = Cluster.open(args[0])) {
      long start = System.nanoTime();
      Estimate e = estimate(cluster.client, tasks, darts);
      System.out.printf(
          Locale.ROOT,
          "pi ~ %.6f (off by %.6f) from %,d darts over %d tasks in %.1f s%n",
          e.pi(),
          Math.abs(e.pi() - Math.PI),
          e.darts(),
          e.tasks(),
          (System.nanoTime() - start) / 1e9);
    }
  }
}
