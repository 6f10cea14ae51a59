package io.tideflow.bench.autoscale;

import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.HpaBehavior;
import io.tideflow.core.autoscale.MetricsWindow;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.PoolState;
import io.tideflow.core.autoscale.TargetTrackingPolicy;
import io.tideflow.core.autoscale.ThresholdPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One autoscaling decision for a pool of {@code nodes} nodes: threshold and target-tracking
 * policies over a 5-minute window of per-second samples, with 10 minutes of recommendations and
 * scale events; the load is low and the window agrees, so each decision shrinks the pool and
 * chooses which nodes leave (sorting them by load).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AutoscalerBenchmark {
  @Param({"100", "1000"})
  public int nodes;

  private Autoscaler autoscaler;
  private MetricsWindow window;
  private PoolState pool;
  private Instant now;

  @Setup
  public void setUp() {
    now = Instant.parse("2026-11-24T12:00:00Z");
    SplittableRandom random = new SplittableRandom(7);
    List<MetricsWindow.Sample> samples = new ArrayList<>();
    for (int s = 300; s >= 0; s--) {
      samples.add(
          new MetricsWindow.Sample(
              now.minusSeconds(s),
              Map.of(
                  MetricsWindow.CPU,
                  0.2 + random.nextDouble(0.1),
                  MetricsWindow.MEMORY,
                  0.3,
                  MetricsWindow.QUEUE,
                  0.05)));
    }
    window = new MetricsWindow(samples);
    List<PoolState.PoolNode> poolNodes = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      poolNodes.add(new PoolState.PoolNode("n-" + i, random.nextInt(20), i % 50 == 0));
    }
    List<PoolState.Recommendation> recs = new ArrayList<>();
    for (int s = 600; s > 0; s -= 15) {
      recs.add(new PoolState.Recommendation(now.minusSeconds(s), nodes / 3));
    }
    pool =
        new PoolState(
            "bench",
            nodes,
            poolNodes,
            List.of(new PoolState.ScaleEvent(now.minusSeconds(900), nodes / 2, nodes)),
            recs,
            0);
    autoscaler =
        new Autoscaler(
            List.of(
                ThresholdPolicy.uniform(0.8, Duration.ofMinutes(1)),
                new TargetTrackingPolicy(MetricsWindow.CPU, 0.6, 0.1, HpaBehavior.defaults())),
            new PoolLimits(1, 10 * nodes, Duration.ofSeconds(30), Duration.ofSeconds(120), 2.0));
  }

  @Benchmark
  public Autoscaler.Step decide() {
    return autoscaler.step(window, pool, now);
  }
}
