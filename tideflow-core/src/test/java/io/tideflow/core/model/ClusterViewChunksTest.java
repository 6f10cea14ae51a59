package io.tideflow.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ClusterViewChunksTest {
  private static NodeInfo node(String id, long cpu) {
    return new NodeInfo(
        id, "p", "h:1", Map.of(), Resources.of(cpu, 1), NodeState.READY, LoadReport.NONE);
  }

  @Test
  void randomAddsReplacesAndRemovesAgreeWithASortedMapAndLeaveOldViewsIntact() {
    SplittableRandom r = new SplittableRandom(3);
    TreeMap<String, NodeInfo> model = new TreeMap<>();
    ClusterView view = ClusterView.empty();
    List<ClusterView> old = new ArrayList<>();
    List<List<String>> oldIds = new ArrayList<>();
    for (int step = 0; step < 5000; step++) {
      String id = "n" + r.nextInt(600);
      if (r.nextInt(4) == 0) {
        model.remove(id);
        view = view.without(id, step);
      } else {
        NodeInfo n = node(id, r.nextInt(1, 1000));
        model.put(id, n);
        view = view.with(n, step);
      }
      if (step % 500 == 0) {
        old.add(view);
        oldIds.add(List.copyOf(model.keySet()));
      }
    }
    assertThat(view.nodes()).containsExactlyElementsOf(model.values());
    for (String id : model.keySet()) {
      assertThat(view.node(id)).isSameAs(model.get(id));
    }
    assertThat(view.node("absent")).isNull();
    for (int i = 0; i < old.size(); i++) {
      assertThat(old.get(i).nodes())
          .extracting(NodeInfo::id)
          .containsExactlyElementsOf(oldIds.get(i));
    }
  }
}
