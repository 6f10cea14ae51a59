package io.tideflow.runtime.provider;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.runtime.provider.ProvidedNode.Status;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.ListenAddress;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.clock.MonotonicClock;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Starts worker nodes in this JVM, each with its own gRPC server on loopback, registered in the
 * given store: the embedded mode's provider. Node ids are {@code <template>-<n>}, unique per
 * provider. Launches and terminations run on the provider's own platform threads.
 *
 * <p>It is healthy unless a {@link WorkerNode#start} failed since the last successful one.
 *
 * <p>Its clock stamps each node's status and is the clock of the workers it starts ({@link
 * WorkerConfig#clock()}), so one clock drives a whole embedded cluster's timeouts in tests.
 */
public final class InProcessNodeProvider implements NodeProvider, StandbyLauncher {
  public static final String NAME = "in-process";
  private static final System.Logger LOG = System.getLogger(InProcessNodeProvider.class.getName());

  private final ClusterStore store;
  private final TaskHandlers handlers;
  private final MeterRegistry metrics;
  private final InstantSource clock;
  private final NodeLinks links;
  private final ExecutorService executor =
      Executors.newFixedThreadPool(
          2, Thread.ofPlatform().daemon().name("tideflow-in-process-provider-", 0).factory());
  private final NodeIds ids = new NodeIds();
  private final HealthTracker health = new HealthTracker(1);
  private final RequestLog<LaunchResult> launches = new RequestLog<>(RequestLog.DEFAULT_CAPACITY);
  private final RequestLog<Void> terminations = new RequestLog<>(RequestLog.DEFAULT_CAPACITY);
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final Map<String, WorkerNode> standby = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** How often a node's certificate files are looked at: they are renewed in place. */
  private static final Duration TLS_RELOAD = Duration.ofSeconds(10);

  /** A node this provider started, and what it last knew of it. */
  private record Running(WorkerNode worker, ProvidedNode node) {}

  /** On the system clock. */
  public InProcessNodeProvider(ClusterStore store, TaskHandlers handlers, MeterRegistry metrics) {
    this(store, handlers, metrics, MonotonicClock.system());
  }

  public InProcessNodeProvider(
      ClusterStore store, TaskHandlers handlers, MeterRegistry metrics, InstantSource clock) {
    this(store, handlers, metrics, clock, NodeLinks.LOOPBACK);
  }

  /** Its nodes listening and secured as {@code links} says. */
  public InProcessNodeProvider(
      ClusterStore store,
      TaskHandlers handlers,
      MeterRegistry metrics,
      InstantSource clock,
      NodeLinks links) {
    if (clock == null || links == null) {
      throw new IllegalArgumentException("clock and links must not be null");
    }
    this.store = store;
    this.handlers = handlers;
    this.metrics = metrics;
    this.clock = clock;
    this.links = links;
  }

  /**
   * Starts worker {@code id} on {@code nodeStore}: under mutual TLS with a certificate of its own
   * when the links have certificates, which it drops when it stops.
   */
  private WorkerNode startWorker(NodeTemplate template, String id, ClusterStore nodeStore) {
    WorkerConfig config =
        config(template, id, clock)
            .withListen(ListenAddress.of(links.bindHost(), links.advertiseHost()));
    if (!links.secured()) {
      return WorkerNode.start(config, nodeStore, handlers, metrics);
    }
    ClusterTls tls =
        ClusterTls.load(
            links.certificates().issue(id, NodeLinks.storeUser(template.name())), TLS_RELOAD);
    try {
      WorkerNode worker =
          WorkerNode.start(config, nodeStore, handlers, metrics, LinkSecurity.mutualTls(tls));
      worker
          .terminated()
          .thenRun(
              () -> {
                tls.close();
                links.certificates().forget(id);
              });
      return worker;
    } catch (RuntimeException e) {
      tls.close();
      links.certificates().forget(id);
      throw e;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CompletableFuture<LaunchResult> launch(
      NodeTemplate template, int count, String requestId) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    return launches.answer(
        requestId,
        () -> {
          List<CompletableFuture<String>> starts = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            starts.add(CompletableFuture.supplyAsync(() -> startOne(template), executor));
          }
          return CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
              .handle((v, e) -> result(requestId, starts));
        });
  }

  /** Starts one node; returns its id, or throws with the reason it could not. */
  private String startOne(NodeTemplate template) {
    String id = ids.next(template);
    if (closed) {
      throw new IllegalStateException(id + ": provider closed");
    }
    try {
      WorkerNode worker = startWorker(template, id, store);
      health.success();
      track(worker, template);
      return id;
    } catch (RuntimeException e) {
      health.failure(id + ": " + e.getMessage());
      LOG.log(Level.WARNING, "in-process node " + id + " did not start: " + e.getMessage());
      throw new IllegalStateException(id + ": " + e.getMessage(), e);
    }
  }

  static WorkerConfig config(NodeTemplate template, String id, InstantSource clock) {
    return WorkerConfig.defaults(id)
        .withProvider(NAME)
        .withLabels(template.labels())
        .withCapacity(template.capacity())
        .withLeaseTtl(template.leaseTtl())
        .withClock(clock);
  }

  private void track(WorkerNode worker, NodeTemplate template) {
    String id = worker.id();
    running.put(id, new Running(worker, node(id, template.name(), Status.RUNNING, "")));
    worker
        .terminated()
        .thenRun(
            () ->
                running.computeIfPresent(
                    id,
                    (k, r) ->
                        r.node().status() == Status.TERMINATING
                            ? r
                            : new Running(
                                r.worker(),
                                node(
                                    id,
                                    r.node().template(),
                                    Status.FAILED,
                                    "the worker stopped by itself (its lease was lost)"))));
    if (closed) {
      worker.close(); // closed while it started: it must not outlive the provider
      running.remove(id);
    }
  }

  private ProvidedNode node(String id, String template, Status status, String error) {
    return new ProvidedNode(id, template, NAME, status, clock.instant(), error);
  }

  static LaunchResult result(String requestId, List<CompletableFuture<String>> starts) {
    List<String> started = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (CompletableFuture<String> start : starts) {
      start
          .handle(
              (id, error) -> {
                if (error == null) {
                  started.add(id);
                } else {
                  Throwable cause = error.getCause() != null ? error.getCause() : error;
                  errors.add(cause.getMessage());
                }
                return null;
              })
          .join(); // already complete: allOf finished
    }
    return new LaunchResult(requestId, started, errors);
  }

  @Override
  public CompletableFuture<StandbyNode> prepare(NodeTemplate template) {
    return CompletableFuture.supplyAsync(() -> prepareOne(template), executor);
  }

  private StandbyNode prepareOne(NodeTemplate template) {
    String id = ids.next(template);
    if (closed) {
      throw new IllegalStateException(id + ": provider closed");
    }
    DeferredRegistrationStore held = new DeferredRegistrationStore(store);
    WorkerNode worker = startWorker(template, id, held);
    held.prepare().orTimeout(10, TimeUnit.SECONDS).handle((v, e) -> null).join();
    standby.put(id, worker);
    if (closed) {
      standby.remove(id);
      worker.close();
      throw new IllegalStateException(id + ": provider closed");
    }
    return new InProcessStandby(worker, held, template);
  }

  /** A started, unregistered worker of this provider. */
  private final class InProcessStandby implements StandbyNode {
    private final WorkerNode worker;
    private final DeferredRegistrationStore held;
    private final NodeTemplate template;

    InProcessStandby(WorkerNode worker, DeferredRegistrationStore held, NodeTemplate template) {
      this.worker = worker;
      this.held = held;
      this.template = template;
    }

    @Override
    public String nodeId() {
      return worker.id();
    }

    @Override
    public CompletableFuture<Void> activate() {
      return held.activate()
          .whenCompleteAsync(
              (v, error) -> {
                if (standby.remove(worker.id()) == null) {
                  return; // already adopted or discarded
                }
                if (error != null) {
                  health.failure(worker.id() + ": could not register: " + error.getMessage());
                  worker.close();
                } else {
                  health.success();
                  track(worker, template);
                }
              },
              executor);
    }

    @Override
    public void discard() {
      if (!held.activated() && standby.remove(worker.id()) != null) {
        worker.close();
      }
    }
  }

  @Override
  public CompletableFuture<Void> terminate(Collection<String> nodeIds, String requestId) {
    List<String> targets = List.copyOf(nodeIds);
    return terminations.answer(
        requestId,
        () ->
            CompletableFuture.runAsync(
                () -> {
                  for (String id : targets) {
                    Running r =
                        running.computeIfPresent(
                            id,
                            (k, v) ->
                                new Running(
                                    v.worker(),
                                    node(id, v.node().template(), Status.TERMINATING, "")));
                    if (r != null) {
                      r.worker().close();
                      running.remove(id);
                    }
                  }
                },
                executor));
  }

  /**
   * The worker of a running node, or null: for tests and the demo, which kill nodes in-process to
   * show what a crash does.
   */
  public WorkerNode worker(String nodeId) {
    Running r = running.get(nodeId);
    return r == null ? null : r.worker();
  }

  @Override
  public List<ProvidedNode> nodes() {
    return running.values().stream().map(Running::node).toList();
  }

  @Override
  public ProviderHealth health() {
    return health.health();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    running.values().forEach(r -> r.worker().close());
    running.clear();
    standby.values().forEach(WorkerNode::close);
    standby.clear();
    executor.shutdown();
  }
}
