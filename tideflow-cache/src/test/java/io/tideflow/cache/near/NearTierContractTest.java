package io.tideflow.cache.near;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.cache.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What every near tier promises; one subclass per policy. */
abstract class NearTierContractTest {
  final FakeTicker ticker = new FakeTicker();

  abstract NearPolicy policy();

  NearTier<String> tier(long maximumSize, Duration expireAfterWrite) {
    return policy().create(maximumSize, expireAfterWrite, ticker);
  }

  @Test
  void returnsWhatWasPutUntilItsTtlPasses() {
    NearTier<String> tier = tier(100, Duration.ofHours(1));
    tier.put("a", "1", Duration.ofSeconds(10));

    ticker.advance(Duration.ofSeconds(9));
    assertThat(tier.getIfPresent("a")).isEqualTo("1");

    ticker.advance(Duration.ofSeconds(2));
    assertThat(tier.getIfPresent("a")).isNull();
  }

  @Test
  void expireAfterWriteCapsALongerEntryTtl() {
    NearTier<String> tier = tier(100, Duration.ofSeconds(5));
    tier.put("a", "1", Duration.ofHours(1));

    ticker.advance(Duration.ofSeconds(6));

    assertThat(tier.getIfPresent("a")).isNull();
  }

  @Test
  void readsDoNotExtendAnEntrysLife() {
    NearTier<String> tier = tier(100, Duration.ofHours(1));
    tier.put("a", "1", Duration.ofSeconds(10));
    for (int i = 0; i < 9; i++) {
      ticker.advance(Duration.ofSeconds(1));
      assertThat(tier.getIfPresent("a")).isEqualTo("1");
    }
    ticker.advance(Duration.ofSeconds(2));
    assertThat(tier.getIfPresent("a")).isNull();
  }

  @Test
  void staysWithinItsSizeBoundAndCountsEvictions() {
    NearTier<String> tier = tier(10, Duration.ofHours(1));
    for (int i = 0; i < 100; i++) {
      tier.put("k" + i, "v" + i, Duration.ofHours(1));
    }
    assertThat(tier.estimatedSize()).isLessThanOrEqualTo(10);
    assertThat(tier.evictionCount()).isEqualTo(90);
  }

  @Test
  void invalidateRemovesOneKeyAndInvalidateAllEveryKey() {
    NearTier<String> tier = tier(100, Duration.ofHours(1));
    tier.put("a", "1", Duration.ofHours(1));
    tier.put("b", "2", Duration.ofHours(1));

    tier.invalidate("a");
    assertThat(tier.getIfPresent("a")).isNull();
    assertThat(tier.getIfPresent("b")).isEqualTo("2");

    tier.invalidateAll();
    assertThat(tier.getIfPresent("b")).isNull();
    assertThat(tier.estimatedSize()).isZero();
  }

  @Test
  void rejectsANonPositiveTtl() {
    NearTier<String> tier = tier(100, Duration.ofHours(1));
    assertThatThrownBy(() -> tier.put("a", "1", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl must be > 0");
  }
}
