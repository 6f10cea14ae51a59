package io.tideflow.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AllocationsTest {
  @Test
  void placingReturnsANewStateAndLeavesTheOldOneAsItWas() {
    Allocations before = Allocations.empty();
    Allocations after = before.place("a", Resources.of(100, 10), Map.of("app", "x"));
    assertThat(before.of("a")).isEqualTo(NodeAllocation.EMPTY);
    assertThat(after.of("a").allocated()).isEqualTo(Resources.of(100, 10));
    assertThat(after.of("a").runs("app", "x")).isTrue();
    assertThat(after.release("a", Resources.of(100, 10), Map.of("app", "x")).nodesInUse()).isZero();
  }

  @Test
  void releasingMoreThanWasPlacedIsRejectedWithTheResourceNamed() {
    Allocations a = Allocations.empty().place("a", Resources.of(100, 10), Map.of());
    assertThatThrownBy(() -> a.release("a", Resources.of(200, 10), Map.of()))
        .hasMessageContaining("cpuMillis");
  }

  @Test
  void manyRandomPlacementsAgreeWithAPlainMapIncludingTheWorkLabelIndex() {
    SplittableRandom r = new SplittableRandom(5);
    Map<String, Long> cpu = new HashMap<>();
    Allocations allocs = Allocations.empty();
    for (int i = 0; i < 20_000; i++) {
      String node = "node-" + r.nextInt(3000);
      allocs = allocs.place(node, Resources.of(1, 0), Map.of("app", "a" + (node.hashCode() & 7)));
      cpu.merge(node, 1L, Long::sum);
    }
    for (Map.Entry<String, Long> e : cpu.entrySet()) {
      assertThat(allocs.of(e.getKey()).allocated().cpuMillis()).isEqualTo(e.getValue());
    }
    assertThat(allocs.nodesInUse()).isEqualTo(cpu.size());
    Set<String> running = new HashSet<>();
    allocs.forEachNodeRunning("app", "a3", running::add);
    assertThat(running).allSatisfy(n -> assertThat(n.hashCode() & 7).isEqualTo(3)).isNotEmpty();
    Allocations without = allocs.forget(running.iterator().next());
    Set<String> after = new HashSet<>();
    without.forEachNodeRunning("app", "a3", after::add);
    assertThat(after).hasSize(running.size() - 1);
  }
}
