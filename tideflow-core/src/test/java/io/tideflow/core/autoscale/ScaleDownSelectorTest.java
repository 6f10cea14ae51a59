package io.tideflow.core.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.autoscale.PoolState.PoolNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleDownSelectorTest {

  @Test
  void removesTheLeastBusyFirstAndNeverAPinnedNode() {
    PoolState pool =
        PoolState.of("p", 4)
            .withNodes(
                List.of(
                    new PoolNode("a", 9, false), new PoolNode("b", 0, true),
                    new PoolNode("c", 2, false), new PoolNode("d", 2, false)));
    ScaleDownSelector.Selection s = ScaleDownSelector.select(pool, 2);
    assertThat(s.nodes()).containsExactly("c", "d");
    assertThat(s.shortfall()).isEmpty();
  }

  @Test
  void explainsWhyItFoundFewerThanAsked() {
    PoolState pool =
        PoolState.of("p", 2)
            .withNodes(List.of(new PoolNode("a", 0, true), new PoolNode("b", 0, false)));
    ScaleDownSelector.Selection s = ScaleDownSelector.select(pool, 2);
    assertThat(s.nodes()).containsExactly("b");
    assertThat(s.shortfall())
        .isEqualTo("asked to remove 2 node(s), found 1; pinned (hold work that cannot move): [a]");
  }
}
