package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.retry.Backoff;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  @Test
  void retriesAreHeldToTheRatioOfSubmissionsOnceTheBurstIsSpent() {
    RetryBudget budget = new RetryBudget(0.2, 10);
    int retries = 0;
    for (int i = 0; i < 10_000; i++) {
      budget.deposit();
      // Every task wants a retry: the budget decides how many get one.
      if (budget.tryWithdraw()) {
        retries++;
      }
    }
    assertThat(retries).isBetween(2_000, 2_010); // 20 % of 10,000 plus at most the burst
  }

  @Test
  void theBalanceNeverExceedsTheBurst() {
    RetryBudget budget = new RetryBudget(0.5, 3);
    for (int i = 0; i < 1_000; i++) {
      budget.deposit();
    }
    assertThat(budget.available()).isEqualTo(3);
  }

  @Test
  void aZeroBudgetAllowsNoRetry() {
    RetryBudget budget = new RetryBudget(0, 0);
    budget.deposit();
    assertThat(budget.tryWithdraw()).isFalse();
  }

  @Test
  void aTurnBackPolicyRejectsBadValuesNamingTheField() {
    Backoff b = Backoff.fixed(Duration.ofMillis(10));
    assertThatThrownBy(() -> new TurnBackPolicy(b, 0, 0.2, 1))
        .hasMessage("maxTurnBacks must be >= 1, was 0");
    assertThatThrownBy(() -> new TurnBackPolicy(b, 1, 1.5, 1))
        .hasMessage("budgetRatio must be in [0, 1], was 1.5");
    assertThatThrownBy(() -> new TurnBackPolicy(b, 1, 0.2, -1))
        .hasMessage("budgetBurst must be >= 0, was -1");
    assertThatThrownBy(() -> new TurnBackPolicy(null, 1, 0.2, 1))
        .hasMessage("backoff must not be null");
  }

  @Test
  void aPendingByteBudgetBelowTheLargestPayloadIsRejected() {
    assertThatThrownBy(() -> ClientConfig.defaults().withMaxPendingBytes(1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPendingBytes must be >= 1048576 (the largest payload), was 1024");
    assertThat(ClientConfig.defaults().maxPendingBytes()).isEqualTo(256L * 1024 * 1024);
  }
}
