package io.tideflow.runtime.autoscale;

import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.KeyValue;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows what the clients wait to place ({@link ClusterKeys#DEMAND}, one record per client under
 * its lease) and answers, for a node template, which of it a new node of that template could run:
 * the input of the pending-demand policy. Work whose label selector the template's labels do not
 * satisfy is left out, as the Cluster Autoscaler leaves out pods a node group cannot hold.
 */
public final class PendingDemand implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PendingDemand.class.getName());

  /** Most demands handed to a policy at once: bin-packing more would only cost time. */
  public static final int MAX_DEMANDS = 10_000;

  private final Map<String, DemandRecords.Report> byClient = new ConcurrentHashMap<>();
  private volatile ClusterStore.Watch watch;

  private PendingDemand() {}

  /**
   * Reads the clients' records and starts following them.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  public static PendingDemand follow(ClusterStore store, Duration timeout) {
    PendingDemand demand = new PendingDemand();
    ClusterStore.Snapshot snapshot =
        StoreCalls.await(store.list(ClusterKeys.DEMAND), timeout, "list pending demand");
    for (KeyValue kv : snapshot.kvs()) {
      demand.put(kv);
    }
    demand.watch = store.watch(ClusterKeys.DEMAND, snapshot.revision() + 1,
        new ClusterStore.WatchListener() {
          @Override
          public void onEvents(List<WatchEvent> events) {
            for (WatchEvent e : events) {
              if (e.type() == WatchEvent.Type.DELETE) {
                demand.byClient.remove(e.kv().key());
              } else {
                demand.put(e.kv());
              }
            }
          }

          @Override
          public void onError(Throwable error) {
            LOG.log(Level.ERROR, "pending demand watch ended: " + error.getMessage(), error);
          }
        });
    return demand;
  }

  private void put(KeyValue kv) {
    try {
      byClient.put(kv.key(), DemandRecords.decode(kv.key(), kv.value()));
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, e.getMessage()); // unreadable: leave that client out
      byClient.remove(kv.key());
    }
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
    for (DemandRecords.Report r : byClient.values()) {
      for (PendingWork w : r.work()) {
        if (!w.selector().matches(template.labels())) {
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
    ClusterStore.Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
