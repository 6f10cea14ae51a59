package io.tideflow.bench.placement;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.placement.PlacementContext;
import io.tideflow.core.placement.PlacementPolicy;
import io.tideflow.core.placement.PlacementResult;
import io.tideflow.core.placement.PolicyPlacement;
import io.tideflow.core.placement.Sampling;
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
 * Placement decisions per second (Throughput) and their latency distribution (SampleTime: read
 * p0.99) on clusters of 100, 1,000 and 10,000 nodes filled to 0–70%, bin-packing, single-threaded.
 * {@code exhaustive} filters and scores every node; {@code sampled} stops once 0.5% of the nodes
 * (at least 50: so 50 at every size here) are found feasible, starting where the last decision
 * stopped, as kube-scheduler does. Each decision is made against the same allocations (the caller
 * would record it with {@link Allocations#place}; {@link #recordDecision} measures that step).
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PlacementBenchmark {
  @Param({"100", "1000", "10000"})
  public int nodes;

  @Param({"exhaustive", "sampled"})
  public String scan;

  private ClusterView view;
  private PolicyPlacement placement;
  private PlacementContext context;
  private PlacementRequest[] requests;
  private Allocations aligned;
  private int next;

  @Setup
  public void setUp() {
    view = BenchClusters.cluster(nodes);
    Sampling sampling = scan.equals("sampled") ? new Sampling(0.5, 50) : Sampling.EXHAUSTIVE;
    placement =
        new PolicyPlacement(PlacementPolicy.binPack().toBuilder().sampling(sampling).build());
    context = PlacementContext.of(BenchClusters.halfFull(view, 1));
    requests = BenchClusters.requests(1024, 2);
    aligned = BenchClusters.halfFull(view, 1);
    placement.decide(
        requests[0], view, context.withAllocations(aligned)); // lines it up with the view
  }

  private PlacementResult decideOnce() {
    PlacementResult r = placement.decide(requests[next++ & 1023], view, context);
    context = context.withStartIndex(r.nextStartIndex());
    return r;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  public PlacementResult decisionsPerSecond() {
    return decideOnce();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  public PlacementResult decisionLatency() {
    return decideOnce();
  }

  /** The persistent allocation update a caller makes after each decision (not a full copy). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  public Allocations recordDecision() {
    PlacementRequest req = requests[next++ & 1023];
    return context
        .allocations()
        .place(view.nodes().get(next % nodes).id(), req.demand(), req.workLabels());
  }

  /**
   * The same step on allocations a decision has lined up with the view ({@link
   * io.tideflow.core.model.ClusterView#scan}): it also copies one chunk of the alignment, so the
   * next decision reads it by position. This is what a caller that decides and records pays.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  public Allocations recordAlignedDecision() {
    PlacementRequest req = requests[next++ & 1023];
    return aligned.place(view.nodes().get(next % nodes).id(), req.demand(), req.workLabels());
  }
}
