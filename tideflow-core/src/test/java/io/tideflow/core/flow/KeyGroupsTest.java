package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class KeyGroupsTest {
  @Property
  void everyKeyLandsOnAnInstanceInRange(
      @ForAll long key,
      @ForAll @IntRange(min = 1, max = 1024) int parallelism,
      @ForAll @IntRange(min = 1, max = 4096) int extraGroups) {
    int keyGroups = parallelism + extraGroups - 1;
    int instance = KeyGroups.instanceOfKey(key, keyGroups, parallelism);
    assertThat(instance).isBetween(0, parallelism - 1);
  }

  @Property
  void rescalingMovesWholeGroups(
      @ForAll @IntRange(min = 1, max = 64) int before,
      @ForAll @IntRange(min = 1, max = 64) int after) {
    // Two keys of one group are on one instance before and after any change of parallelism.
    int keyGroups = 128;
    Map<Integer, Integer> ownerBefore = new HashMap<>();
    Map<Integer, Integer> ownerAfter = new HashMap<>();
    for (long key = 0; key < 2_000; key++) {
      int group = KeyGroups.group(key, keyGroups);
      int b = KeyGroups.instanceOfKey(key, keyGroups, before);
      int a = KeyGroups.instanceOfKey(key, keyGroups, after);
      assertThat(ownerBefore.computeIfAbsent(group, g -> b)).isEqualTo(b);
      assertThat(ownerAfter.computeIfAbsent(group, g -> a)).isEqualTo(a);
    }
  }

  @Test
  void consecutiveKeysSpreadOverEveryInstance() {
    int[] counts = new int[8];
    for (long key = 0; key < 8_000; key++) {
      counts[KeyGroups.instanceOfKey(key, 128, 8)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(700, 1300);
    }
  }

  @Test
  void aStringKeyIsTheSameEveryTime() {
    Set<Long> keys = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      keys.add(KeyGroups.key("user-42"));
    }
    assertThat(keys).containsExactly((long) "user-42".hashCode());
  }
}
