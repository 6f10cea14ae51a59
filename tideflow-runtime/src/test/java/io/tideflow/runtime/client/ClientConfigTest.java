package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.retry.Backoff;
import io.tideflow.store.clock.MonotonicClock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class ClientConfigTest {

  @Test
  void byDefaultANodeIsRetriedAfterOneSecondAndAFailingOneAtMostEveryThirty() {
    ClientConfig config = ClientConfig.defaults();
    assertThat(config.reconnectBackoff().delay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.reconnectBackoff().delay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.reconnectBackoff().delay(100)).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.clock()).isSameAs(MonotonicClock.system());
  }

  @Test
  void withersKeepEveryOtherSetting() {
    Backoff fixed = Backoff.fixed(Duration.ofMillis(250));
    InstantSource clock = InstantSource.fixed(Instant.EPOCH);
    ClientConfig config =
        ClientConfig.defaults()
            .withMaxPending(7)
            .withReconnectBackoff(fixed)
            .withClock(clock)
            .withStoreTimeout(Duration.ofSeconds(9));
    assertThat(config.maxPending()).isEqualTo(7);
    assertThat(config.reconnectBackoff()).isEqualTo(fixed);
    assertThat(config.clock()).isSameAs(clock);
    assertThat(config.storeTimeout()).isEqualTo(Duration.ofSeconds(9));
  }

  @Test
  void rejectsAMissingClockOrBackoffNamingTheField() {
    assertThatThrownBy(() -> ClientConfig.defaults().withClock(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clock must not be null");
    assertThatThrownBy(() -> ClientConfig.defaults().withReconnectBackoff(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reconnectBackoff must not be null");
  }
}
