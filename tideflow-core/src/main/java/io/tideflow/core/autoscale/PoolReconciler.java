package io.tideflow.core.autoscale;

import io.tideflow.core.autoscale.PoolAction.Terminate;
import io.tideflow.core.autoscale.PoolAction.Why;
import io.tideflow.core.autoscale.PoolBook.Leaving;
import io.tideflow.core.autoscale.PoolBook.Stage;
import io.tideflow.core.autoscale.PoolObservation.Phase;
import io.tideflow.core.autoscale.PoolObservation.Provided;
import io.tideflow.core.autoscale.PoolObservation.Registered;
import io.tideflow.core.autoscale.PoolState.Recommendation;
import io.tideflow.core.autoscale.PoolState.ScaleEvent;
import io.tideflow.core.forecast.LoadHistory;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.retry.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One pool's observe → decide step, kept apart from carrying it out: from what the runtime saw
 * ({@link PoolObservation}) and what was remembered ({@link PoolBook}) it returns the new book and
 * the actions to take ({@link PoolResult}); what became of them comes back as {@link PoolEvent}s.
 * Pure: no clock, no I/O; the same arguments give the same result.
 *
 * <p>Its rules, each the answer to a failure seen in a real cluster: a provided node missing from
 * the registry longer than {@code lostAfter} is terminated (it died or never came up) so the pool
 * stops counting it; no launch while one is outstanding (its nodes may not be listed yet, and a
 * second would overshoot); nodes leave the least busy first ({@link ScaleDownSelector}), drained
 * before they are terminated; a failed termination is tried again with {@code backoff}, so a node
 * is never forgotten while it may still run; a drain refused for a stale fencing token leaves the
 * node to the newer leader.
 */
public final class PoolReconciler {
  /** Tasks running or queued per READY node of the pool: the metric to track for a pool. */
  public static final String CONCURRENCY = "concurrency";

  private final String pool;
  private final Autoscaler autoscaler;
  private final Duration lostAfter;
  private final Duration window;
  private final Backoff backoff;
  private final Duration demandSettle;
  private final Duration maxUnseen;

  /**
   * @param pool the pool's name
   * @param lostAfter how long a provided node may be missing from the registry (twice its lease TTL
   *     in the runtime) before it is terminated as lost
   * @param window how far back the metrics window and the raw recommendations reach
   * @param backoff the wait before terminating again after failures
   * @param demandSettle how long after a node is READY the reported demand may not reflect it
   * @param maxUnseen a node READY longer than this counts as up whatever the demand says
   */
  public PoolReconciler(
      String pool,
      Autoscaler autoscaler,
      Duration lostAfter,
      Duration window,
      Backoff backoff,
      Duration demandSettle,
      Duration maxUnseen) {
    if (pool == null || pool.isBlank()) {
      throw new IllegalArgumentException("pool must not be blank, was '" + pool + "'");
    }
    if (lostAfter.isNegative() || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "lostAfter must be >= 0 and window > 0, were " + lostAfter + " and " + window);
    }
    if (demandSettle.isNegative() || maxUnseen.isNegative()) {
      throw new IllegalArgumentException(
          "demandSettle and maxUnseen must be >= 0, were " + demandSettle + " and " + maxUnseen);
    }
    this.pool = pool;
    this.autoscaler = autoscaler;
    this.lostAfter = lostAfter;
    this.window = window;
    this.backoff = backoff;
    this.demandSettle = demandSettle;
    this.maxUnseen = maxUnseen;
  }

  /**
   * One decision: retries that are due, lost nodes reaped, the autoscaler asked, its wish acted on.
   */
  public PoolResult tick(PoolBook book, PoolObservation seen) {
    Instant now = seen.now();
    List<PoolAction> actions = new ArrayList<>();
    Map<String, Leaving> leaving = new HashMap<>(book.leaving());
    retryDue(leaving, now, actions);
    Map<String, Instant> missing = reapLost(book.missingSince(), leaving, seen, actions);

    List<Registered> ready = new ArrayList<>();
    for (Registered r : seen.registered()) {
      if (r.state() == NodeState.READY && !leaving.containsKey(r.id())) {
        ready.add(r);
      }
    }
    List<MetricsWindow.Sample> samples = new ArrayList<>(book.samples());
    samples.add(sample(ready, seen));
    samples.removeIf(s -> s.at().isBefore(now.minus(window)));
    int current = 0;
    for (Provided p : seen.provided()) {
      if (p.phase() != Phase.ENDING && !leaving.containsKey(p.id())) {
        current++;
      }
    }
    LoadHistory load = record(book.load(), samples.getLast(), ready.size(), seen.waiting().size());
    PoolState state = state(book, seen, ready, current).withLoad(load);
    Autoscaler.Step step = autoscaler.step(new MetricsWindow(samples), state, now, seen.request());
    List<Recommendation> recommendations = new ArrayList<>(book.recommendations());
    if (step.recommendation() != null) {
      recommendations.add(step.recommendation());
    }
    recommendations.removeIf(r -> r.at().isBefore(now.minus(window)));

    List<ScaleEvent> history = new ArrayList<>(book.history());
    boolean launching = book.launching();
    int desired = step.decision().desired();
    if (desired > current && !launching) {
      launching = true;
      history.add(new ScaleEvent(now, current, desired));
      actions.add(new PoolAction.Launch(desired - current));
    } else if (desired < current) {
      List<String> victims = ScaleDownSelector.select(state, current - desired).nodes();
      if (!victims.isEmpty()) {
        history.add(new ScaleEvent(now, current, current - victims.size()));
        for (String id : victims) {
          leaving.put(id, new Leaving(Stage.DRAINING, 0, null));
          actions.add(new PoolAction.Drain(id));
        }
      }
    }
    PoolBook next =
        new PoolBook(samples, history, recommendations, missing, leaving, launching, load);
    return new PoolResult(next, actions, Optional.of(step.record()));
  }

  /** What became of an action, at {@code now}: the new book and what to do next. */
  public PoolResult on(PoolBook book, PoolEvent event, Instant now) {
    Map<String, Leaving> leaving = new HashMap<>(book.leaving());
    Map<String, Instant> missing = new HashMap<>(book.missingSince());
    List<PoolAction> actions = new ArrayList<>();
    boolean launching = book.launching();
    switch (event) {
      case PoolEvent.Launched l -> launching = false;
      case PoolEvent.Drained d -> {
        Leaving l = leaving.get(d.nodeId());
        if (l != null && l.stage() == Stage.DRAINING) {
          if (d.outcome() == PoolEvent.DrainOutcome.STALE_TOKEN) {
            leaving.remove(d.nodeId()); // a newer leader owns it now
          } else {
            leaving.put(d.nodeId(), new Leaving(Stage.TERMINATING, 0, null));
            actions.add(new Terminate(d.nodeId(), Why.DOWN, 0));
          }
        }
      }
      case PoolEvent.Terminated t -> {
        leaving.remove(t.nodeId());
        missing.remove(t.nodeId());
      }
      case PoolEvent.TerminationFailed f -> {
        Leaving l = leaving.get(f.nodeId());
        if (l != null && l.stage() == Stage.TERMINATING) {
          int failures = l.failures() + 1;
          Instant at = now.plus(backoff.delay(failures));
          leaving.put(f.nodeId(), new Leaving(Stage.WAITING_TO_RETRY, failures, at));
          actions.add(new PoolAction.RetryAt(f.nodeId(), at, failures, f.error()));
        }
      }
    }
    return new PoolResult(
        new PoolBook(
            book.samples(),
            book.history(),
            book.recommendations(),
            missing,
            leaving,
            launching,
            book.load()),
        actions,
        Optional.empty());
  }

  /**
   * {@code load} with the pool's total of the forecast metric now (its per-node mean times the
   * READY nodes, and for {@link #CONCURRENCY} the tasks waiting for a node of the pool), when the
   * autoscaler forecasts one and the sample has a usable value; otherwise as it was. Each step
   * copies the history (8 days of five-minute buckets: about 27 kB).
   */
  private LoadHistory record(
      LoadHistory load, MetricsWindow.Sample sample, int ready, int waiting) {
    PredictivePolicy predictive = autoscaler.predictive();
    Double perNode = predictive == null ? null : sample.values().get(predictive.metric());
    if (perNode == null || !Double.isFinite(perNode) || perNode < 0 || ready == 0) {
      return load; // nothing to learn from: no value, a bad one, or no node serving
    }
    if (load == PoolState.NO_LOAD) {
      load = predictive.emptyHistory(); // the first step that forecasts
    }
    Instant at = sample.at();
    if (!load.isEmpty() && load.bucketOf(at) < load.newestBucket()) {
      return load; // the clock went back: keep what was recorded
    }
    // Tasks in flight are what was served: the tasks that waited were asked for too.
    double total = perNode * ready + (predictive.metric().equals(CONCURRENCY) ? waiting : 0);
    return load.record(at, total);
  }

  private static void retryDue(
      Map<String, Leaving> leaving, Instant now, List<PoolAction> actions) {
    for (Map.Entry<String, Leaving> e : new ArrayList<>(leaving.entrySet())) {
      Leaving l = e.getValue();
      if (l.stage() == Stage.WAITING_TO_RETRY && !l.retryAt().isAfter(now)) {
        leaving.put(e.getKey(), new Leaving(Stage.TERMINATING, l.failures(), null));
        actions.add(new Terminate(e.getKey(), Why.RETRY, l.failures()));
      }
    }
  }

  /**
   * Terminates provided nodes missing from the registry for longer than {@code lostAfter}, so the
   * pool counts them no more and the policies replace them. A launching node is left to its
   * provider, which times launches out. Returns the new missing-since map.
   */
  private Map<String, Instant> reapLost(
      Map<String, Instant> before,
      Map<String, Leaving> leaving,
      PoolObservation seen,
      List<PoolAction> actions) {
    Set<String> registered = new HashSet<>();
    for (Registered r : seen.registered()) {
      registered.add(r.id());
    }
    Map<String, Instant> missing = new HashMap<>();
    for (Provided p : seen.provided()) {
      if (p.phase() == Phase.LAUNCHING
          || leaving.containsKey(p.id())
          || registered.contains(p.id())) {
        continue;
      }
      Instant since = before.getOrDefault(p.id(), seen.now());
      if (since.plus(lostAfter).isBefore(seen.now())) {
        leaving.put(p.id(), new Leaving(Stage.TERMINATING, 0, null));
        actions.add(new Terminate(p.id(), Why.LOST, 0));
      } else {
        missing.put(p.id(), since);
      }
    }
    return missing;
  }

  private PoolState state(
      PoolBook book, PoolObservation seen, List<Registered> ready, int current) {
    // Only a node its provider lists as running may be chosen for removal: one that registered
    // before its provider listed it (or that another provider started) would be "terminated" by
    // a provider that does not know it, then forgotten while it runs on.
    Set<String> running = new HashSet<>();
    for (Provided p : seen.provided()) {
      if (p.phase() == Phase.RUNNING) {
        running.add(p.id());
      }
    }
    List<PoolState.PoolNode> nodes = new ArrayList<>();
    List<Instant> since = new ArrayList<>();
    for (Registered r : ready) {
      if (running.contains(r.id())) {
        nodes.add(new PoolState.PoolNode(r.id(), r.inFlight(), false));
      }
      since.add(r.readySince());
    }
    int starting =
        StartingNodes.count(current, since, seen.demandAsOf(), demandSettle, maxUnseen, seen.now());
    return new PoolState(
        pool, current, nodes, book.history(), book.recommendations(), starting, seen.waiting());
  }

  private static MetricsWindow.Sample sample(List<Registered> ready, PoolObservation seen) {
    Map<String, Double> values = new HashMap<>();
    long work = 0;
    double cpu = 0;
    int cpuReports = 0;
    double memory = 0;
    int memoryReports = 0;
    double network = 0;
    int networkReports = 0;
    for (Registered r : ready) {
      work += r.inFlight();
      if (r.cpu() >= 0) {
        cpu += r.cpu();
        cpuReports++;
      }
      if (r.memory() >= 0) {
        memory += r.memory();
        memoryReports++;
      }
      if (r.network() >= 0) {
        network += r.network();
        networkReports++;
      }
    }
    values.put(CONCURRENCY, ready.isEmpty() ? 0.0 : (double) work / ready.size());
    if (cpuReports > 0) {
      values.put(MetricsWindow.CPU, cpu / cpuReports);
    }
    if (memoryReports > 0) {
      values.put(MetricsWindow.MEMORY, memory / memoryReports);
    }
    if (networkReports > 0) {
      values.put(MetricsWindow.NETWORK, network / networkReports);
    }
    values.putAll(seen.extraMetrics());
    return new MetricsWindow.Sample(seen.now(), values);
  }
}
