package io.tideflow.runtime.coordinator;

import io.tideflow.core.flow.FlowPlacement;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.flow.FlowRecords;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Places deployed flows while its coordinator leads: every flow without a placement, or with
 * instances on nodes that are gone (neither READY nor DRAINING), gets one ({@link
 * FlowPlacement#reason} decides, {@link FlowPlacement#replace} places: a first cut, or the
 * incremental one that keeps what runs on live nodes where it is), written to {@link
 * ClusterKeys#placement} through the leadership, so a deposed leader's write is refused by the
 * store. Level-triggered: it looks at every flow every {@link #PERIOD} and whenever the node
 * registry changes; a placement of a flow no longer deployed is deleted, and so is a failure
 * ({@link ClusterKeys#flowFailure}) of a deployment that is no longer the flow's, and the states
 * ({@link ClusterKeys#flowState}) of a deployment once another replaces it or the flow goes.
 */
public final class FlowPlacer implements AutoCloseable {
  private static final Logger LOG = System.getLogger(FlowPlacer.class.getName());

  /** How often every flow is looked at while leading, changes or not. */
  public static final Duration PERIOD = Duration.ofMillis(500);

  private final ClusterStore store;
  private final Coordinator coordinator;
  private final Duration timeout;
  private final double imbalance;
  private final FlowPlacement placement = new FlowPlacement();
  private final ScheduledExecutorService loop;
  private ClusterWatcher watcher;
  private final Map<String, Long> placedEpochs = new HashMap<>();

  private FlowPlacer(
      ClusterStore store, Coordinator coordinator, Duration timeout, double imbalance) {
    this.store = store;
    this.coordinator = coordinator;
    this.timeout = timeout;
    this.imbalance = imbalance;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r ->
                Thread.ofPlatform()
                    .daemon()
                    .name("flow-placer-" + coordinator.candidate())
                    .unstarted(r));
  }

  /**
   * Starts placing flows whenever {@code coordinator} leads.
   *
   * @param imbalance how far a node may hold more cpu than its share, e.g. 0.03
   */
  public static FlowPlacer start(
      ClusterStore store, Coordinator coordinator, Duration timeout, double imbalance) {
    FlowPlacer placer = new FlowPlacer(store, coordinator, timeout, imbalance);
    placer.loop.scheduleWithFixedDelay(
        placer::reconcileQuietly, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    return placer;
  }

  private void reconcileQuietly() {
    try {
      reconcile();
    } catch (RuntimeException e) {
      // The store failed or a record did not decode: the next period tries again.
      LOG.log(Level.WARNING, "placing flows failed, trying again: " + e);
    }
  }

  /** One look at every flow; the loop's thread only. */
  void reconcile() {
    Leadership l = coordinator.leadership().orElse(null);
    if (l == null || !coordinator.mayAct()) {
      closeWatcher();
      return;
    }
    if (watcher == null) {
      watcher = ClusterWatcher.start(store, timeout);
      watcher.onChange(view -> loop.execute(this::reconcileQuietly));
    }
    List<FlowPlacement.Node> ready = new ArrayList<>();
    // Instances stay on a node while it lives, DRAINING included: moving a live instance needs a
    // handover of its channels that is not built, so only the instances of nodes gone move.
    Set<String> alive = new HashSet<>();
    for (NodeInfo n : watcher.view().nodes()) {
      if (n.state() == NodeState.READY) {
        ready.add(new FlowPlacement.Node(n.id(), Math.max(1, n.capacity().cpuMillis())));
      }
      if (n.state() == NodeState.READY || n.state() == NodeState.DRAINING) {
        alive.add(n.id());
      }
    }
    Map<String, FlowRecords.Placement> placements = new HashMap<>();
    for (KeyValue kv :
        StoreCalls.await(store.list(ClusterKeys.PLACEMENTS), timeout, "list placements").kvs()) {
      FlowRecords.Placement p = FlowRecords.decodePlacement(kv.value());
      placements.put(p.flow(), p);
    }
    Map<String, Long> deployed = new HashMap<>();
    for (KeyValue kv :
        StoreCalls.await(store.list(ClusterKeys.FLOWS), timeout, "list flows").kvs()) {
      FlowRecords.Deployed d;
      try {
        d = FlowRecords.decode(kv.value());
      } catch (IllegalArgumentException e) {
        LOG.log(Level.WARNING, "flow record " + kv.key() + " does not decode: " + e.getMessage());
        continue;
      }
      deployed.put(d.flow().name(), d.deployedAtMillis());
      FlowRecords.Placement current = placements.get(d.flow().name());
      Optional<String> reason =
          FlowPlacement.reason(
              d.flow(),
              d.deployedAtMillis(),
              current == null
                  ? null
                  : new FlowPlacement.Placed(current.nodes(), current.deployedAtMillis()),
              alive);
      if (reason.isEmpty() || ready.isEmpty()) {
        continue;
      }
      place(l, d, current, ready, alive, reason.get());
    }
    for (String flow : placements.keySet()) {
      if (!deployed.containsKey(flow)) {
        StoreCalls.await(
            l.delete(ClusterKeys.placement(flow)), timeout, "delete placement " + flow);
        LOG.log(Level.INFO, "flow " + flow + " undeployed: its placement is deleted");
        dropStates(l, placements.get(flow));
      }
    }
    // A failure stays while its deployment does: until the flow is undeployed or deployed again.
    for (KeyValue kv :
        StoreCalls.await(store.list(ClusterKeys.FLOW_FAILURES), timeout, "list flow failures")
            .kvs()) {
      String flow = kv.key().substring(ClusterKeys.FLOW_FAILURES.length());
      Long current = deployed.get(flow);
      long failed;
      try {
        failed = FlowRecords.decodeFailure(kv.value()).deployedAtMillis();
      } catch (IllegalArgumentException e) {
        failed = -1; // unreadable: no node acts on it either
      }
      if (current == null || current != failed) {
        StoreCalls.await(l.delete(kv.key()), timeout, "delete failure of " + flow);
        LOG.log(Level.INFO, "flow " + flow + ": the failure of a former deployment is deleted");
      }
    }
  }

  private void place(
      Leadership l,
      FlowRecords.Deployed d,
      FlowRecords.Placement current,
      List<FlowPlacement.Node> ready,
      Set<String> alive,
      String reason) {
    String name = d.flow().name();
    FlowPlacement.Result r;
    try {
      r =
          placement.replace(
              d.flow(),
              d.rates(),
              ready,
              current == null ? Map.of() : current.nodes(),
              alive,
              imbalance);
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, "flow " + name + " cannot be placed: " + e.getMessage());
      return;
    }
    Map<String, String> nodes = r.nodes();
    long epoch =
        Math.max(current == null ? 0 : current.epoch(), placedEpochs.getOrDefault(name, 0L)) + 1;
    FlowRecords.Placement next =
        new FlowRecords.Placement(
            name, nodes, epoch, l.fencingToken(), r.cut(), reason, d.deployedAtMillis());
    boolean written =
        StoreCalls.await(
            l.put(ClusterKeys.placement(name), FlowRecords.encode(next)), timeout, "place " + name);
    if (written) {
      placedEpochs.put(name, epoch);
      if (current != null && current.deployedAtMillis() != d.deployedAtMillis()) {
        dropStates(l, current);
      }
      LOG.log(
          Level.INFO,
          "flow "
              + name
              + " placed (epoch "
              + epoch
              + ", "
              + reason
              + "): "
              + moved(current, nodes)
              + " instance(s) moved, "
              + r.cut()
              + " msgs/s cross nodes");
    }
  }

  /** Deletes what the stateful instances of a former deployment kept; the new one starts afresh. */
  private void dropStates(Leadership l, FlowRecords.Placement former) {
    List<java.util.concurrent.CompletableFuture<Boolean>> deletes = new ArrayList<>();
    for (String instance : former.nodes().keySet()) {
      deletes.add(
          l.delete(ClusterKeys.flowState(former.flow(), former.deployedAtMillis(), instance)));
    }
    StoreCalls.await(
        java.util.concurrent.CompletableFuture.allOf(
            deletes.toArray(java.util.concurrent.CompletableFuture[]::new)),
        timeout,
        "delete the states of flow " + former.flow());
  }

  private static long moved(FlowRecords.Placement current, Map<String, String> nodes) {
    if (current == null) {
      return 0;
    }
    return nodes.entrySet().stream()
        .filter(e -> !e.getValue().equals(current.nodes().get(e.getKey())))
        .count();
  }

  private void closeWatcher() {
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeWatcher();
  }
}
