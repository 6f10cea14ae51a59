package io.tideflow.core.autoscale;

import static io.tideflow.core.autoscale.Samples.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingDemandPolicyTest {
  private static final long GIB = 1L << 30;
  private final Resources template = Resources.of(4000, 16 * GIB);

  @Test
  void packsWaitingTasksIntoAsFewNewNodesAsFirstFitDecreasingNeeds() {
    List<Resources> waiting = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      waiting.add(Resources.of(3000, GIB)); // one per node: 6 nodes
    }
    for (int i = 0; i < 6; i++) {
      waiting.add(Resources.of(1000, GIB)); // fill the gaps the big ones leave
    }
    PendingDemandPolicy p = new PendingDemandPolicy(template);
    ScalingDecision d = p.decide(MetricsWindow.of(), PoolState.of("p", 2).withWaiting(waiting), T0);
    assertThat(d.desired()).isEqualTo(8);
    assertThat(d.reason()).startsWith("12 task(s) wait: 6 new node(s)");
  }

  @Test
  void packsByTheScarcestResource() {
    // Memory-heavy tasks: 3 per node by memory, though cpu would allow 40.
    List<Resources> waiting = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      waiting.add(Resources.of(100, 5 * GIB));
    }
    assertThat(PendingDemandPolicy.nodesFor(waiting, template)).isEqualTo(3);
  }

  @Test
  void aTaskNoTemplateCanHoldIsNamedNotScaledFor() {
    PendingDemandPolicy p = new PendingDemandPolicy(template);
    ScalingDecision d =
        p.decide(
            MetricsWindow.of(),
            PoolState.of("p", 2)
                .withWaiting(List.of(Resources.of(8000, GIB), Resources.ZERO.withCustom("gpu", 1))),
            T0);
    assertThat(d.desired()).isEqualTo(2);
    assertThat(d.reason()).endsWith("2 fit no node of this template");
  }

  @Test
  void nothingWaitingKeepsTheSize() {
    PendingDemandPolicy p = new PendingDemandPolicy(template);
    ScalingDecision d = p.decide(MetricsWindow.of(), PoolState.of("p", 5), T0);
    assertThat(d.desired()).isEqualTo(5);
    assertThat(d.abstains()).isFalse();
  }

  @Test
  void nodesAlreadyStartingAreNotAskedForAgain() {
    List<Resources> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(Resources.of(3000, GIB)); // 5 nodes' worth
    }
    PendingDemandPolicy p = new PendingDemandPolicy(template);
    // 6 nodes, 2 of them still starting: 3 more are needed, not 5.
    ScalingDecision d =
        p.decide(MetricsWindow.of(), PoolState.of("p", 6).withStarting(2).withWaiting(waiting), T0);
    assertThat(d.desired()).isEqualTo(9);
    assertThat(d.reason()).contains("5 new node(s)").contains("2 of them already starting");
    // As many starting as needed: keep the size.
    assertThat(
            p.decide(
                    MetricsWindow.of(),
                    PoolState.of("p", 8).withStarting(5).withWaiting(waiting),
                    T0)
                .desired())
        .isEqualTo(8);
  }

  @Test
  void besideAUtilizationPolicyItLeavesShrinkingToThatPolicy() {
    PendingDemandPolicy pending = PendingDemandPolicy.besideUtilization(template);
    ScalingPolicy wantsTwo =
        new ScalingPolicy() {
          @Override
          public String name() {
            return "wants-two";
          }

          @Override
          public ScalingDecision decide(MetricsWindow window, PoolState pool, Instant now) {
            return new ScalingDecision(2, "two will do");
          }
        };
    Autoscaler autoscaler =
        new Autoscaler(
            List.of(pending, wantsTwo), new PoolLimits(1, 10, Duration.ZERO, Duration.ZERO, 2.0));
    PoolState five = PoolState.of("p", 5);
    assertThat(pending.decide(MetricsWindow.of(), five, T0).abstains()).isTrue();
    Autoscaler.Step down = autoscaler.step(MetricsWindow.of(), five, T0);
    assertThat(down.decision().desired()).isEqualTo(2);
    assertThat(down.record().policy()).isEqualTo("wants-two");
    Autoscaler.Step up =
        autoscaler.step(
            MetricsWindow.of(),
            five.withWaiting(List.of(Resources.of(4000, GIB), Resources.of(4000, GIB))),
            T0);
    assertThat(up.decision().desired()).isEqualTo(7);
    assertThat(up.record().policy()).isEqualTo("pending-demand");
  }

  @Test
  void whenEveryPolicyAbstainsTheSizeIsKeptAndTheLogSaysWhy() {
    Autoscaler alone =
        new Autoscaler(
            List.of(PendingDemandPolicy.besideUtilization(template)),
            new PoolLimits(1, 10, Duration.ZERO, Duration.ZERO, 2.0));
    Autoscaler.Step kept = alone.step(MetricsWindow.of(), PoolState.of("p", 3), T0);
    assertThat(kept.decision().desired()).isEqualTo(3);
    assertThat(kept.record().reason())
        .isEqualTo("every policy abstains (pending-demand: no task waits for a node)");
    assertThat(kept.recommendation()).isNull();
  }
}
