package io.tideflow.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.runtime.membership.FaultyStore;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.store.RevisionCompactedException;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which waiting work a new node of a template would admit, by the core's placement filters. */
class PendingDemandTest {
  private static final Resources CORE = Resources.of(1000, 1L << 30);

  private static NodeTemplate template(String name, Map<String, String> labels) {
    return new NodeTemplate(name, Resources.of(4000, 8L << 30), labels, Duration.ofSeconds(2));
  }

  @Test
  void countsOnlyTheWorkANewNodeOfTheTemplateWouldAdmit() throws Exception {
    try (MemoryClusterStore store = new MemoryClusterStore();
        PendingDemand demand = PendingDemand.follow(store, Duration.ofSeconds(5))) {
      PendingWork anywhere = new PendingWork(CORE, LabelSelector.ALL, 3, "no node fits");
      PendingWork onGpu =
          new PendingWork(
              CORE,
              new LabelSelector(List.of(LabelSelector.in("accelerator", "gpu"))),
              2,
              "no node fits");
      PendingWork toleratesGpuOnly =
          new PendingWork(CORE, LabelSelector.ALL, Set.of("gpu-only"), 1, "no node fits");
      PendingWork tooLarge =
          new PendingWork(Resources.of(64_000, 0), LabelSelector.ALL, 1, "no node fits");
      store
          .put(
              ClusterKeys.demand("c1"),
              DemandRecords.encode(
                  new DemandRecords.Report(
                      "c1", 0, List.of(anywhere, onGpu, toleratesGpuOnly, tooLarge))),
              0)
          .get();
      await().until(() -> demand.reports().size() == 1);

      NodeTemplate plain = template("plain", Map.of());
      NodeTemplate gpu =
          template("gpu", Map.of("accelerator", "gpu", PlacementRequest.TAINTS_LABEL, "gpu-only"));
      // A plain node takes the untainted work without a selector, the too-large one included
      // (the policy names it as too large rather than scaling for it); not the gpu selector's.
      assertThat(demand.demandFor(plain)).hasSize(3 + 1 + 1);
      // A tainted gpu node takes only the work tolerating its taint: the work selecting gpu
      // nodes does not tolerate it, so a new gpu node would not help it either.
      assertThat(demand.demandFor(gpu)).hasSize(1);

      store.delete(ClusterKeys.demand("c1")).get();
      await().until(() -> demand.demandFor(plain).isEmpty());
    }
  }

  @Test
  void listsAgainAfterTheStoreCompactedWhatItsWatchMissed() throws Exception {
    int history = 2;
    try (MemoryClusterStore store =
            new MemoryClusterStore(
                InstantSource.system(), MemoryClusterStore.DEFAULT_EXPIRY_CHECK_INTERVAL, history);
        FaultyStore faulty = new FaultyStore(store);
        PendingDemand demand = PendingDemand.follow(faulty, Duration.ofSeconds(5))) {
      report(store, "left");
      report(store, "stays");
      await().atMost(Duration.ofSeconds(5)).until(() -> clients(demand).size() == 2);

      faulty.cutWatches();
      store.delete(ClusterKeys.demand("left")).get(5, TimeUnit.SECONDS);
      report(store, "joined");
      for (int i = 0; i <= history; i++) {
        store.put("/unrelated/" + i, new byte[] {1}, 0).get(5, TimeUnit.SECONDS);
      }
      faulty.reconnectWatches();

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> clients(demand).equals(List.of("joined", "stays")));
      await().atMost(Duration.ofSeconds(5)).until(() -> demand.health().healthy());
      assertThat(demand.health().restarts()).isEqualTo(1);
      assertThat(demand.health().lastError()).isInstanceOf(RevisionCompactedException.class);
    }
  }

  private static void report(MemoryClusterStore store, String client) throws Exception {
    PendingWork work = new PendingWork(CORE, LabelSelector.ALL, 1, "no node fits");
    store
        .put(
            ClusterKeys.demand(client),
            DemandRecords.encode(new DemandRecords.Report(client, 0, List.of(work))),
            0)
        .get(5, TimeUnit.SECONDS);
  }

  private static List<String> clients(PendingDemand demand) {
    return demand.reports().stream().map(DemandRecords.Report::clientId).sorted().toList();
  }
}
