package io.tideflow.core.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.autoscale.PoolEvent.DrainOutcome;
import io.tideflow.core.autoscale.PoolObservation.Phase;
import io.tideflow.core.autoscale.PoolObservation.Provided;
import io.tideflow.core.autoscale.PoolObservation.Registered;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.retry.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The pool's step driven through random histories — policies changing their minds, launches
 * completing or failing, nodes registering and dying, drains and terminations succeeding or
 * failing, time passing — against a simulated provider and registry, with the invariants a cluster
 * operator relies on checked after every event.
 */
class PoolReconcilerPropertiesTest {

  enum Kind {
    WISH,
    TICK,
    ADVANCE,
    LAUNCH_DONE,
    REGISTER,
    DIE,
    DRAIN_DONE,
    TERMINATION_DONE
  }

  /** One thing that happens; {@code a} and {@code b} pick what it happens to and how. */
  record Op(Kind kind, int a, int b) {}

  @Provide
  Arbitrary<List<Op>> histories() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(0, 9))
            .as(Op::new);
    return op.list().ofMinSize(10).ofMaxSize(200);
  }

  /** A simulated node: listed by the provider from its launch until its termination succeeds. */
  static final class SimNode {
    Phase phase = Phase.LAUNCHING;
    boolean registered;
  }

  /** The world the step acts on, and what it did to it. */
  static final class World {
    final Map<String, SimNode> provided = new LinkedHashMap<>();
    final List<String> launchingIds = new ArrayList<>();
    boolean launchOutstanding;
    final Set<String> draining = new HashSet<>();
    final Set<String> drained = new HashSet<>();
    final Set<String> terminating = new HashSet<>();
    final Set<String> terminated = new HashSet<>();
    final Set<String> failedTermination = new HashSet<>();
    final Set<String> died = new HashSet<>();
    int next = 1;
    Instant now = Samples.T0;

    PoolObservation observe() {
      List<Provided> p = new ArrayList<>();
      List<Registered> r = new ArrayList<>();
      provided.forEach(
          (id, n) -> {
            p.add(new Provided(id, n.phase));
            if (n.registered) {
              r.add(new Registered(id, NodeState.READY, 0, -1, -1, -1, null));
            }
          });
      return new PoolObservation(now, p, r, Map.of(), List.of(), null);
    }

    /** Nodes up or launching that the pool has not started removing. */
    int counted(PoolBook book) {
      int n = 0;
      for (Map.Entry<String, SimNode> e : provided.entrySet()) {
        if (e.getValue().phase != Phase.ENDING && !book.leaving().containsKey(e.getKey())) {
          n++;
        }
      }
      return n;
    }

    void carryOut(List<PoolAction> actions) {
      for (PoolAction action : actions) {
        switch (action) {
          case PoolAction.Launch l -> {
            assertThat(launchOutstanding).as("a second launch while one is outstanding").isFalse();
            launchOutstanding = true;
            for (int i = 0; i < l.count(); i++) {
              String id = "web-" + next++;
              provided.put(id, new SimNode());
              launchingIds.add(id);
            }
          }
          case PoolAction.Drain d -> {
            assertThat(provided).as("drained node is provided").containsKey(d.nodeId());
            draining.add(d.nodeId());
          }
          case PoolAction.Terminate t -> {
            assertThat(terminated).as("terminated twice: " + t.nodeId()).doesNotContain(t.nodeId());
            assertThat(terminating)
                .as("terminated while its termination runs: " + t.nodeId())
                .doesNotContain(t.nodeId());
            switch (t.why()) {
              case DOWN ->
                  assertThat(drained)
                      .as("terminated undrained: " + t.nodeId())
                      .contains(t.nodeId());
              case LOST ->
                  assertThat(provided.get(t.nodeId()).registered)
                      .as("lost while registered: " + t.nodeId())
                      .isFalse();
              case RETRY -> assertThat(failedTermination).contains(t.nodeId());
            }
            terminating.add(t.nodeId());
          }
          case PoolAction.RetryAt r -> assertThat(r.at()).isAfter(now.minusMillis(1));
        }
      }
    }
  }

  @Property(tries = 300)
  void thePoolStaysInBoundsAndNoNodeIsLaunchedOrTerminatedOutOfTurnOrForgotten(
      @ForAll("histories") List<Op> history,
      @ForAll @IntRange(min = 0, max = 3) int min,
      @ForAll @IntRange(min = 0, max = 5) int extra,
      @ForAll @IntRange(min = 0, max = 20) int cooldownSeconds) {
    int max = Math.max(1, min + extra);
    PoolReconcilerTest.Wish wish = new PoolReconcilerTest.Wish();
    PoolLimits limits =
        new PoolLimits(
            min,
            max,
            Duration.ofSeconds(cooldownSeconds),
            Duration.ofSeconds(cooldownSeconds),
            2.0);
    PoolReconciler reconciler =
        new PoolReconciler(
            "web",
            new Autoscaler(List.of(wish), limits),
            Duration.ofSeconds(4),
            Duration.ofMinutes(1),
            Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30)),
            Duration.ZERO,
            Duration.ofSeconds(10));
    World world = new World();
    PoolBook book = PoolBook.empty();
    for (Op op : history) {
      PoolResult result = null;
      switch (op.kind()) {
        case WISH -> wish.desired = op.a() % (max + 3);
        case ADVANCE -> world.now = world.now.plusMillis(250L * (op.a() + 1));
        case TICK -> {
          boolean launchBefore = world.launchOutstanding;
          result = reconciler.tick(book, world.observe());
          world.carryOut(result.actions());
          book = result.book();
          if (!launchBefore) {
            assertThat(world.counted(book))
                .as("at least min after a step")
                .isGreaterThanOrEqualTo(min);
          }
        }
        case LAUNCH_DONE -> {
          if (world.launchOutstanding) {
            boolean ok = op.b() > 2;
            for (String id : world.launchingIds) {
              if (ok) {
                world.provided.get(id).phase = Phase.RUNNING;
              } else {
                world.provided.remove(id); // the provider gave up on it
              }
            }
            world.launchingIds.clear();
            world.launchOutstanding = false;
            result = reconciler.on(book, new PoolEvent.Launched(ok), world.now);
          }
        }
        case REGISTER ->
            pick(
                    world.provided.entrySet().stream()
                        .filter(
                            e ->
                                e.getValue().phase == Phase.RUNNING
                                    && !e.getValue().registered
                                    && !world.died.contains(e.getKey()))
                        .map(Map.Entry::getKey)
                        .toList(),
                    op.a())
                .ifPresent(id -> world.provided.get(id).registered = true);
        case DIE ->
            pick(
                    world.provided.entrySet().stream()
                        .filter(e -> e.getValue().registered)
                        .map(Map.Entry::getKey)
                        .toList(),
                    op.a())
                .ifPresent(
                    id -> {
                      world.provided.get(id).registered = false;
                      world.died.add(id);
                    });
        case DRAIN_DONE -> {
          var id = pick(List.copyOf(world.draining), op.a());
          if (id.isPresent()) {
            world.draining.remove(id.get());
            world.drained.add(id.get());
            DrainOutcome outcome = op.b() > 2 ? DrainOutcome.DRAINED : DrainOutcome.UNREACHABLE;
            result = reconciler.on(book, new PoolEvent.Drained(id.get(), outcome), world.now);
          }
        }
        case TERMINATION_DONE -> {
          var id = pick(List.copyOf(world.terminating), op.a());
          if (id.isPresent()) {
            world.terminating.remove(id.get());
            if (op.b() > 3) {
              world.provided.remove(id.get());
              world.terminated.add(id.get());
              result = reconciler.on(book, new PoolEvent.Terminated(id.get()), world.now);
            } else {
              world.failedTermination.add(id.get());
              result =
                  reconciler.on(
                      book,
                      new PoolEvent.TerminationFailed(id.get(), "provider failed"),
                      world.now);
            }
          }
        }
      }
      if (result != null && op.kind() != Kind.TICK) {
        world.carryOut(result.actions());
        book = result.book();
      }
      assertThat(world.counted(book)).as("at most max").isLessThanOrEqualTo(max);
      assertThat(book.leaving().keySet())
          .as("a leaving node is one the provider still lists")
          .allMatch(world.provided::containsKey);
      assertThat(book.launching()).isEqualTo(world.launchOutstanding);
      Set<String> unconfirmed = new HashSet<>(world.terminating);
      unconfirmed.addAll(world.failedTermination);
      unconfirmed.removeAll(world.terminated);
      assertThat(book.leaving().keySet())
          .as("a node is not forgotten before it is confirmed gone")
          .containsAll(unconfirmed);
    }
  }

  private static Optional<String> pick(List<String> ids, int index) {
    return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(index % ids.size()));
  }
}
