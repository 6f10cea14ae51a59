package io.tideflow.runtime.autoscale;

import io.grpc.Status;
import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.autoscale.PoolBook;
import io.tideflow.core.autoscale.PoolEvent;
import io.tideflow.core.autoscale.PoolObservation;
import io.tideflow.core.autoscale.PoolObservation.Phase;
import io.tideflow.core.autoscale.PoolReconciler;
import io.tideflow.core.autoscale.PoolResult;
import io.tideflow.core.autoscale.PredictivePolicy;
import io.tideflow.core.autoscale.ScaleRequest;
import io.tideflow.core.forecast.LoadHistory;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.retry.Backoff;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.provider.ProvidedNode;
import io.tideflow.runtime.security.LinkSecurity;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs one pool's autoscaling on the coordinator as observe → decide → realize: every interval it
 * turns the provider's nodes and the registry into a {@link PoolObservation}, lets the core's
 * {@link PoolReconciler} decide (the autoscaler's policies, reaping lost nodes, choosing which
 * nodes leave, retrying failed terminations with {@link #TERMINATION_BACKOFF}), keeps the decision
 * log, and hands the resulting actions to a {@link PoolRealizer}, whose completions come back as
 * {@link PoolEvent}s. A node whose termination fails stays out of the pool's count and is
 * terminated again until the provider confirms it: it is never forgotten while it may still run.
 *
 * <p>A READY node of the pool that its provider does not list was started by a previous leader;
 * before each decision it is handed to the provider to adopt ({@link NodeProvider#adopt}), so a new
 * leader takes over its predecessor's nodes instead of starting the pool afresh. Adopted nodes are
 * stopped by a {@link NodeTerminator} call carrying this leader's fencing token.
 *
 * <p>Threads: one owner thread (its timer) holds all mutable state — the book, when nodes became
 * READY, the decision log — and runs every step and every event; {@link #tick()} from another
 * thread runs on it too and waits. Other threads read only two volatile immutable snapshots: the
 * book (for {@link #leaving()} and {@link #terminationRetries()}) and the decision log (for {@link
 * #decisions()}). Configuration ({@link #onlyWhile}, {@link #demandSeenAt}, {@link #pendingDemand},
 * {@link #onDecisionLog}) is set before {@link #start()}.
 */
public final class PoolAutoscaler implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PoolAutoscaler.class.getName());

  /** Tasks running or queued per READY node of the pool: the metric to track for a pool. */
  public static final String CONCURRENCY = PoolReconciler.CONCURRENCY;

  /** The wait before terminating a node again: 1 s after the first failure, doubling to 30 s. */
  static final Backoff TERMINATION_BACKOFF =
      Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30));

  /** A node READY longer than this counts as up whatever the demand says. */
  static final Duration MAX_UNSEEN = Duration.ofSeconds(10);

  /** How long {@link #tick()} from another thread waits for the owner thread. */
  private static final Duration TICK_TIMEOUT = Duration.ofSeconds(60);

  private final PoolConfig config;
  private final Autoscaler autoscaler;
  private final NodeProvider provider;
  private final ClusterWatcher watcher;
  private final InstantSource clock;
  private final Function<List<NodeInfo>, Map<String, Double>> extraMetrics;
  private final ScheduledExecutorService owner;
  private final LongSupplier fencingToken;

  /** The owner's one thread, once started (a single-thread executor starts one and keeps it). */
  private volatile Thread ownerThread;

  private final PoolRealizer realizer;

  /** Set before {@link #start}; read on the autoscaler's thread. */
  private volatile LinkSecurity security = LinkSecurity.plaintext();

  // Owner thread only.
  private PoolReconciler reconciler;
  private final Map<String, Instant> readySince = new HashMap<>();
  private final ArrayDeque<DecisionRecord> log = new ArrayDeque<>();

  // Written by the owner thread, read by any.
  private volatile PoolBook book = PoolBook.empty();
  private volatile List<DecisionRecord> published = List.of();

  // Configuration, set before start().
  private volatile BooleanSupplier leading = () -> true;
  private volatile Supplier<Instant> demandAsOf;
  private volatile Duration demandSettle = Duration.ZERO;
  private volatile Supplier<List<Resources>> waiting = List::of;
  private volatile Supplier<ScaleRequest> scaleRequest = () -> null;
  private volatile List<Consumer<List<DecisionRecord>>> logListeners = List.of();
  private volatile Consumer<LoadHistory> loadListener = h -> {};

  public PoolAutoscaler(
      PoolConfig config,
      Autoscaler autoscaler,
      NodeProvider provider,
      ClusterWatcher watcher,
      InstantSource clock,
      LongSupplier fencingToken) {
    this(config, autoscaler, provider, watcher, clock, fencingToken, nodes -> Map.of());
  }

  /**
   * With application metrics: {@code extraMetrics} gets the pool's READY nodes at each decision and
   * returns more values for the sample (e.g. a queue length the application knows); it runs on the
   * autoscaler's thread and must not block.
   */
  public PoolAutoscaler(
      PoolConfig config,
      Autoscaler autoscaler,
      NodeProvider provider,
      ClusterWatcher watcher,
      InstantSource clock,
      LongSupplier fencingToken,
      Function<List<NodeInfo>, Map<String, Double>> extraMetrics) {
    this.config = config;
    this.autoscaler = autoscaler;
    this.provider = provider;
    this.watcher = watcher;
    this.clock = clock;
    this.extraMetrics = extraMetrics;
    this.fencingToken = fencingToken;
    ThreadFactory named =
        Thread.ofPlatform().daemon().name("tideflow-autoscaler-" + config.name()).factory();
    this.owner =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread t = named.newThread(task);
              ownerThread = t;
              return t;
            });
    this.realizer = new PoolRealizer(config, provider, watcher, fencingToken, clock, this::post);
    this.reconciler = reconciler();
  }

  private PoolReconciler reconciler() {
    return new PoolReconciler(
        config.name(),
        autoscaler,
        config.template().leaseTtl().multipliedBy(2),
        config.window(),
        TERMINATION_BACKOFF,
        demandSettle,
        MAX_UNSEEN);
  }

  /**
   * Gives the pool's policies the work that waits for a node (e.g. {@link
   * PendingDemand#demandFor}), read on the autoscaler's thread at each decision; it must not block.
   */
  /**
   * Follows an operator's scale request for this pool (before start): {@code request} gives the
   * latest, or null; it runs on the autoscaler's thread and must not block.
   */
  public PoolAutoscaler scaleRequest(Supplier<ScaleRequest> request) {
    this.scaleRequest = request;
    return this;
  }

  public PoolAutoscaler pendingDemand(Supplier<List<Resources>> demands) {
    this.waiting = demands;
    return this;
  }

  /**
   * Tells the autoscaler how current the pending demand is: {@code asOf} says when it was last
   * known complete (e.g. {@link PendingDemand#asOf()}). A node that became READY less than {@code
   * settle} before that (time for clients to see it and place on it) still counts as starting, so
   * demand that its own arrival will place is not asked for again.
   */
  public PoolAutoscaler demandSeenAt(Supplier<Instant> asOf, Duration settle) {
    this.demandSettle = settle;
    this.demandAsOf = asOf;
    onOwner(() -> reconciler = reconciler());
    watcher.onChange(
        view -> {
          Instant at = clock.instant(); // when it was seen, not when the owner gets to it
          onOwner(() -> noteReady(view, at));
        });
    ClusterView now = watcher.view();
    Instant at = clock.instant();
    onOwner(() -> noteReady(now, at));
    return this;
  }

  /**
   * Decides and acts only while {@code leading} says so (e.g. while this coordinator holds the
   * election); a standby keeps no log and touches no node.
   */
  public PoolAutoscaler onlyWhile(BooleanSupplier leading) {
    this.leading = leading;
    return this;
  }

  /** Drains and terminates its nodes over links secured as {@code value} says (before start). */
  public PoolAutoscaler linkSecurity(LinkSecurity value) {
    this.security = value;
    realizer.linkSecurity(value);
    return this;
  }

  /**
   * Calls {@code listener} with the whole decision log after each decision, on the autoscaler's
   * thread (e.g. to publish it with {@link DecisionLogs#publish}); it must not block.
   */
  public PoolAutoscaler onDecisionLog(Consumer<List<DecisionRecord>> listener) {
    List<Consumer<List<DecisionRecord>>> more = new ArrayList<>(logListeners);
    more.add(listener);
    logListeners = List.copyOf(more);
    return this;
  }

  /**
   * Starts the pool's load history from {@code kept} (before start), e.g. what the previous leader
   * stored; ignored unless the autoscaler forecasts and {@code kept} has its buckets' width.
   */
  public PoolAutoscaler restoreLoad(LoadHistory kept) {
    PredictivePolicy predictive = autoscaler.predictive();
    if (predictive == null
        || !kept.bucket().equals(predictive.emptyHistory().bucket())
        || kept.capacity() != predictive.emptyHistory().capacity()) {
      LOG.log(
          Level.WARNING,
          "pool " + config.name() + " ignores a stored load history that is not of its shape");
      return this;
    }
    onOwner(
        () ->
            book =
                new PoolBook(
                    book.samples(),
                    book.history(),
                    book.recommendations(),
                    book.missingSince(),
                    book.leaving(),
                    book.launching(),
                    kept));
    return this;
  }

  /**
   * Calls {@code listener} with the load history each time a bucket of it is complete (a step
   * opened the next), on the autoscaler's thread, e.g. to store it for the next leader; it must not
   * block.
   */
  public PoolAutoscaler onLoad(Consumer<LoadHistory> listener) {
    this.loadListener = listener;
    return this;
  }

  /** Whether a policy of this pool forecasts its load. */
  public boolean forecasts() {
    return autoscaler.predictive() != null;
  }

  /** Decides every {@link PoolConfig#interval()} from now on. */
  public PoolAutoscaler start() {
    long every = config.interval().toMillis();
    owner.scheduleWithFixedDelay(this::safeStep, every, every, TimeUnit.MILLISECONDS);
    return this;
  }

  private void safeStep() {
    try {
      step();
    } catch (RuntimeException e) {
      // The loop must go on; a failed step is logged loudly and the next one tries again.
      LOG.log(Level.ERROR, "autoscaler step of pool " + config.name() + " failed", e);
    }
  }

  /**
   * One decision, carried out; null when not leading. The timer calls it; tests call it directly,
   * from any thread (it runs on the autoscaler's thread and waits for it).
   */
  public DecisionRecord tick() {
    if (ownerThread == Thread.currentThread()) {
      return step(); // from a listener or supplier the step itself calls: waiting would deadlock
    }
    if (owner.isShutdown()) {
      throw new IllegalStateException("autoscaler of pool " + config.name() + " is closed");
    }
    try {
      return owner.submit(this::step).get(TICK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pool " + config.name() + " decided", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("autoscaler step of pool " + config.name() + " failed", e);
    }
  }

  /** Owner thread. */
  private DecisionRecord step() {
    if (!leading.getAsBoolean()) {
      return null;
    }
    Instant now = clock.instant();
    LoadHistory before = book.load();
    PoolResult result = reconciler.tick(book, observe(watcher.view(), now));
    book = result.book();
    LoadHistory after = book.load();
    if (!after.isEmpty()
        && !before.isEmpty()
        && after != before
        && after.newestBucket() > before.newestBucket()) {
      loadListener.accept(after);
    }
    DecisionRecord record = result.decision().orElseThrow();
    remember(record);
    realizer.carryOut(result.actions());
    List<Consumer<List<DecisionRecord>>> listeners = logListeners;
    if (!listeners.isEmpty()) {
      List<DecisionRecord> all = published;
      listeners.forEach(l -> l.accept(all));
    }
    return record;
  }

  /** From any thread: what became of an action, handed to the owner thread. */
  private void post(PoolEvent event) {
    onOwner(
        () -> {
          PoolResult result = reconciler.on(book, event, clock.instant());
          book = result.book();
          realizer.carryOut(result.actions());
        });
  }

  private void onOwner(Runnable task) {
    try {
      owner.execute(task);
    } catch (RejectedExecutionException e) {
      // Closed: the pool no longer acts, and its provider's close ends its nodes.
    }
  }

  /** The provider's nodes of this pool and the registry's, as the core step reads them. */
  private PoolObservation observe(ClusterView view, Instant now) {
    noteReady(view, now);
    adoptStrays(view);
    List<PoolObservation.Provided> provided = new ArrayList<>();
    for (ProvidedNode p : provider.nodes()) {
      if (p.template().equals(config.template().name())) {
        provided.add(
            new PoolObservation.Provided(
                p.nodeId(),
                switch (p.status()) {
                  case LAUNCHING -> Phase.LAUNCHING;
                  case RUNNING -> Phase.RUNNING;
                  case FAILED, TERMINATING -> Phase.ENDING;
                }));
      }
    }
    Set<String> leaving = book.leaving().keySet();
    List<PoolObservation.Registered> registered = new ArrayList<>();
    List<NodeInfo> ready = new ArrayList<>();
    for (NodeInfo n : view.nodes()) {
      if (config.name().equals(n.labels().get(PoolConfig.POOL_LABEL))) {
        registered.add(
            new PoolObservation.Registered(
                n.id(),
                n.state(),
                n.load().inFlight() + n.load().queued(),
                n.load().cpu(),
                n.load().heapMaxBytes() > 0
                    ? (double) n.load().heapUsedBytes() / n.load().heapMaxBytes()
                    : -1,
                n.capacity().networkBytesPerSec() > 0
                    ? (double) n.load().networkBytesPerSec() / n.capacity().networkBytesPerSec()
                    : -1,
                readySince.get(n.id())));
        if (n.state() == NodeState.READY && !leaving.contains(n.id())) {
          ready.add(n);
        }
      }
    }
    Supplier<Instant> asOf = demandAsOf;
    // "As of" first: a report landing between the two reads then only makes the demand newer
    // than its time says (a node counts as starting a little longer), never older (which would
    // ask again for capacity a node already took).
    Instant demandAsOfNow = asOf == null ? null : asOf.get();
    return new PoolObservation(
        now,
        provided,
        registered,
        extraMetrics.apply(ready),
        waiting.get(),
        demandAsOfNow,
        scaleRequest.get());
  }

  /**
   * Owner thread: hands the provider the pool's READY nodes it does not list, which a previous
   * leader started, to adopt.
   */
  private void adoptStrays(ClusterView view) {
    Set<String> held = new HashSet<>();
    provider.nodes().forEach(p -> held.add(p.nodeId()));
    List<NodeInfo> strays = new ArrayList<>();
    for (NodeInfo n : view.nodes()) {
      if (n.state() == NodeState.READY
          && config.name().equals(n.labels().get(PoolConfig.POOL_LABEL))
          && !held.contains(n.id())) {
        strays.add(n);
      }
    }
    if (strays.isEmpty()) {
      return;
    }
    List<String> adopted = provider.adopt(config.template(), strays, this::stopAdopted);
    if (!adopted.isEmpty()) {
      LOG.log(
          Level.INFO,
          "pool " + config.name() + " adopted " + adopted + ", started by a previous leader");
    }
  }

  /**
   * Stops an adopted node by asking it, with this leader's token. A node that cannot be reached and
   * is no longer registered is gone already; one that is still registered is not stopped yet.
   */
  private CompletableFuture<Void> stopAdopted(NodeInfo node, Duration grace) {
    return NodeTerminator.terminate(
            security,
            node.id(),
            node.address(),
            fencingToken.getAsLong(),
            grace,
            "pool " + config.name() + " lets it go")
        .handle(
            (reply, e) -> {
              if (e == null
                  || Status.fromThrowable(e).getCode() == Status.Code.UNAVAILABLE
                      && watcher.view().node(node.id()) == null) {
                return null;
              }
              throw e instanceof CompletionException c ? c : new CompletionException(e);
            });
  }

  /** Owner thread: remembers when each pool node was first seen READY. */
  private void noteReady(ClusterView view, Instant at) {
    for (NodeInfo n : view.nodes()) {
      if (n.state() == NodeState.READY
          && config.name().equals(n.labels().get(PoolConfig.POOL_LABEL))) {
        readySince.putIfAbsent(n.id(), at);
      }
    }
    readySince
        .keySet()
        .removeIf(
            id -> {
              NodeInfo n = view.node(id);
              return n == null || n.state() != NodeState.READY;
            });
  }

  private void remember(DecisionRecord record) {
    log.addLast(record);
    while (log.size() > config.logSize()) {
      log.removeFirst();
    }
    published = List.copyOf(log);
  }

  /** Nodes whose termination failed and is tried again, with how many times it failed. */
  public Map<String, Integer> terminationRetries() {
    Map<String, Integer> result = new HashMap<>();
    book.leaving()
        .forEach(
            (id, l) -> {
              if (l.stage() == PoolBook.Stage.WAITING_TO_RETRY) {
                result.put(id, l.failures());
              }
            });
    return result;
  }

  /** The decision log, oldest first. */
  public List<DecisionRecord> decisions() {
    return published;
  }

  /** Nodes on their way out: being drained, terminated, or waiting to be terminated again. */
  public Set<String> leaving() {
    return Set.copyOf(book.leaving().keySet());
  }

  /**
   * Stops deciding. What was under way is not followed up: a node being drained is not terminated
   * afterwards, so close the provider with the autoscaler (as {@code PoolSupervisor} does), whose
   * close ends every node it started.
   */
  @Override
  public void close() {
    owner.shutdownNow();
    // Bounded: a step in flight (a decision-log publish, say) finishes before the pool is
    // reported stopped, so a stopped pool publishes nothing after a newer leader's log.
    if (ownerThread != Thread.currentThread()) {
      try {
        if (!owner.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.log(Level.WARNING, "autoscaler of pool " + config.name() + " did not stop in 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
