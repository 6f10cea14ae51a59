package io.tideflow.bench.placement;

import io.tideflow.core.balance.Balancer;
import io.tideflow.core.balance.BoundedLoadHashBalancer;
import io.tideflow.core.balance.Endpoint;
import io.tideflow.core.balance.LeastLoadedBalancer;
import io.tideflow.core.balance.OutlierEjection;
import io.tideflow.core.balance.PeakEwmaBalancer;
import io.tideflow.core.balance.PickResult;
import io.tideflow.core.balance.Picker;
import io.tideflow.core.balance.RoundRobinBalancer;
import java.util.ArrayList;
import java.util.List;
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
 * Picks per second of each balancer over 32 endpoints, single-threaded; each pick is followed by
 * its {@code onResult} (as the contract requires), so the figure is a full pick-and-report cycle.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BalancerBenchmark {
  @Param({"round-robin", "least-loaded", "p2c-peak-ewma", "bounded-load-hash"})
  public String balancer;

  private Balancer b;
  private Picker picker;
  private final SplittableRandom random = new SplittableRandom(7);
  private long now;

  @Setup
  public void setUp() {
    OutlierEjection ejection = OutlierEjection.DEFAULT;
    b =
        switch (balancer) {
          case "round-robin" -> new RoundRobinBalancer(ejection);
          case "least-loaded" -> new LeastLoadedBalancer(ejection);
          case "p2c-peak-ewma" -> new PeakEwmaBalancer(ejection, 10_000_000_000L, 1_000_000L);
          default -> new BoundedLoadHashBalancer(ejection, 0.25, 100);
        };
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      endpoints.add(Endpoint.healthy("node-" + i, "10.0.0." + i + ":7000"));
    }
    b.updateEndpoints(endpoints);
    picker = b.picker();
  }

  @Benchmark
  public PickResult pickAndReport() {
    now += 1_000;
    PickResult r = picker.pick(random.nextLong(), now);
    if (r instanceof PickResult.Chosen c) {
      b.onResult(c.endpoint().id(), 500_000 + (now & 0xFFFF), true, now);
    }
    return r;
  }
}
