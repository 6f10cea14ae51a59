package io.tideflow.runtime.autoscale;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.Resources;
import io.tideflow.core.placement.Filters;
import io.tideflow.core.placement.Placement;
import io.tideflow.core.placement.PlacementContext;
import io.tideflow.core.placement.PlacementPolicy;
import io.tideflow.core.placement.PolicyPlacement;
import io.tideflow.core.placement.Scorers;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.runtime.membership.PrefixWatch;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.KeyValue;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows what the clients wait to place ({@link ClusterKeys#DEMAND}, one record per client under
 * its lease) and answers, for a node template, which of it a new node of that template could run:
 * the input of the pending-demand policy. Whether a new node of the template would admit the work
 * is decided by the core's placement filters on a view of that one node — its label selector and
 * the template's taints — as the Cluster Autoscaler simulates a node group's new node with the
 * scheduler's predicates. Resources are left to the policy, which names work too large for the
 * template instead of scaling for it.
 */
public final class PendingDemand implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PendingDemand.class.getName());

  /** Most demands handed to a policy at once: bin-packing more would only cost time. */
  public static final int MAX_DEMANDS = 10_000;

  /** The filters that do not depend on resources: labels and taints. */
  private static final PolicyPlacement ADMISSION =
      new PolicyPlacement(
          PlacementPolicy.builder()
              .filters(List.of(Filters.LABELS, Filters.TAINTS))
              .score(Scorers.LEAST_ALLOCATED, 1)
              .build());

  private static final PlacementContext EMPTY = PlacementContext.of(Allocations.empty());

  private final Map<String, DemandRecords.Report> byClient = new ConcurrentHashMap<>();

  /** When each client's record last arrived, on this side's clock. */
  private final Map<String, Instant> receivedAt = new ConcurrentHashMap<>();

  private final InstantSource clock;
  private volatile Instant followingSince;
  private volatile PrefixWatch watch;

  private PendingDemand(InstantSource clock) {
    this.clock = clock;
  }

  /**
   * Reads the clients' records and starts following them.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  public static PendingDemand follow(ClusterStore store, Duration timeout) {
    return follow(store, timeout, InstantSource.system());
  }

  /**
   * As {@link #follow(ClusterStore, Duration)}, timing arrivals with {@code clock}. After a watch
   * error the records are listed again and followed from there (see {@link PrefixWatch}).
   */
  public static PendingDemand follow(ClusterStore store, Duration timeout, InstantSource clock) {
    PendingDemand demand = new PendingDemand(clock);
    demand.followingSince = clock.instant();
    demand.watch =
        PrefixWatch.start(
            store,
            ClusterKeys.DEMAND,
            timeout,
            clock,
            PrefixWatch.DEFAULT_BACKOFF,
            new PrefixWatch.Sink() {
              @Override
              public void onSnapshot(ClusterStore.Snapshot snapshot, boolean restart) {
                Set<String> listed = new HashSet<>();
                for (KeyValue kv : snapshot.kvs()) {
                  listed.add(kv.key());
                  demand.put(kv);
                }
                demand.byClient.keySet().retainAll(listed);
                demand.receivedAt.keySet().retainAll(listed);
              }

              @Override
              public void onEvents(List<WatchEvent> events) {
                for (WatchEvent e : events) {
                  if (e.type() == WatchEvent.Type.DELETE) {
                    demand.byClient.remove(e.kv().key());
                    demand.receivedAt.remove(e.kv().key());
                  } else {
                    demand.put(e.kv());
                  }
                }
              }
            });
    return demand;
  }

  /** Whether the records are being followed, and what went wrong last. */
  public PrefixWatch.Health health() {
    return watch.health();
  }

  private void put(KeyValue kv) {
    try {
      byClient.put(kv.key(), DemandRecords.decode(kv.key(), kv.value()));
      receivedAt.put(kv.key(), clock.instant());
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, e.getMessage()); // unreadable: leave that client out
      byClient.remove(kv.key());
      receivedAt.remove(kv.key());
    }
  }

  /**
   * When the demand was last known complete: the oldest arrival among the clients that report
   * waiting work (each rewrites its record at least every report interval while work waits), or now
   * when none does. Work that waits at a client which has not reported since is not known.
   */
  public Instant asOf() {
    Instant oldest = null;
    for (Instant t : receivedAt.values()) {
      if (oldest == null || t.isBefore(oldest)) {
        oldest = t;
      }
    }
    return oldest == null ? clock.instant() : oldest;
  }

  /** Every client's report. */
  public List<DemandRecords.Report> reports() {
    return List.copyOf(byClient.values());
  }

  /**
   * The demands, one per waiting piece of work (at most {@value #MAX_DEMANDS}), that a node of
   * {@code template} would be allowed to run.
   */
  public List<Resources> demandFor(NodeTemplate template) {
    List<Resources> demands = new ArrayList<>();
    ClusterView oneNewNode =
        ClusterView.of(
            0,
            List.of(
                new NodeInfo(
                    "new-" + template.name(),
                    "template",
                    "0.0.0.0:0",
                    template.labels(),
                    template.capacity(),
                    NodeState.READY,
                    LoadReport.NONE)));
    for (DemandRecords.Report r : byClient.values()) {
      for (PendingWork w : r.work()) {
        if (!ADMISSION
            .decide(w.request(), oneNewNode, EMPTY)
            .placement()
            .equals(new Placement.Placed("new-" + template.name()))) {
          continue;
        }
        for (int i = 0; i < w.count() && demands.size() < MAX_DEMANDS; i++) {
          demands.add(w.demand());
        }
      }
    }
    return demands;
  }

  @Override
  public void close() {
    PrefixWatch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
