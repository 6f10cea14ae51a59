package io.tideflow.bench.placement;

import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Applying one node's heartbeat (a replaced NodeInfo) to a view of 1,000 or 10,000 nodes. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClusterViewBenchmark {
  @Param({"1000", "10000"})
  public int nodes;

  private ClusterView view;
  private NodeInfo[] updated;
  private int next;

  @Setup
  public void setUp() {
    view = BenchClusters.cluster(nodes);
    updated =
        view.nodes().stream()
            .map(n -> n.withLoad(new LoadReport(1, 0, 1, 0.5, 1, 2, 3)))
            .toArray(NodeInfo[]::new);
  }

  @Benchmark
  public ClusterView applyHeartbeat() {
    return view.with(updated[next++ % nodes], 2);
  }
}
