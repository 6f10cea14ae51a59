package io.tideflow.server.dashboard;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.alert.Alert;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.coordinator.FlowMonitor;
import io.tideflow.runtime.membership.DemandRecords;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The live dashboard's model: every period it reads its sources, keeps a point for the charts and
 * publishes one {@link Frame} — the whole page's state as JSON — that every open page receives
 * ({@link DashboardHttp}). Reading the sources once per period, not once per page, keeps the cost
 * of a hundred open pages at that of one.
 *
 * <p>The sampling thread owns the history and the rate state; pages only read published frames.
 */
public final class Dashboard implements AutoCloseable {
  /** Points kept for the charts: five minutes at the default period. */
  static final int HISTORY = 300;

  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);

  /**
   * Where the dashboard reads the cluster from. Each supplier runs on the sampling thread once per
   * period and must not block for long.
   *
   * @param title what the page calls the cluster
   * @param nodes the cluster's live nodes as this process sees them
   * @param gone the nodes recorded as GONE ({@link
   *     io.tideflow.runtime.membership.ClusterWatcher#gone}); a node live again is shown live
   * @param role what this process is in the cluster, for the page's header ("coordinator-1 leads");
   *     null when it has nothing to say
   * @param pools the pools this process autoscales (empty when none)
   * @param flows the flows as the flow monitor last saw them (empty when none)
   * @param waiting what the clients report waiting because no node takes it, with why (empty when
   *     not followed)
   * @param alerts the alerts pending or firing, as this process's alert loop last evaluated them
   * @param registry the process's meters, for the client's task figures; may be null
   */
  public record Sources(
      String title,
      Supplier<ClusterView> nodes,
      Supplier<ClusterView> gone,
      Supplier<String> role,
      Supplier<List<PoolView>> pools,
      Supplier<List<FlowMonitor.FlowView>> flows,
      Supplier<List<DemandRecords.Report>> waiting,
      Supplier<List<Alert>> alerts,
      MeterRegistry registry) {

    /** Only the nodes, live and gone; add the rest with the {@code with…} methods. */
    public static Sources of(
        String title, Supplier<ClusterView> nodes, Supplier<ClusterView> gone) {
      return new Sources(
          title, nodes, gone, () -> null, List::of, List::of, List::of, List::of, null);
    }

    public Sources withRole(Supplier<String> role) {
      return new Sources(title, nodes, gone, role, pools, flows, waiting, alerts, registry);
    }

    public Sources withPools(Supplier<List<PoolView>> pools) {
      return new Sources(title, nodes, gone, role, pools, flows, waiting, alerts, registry);
    }

    public Sources withFlows(Supplier<List<FlowMonitor.FlowView>> flows) {
      return new Sources(title, nodes, gone, role, pools, flows, waiting, alerts, registry);
    }

    public Sources withWaiting(Supplier<List<DemandRecords.Report>> waiting) {
      return new Sources(title, nodes, gone, role, pools, flows, waiting, alerts, registry);
    }

    public Sources withAlerts(Supplier<List<Alert>> alerts) {
      return new Sources(title, nodes, gone, role, pools, flows, waiting, alerts, registry);
    }

    public Sources withRegistry(MeterRegistry registry) {
      return new Sources(title, nodes, gone, role, pools, flows, waiting, alerts, registry);
    }
  }

  /**
   * One published state of the page.
   *
   * @param seq increases by one per frame
   * @param json the state, with the newest chart point but not the history
   */
  record Frame(long seq, String json) {}

  private final Sources sources;
  private final InstantSource clock;
  private final Duration period;
  private final ScheduledExecutorService sampler;
  private final LatencyWindow latency;
  private final ArrayDeque<Sample> history = new ArrayDeque<>();
  private final Map<String, Long> lastCompleted = new HashMap<>();
  private long lastAtMillis;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition published = lock.newCondition();

  /** Until the first sample succeeds (a source may fail at start): an empty cluster. */
  private Frame frame =
      new Frame(
          0,
          DashboardJson.frame(
              "",
              0,
              null,
              ClusterView.empty(),
              new DashboardJson.Tasks(false, 0, 0, 0, 0, 0, 0, Map.of()),
              List.of(),
              List.of(),
              List.of(),
              List.of(),
              new Sample(0, 0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, 0, 0),
              0));

  private String historyJson = "[]";
  private boolean closed;
  private long failures;

  private Dashboard(Sources sources, Duration period, InstantSource clock) {
    this.sources = sources;
    this.clock = clock;
    this.period = period;
    this.latency = new LatencyWindow(sources.registry());
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-dashboard").factory());
  }

  /**
   * Starts sampling {@code sources} every {@code period}; the first frame is ready on return (an
   * empty one if the first sample failed).
   *
   * @throws IllegalArgumentException when {@code period} is not positive
   */
  public static Dashboard start(Sources sources, Duration period, InstantSource clock) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be > 0, was " + period);
    }
    Dashboard d = new Dashboard(sources, period, clock);
    d.sample();
    long millis = period.toMillis();
    d.sampler.scheduleAtFixedRate(d::sample, millis, millis, TimeUnit.MILLISECONDS);
    return d;
  }

  public String title() {
    return sources.title();
  }

  Duration period() {
    return period;
  }

  /** The newest frame. */
  Frame latest() {
    lock.lock();
    try {
      return frame;
    } finally {
      lock.unlock();
    }
  }

  /** The chart points kept, oldest first, as a JSON array. */
  String historyJson() {
    lock.lock();
    try {
      return historyJson;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits up to {@code timeout} for a frame newer than {@code seq}.
   *
   * @return that frame, or null when none came in time or the dashboard closed
   */
  Frame awaitAfter(long seq, Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!closed && frame.seq() <= seq) {
        if (nanos <= 0) {
          return null;
        }
        nanos = published.awaitNanos(nanos);
      }
      return closed ? null : frame;
    } finally {
      lock.unlock();
    }
  }

  boolean closed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  private void sample() {
    String json;
    String historyNow;
    try {
      long now = clock.millis();
      ClusterView view = withGone(sources.nodes().get(), sources.gone().get());
      List<PoolView> pools = sources.pools().get();
      List<FlowMonitor.FlowView> flows = sources.flows().get();
      Sample point = point(now, view, pools);
      history.addLast(point);
      while (history.size() > HISTORY) {
        history.removeFirst();
      }
      json =
          DashboardJson.frame(
              sources.title(),
              now,
              sources.role().get(),
              view,
              DashboardJson.tasks(sources.registry(), point),
              pools,
              flows,
              sources.waiting().get(),
              sources.alerts().get(),
              point,
              failures);
      historyNow = DashboardJson.samples(history);
    } catch (RuntimeException e) {
      // A source failed (the store unreachable, say): the page keeps the last frame and shows the
      // count, the next period tries again.
      failures++;
      System.getLogger(Dashboard.class.getName())
          .log(System.Logger.Level.WARNING, "dashboard sample failed: " + e, e);
      return;
    }
    lock.lock();
    try {
      frame = new Frame(frame.seq() + 1, json);
      historyJson = historyNow;
      published.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private static ClusterView withGone(ClusterView live, ClusterView gone) {
    if (gone.size() == 0) {
      return live;
    }
    List<NodeInfo> all = new java.util.ArrayList<>(live.nodes());
    for (NodeInfo n : gone.nodes()) {
      if (live.node(n.id()) == null) {
        all.add(n.state() == NodeState.GONE ? n : n.withState(NodeState.GONE));
      }
    }
    return ClusterView.of(Math.max(live.revision(), gone.revision()), all);
  }

  private Sample point(long now, ClusterView view, List<PoolView> pools) {
    int ready = 0;
    int gone = 0;
    int others = 0;
    int inFlight = 0;
    int queued = 0;
    long done = 0;
    Map<String, Long> completed = new HashMap<>();
    for (NodeInfo n : view.nodes()) {
      if (n.state() == NodeState.READY) {
        ready++;
      } else if (n.state() == NodeState.GONE) {
        gone++;
        continue;
      } else {
        others++;
      }
      inFlight += n.load().inFlight();
      queued += n.load().queued();
      completed.put(n.id(), n.load().completed());
      Long before = lastCompleted.get(n.id());
      if (before != null) {
        done += Math.max(0, n.load().completed() - before);
      }
    }
    double seconds = lastAtMillis == 0 ? 0 : (now - lastAtMillis) / 1000.0;
    lastCompleted.clear();
    lastCompleted.putAll(completed);
    lastAtMillis = now;
    double[] q = latency.sinceLastCall(0.5, 0.99);
    int size = 0;
    int desired = 0;
    for (PoolView p : pools) {
      size += Math.max(0, p.size());
      desired += Math.max(0, p.desired());
    }
    return new Sample(
        now,
        ready,
        others,
        gone,
        inFlight,
        queued,
        seconds > 0 ? done / seconds : 0,
        q[0],
        q[1],
        size,
        desired);
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    lock.lock();
    try {
      closed = true;
      published.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
