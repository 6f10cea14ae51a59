package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.core.retry.Backoff;
import io.tideflow.runtime.client.TurnBacks.Cause;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bounds on turned-back tasks, on time given as a value. */
class TurnBacksTest {
  private static final long MS = 1_000_000L;

  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  private static TaskAttempt attempt() {
    return new TaskAttempt(TaskSpec.builder("echo").build(), 0);
  }

  @Test
  void aTurnedBackTaskIsDueOnlyOnceItsBackoffAndAtMostHalfAgainOfJitterHavePassed() {
    TurnBacks turnBacks =
        new TurnBacks(
            new TurnBackPolicy(Backoff.fixed(Duration.ofMillis(100)), 10, 1.0, 10), metrics);
    TaskAttempt t = attempt();
    long now = 5_000 * MS;
    assertThat(turnBacks.refuse(t, Cause.OVERLOADED)).isNull();

    turnBacks.delay(t, now);

    assertThat(turnBacks.due(now + 99 * MS)).isEmpty();
    assertThat(turnBacks.due(now + 151 * MS)).containsExactly(t);
    assertThat(turnBacks.waiting()).isZero();
  }

  @Test
  void drainingTurnBacksAreBoundedByTheLimitButNotChargedToTheBudget() {
    TurnBacks turnBacks =
        new TurnBacks(new TurnBackPolicy(Backoff.fixed(Duration.ofMillis(1)), 2, 0, 0), metrics);
    TaskAttempt draining = attempt();

    assertThat(turnBacks.refuse(draining, Cause.DRAINING)).isNull();
    assertThat(turnBacks.refuse(draining, Cause.DRAINING)).isNull();
    assertThat(turnBacks.refuse(draining, Cause.DRAINING))
        .isEqualTo(
            "was turned back 3 times, more than the limit of 2 (TurnBackPolicy.maxTurnBacks)");
    assertThat(turnBacks.refuse(attempt(), Cause.OVERLOADED))
        .as("an empty budget refuses an overload retry at once")
        .contains("retry budget was spent");
    assertThat(metrics.counter("tideflow.client.tasks.turned_back", "reason", "draining").count())
        .isEqualTo(3);
  }
}
