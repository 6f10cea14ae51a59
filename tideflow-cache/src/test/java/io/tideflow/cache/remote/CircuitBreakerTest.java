package io.tideflow.cache.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.cache.FakeTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final FakeTicker ticker = new FakeTicker();
  private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(1), ticker);

  @Test
  void opensAfterThresholdConsecutiveFailuresOnly() {
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.tryAcquire()).isTrue();

    breaker.recordFailure();

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.tryAcquire()).isFalse();
  }

  @Test
  void letsOneProbeThroughAfterTheOpenDurationAndClosesOnItsSuccess() {
    AtomicInteger closings = new AtomicInteger();
    breaker.onClose(closings::incrementAndGet);
    open();

    ticker.advance(Duration.ofMillis(999));
    assertThat(breaker.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1));
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.tryAcquire()).as("a second caller while the probe runs").isFalse();

    breaker.recordSuccess();

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(closings).hasValue(1);
  }

  @Test
  void aFailedProbeOpensItForAnotherOpenDuration() {
    open();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(breaker.tryAcquire()).isTrue();

    breaker.recordFailure();

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    ticker.advance(Duration.ofMillis(500));
    assertThat(breaker.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(500));
    assertThat(breaker.tryAcquire()).isTrue();
  }

  @Test
  void aProbeThatNeverReportsIsReplacedAfterTheOpenDuration() {
    open();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(breaker.tryAcquire()).isTrue();

    ticker.advance(Duration.ofSeconds(1));

    assertThat(breaker.tryAcquire()).isTrue();
  }

  @Test
  void successesWhileClosedDoNotFireTheCloseListener() {
    AtomicInteger closings = new AtomicInteger();
    breaker.onClose(closings::incrementAndGet);
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordSuccess();
    assertThat(closings).hasValue(0);
  }

  private void open() {
    for (int i = 0; i < 3; i++) {
      breaker.recordFailure();
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }
}
