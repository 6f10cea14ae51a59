package io.tideflow.core.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartingNodesTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration SETTLE = Duration.ofSeconds(2);
  private static final Duration MAX = Duration.ofSeconds(10);

  @Test
  void nodesNotReadyYetAlwaysCount() {
    assertThat(StartingNodes.count(5, List.of(T, T), null, SETTLE, MAX, T)).isEqualTo(3);
    assertThat(StartingNodes.count(1, List.of(T, T), null, SETTLE, MAX, T)).isZero();
  }

  @Test
  void aReadyNodeCountsUntilDemandReportedAfterItHasSettled() {
    Instant ready = T.plusSeconds(10);
    List<Instant> since = List.of(T, ready);
    // Demand from before the node was up, or too soon after: the node is still starting.
    assertThat(
            StartingNodes.count(2, since, ready.minusSeconds(1), SETTLE, MAX, ready.plusSeconds(1)))
        .isEqualTo(1);
    assertThat(
            StartingNodes.count(2, since, ready.plusSeconds(1), SETTLE, MAX, ready.plusSeconds(1)))
        .isEqualTo(1);
    // Demand reported after the settle time: it has seen the node.
    assertThat(
            StartingNodes.count(2, since, ready.plusSeconds(3), SETTLE, MAX, ready.plusSeconds(3)))
        .isZero();
  }

  @Test
  void staleDemandHoldsANodeBackOnlyUpToTheBound() {
    Instant ready = T.plusSeconds(10);
    List<Instant> since = List.of(ready);
    assertThat(StartingNodes.count(1, since, T, SETTLE, MAX, ready.plusSeconds(9))).isEqualTo(1);
    assertThat(StartingNodes.count(1, since, T, SETTLE, MAX, ready.plusSeconds(11))).isZero();
    assertThat(StartingNodes.count(1, Arrays.asList((Instant) null), T, SETTLE, MAX, ready))
        .as("a node whose READY time is unknown is up")
        .isZero();
  }
}
