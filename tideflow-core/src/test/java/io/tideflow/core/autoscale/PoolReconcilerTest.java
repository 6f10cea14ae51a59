package io.tideflow.core.autoscale;

import static io.tideflow.core.autoscale.Samples.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.autoscale.PoolAction.Why;
import io.tideflow.core.autoscale.PoolEvent.DrainOutcome;
import io.tideflow.core.autoscale.PoolObservation.Phase;
import io.tideflow.core.autoscale.PoolObservation.Provided;
import io.tideflow.core.autoscale.PoolObservation.Registered;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.retry.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolReconcilerTest {
  private static final Duration LOST_AFTER = Duration.ofSeconds(4);
  private final Wish wish = new Wish();
  private final PoolReconciler reconciler =
      new PoolReconciler(
          "web",
          new Autoscaler(List.of(wish), new PoolLimits(1, 8, Duration.ZERO, Duration.ZERO, 2.0)),
          LOST_AFTER,
          Duration.ofMinutes(5),
          Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30)),
          Duration.ZERO,
          Duration.ofSeconds(10));

  /** A policy that wants what the test says. */
  static final class Wish implements ScalingPolicy {
    int desired = 1;
    PoolState seen;

    @Override
    public ScalingDecision decide(MetricsWindow window, PoolState pool, Instant now) {
      seen = pool;
      return new ScalingDecision(desired, "the test wants " + desired);
    }

    @Override
    public String name() {
      return "wish";
    }
  }

  private static Registered ready(String id, int inFlight) {
    return new Registered(id, NodeState.READY, inFlight, -1, -1, -1, T0);
  }

  private static PoolObservation seen(
      Instant now, List<String> running, List<Registered> registry) {
    List<Provided> provided = new ArrayList<>();
    running.forEach(id -> provided.add(new Provided(id, Phase.RUNNING)));
    return new PoolObservation(now, provided, registry, Map.of(), List.of(), null);
  }

  @Test
  void launchesWhatIsMissingOnceAndNotAgainUntilTheLaunchIsDone() {
    wish.desired = 3;
    PoolObservation two = seen(T0, List.of("web-1"), List.of(ready("web-1", 0)));
    PoolResult first = reconciler.tick(PoolBook.empty(), two);
    assertThat(first.actions()).containsExactly(new PoolAction.Launch(1)); // growth: at most x2
    assertThat(first.decision()).hasValueSatisfying(d -> assertThat(d.desired()).isEqualTo(2));

    PoolResult again =
        reconciler.tick(
            first.book(), seen(T0.plusSeconds(1), List.of("web-1"), List.of(ready("web-1", 0))));
    assertThat(again.actions()).isEmpty();

    PoolBook done = reconciler.on(again.book(), new PoolEvent.Launched(true), T0).book();
    assertThat(done.launching()).isFalse();
    assertThat(
            reconciler
                .tick(done, seen(T0.plusSeconds(2), List.of("web-1"), List.of(ready("web-1", 0))))
                .actions())
        .containsExactly(new PoolAction.Launch(1));
  }

  @Test
  void drainsTheLeastBusyNodesAndTerminatesThemOnlyOnceDrained() {
    wish.desired = 1;
    PoolResult down =
        reconciler.tick(
            PoolBook.empty(),
            seen(
                T0,
                List.of("web-1", "web-2", "web-3"),
                List.of(ready("web-1", 5), ready("web-2", 0), ready("web-3", 1))));
    assertThat(down.actions())
        .containsExactly(new PoolAction.Drain("web-2"), new PoolAction.Drain("web-3"));
    assertThat(down.book().leaving()).containsOnlyKeys("web-2", "web-3");

    PoolResult drained =
        reconciler.on(down.book(), new PoolEvent.Drained("web-2", DrainOutcome.DRAINED), T0);
    assertThat(drained.actions()).containsExactly(new PoolAction.Terminate("web-2", Why.DOWN, 0));
    PoolResult gone = reconciler.on(drained.book(), new PoolEvent.Terminated("web-2"), T0);
    assertThat(gone.book().leaving()).containsOnlyKeys("web-3");
  }

  @Test
  void aRegisteredNodeItsProviderDoesNotListAsRunningIsNeverChosenForRemoval() {
    wish.desired = 1;
    List<Provided> provided =
        List.of(
            new Provided("web-1", Phase.RUNNING),
            new Provided("web-2", Phase.RUNNING),
            new Provided("web-3", Phase.LAUNCHING)); // registered before its launch completed
    PoolResult down =
        reconciler.tick(
            PoolBook.empty(),
            new PoolObservation(
                T0,
                provided,
                List.of(ready("web-1", 5), ready("web-2", 4), ready("web-3", 0)),
                Map.of(),
                List.of(),
                null));

    assertThat(down.actions())
        .containsExactly(new PoolAction.Drain("web-2"), new PoolAction.Drain("web-1"));
  }

  @Test
  void aDrainRefusedForAStaleTokenLeavesTheNodeToTheNewerLeader() {
    wish.desired = 1;
    PoolResult down =
        reconciler.tick(
            PoolBook.empty(),
            seen(T0, List.of("web-1", "web-2"), List.of(ready("web-1", 1), ready("web-2", 0))));
    PoolResult refused =
        reconciler.on(down.book(), new PoolEvent.Drained("web-2", DrainOutcome.STALE_TOKEN), T0);
    assertThat(refused.actions()).isEmpty();
    assertThat(refused.book().leaving()).isEmpty();
  }

  @Test
  void aNodeMissingFromTheRegistryLongerThanTheGraceIsTerminatedAsLost() {
    wish.desired = 2;
    List<Registered> onlyOne = List.of(ready("web-1", 0));
    List<String> both = List.of("web-1", "web-2");
    PoolResult missing = reconciler.tick(PoolBook.empty(), seen(T0, both, onlyOne));
    assertThat(missing.book().missingSince()).containsEntry("web-2", T0);
    assertThat(missing.actions()).isEmpty();
    PoolResult atGrace = reconciler.tick(missing.book(), seen(T0.plus(LOST_AFTER), both, onlyOne));
    assertThat(atGrace.actions()).isEmpty();

    PoolResult lost =
        reconciler.tick(atGrace.book(), seen(T0.plus(LOST_AFTER).plusMillis(1), both, onlyOne));
    // It counts no more: the pool is one short, and the wish of two launches a replacement.
    assertThat(lost.actions())
        .containsExactly(new PoolAction.Terminate("web-2", Why.LOST, 0), new PoolAction.Launch(1));
    assertThat(lost.decision().orElseThrow().current()).isEqualTo(1);
  }

  @Test
  void aFailedTerminationIsTriedAgainAfterTheBackOff() {
    wish.desired = 1;
    PoolResult down =
        reconciler.tick(
            PoolBook.empty(),
            seen(T0, List.of("web-1", "web-2"), List.of(ready("web-1", 1), ready("web-2", 0))));
    PoolBook book =
        reconciler
            .on(down.book(), new PoolEvent.Drained("web-2", DrainOutcome.UNREACHABLE), T0)
            .book();
    PoolResult failed =
        reconciler.on(book, new PoolEvent.TerminationFailed("web-2", "cloud API timed out"), T0);
    assertThat(failed.actions())
        .containsExactly(
            new PoolAction.RetryAt("web-2", T0.plusSeconds(1), 1, "cloud API timed out"));

    List<String> still = List.of("web-1", "web-2");
    List<Registered> registry = List.of(ready("web-1", 1), ready("web-2", 0));
    PoolResult early = reconciler.tick(failed.book(), seen(T0.plusMillis(999), still, registry));
    assertThat(early.actions()).isEmpty();
    PoolResult due = reconciler.tick(early.book(), seen(T0.plusSeconds(1), still, registry));
    assertThat(due.actions()).containsExactly(new PoolAction.Terminate("web-2", Why.RETRY, 1));
    PoolResult twice =
        reconciler.on(
            due.book(), new PoolEvent.TerminationFailed("web-2", "again"), T0.plusSeconds(1));
    assertThat(twice.actions())
        .containsExactly(new PoolAction.RetryAt("web-2", T0.plusSeconds(3), 2, "again"));
  }

  @Test
  void pendingDemandAndStartingNodesReachThePoliciesThroughThePoolState() {
    List<Resources> waiting = List.of(Resources.of(1000, 1L << 30));
    PoolObservation seen =
        new PoolObservation(
            T0.plusSeconds(1),
            List.of(new Provided("web-1", Phase.RUNNING), new Provided("web-2", Phase.LAUNCHING)),
            List.of(ready("web-1", 2)),
            Map.of("queue", 7.0),
            waiting,
            T0);
    PoolResult r = reconciler.tick(PoolBook.empty(), seen);
    assertThat(wish.seen.current()).isEqualTo(2);
    assertThat(wish.seen.starting()).as("launching, not yet registered").isEqualTo(1);
    assertThat(wish.seen.waiting()).isEqualTo(waiting);
    assertThat(r.book().samples())
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.values())
                    .containsEntry(PoolReconciler.CONCURRENCY, 2.0)
                    .containsEntry("queue", 7.0));
  }

  @Test
  void cpuMemoryAndNetworkAreAveragedOverTheNodesThatReportThem() {
    PoolObservation seen =
        new PoolObservation(
            T0.plusSeconds(1),
            List.of(new Provided("web-1", Phase.RUNNING), new Provided("web-2", Phase.RUNNING)),
            List.of(
                new Registered("web-1", NodeState.READY, 1, 0.9, 0.5, -1, T0),
                new Registered("web-2", NodeState.READY, 1, 0.5, -1, 0.25, T0)),
            Map.of(),
            List.of(),
            null);
    PoolResult r = reconciler.tick(PoolBook.empty(), seen);
    assertThat(r.book().samples())
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.values())
                    .containsEntry(MetricsWindow.CPU, 0.7)
                    .containsEntry(MetricsWindow.MEMORY, 0.5)
                    .containsEntry(MetricsWindow.NETWORK, 0.25));
  }
}
