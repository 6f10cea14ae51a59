package io.tideflow.bench.sim;

import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.PoolAction;
import io.tideflow.core.autoscale.PoolBook;
import io.tideflow.core.autoscale.PoolEvent;
import io.tideflow.core.autoscale.PoolObservation;
import io.tideflow.core.autoscale.PoolObservation.Phase;
import io.tideflow.core.autoscale.PoolReconciler;
import io.tideflow.core.autoscale.PoolResult;
import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import io.tideflow.core.placement.Placement;
import io.tideflow.core.placement.PlacementContext;
import io.tideflow.core.placement.PlacementResult;
import io.tideflow.core.retry.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A discrete-event cluster on a simulated clock, driving the production decision code: the core's
 * {@link PoolReconciler} (with its {@link Autoscaler} and policies) decides the pool's size and
 * which nodes leave, and the configured {@link io.tideflow.core.placement.PlacementStrategy} places
 * every task on a {@link ClusterView} with {@link Allocations}, as a client does. Around them the
 * simulation plays what the runtime and the world would: tasks arriving and finishing, providers
 * starting nodes after a delay (failing over to a second provider while the first is out), nodes
 * dying, drains that wait for a node's tasks, a dead node's tasks placed again.
 *
 * <p>Deterministic for a seed: one {@link SplittableRandom} per concern, events ordered by time and
 * then by the order they were scheduled, no wall clock in any decision. A run is single-threaded.
 */
public final class ClusterSim {
  private static final int ARRIVALS = 0;
  private static final int COMPLETE = 1;
  private static final int NODE_UP = 2;
  private static final int NODE_FAIL = 3;
  private static final int DECIDE = 4;
  private static final int SAMPLE = 5;
  private static final int DRAIN_TIMEOUT = 6;

  /** How long a drain waits for a node's tasks before the node is terminated: the CLI's default. */
  static final long DRAIN_TIMEOUT_MILLIS = 30_000;

  private static final int STARTING = 0;
  private static final int READY = 1;
  private static final int DRAINING = 2;
  private static final int DEAD = 3;
  private static final int GONE = 4;

  /** The most waiting demands handed to the reconciler, as the runtime caps them. */
  private static final int MAX_WAITING_DEMANDS = 10_000;

  private record Event(long at, long seq, int kind, Node node, Task task, int attempt) {}

  private static final class Node {
    final String id;
    int state = STARTING;
    long upAt;
    long allocatedCpu;
    final Set<Task> tasks = new LinkedHashSet<>();
    int launch; // the launch it came from

    Node(String id) {
      this.id = id;
    }
  }

  private static final class Task {
    final long id;
    final long arrivedAt;
    final long durationMillis;
    Node node;
    int attempt;
    long waitingSince;

    Task(long id, long arrivedAt, long durationMillis) {
      this.id = id;
      this.arrivedAt = arrivedAt;
      this.durationMillis = durationMillis;
    }
  }

  private final SimConfig config;
  private final PriorityQueue<Event> events =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long seq;
  private long now;

  private final SplittableRandom arrivals;
  private final SplittableRandom lengths;
  private final SplittableRandom startups;
  private final SplittableRandom failures;

  private final List<Node> provided = new ArrayList<>(); // not GONE, in launch order
  private final Map<String, Node> byId = new HashMap<>();
  private int nextNode;
  private ClusterView view = ClusterView.empty();
  private long revision;
  private Allocations allocations = Allocations.empty();
  private PlacementContext context;
  private final PlacementRequest request;
  private final Resources demand;
  private final ArrayDeque<Task> waiting = new ArrayDeque<>();

  private final PoolReconciler reconciler;
  private PoolBook book = PoolBook.empty();
  private final Map<Integer, Integer> launchOutstanding = new HashMap<>();
  private int launches;
  private boolean primaryKnownDown;

  // what is counted
  private long taskIds;
  private long arrived;
  private long completed;
  private long retried;
  private long placements;
  private long underProvisionedSeconds;
  private long waitingTaskSeconds;
  private long nodeSeconds;
  private double demandCpuSeconds;
  private double servedCpuSeconds;
  private int decisions;
  private int peakNodes;
  private int nodesFailed;
  private int launchedPrimary;
  private int launchedSecondary;
  private long hash = 0xcbf29ce484222325L;
  private final List<SimResult.Minute> minutes = new ArrayList<>();
  private double minuteRate;
  private int minuteUnder;
  private int ups;
  private int downs;
  private int flips;
  private Boolean lastUp;
  private long minuteNodeSeconds;
  private long[] decisionNanos = new long[1024];
  private long placementNanos;
  private long runningCpu;

  private ClusterSim(SimConfig config) {
    this.config = config;
    SplittableRandom root = new SplittableRandom(config.seed());
    this.arrivals = root.split();
    this.lengths = root.split();
    this.startups = root.split();
    this.failures = root.split();
    this.context = PlacementContext.of(Allocations.empty()).withRandom(root.split());
    this.demand = Resources.of(config.taskCpuMillis(), 0);
    this.request = PlacementRequest.of(demand, Map.of());
    this.reconciler =
        new PoolReconciler(
            "sim",
            new Autoscaler(config.policies().get(), config.limits()),
            config.lostAfter(),
            config.window(),
            Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30)),
            Duration.ZERO,
            Duration.ZERO);
  }

  /** Runs {@code config} to its end. */
  public static SimResult run(SimConfig config) {
    return runTimed(config).result();
  }

  /** A result and what it cost in wall-clock time. */
  public record Run(SimResult result, SimResult.Timing timing) {}

  public static Run runTimed(SimConfig config) {
    long start = System.nanoTime();
    ClusterSim sim = new ClusterSim(config);
    SimResult result = sim.simulate();
    long wall = (System.nanoTime() - start) / 1_000_000;
    long[] d = Arrays.copyOf(sim.decisionNanos, sim.decisions);
    Arrays.sort(d);
    return new Run(
        result,
        new SimResult.Timing(
            wall,
            d.length == 0 ? 0 : d[d.length / 2],
            d.length == 0 ? 0 : d[(int) Math.min(d.length - 1, Math.ceil(d.length * 0.99) - 1)],
            d.length == 0 ? 0 : d[d.length - 1],
            sim.placementNanos));
  }

  private SimResult simulate() {
    for (int i = 0; i < config.initialNodes(); i++) {
      Node n = newNode(0);
      up(n);
    }
    schedule(0, ARRIVALS, null, null, 0);
    schedule(config.decisionInterval().toMillis(), DECIDE, null, null, 0);
    schedule(1_000, SAMPLE, null, null, 0);
    long end = config.length().toMillis();
    while (!events.isEmpty() && events.peek().at <= end) {
      Event e = events.poll();
      now = e.at;
      mix(e.kind, e.node == null ? -1 : e.node.id.hashCode(), e.task == null ? -1 : e.task.id);
      switch (e.kind) {
        case ARRIVALS -> arrive();
        case COMPLETE -> complete(e.task, e.attempt);
        case NODE_UP -> nodeUp(e.node);
        case NODE_FAIL -> fail(e.node);
        case DECIDE -> decide();
        case SAMPLE -> sample();
        case DRAIN_TIMEOUT -> drainTimedOut(e.node);
        default -> throw new IllegalStateException("unknown event " + e.kind);
      }
    }
    long inSystem = waiting.size();
    for (Node n : provided) {
      inSystem += n.tasks.size();
    }
    return new SimResult(
        arrived,
        completed,
        inSystem,
        arrived - completed - inSystem,
        retried,
        placements,
        underProvisionedSeconds,
        waitingTaskSeconds,
        nodeSeconds,
        demandCpuSeconds,
        servedCpuSeconds,
        ups,
        downs,
        flips,
        decisions,
        peakNodes,
        nodesFailed,
        launchedPrimary,
        launchedSecondary,
        hash,
        List.copyOf(minutes));
  }

  private void schedule(long at, int kind, Node node, Task task, int attempt) {
    events.add(new Event(at, seq++, kind, node, task, attempt));
  }

  private void mix(long a, long b, long c) {
    for (long v : new long[] {now, a, b, c}) {
      hash ^= v;
      hash *= 0x100000001b3L;
    }
  }

  // ---- tasks

  private void arrive() {
    double rate = config.load().rate(now);
    minuteRate = rate;
    int n = poisson(rate);
    for (int i = 0; i < n; i++) {
      long duration =
          Math.max(1, (long) (-Math.log(1 - lengths.nextDouble()) * config.meanTaskMillis()));
      Task t = new Task(taskIds++, now, duration);
      arrived++;
      t.waitingSince = now;
      if (!waiting.isEmpty() || !place(t)) {
        waiting.addLast(t);
      }
    }
    schedule(now + 1_000, ARRIVALS, null, null, 0);
  }

  private int poisson(double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 50) {
      return (int)
          Math.max(0, Math.round(mean + Math.sqrt(mean) * arrivals.nextDouble(-1, 1) * 1.7320508));
    }
    double l = Math.exp(-mean);
    int k = 0;
    double p = 1;
    do {
      k++;
      p *= arrivals.nextDouble();
    } while (p > l);
    return k - 1;
  }

  /** Places {@code t} if a READY node has room; true when it runs now. */
  private boolean place(Task t) {
    placements++;
    long start = System.nanoTime();
    PlacementResult r =
        config.placement().decide(request, view, context.withAllocations(allocations));
    placementNanos += System.nanoTime() - start;
    context = context.withStartIndex(r.nextStartIndex());
    if (!(r.placement() instanceof Placement.Placed placed)) {
      return false;
    }
    Node n = byId.get(placed.nodeId());
    allocations = allocations.place(n.id, demand, Map.of());
    n.allocatedCpu += config.taskCpuMillis();
    runningCpu += config.taskCpuMillis();
    n.tasks.add(t);
    t.node = n;
    t.attempt++;
    schedule(now + t.durationMillis, COMPLETE, n, t, t.attempt);
    return true;
  }

  private void release(Node n, Task t) {
    n.tasks.remove(t);
    n.allocatedCpu -= config.taskCpuMillis();
    runningCpu -= config.taskCpuMillis();
    if (n.state != DEAD && n.state != GONE) {
      allocations = allocations.release(n.id, demand, Map.of());
    }
    t.node = null;
  }

  private void complete(Task t, int attempt) {
    if (t.attempt != attempt || t.node == null) {
      return; // its node died: the attempt was placed again
    }
    Node n = t.node;
    release(n, t);
    completed++;
    placeWaiting();
    if (n.state == DRAINING && n.tasks.isEmpty()) {
      feed(new PoolEvent.Drained(n.id, PoolEvent.DrainOutcome.DRAINED));
    }
  }

  /** Places waiting tasks, oldest first, until one does not fit. */
  private void placeWaiting() {
    while (!waiting.isEmpty() && place(waiting.peekFirst())) {
      waiting.pollFirst();
    }
  }

  // ---- nodes

  private Node newNode(int launch) {
    Node n = new Node("n-" + nextNode++);
    n.launch = launch;
    provided.add(n);
    byId.put(n.id, n);
    peakNodes = Math.max(peakNodes, provided.size());
    return n;
  }

  private void up(Node n) {
    n.state = READY;
    n.upAt = now;
    view = view.with(nodeInfo(n), ++revision);
    if (config.failuresPerNodeHour() > 0) {
      double hours = -Math.log(1 - failures.nextDouble()) / config.failuresPerNodeHour();
      schedule(now + (long) (hours * 3_600_000), NODE_FAIL, n, null, 0);
    }
  }

  private NodeInfo nodeInfo(Node n) {
    return new NodeInfo(
        n.id,
        "sim",
        "sim:" + n.id,
        Map.of(),
        Resources.of(config.nodeCpuMillis(), 1L << 34),
        NodeState.READY,
        LoadReport.NONE);
  }

  private void nodeUp(Node n) {
    if (n.state != STARTING) {
      return; // terminated while it started
    }
    up(n);
    placeWaiting();
    Integer left = launchOutstanding.merge(n.launch, -1, Integer::sum);
    if (left != null && left == 0) {
      launchOutstanding.remove(n.launch);
      feed(new PoolEvent.Launched(true));
    }
  }

  private void fail(Node n) {
    if (n.state != READY && n.state != DRAINING) {
      return;
    }
    boolean draining = n.state == DRAINING;
    n.state = DEAD;
    nodesFailed++;
    view = view.without(n.id, ++revision);
    allocations = allocations.forget(n.id);
    List<Task> orphans = new ArrayList<>(n.tasks);
    for (Task t : orphans) {
      release(n, t);
      retried++;
      t.waitingSince = now;
    }
    for (int i = orphans.size() - 1; i >= 0; i--) {
      waiting.addFirst(orphans.get(i)); // placed again first: they waited longest
    }
    placeWaiting();
    if (draining) {
      feed(new PoolEvent.Drained(n.id, PoolEvent.DrainOutcome.UNREACHABLE));
    }
  }

  private boolean primaryOut() {
    return config.outageAtMillis() >= 0
        && now >= config.outageAtMillis()
        && now < config.outageAtMillis() + config.outageMillis();
  }

  private void launch(int count) {
    int id = ++launches;
    long delay;
    SimConfig.Startup startup;
    if (!primaryOut()) {
      primaryKnownDown = false;
      startup = config.primaryStartup();
      delay = 0;
      launchedPrimary += count;
    } else {
      // The first launch to a provider that is out fails after its timeout, then the next
      // provider takes it; later ones go there at once, until the first is healthy again.
      delay = primaryKnownDown ? 0 : config.failoverDelay().toMillis();
      primaryKnownDown = true;
      startup = config.secondaryStartup();
      launchedSecondary += count;
    }
    launchOutstanding.put(id, count);
    for (int i = 0; i < count; i++) {
      Node n = newNode(id);
      double draw = Math.exp(startup.sigma() * gaussian(startups));
      schedule(
          now + delay + Math.max(1, (long) (startup.medianMillis() * draw)), NODE_UP, n, null, 0);
    }
  }

  private static double gaussian(SplittableRandom r) {
    // Box-Muller on the simulation's own generator: the same draws on every JDK.
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private void drain(String id) {
    Node n = byId.get(id);
    if (n == null) {
      return;
    }
    if (n.state == READY) {
      n.state = DRAINING;
      view = view.without(n.id, ++revision);
      if (n.tasks.isEmpty()) {
        feed(new PoolEvent.Drained(n.id, PoolEvent.DrainOutcome.DRAINED));
      } else {
        schedule(now + DRAIN_TIMEOUT_MILLIS, DRAIN_TIMEOUT, n, null, 0);
      }
    } else if (n.state == DEAD) {
      feed(new PoolEvent.Drained(n.id, PoolEvent.DrainOutcome.UNREACHABLE));
    }
  }

  /** The drain's time is up with tasks still on the node: it is terminated with them. */
  private void drainTimedOut(Node n) {
    if (n.state == DRAINING && !n.tasks.isEmpty()) {
      feed(new PoolEvent.Drained(n.id, PoolEvent.DrainOutcome.DRAINED));
    }
  }

  private void terminate(String id) {
    Node n = byId.remove(id);
    if (n != null) {
      if (n.state == STARTING) {
        Integer left = launchOutstanding.merge(n.launch, -1, Integer::sum);
        if (left != null && left == 0) {
          launchOutstanding.remove(n.launch);
          feed(new PoolEvent.Launched(false));
        }
      }
      if (n.state == READY) {
        view = view.without(n.id, ++revision);
      }
      // A drain that timed out leaves tasks: placed again, first, in the order they came.
      List<Task> orphans = new ArrayList<>(n.tasks);
      for (Task t : orphans) {
        release(n, t);
        retried++;
        t.waitingSince = now;
      }
      for (int i = orphans.size() - 1; i >= 0; i--) {
        waiting.addFirst(orphans.get(i));
      }
      n.state = GONE;
      provided.remove(n);
      allocations = allocations.forget(id);
      placeWaiting();
    }
    feed(new PoolEvent.Terminated(id));
  }

  // ---- the pool's reconciler

  private void feed(PoolEvent event) {
    PoolResult r = reconciler.on(book, event, Instant.ofEpochMilli(now));
    book = r.book();
    act(r.actions());
  }

  private void act(List<PoolAction> actions) {
    for (PoolAction a : actions) {
      switch (a) {
        case PoolAction.Launch l -> launch(l.count());
        case PoolAction.Drain d -> drain(d.nodeId());
        case PoolAction.Terminate t -> terminate(t.nodeId());
        case PoolAction.RetryAt r -> {} // terminations do not fail here
      }
    }
  }

  private void decide() {
    List<PoolObservation.Provided> listed = new ArrayList<>(provided.size());
    List<PoolObservation.Registered> registered = new ArrayList<>(provided.size());
    int ready = 0;
    Instant at = Instant.ofEpochMilli(now);
    for (Node n : provided) {
      listed.add(
          new PoolObservation.Provided(
              n.id, n.state == STARTING ? Phase.LAUNCHING : Phase.RUNNING));
      if (n.state == READY || n.state == DRAINING) {
        registered.add(
            new PoolObservation.Registered(
                n.id,
                n.state == READY ? NodeState.READY : NodeState.DRAINING,
                n.tasks.size(),
                (double) n.allocatedCpu / config.nodeCpuMillis(),
                -1,
                -1,
                Instant.ofEpochMilli(n.upAt)));
        if (n.state == READY) {
          ready++;
        }
      }
    }
    double demandNodes = demandNodes();
    Map<String, Double> extra =
        ready == 0 ? Map.of() : Map.of(config.demandMetric(), demandNodes / ready);
    List<Resources> waitingDemands = new ArrayList<>();
    for (int i = 0; i < Math.min(waiting.size(), MAX_WAITING_DEMANDS); i++) {
      waitingDemands.add(demand);
    }
    PoolObservation seen = new PoolObservation(at, listed, registered, extra, waitingDemands, at);
    long start = System.nanoTime();
    PoolResult r = reconciler.tick(book, seen);
    long took = System.nanoTime() - start;
    if (decisions == decisionNanos.length) {
      decisionNanos = Arrays.copyOf(decisionNanos, decisions * 2);
    }
    decisionNanos[decisions++] = took;
    book = r.book();
    mix(r.actions().size(), provided.size(), decisions);
    count(r.actions());
    act(r.actions());
    schedule(now + config.decisionInterval().toMillis(), DECIDE, null, null, 0);
  }

  /** Counts the step's scale event, if it made one: a launch, or drains. */
  private void count(List<PoolAction> actions) {
    Boolean up = null;
    for (PoolAction a : actions) {
      if (a instanceof PoolAction.Launch) {
        up = true;
      } else if (a instanceof PoolAction.Drain && up == null) {
        up = false;
      }
    }
    if (up == null) {
      return;
    }
    if (up) {
      ups++;
    } else {
      downs++;
    }
    if (lastUp != null && lastUp != up) {
      flips++;
    }
    lastUp = up;
  }

  private double demandNodes() {
    return (runningCpu + (double) waiting.size() * config.taskCpuMillis()) / config.nodeCpuMillis();
  }

  private void sample() {
    nodeSeconds += provided.size();
    minuteNodeSeconds += provided.size();
    if (!waiting.isEmpty()) {
      underProvisionedSeconds++;
      minuteUnder++;
      waitingTaskSeconds += waiting.size();
    }
    demandCpuSeconds += (runningCpu + (double) waiting.size() * config.taskCpuMillis()) / 1000.0;
    servedCpuSeconds += runningCpu / 1000.0;
    if (now % 60_000 == 0) {
      int ready = 0;
      for (Node n : provided) {
        if (n.state == READY) {
          ready++;
        }
      }
      minutes.add(
          new SimResult.Minute(
              (int) (now / 60_000),
              minuteRate,
              provided.size(),
              ready,
              waiting.size(),
              demandNodes(),
              minuteUnder,
              minuteNodeSeconds));
      minuteUnder = 0;
      minuteNodeSeconds = 0;
    }
    schedule(now + 1_000, SAMPLE, null, null, 0);
  }
}
