package io.tideflow.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyGenerationsTest {
  private final KeyGenerations generations = new KeyGenerations();
  private final List<String> stored = new ArrayList<>();

  @Test
  void aStoreWithNoWriteSinceItsStampGoesThrough() {
    long stamp = generations.stamp("k");

    assertThat(generations.storeIfUnchanged("k", stamp, () -> stored.add("k"))).isTrue();
    assertThat(stored).containsExactly("k");
  }

  @Test
  void aStoreIsRefusedAfterAWriteOfTheSameKey() {
    long stamp = generations.stamp("k");

    generations.write("k", () -> {});

    assertThat(generations.storeIfUnchanged("k", stamp, () -> stored.add("k"))).isFalse();
    assertThat(stored).isEmpty();
  }

  @Test
  void aStoreIsRefusedAfterAWriteOfEveryKey() {
    long stamp = generations.stamp("k");

    generations.writeAll(() -> {});

    assertThat(generations.storeIfUnchanged("k", stamp, () -> stored.add("k"))).isFalse();
  }

  @Test
  void aStoreStampedAfterTheWriteGoesThrough() {
    generations.write("k", () -> {});
    long stamp = generations.stamp("k");

    assertThat(generations.storeIfUnchanged("k", stamp, () -> stored.add("k"))).isTrue();
  }
}
