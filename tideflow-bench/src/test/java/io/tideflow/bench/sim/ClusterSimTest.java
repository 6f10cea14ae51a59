package io.tideflow.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.autoscale.MetricsWindow;
import io.tideflow.core.autoscale.ScalingPolicy;
import io.tideflow.core.autoscale.TargetTrackingPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSimTest {
  private static List<ScalingPolicy> reactive() {
    return List.of(TargetTrackingPolicy.of(MetricsWindow.CPU, 0.7));
  }

  private static SimConfig twoHours(long seed) {
    return SimConfig.of(
            seed,
            Duration.ofHours(2),
            new LoadModel.Spike(20, 80, 40 * 60_000L, 30 * 60_000L),
            ClusterSimTest::reactive)
        .withNodes(150, io.tideflow.core.autoscale.PoolLimits.of(1, 2_000))
        .withFaults(0.05, Duration.ofMinutes(38), Duration.ofMinutes(10));
  }

  @Test
  void theSameSeedGivesTheSameRunBitForBitAndAnotherSeedAnother() {
    SimResult a = ClusterSim.run(twoHours(7));
    SimResult b = ClusterSim.run(twoHours(7));
    assertThat(b).isEqualTo(a);
    assertThat(b.traceHash()).isEqualTo(a.traceHash());
    SimResult c = ClusterSim.run(twoHours(8));
    assertThat(c.traceHash()).isNotEqualTo(a.traceHash());
  }

  @Test
  void noTaskIsLostThroughNodeFailuresAndAProviderOutageAndThePoolFollowsTheSpike() {
    SimResult r = ClusterSim.run(twoHours(7));
    assertThat(r.arrived()).isGreaterThan(200_000);
    assertThat(r.lost()).isZero();
    assertThat(r.completed() + r.inSystem()).isEqualTo(r.arrived());
    assertThat(r.nodesFailed()).isPositive();
    assertThat(r.retried()).isPositive();
    // The spike came during the outage: the pool grew on the second provider.
    assertThat(r.launchedSecondary()).isPositive();
    assertThat(r.scaleUps()).isPositive();
    assertThat(r.scaleDowns()).isPositive();
    // 80 tasks/s of 60 s at 500m on 4-core nodes is 600 nodes' worth of cpu; the backlog the
    // outage left pushes target tracking on to the pool's max for a while.
    assertThat(r.peakNodes()).isBetween(600, 2_000);
    // The spike outran the slower second provider for a while: work waited, and was served later.
    assertThat(r.underProvisionedSeconds()).isPositive();
    assertThat(r.servedShare()).isBetween(0.5, 0.99);
    assertThat(r.minutes()).hasSize(120);
  }
}
