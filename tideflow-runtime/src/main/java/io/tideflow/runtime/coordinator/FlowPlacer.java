package io.tideflow.runtime.coordinator;

import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.FlowPlacement;
import io.tideflow.core.flow.FlowScaling;
import io.tideflow.core.flow.KeyGroupStates;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.flow.FlowRecords;
import io.tideflow.runtime.flow.FlowStateStore;
import io.tideflow.runtime.flow.KeptState;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.membership.PrefixWatch;
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
import java.util.function.Supplier;

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
 *
 * <p>Instances on live nodes move when their node drains, or when a node joins that the placement
 * was not made over and the incremental cut gives it a share ({@link FlowPlacement#moveReason}).
 * Such a move is a handover in three placements: the first keeps every instance where it is, names
 * where each goes ({@link FlowRecords.Placement#target}) and pauses the sources; once every node of
 * it has answered that its sources hold still with all they wrote safe ({@link
 * ClusterKeys#flowHandover}), the second puts the instances where they go, still paused; once every
 * node has answered that it runs its share, the third lets the sources go. A handover not through
 * within {@link #HANDOVER_TIMEOUT} is given up (the sources go on where they were) and tried again
 * after {@link #HANDOVER_BACKOFF}; a node that dies meanwhile is placed around as ever.
 *
 * <p>With {@link #scaleWith} it is also the vertical scaler of flows deployed with a {@code
 * maxParallelism}: from the monitor's DS2 recommendation, stabilised by {@link FlowScaling}, a
 * process that takes input and holds no state, or only state split by key group (a {@link
 * io.tideflow.runtime.flow.KeyedStatefulProcess}), gets a new parallelism. A rescale quiesces the
 * flow as a handover's first step does; then the states of its stateful instances and sources go to
 * a new deployment of the flow at the new parallelism, a rescaled keyed process's by key group to
 * the instances that own the groups now ({@link #rescaledStates}). The new deployment is placed as
 * any redeployment (its instances that were there keep their nodes) and goes on from those states:
 * no message lost or repeated, and no restart of anything but the flow's instances. A rescale whose
 * states cannot be handed on (an instance would gather more than it may keep) does not begin, or,
 * when they grew meanwhile, is given up and the flow goes on as it was.
 */
public final class FlowPlacer implements AutoCloseable {
  private static final Logger LOG = System.getLogger(FlowPlacer.class.getName());

  /** How often every flow is looked at while leading, changes or not. */
  public static final Duration PERIOD = Duration.ofMillis(500);

  /** How long a handover may take before it is given up. */
  public static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(15);

  /** How long after a handover was given up the flow's next one may begin. */
  public static final Duration HANDOVER_BACKOFF = Duration.ofSeconds(30);

  private final ClusterStore store;
  private final Coordinator coordinator;
  private final Duration timeout;
  private final double imbalance;
  private final FlowPlacement placement = new FlowPlacement();
  private final ScheduledExecutorService loop;
  private ClusterWatcher watcher;
  private final Map<String, Long> placedEpochs = new HashMap<>();
  // By flow: when its handover began (System.nanoTime()), and when the next may begin after one was
  // given up.
  private final Map<String, Long> handoverSince = new HashMap<>();
  private final Map<String, Long> handoverAfter = new HashMap<>();
  private PrefixWatch answers;
  // The vertical scaler: the monitor's views, each scaled flow's stabilizers by deployment, and the
  // rescales waiting for their flows to quiesce.
  private volatile Supplier<List<FlowMonitor.FlowView>> views;
  private volatile Duration[] scalingTimes;
  private final Map<String, Scaler> scalers = new HashMap<>();
  private final Map<String, Rescale> rescales = new HashMap<>();

  /** How long a lower recommendation must stand before a process loses instances. */
  public static final Duration SCALE_WINDOW = Duration.ofSeconds(60);

  /** How long after a change a process may lose instances again. */
  public static final Duration SCALE_DOWN_INTERVAL = Duration.ofMinutes(10);

  /** How long after a rescale (or a deployment) no scaling decision is taken. */
  public static final Duration SCALE_COOL_DOWN = Duration.ofSeconds(15);

  // A flow's stabilizers for one deployment, and the monitor's view it took last.
  private static final class Scaler {
    final long deployedAtMillis;
    final FlowScaling scaling;
    FlowMonitor.FlowView considered;

    Scaler(long deployedAtMillis, FlowScaling scaling) {
      this.deployedAtMillis = deployedAtMillis;
      this.scaling = scaling;
    }
  }

  /** A rescale of deployment {@code from} waiting for it to quiesce, and what it changes. */
  private record Rescale(long from, Flow was, FlowRecords.Deployed to, String change) {}

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

  /**
   * Scales the parallelism of flows deployed with a {@code maxParallelism} from what {@code views}
   * (the monitor's) recommend, with the default window, scale-down interval and cool-down.
   */
  public FlowPlacer scaleWith(Supplier<List<FlowMonitor.FlowView>> views) {
    return scaleWith(views, SCALE_WINDOW, SCALE_DOWN_INTERVAL, SCALE_COOL_DOWN);
  }

  /** As {@link #scaleWith(Supplier)}, with the given stabilisation times. */
  public FlowPlacer scaleWith(
      Supplier<List<FlowMonitor.FlowView>> views,
      Duration window,
      Duration scaleDownInterval,
      Duration coolDown) {
    this.scalingTimes = new Duration[] {window, scaleDownInterval, coolDown};
    this.views = views;
    return this;
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
      answers = watchAnswers();
    }
    List<FlowPlacement.Node> ready = new ArrayList<>();
    // The instances of nodes gone are placed again at once; those of live nodes that drain move
    // through a handover, as do those a joined node may take.
    Set<String> alive = new HashSet<>();
    Set<String> draining = new HashSet<>();
    Set<String> readyIds = new java.util.TreeSet<>();
    for (NodeInfo n : watcher.view().nodes()) {
      if (n.state() == NodeState.READY) {
        Resources c = n.capacity();
        ready.add(
            new FlowPlacement.Node(
                n.id(),
                new Resources(
                    Math.max(1, c.cpuMillis()),
                    c.memoryBytes(),
                    c.networkBytesPerSec(),
                    c.custom())));
        readyIds.add(n.id());
      }
      if (n.state() == NodeState.DRAINING) {
        draining.add(n.id());
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
    List<FlowRecords.Deployed> flows = new ArrayList<>();
    for (KeyValue kv :
        StoreCalls.await(store.list(ClusterKeys.FLOWS), timeout, "list flows").kvs()) {
      try {
        flows.add(FlowRecords.decode(kv.value()));
      } catch (IllegalArgumentException e) {
        LOG.log(Level.WARNING, "flow record " + kv.key() + " does not decode: " + e.getMessage());
      }
    }
    // What each placed flow holds of each node: memory, network and custom resources are bounds
    // across flows, so a flow is placed in the room the others leave.
    Map<String, Map<String, Resources>> held = new HashMap<>();
    for (FlowRecords.Deployed d : flows) {
      FlowRecords.Placement p = placements.get(d.flow().name());
      if (p != null) {
        held.put(d.flow().name(), FlowPlacement.held(d.flow(), p.nodes()));
      }
    }
    for (FlowRecords.Deployed d : flows) {
      deployed.put(d.flow().name(), d.deployedAtMillis());
      Map<String, Resources> others = new HashMap<>();
      held.forEach(
          (flow, byNode) -> {
            if (!flow.equals(d.flow().name())) {
              byNode.forEach((node, r) -> others.merge(node, r, Resources::add));
            }
          });
      List<FlowPlacement.Node> room = FlowPlacement.besides(ready, others);
      FlowRecords.Placement current = placements.get(d.flow().name());
      Optional<String> reason =
          FlowPlacement.reason(
              d.flow(),
              d.deployedAtMillis(),
              current == null
                  ? null
                  : new FlowPlacement.Placed(current.nodes(), current.deployedAtMillis()),
              alive);
      if (ready.isEmpty()) {
        continue;
      }
      if (reason.isPresent()) {
        handoverSince.remove(d.flow().name());
        place(l, d, current, room, alive, readyIds, reason.get());
      } else if (current.paused()) {
        advance(l, current, alive, readyIds);
      } else {
        Optional<String> move =
            FlowPlacement.moveReason(current.nodes(), draining, readyIds, current.over());
        if (move.isPresent()) {
          beginHandover(l, d, current, room, readyIds, move.get());
        } else if (d.maxParallelism() > 0) {
          considerScaling(l, d, current, room);
        }
      }
    }
    for (String flow : placements.keySet()) {
      if (!deployed.containsKey(flow)) {
        StoreCalls.await(
            l.delete(ClusterKeys.placement(flow)), timeout, "delete placement " + flow);
        LOG.log(Level.INFO, "flow " + flow + " undeployed: its placement is deleted");
        dropStates(l, placements.get(flow));
        scalers.remove(flow);
        rescales.remove(flow);
        for (KeyValue kv :
            StoreCalls.await(
                    store.list(ClusterKeys.flowHandover(flow)), timeout, "list answers of " + flow)
                .kvs()) {
          StoreCalls.await(l.delete(kv.key()), timeout, "delete an answer of " + flow);
        }
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
      Set<String> readyIds,
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
    boolean written =
        write(
            l,
            current,
            new FlowRecords.Placement(name, nodes, 0, 0, r.cut(), reason, d.deployedAtMillis())
                .with(nodes, Map.of(), false, List.copyOf(readyIds)));
    if (written) {
      long epoch = placedEpochs.get(name);
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

  /**
   * Writes {@code draft} as the next placement of its flow through the leadership, its epoch one
   * past both {@code current}'s and the last this leader wrote.
   */
  private boolean write(Leadership l, FlowRecords.Placement current, FlowRecords.Placement draft) {
    String name = draft.flow();
    long epoch =
        Math.max(current == null ? 0 : current.epoch(), placedEpochs.getOrDefault(name, 0L)) + 1;
    FlowRecords.Placement next =
        new FlowRecords.Placement(
            name,
            draft.nodes(),
            epoch,
            l.fencingToken(),
            draft.cut(),
            draft.reason(),
            draft.deployedAtMillis(),
            draft.target(),
            draft.paused(),
            draft.over());
    boolean written =
        StoreCalls.await(
            l.put(ClusterKeys.placement(name), FlowRecords.encode(next)), timeout, "place " + name);
    if (written) {
      placedEpochs.put(name, epoch);
    }
    return written;
  }

  /**
   * Begins moving instances between live nodes: where the incremental cut over the ready nodes puts
   * them, the first placement of a handover pauses the flow and names it. When nothing moves, the
   * placement only records the nodes it now stands over.
   */
  private void beginHandover(
      Leadership l,
      FlowRecords.Deployed d,
      FlowRecords.Placement current,
      List<FlowPlacement.Node> ready,
      Set<String> readyIds,
      String reason) {
    String name = d.flow().name();
    long now = System.nanoTime();
    Long after = handoverAfter.get(name);
    if (after != null && now - after < 0) {
      return;
    }
    FlowPlacement.Result r;
    try {
      r = placement.place(d.flow(), d.rates(), ready, current.nodes(), imbalance);
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, "flow " + name + " cannot move: " + e.getMessage());
      return;
    }
    if (r.nodes().equals(current.nodes())) {
      write(l, current, current.with(current.nodes(), Map.of(), false, List.copyOf(readyIds)));
      return;
    }
    long moving = moved(current, r.nodes());
    if (write(
        l,
        current,
        current
            .with(current.nodes(), r.nodes(), true, current.over())
            .because(reason + ": " + moving + " instance(s) handed over", r.cut()))) {
      handoverSince.put(name, now);
      LOG.log(
          Level.INFO,
          "flow " + name + ": handover of " + moving + " instance(s) begins (" + reason + ")");
    }
  }

  /**
   * Takes a paused placement a step on once every live node of it has answered it: to the
   * instances' targets (still paused), or to the sources going on; or gives the handover up once it
   * has taken too long.
   */
  private void advance(
      Leadership l, FlowRecords.Placement current, Set<String> alive, Set<String> readyIds) {
    String name = current.flow();
    long now = System.nanoTime();
    long since = handoverSince.computeIfAbsent(name, k -> now);
    Set<String> waiting = new java.util.TreeSet<>(current.nodes().values());
    waiting.addAll(current.target().values());
    waiting.retainAll(alive);
    for (KeyValue kv :
        StoreCalls.await(
                store.list(ClusterKeys.flowHandover(name)), timeout, "list answers of " + name)
            .kvs()) {
      FlowRecords.HandoverDone done;
      try {
        done = FlowRecords.decodeHandover(kv.value());
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (done.deployedAtMillis() == current.deployedAtMillis()
          && done.epoch() == current.epoch()) {
        waiting.remove(done.node());
      }
    }
    if (!waiting.isEmpty()) {
      if (now - since > HANDOVER_TIMEOUT.toNanos()) {
        handoverSince.remove(name);
        rescales.remove(name);
        handoverAfter.put(name, now + HANDOVER_BACKOFF.toNanos());
        write(
            l,
            current,
            current
                .with(current.nodes(), Map.of(), false, current.over())
                .because(
                    current.reason() + "; given up, " + waiting + " did not answer",
                    current.cut()));
        LOG.log(
            Level.WARNING,
            "flow " + name + ": handover given up, no answer from " + waiting + " in time");
      }
      return;
    }
    Rescale rescale = rescales.remove(name);
    if (current.handingOver() && rescale != null && rescale.from() == current.deployedAtMillis()) {
      finishRescale(l, current, rescale, since);
      return;
    }
    if (current.handingOver()) {
      write(l, current, current.with(current.target(), Map.of(), true, current.over()));
      return;
    }
    if (write(l, current, current.with(current.nodes(), Map.of(), false, List.copyOf(readyIds)))) {
      handoverSince.remove(name);
      LOG.log(
          Level.INFO,
          "flow "
              + name
              + ": handover done in "
              + TimeUnit.NANOSECONDS.toMillis(now - since)
              + " ms, its sources go on");
    }
  }

  /**
   * Takes DS2's recommendation for a running flow through its stabilizers; a change begins a
   * rescale: the flow quiesces as for a handover that moves nothing.
   */
  private void considerScaling(
      Leadership l,
      FlowRecords.Deployed d,
      FlowRecords.Placement current,
      List<FlowPlacement.Node> room) {
    Supplier<List<FlowMonitor.FlowView>> source = views;
    if (source == null) {
      return;
    }
    String name = d.flow().name();
    FlowMonitor.FlowView view = null;
    for (FlowMonitor.FlowView v : source.get()) {
      if (v.name().equals(name) && v.deployedAtMillis() == d.deployedAtMillis()) {
        view = v;
      }
    }
    java.time.Instant now = java.time.Instant.now();
    Scaler scaler = scalers.get(name);
    if (scaler == null || scaler.deployedAtMillis != d.deployedAtMillis()) {
      Duration[] t = scalingTimes;
      scaler = new Scaler(d.deployedAtMillis(), new FlowScaling(t[0], t[1], t[2], now));
      scalers.put(name, scaler);
    }
    if (view == null || view.state() != FlowMonitor.State.RUNNING || view == scaler.considered) {
      return; // nothing new to go by: the monitor looks every FlowMonitor.PERIOD
    }
    scaler.considered = view;
    // A process keeps its parallelism while it holds state that is not split by key group.
    Set<String> fixed = new HashSet<>();
    String prefix = ClusterKeys.flowStates(name, d.deployedAtMillis());
    List<KeyValue> states =
        StoreCalls.await(store.list(prefix), timeout, "list the states of " + name).kvs();
    for (KeyValue kv : states) {
      String instance = kv.key().substring(prefix.length());
      if (!keyed(kv.value())) {
        fixed.add(processOf(instance));
      }
    }
    Map<String, Integer> next =
        scaler.scaling.decide(
            d.flow(), view.health().parallelism(), fixed, d.maxParallelism(), now);
    if (next.isEmpty()) {
      return;
    }
    List<String> changes = new ArrayList<>();
    for (io.tideflow.core.flow.ProcessSpec p : d.flow().processes()) {
      int to = next.get(p.name());
      if (to != p.parallelism()) {
        changes.add(p.name() + " " + p.parallelism() + "→" + to);
      }
    }
    String change = String.join(", ", changes);
    FlowRecords.Deployed to =
        new FlowRecords.Deployed(
            FlowScaling.rescaled(d.flow(), next), d.rates(), 0, d.maxParallelism());
    try {
      // A rescale stops the flow while it quiesces: begin one only if its result can be placed.
      placement.place(to.flow(), to.rates(), room, Map.of(), imbalance);
    } catch (IllegalArgumentException e) {
      LOG.log(
          Level.INFO,
          "flow " + name + ": no rescale (" + change + "), it would not fit: " + e.getMessage());
      return;
    }
    try {
      // Nor if the states it gathers on an instance would be more than one may keep.
      rescaledStates(prefix, states, d.flow(), to.flow());
    } catch (IllegalArgumentException e) {
      LOG.log(Level.INFO, "flow " + name + ": no rescale (" + change + "): " + e.getMessage());
      return;
    }
    if (write(
        l,
        current,
        current
            .with(current.nodes(), current.nodes(), true, current.over())
            .because("rescale: " + change, current.cut()))) {
      rescales.put(name, new Rescale(d.deployedAtMillis(), d.flow(), to, change));
      handoverSince.put(name, System.nanoTime());
      LOG.log(Level.INFO, "flow " + name + ": rescale begins (" + change + ")");
    }
  }

  /**
   * The flow quiesced for a rescale: its kept states go to a new deployment at the new parallelism,
   * which the next look places; a keyed process's by key group to the instances that own the groups
   * now. When they cannot, the rescale is given up and the flow goes on as it was.
   */
  private void finishRescale(
      Leadership l, FlowRecords.Placement current, Rescale rescale, long since) {
    String name = current.flow();
    long generation = Math.max(System.currentTimeMillis(), current.deployedAtMillis() + 1);
    String prefix = ClusterKeys.flowStates(name, current.deployedAtMillis());
    Map<String, byte[]> states;
    try {
      states =
          rescaledStates(
              prefix,
              StoreCalls.await(store.list(prefix), timeout, "list the states of " + name).kvs(),
              rescale.was(),
              rescale.to().flow());
    } catch (IllegalArgumentException e) {
      giveUpRescale(l, current, rescale, e.getMessage());
      return;
    }
    try {
      for (Map.Entry<String, byte[]> e : states.entrySet()) {
        StoreCalls.await(
            l.put(ClusterKeys.flowState(name, generation, e.getKey()), e.getValue()),
            timeout,
            "copy the state of " + e.getKey());
      }
    } catch (RuntimeException e) {
      // What was copied belongs to no deployment: the next try writes a generation of its own.
      for (String instance : states.keySet()) {
        l.delete(ClusterKeys.flowState(name, generation, instance));
      }
      throw e;
    }
    FlowRecords.Deployed to = rescale.to();
    FlowRecords.Deployed next =
        new FlowRecords.Deployed(to.flow(), to.rates(), generation, to.maxParallelism());
    StoreCalls.await(
        l.put(ClusterKeys.flow(name), FlowRecords.encode(next)), timeout, "rescale " + name);
    handoverSince.remove(name);
    LOG.log(
        Level.INFO,
        "flow "
            + name
            + " rescaled ("
            + rescale.change()
            + ") after quiescing in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since)
            + " ms: deployment "
            + generation
            + " goes on from "
            + states.size()
            + " kept states");
  }

  /** Lets a flow quiesced for a rescale go on as it was, and waits before the next. */
  private void giveUpRescale(
      Leadership l, FlowRecords.Placement current, Rescale rescale, String why) {
    String name = current.flow();
    handoverSince.remove(name);
    handoverAfter.put(name, System.nanoTime() + HANDOVER_BACKOFF.toNanos());
    write(
        l,
        current,
        current
            .with(current.nodes(), Map.of(), false, current.over())
            .because("rescale (" + rescale.change() + ") given up: " + why, current.cut()));
    LOG.log(
        Level.WARNING, "flow " + name + ": rescale (" + rescale.change() + ") given up: " + why);
  }

  /**
   * The states a deployment of {@code to} starts from, by instance, from those deployment {@code
   * from} kept under {@code prefix}: a process whose parallelism stays keeps each instance's, one
   * whose parallelism changes has its key groups handed to their owners at the new parallelism
   * ({@link KeyGroupStates#regroup}). The inputs' positions are left out: the new deployment's
   * channels number afresh, and the flow quiesced, so nothing before them is replayed.
   *
   * @throws IllegalArgumentException when a state does not read, a process whose parallelism
   *     changes holds state that is not split by key group, or an instance would be given more than
   *     {@link FlowStateStore#MAX_STATE_BYTES}
   */
  static Map<String, byte[]> rescaledStates(
      String prefix, List<KeyValue> kept, Flow from, Flow to) {
    Map<String, Map<String, byte[]>> byProcess = new java.util.TreeMap<>();
    for (KeyValue kv : kept) {
      String instance = kv.key().substring(prefix.length());
      byProcess
          .computeIfAbsent(processOf(instance), k -> new java.util.TreeMap<>())
          .put(instance, KeptState.decode(kv.value()).body());
    }
    Map<String, byte[]> next = new java.util.TreeMap<>();
    for (Map.Entry<String, Map<String, byte[]>> e : byProcess.entrySet()) {
      String process = e.getKey();
      if (from.processes().stream().noneMatch(p -> p.name().equals(process))) {
        continue; // left by a process the flow has no more
      }
      int before = from.process(process).parallelism();
      int after = to.process(process).parallelism();
      if (before == after) {
        e.getValue().forEach((instance, body) -> next.put(instance, KeptState.fresh(body)));
        continue;
      }
      List<byte[]> regrouped;
      try {
        regrouped = KeyGroupStates.regroup(e.getValue().values(), after);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            "the states of " + process + " cannot be split: " + ex.getMessage(), ex);
      }
      for (int j = 0; j < after; j++) {
        if (regrouped.get(j) == null) {
          continue;
        }
        byte[] state = KeptState.fresh(regrouped.get(j));
        if (state.length > FlowStateStore.MAX_STATE_BYTES) {
          throw new IllegalArgumentException(
              "the state of "
                  + process
                  + "#"
                  + j
                  + " would be "
                  + state.length
                  + " bytes, over the "
                  + FlowStateStore.MAX_STATE_BYTES
                  + " an instance may keep");
        }
        next.put(process + "#" + j, state);
      }
    }
    return next;
  }

  /** Whether a kept state is split by key group, so that its process may be rescaled. */
  private static boolean keyed(byte[] kept) {
    try {
      return KeyGroupStates.isKeyed(KeptState.decode(kept).body());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The process of an instance id, {@code process#index}. */
  private static String processOf(String instance) {
    return instance.substring(0, Math.max(0, instance.lastIndexOf('#')));
  }

  /** Looks again as soon as a node answers a paused placement. */
  private PrefixWatch watchAnswers() {
    return PrefixWatch.start(
        store,
        ClusterKeys.FLOW_HANDOVER,
        timeout,
        java.time.Clock.systemUTC(),
        PrefixWatch.DEFAULT_BACKOFF,
        new PrefixWatch.Sink() {
          @Override
          public void onSnapshot(ClusterStore.Snapshot snapshot, boolean restart) {
            loop.execute(FlowPlacer.this::reconcileQuietly);
          }

          @Override
          public void onEvents(List<ClusterStore.WatchEvent> events) {
            loop.execute(FlowPlacer.this::reconcileQuietly);
          }
        });
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
    if (answers != null) {
      answers.close();
      answers = null;
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
