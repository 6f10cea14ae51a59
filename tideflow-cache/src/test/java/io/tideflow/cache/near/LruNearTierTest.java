package io.tideflow.cache.near;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LruNearTierTest extends NearTierContractTest {
  @Override
  NearPolicy policy() {
    return NearPolicy.LRU;
  }

  @Test
  void evictsTheLeastRecentlyReadEntry() {
    NearTier<String> tier = tier(3, Duration.ofHours(1));
    tier.put("a", "1", Duration.ofHours(1));
    tier.put("b", "2", Duration.ofHours(1));
    tier.put("c", "3", Duration.ofHours(1));
    tier.getIfPresent("a");

    tier.put("d", "4", Duration.ofHours(1));

    assertThat(tier.getIfPresent("b")).isNull();
    assertThat(tier.getIfPresent("a")).isEqualTo("1");
    assertThat(tier.getIfPresent("c")).isEqualTo("3");
    assertThat(tier.getIfPresent("d")).isEqualTo("4");
  }

  @Test
  void anExpiredEntryPushedOutIsNotCountedAsAnEviction() {
    NearTier<String> tier = tier(1, Duration.ofHours(1));
    tier.put("a", "1", Duration.ofSeconds(1));
    ticker.advance(Duration.ofSeconds(2));

    tier.put("b", "2", Duration.ofHours(1));

    assertThat(tier.evictionCount()).isZero();
    assertThat(tier.getIfPresent("b")).isEqualTo("2");
  }
}
