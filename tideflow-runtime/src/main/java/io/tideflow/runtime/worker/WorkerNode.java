package io.tideflow.runtime.worker;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.flow.FlowAgent;
import io.tideflow.runtime.flow.FlowNode;
import io.tideflow.runtime.flow.FlowProcesses;
import io.tideflow.runtime.flow.NodeChannels;
import io.tideflow.runtime.membership.NodeRegistration;
import io.tideflow.runtime.security.CallerRoles;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.HostPort;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.WriteLoop;
import io.tideflow.store.ClusterStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker node: a gRPC server that runs tasks, registered in the cluster store under a lease.
 *
 * <p>Life cycle: {@link #start} binds the server, registers the node JOINING and then READY, and
 * reports load every second. {@link #drain} stops it taking tasks and waits for what runs. {@link
 * #close} leaves the cluster gracefully; {@link #kill} stops at once, as a crash would. A
 * coordinator stops it over gRPC with a fenced Terminate call, which drains and then closes it;
 * {@link #terminatedByCoordinator()} then tells its process that the end was ordered, not a
 * failure.
 *
 * <p>The store being away stops nothing: the worker goes on running and answering what it has and
 * serving its connected clients (tasks are at-least-once, so running on is safe). It admits new
 * tasks for {@link #STORE_OUTAGE_GRACE} after its lease was last confirmed, and turns them back
 * (REJECTED_DRAINING, which clients place elsewhere) after that, until the store answers again. If
 * the store then says the lease is gone, the worker rejoins under a new lease without a restart
 * (see {@link NodeRegistration}); only if another node has taken its id meanwhile does it stop, and
 * {@link #terminated()} completes.
 */
public final class WorkerNode implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WorkerNode.class.getName());

  /**
   * How long after its lease was last confirmed a worker cut off from the store still admits new
   * tasks. A minute, as the best-known peers ride out a control-plane outage (Ray keeps running
   * tasks for 60 s while its GCS is gone): long enough for an etcd leader election, a restart or a
   * short partition, short enough that a worker the cluster has given up on soon stops taking work
   * from clients that still see it.
   */
  public static final Duration STORE_OUTAGE_GRACE = Duration.ofSeconds(60);

  /** How often running tasks are checked against their deadlines. */
  private static final long DEADLINE_SWEEP_MILLIS = 20;

  private final WorkerConfig config;
  private final TaskRunner runner;
  private final TaskStreamService streams;
  private final Server server;

  /**
   * Sends result batches and times tasks out: a platform thread, so CPU-bound tasks cannot hold
   * results back.
   */
  private final WriteLoop sender;

  /** Under mutual TLS, who may call what; counts the calls it refuses. */
  private final CallerRoles callerRoles = new CallerRoles();

  private final ClusterStore store;

  /** The node's flow runtime, the channels its flow streams use, and what follows placements. */
  private final FlowNode flows;

  private final NodeChannels nodeChannels;
  private volatile FlowAgent flowAgent;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile NodeRegistration registration;
  private volatile boolean accepting = true;
  private volatile boolean terminatedByCoordinator;

  /**
   * What a drain achieved: whether all work finished in time, and how much still runs (tasks, and
   * flow instances not yet handed over).
   */
  public record DrainResult(boolean drained, int stillRunning) {}

  private WorkerNode(
      WorkerConfig config,
      ClusterStore store,
      TaskHandlers handlers,
      FlowProcesses processes,
      LinkSecurity security) {
    this.config = config;
    this.store = store;
    this.nodeChannels = new NodeChannels(store, security, config.storeTimeout());
    this.flows = new FlowNode(config.nodeId(), processes, nodeChannels);
    this.runner =
        new TaskRunner(
            handlers,
            config.maxConcurrentTasks(),
            config.dedupEntries(),
            config.maxAdmittedTasks(),
            config.maxAdmittedBytes(),
            config.clock());
    this.sender = new WriteLoop("tideflow-results-" + config.nodeId());
    // Real time decides only when to look; the clock decides what is past its deadline. On a
    // thread of its own, so expiry never holds results back; runner.stop() ends it.
    runner.startExpiry(config.nodeId(), DEADLINE_SWEEP_MILLIS);
    this.streams =
        new TaskStreamService(runner, config.streamCredits(), this::admitsNewTasks, sender);
    sender.start(streams::beat, TaskStreamService.HEARTBEAT);
    this.server =
        security
            .secure(NettyServerBuilder.forAddress(config.listen().bindSocket(config.port())))
            .directExecutor()
            .maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES)
            .maxInboundMetadataSize(64 * 1024)
            // Clients ping every 10 s of silence to see a dead path in seconds; allow twice that
            // rate so a ping that comes a little early is never a strike towards GOAWAY.
            .permitKeepAliveTime(5, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .addService(ServerInterceptors.intercept(streams, callerRoles))
            .addService(ServerInterceptors.intercept(new ControlService(this), callerRoles))
            .addService(ServerInterceptors.intercept(flows.service(), callerRoles))
            .build();
  }

  /**
   * Starts a worker on loopback, links in plaintext, and registers it in {@code store}.
   *
   * @throws IllegalArgumentException when asked to bind beyond loopback, which needs {@link
   *     LinkSecurity#mutualTls}
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be reached
   */
  public static WorkerNode start(
      WorkerConfig config, ClusterStore store, TaskHandlers handlers, MeterRegistry metrics) {
    return start(config, store, handlers, metrics, LinkSecurity.plaintext());
  }

  /**
   * Starts a worker whose links are secured as {@code security} says, and registers it in {@code
   * store}.
   *
   * @throws IllegalArgumentException when asked to bind beyond loopback without mutual TLS, or when
   *     its certificate is not this node's
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be reached
   */
  public static WorkerNode start(
      WorkerConfig config,
      ClusterStore store,
      TaskHandlers handlers,
      MeterRegistry metrics,
      LinkSecurity security) {
    return start(config, store, handlers, FlowProcesses.discover(), metrics, security);
  }

  /**
   * Starts a worker as {@link #start(WorkerConfig, ClusterStore, TaskHandlers, MeterRegistry,
   * LinkSecurity)} does, whose flow instances are found in {@code processes}.
   */
  public static WorkerNode start(
      WorkerConfig config,
      ClusterStore store,
      TaskHandlers handlers,
      FlowProcesses processes,
      MeterRegistry metrics,
      LinkSecurity security) {
    checkListen(config, security);
    WorkerNode node = new WorkerNode(config, store, handlers, processes, security);
    try {
      node.server.start();
    } catch (IOException e) {
      node.sender.shutdownNow();
      throw new UncheckedIOException(
          "worker "
              + config.nodeId()
              + " cannot listen on "
              + new HostPort(config.listen().bindHost(), config.port())
              + ": "
              + e.getMessage(),
          e);
    }
    try {
      node.register();
      node.flowAgent =
          FlowAgent.start(
              store, node.flows, config.storeTimeout(), () -> node.registration.lease().id());
    } catch (RuntimeException e) {
      node.stopFlows();
      node.server.shutdownNow();
      node.sender.shutdownNow();
      throw e;
    }
    node.bindMetrics(metrics);
    node.flows.bindMetrics(metrics);
    security.tls().ifPresent(tls -> tls.bindTo(metrics));
    LOG.log(Level.INFO, "worker " + config.nodeId() + " READY at " + node.address());
    return node;
  }

  /** Refuses what must not start, before anything is started. */
  private static void checkListen(WorkerConfig config, LinkSecurity security) {
    if (!security.authenticated() && !config.listen().loopbackOnly()) {
      throw new IllegalArgumentException(
          "bind address "
              + config.listen().bindHost()
              + " is not a loopback address: binding beyond loopback needs mutual TLS; give the"
              + " worker a certificate (tideflow ca init, then tideflow cert issue --node "
              + config.nodeId()
              + ", then --tls-dir)");
    }
    security
        .tls()
        .map(ClusterTls::identity)
        .filter(id -> !(id.role() == Identity.Role.NODE && id.name().equals(config.nodeId())))
        .ifPresent(
            id -> {
              throw new IllegalArgumentException(
                  "the worker's certificate names "
                      + id
                      + ", but its id is "
                      + config.nodeId()
                      + ": clients would refuse it; issue one with --node "
                      + config.nodeId());
            });
  }

  private void register() {
    NodeInfo joining =
        new NodeInfo(
            config.nodeId(),
            config.provider(),
            address(),
            config.labels(),
            config.capacity(),
            NodeState.JOINING,
            load());
    registration =
        NodeRegistration.register(
            store,
            joining,
            config.leaseTtl(),
            config.reportInterval(),
            this::load,
            config.storeTimeout());
    registration.moveTo(NodeState.READY);
    registration.lost().thenRun(this::onLeaseLost);
  }

  private void bindMetrics(MeterRegistry metrics) {
    String id = config.nodeId();
    Gauge.builder("tideflow.worker.tasks.in_flight", runner, TaskRunner::inFlight)
        .tag("node", id)
        .description("Tasks running or queued on this worker")
        .register(metrics);
    Gauge.builder("tideflow.worker.tasks.queued", runner, TaskRunner::queued)
        .tag("node", id)
        .description("Tasks waiting for a slot")
        .register(metrics);
    FunctionCounter.builder("tideflow.worker.calls.denied", callerRoles, CallerRoles::denied)
        .tag("node", id)
        .description("Calls refused because the caller's role may not make them (mutual TLS)")
        .register(metrics);
    FunctionCounter.builder("tideflow.worker.tasks.completed", runner, TaskRunner::completed)
        .tag("node", id)
        .description("Tasks this worker finished")
        .register(metrics);
    FunctionCounter.builder("tideflow.worker.tasks.timed_out", runner, TaskRunner::timedOut)
        .description("Tasks answered TIMED_OUT: past their timeout in the queue or running")
        .tag("node", id)
        .register(metrics);
    Gauge.builder("tideflow.worker.tasks.overdue", runner, TaskRunner::overdue)
        .description("Timed-out tasks whose handler has not returned (ignores interrupts)")
        .tag("node", id)
        .register(metrics);
    FunctionCounter.builder("tideflow.worker.tasks.deduplicated", runner, TaskRunner::deduplicated)
        .tag("node", id)
        .description("Retries answered from an earlier run")
        .register(metrics);
    FunctionCounter.builder(
            "tideflow.worker.tasks.undeduplicated", runner, TaskRunner::undeduplicated)
        .tag("node", id)
        .description("Keyed tasks run without dedup: every dedup entry belonged to a running task")
        .register(metrics);
    FunctionCounter.builder("tideflow.worker.rejoins", this, w -> w.registration.rejoins())
        .tag("node", id)
        .description("Times the worker rejoined after the store said its lease was gone")
        .register(metrics);
    Gauge.builder(
            "tideflow.worker.lease.unconfirmed",
            this,
            w -> w.registration.unconfirmedFor().toMillis() / 1000.0)
        .tag("node", id)
        .baseUnit("seconds")
        .description("How long the store has not confirmed the worker's lease (0 while it does)")
        .register(metrics);
    Gauge.builder("tideflow.worker.tasks.admitted_bytes", runner, TaskRunner::admittedBytes)
        .tag("node", id)
        .description("Payload bytes of the tasks queued and running, bounded by maxAdmittedBytes")
        .register(metrics);
    for (Rejections.Reason reason : Rejections.Reason.values()) {
      FunctionCounter.builder(
              "tideflow.worker.tasks.rejected", runner.rejections(), r -> r.get(reason))
          .tag("node", id)
          .tag("reason", reason.tag())
          .description("Tasks answered at once without running, by why")
          .register(metrics);
    }
  }

  /**
   * Whether a new task may start here: not draining or stopping, and the lease confirmed by the
   * store within {@link #STORE_OUTAGE_GRACE}.
   */
  boolean admitsNewTasks() {
    NodeRegistration reg = registration;
    return accepting && (reg == null || reg.unconfirmedFor().compareTo(STORE_OUTAGE_GRACE) <= 0);
  }

  /** The store the worker is registered in; drains check their fencing token against it. */
  ClusterStore store() {
    return store;
  }

  Duration storeTimeout() {
    return config.storeTimeout();
  }

  /** Where clients reach this worker, {@code host:port} as the registry records it. */
  public String address() {
    return config.listen().advertised(server.getPort());
  }

  public String id() {
    return config.nodeId();
  }

  /** This node as last written to the registry. */
  public NodeInfo info() {
    return registration.node();
  }

  public NodeRegistration registration() {
    return registration;
  }

  /** Guards the two fields below, nothing else: the network rate since the last report. */
  private final Object reportLock = new Object();

  private long lastBytes;

  private long lastBytesAtMillis;

  LoadReport load() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long now = config.clock().millis();
    long moved = runner.bytesMoved();
    long network;
    synchronized (reportLock) {
      network =
          lastBytesAtMillis == 0 || now <= lastBytesAtMillis
              ? 0
              : Math.max(0, (moved - lastBytes) * 1000 / (now - lastBytesAtMillis));
      lastBytes = moved;
      lastBytesAtMillis = now;
    }
    double cpu = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      double c = os.getProcessCpuLoad();
      cpu = c >= 0 && c <= 1 ? c : -1;
    }
    return new LoadReport(
        Math.max(0, runner.inFlight() - runner.queued()),
        runner.queued(),
        runner.completed(),
        cpu,
        heap.getUsed(),
        Math.max(heap.getMax(), 0),
        now,
        network);
  }

  /**
   * Stops taking tasks (new ones are turned back, and clients place them elsewhere), marks the node
   * DRAINING and waits up to {@code timeout} by the worker's clock for running tasks to finish.
   *
   * @throws RuntimeException when the registry does not take the DRAINING record (the store's
   *     failure, e.g. {@link io.tideflow.store.StoreUnavailableException}); the node refuses new
   *     tasks all the same, and its next load report carries DRAINING
   */
  public DrainResult drain(Duration timeout) {
    // Counted from the request, not from when the store took the DRAINING record.
    Instant deadline = config.clock().instant().plus(timeout);
    accepting = false;
    registration.moveTo(NodeState.DRAINING);
    return awaitIdle(deadline);
  }

  /**
   * The first half of a coordinator's Terminate, whose fencing token was checked: records that the
   * coordinator ended this node, stops taking tasks and waits up to {@code grace} for running ones,
   * as {@link #drain} does. The caller answers the coordinator and then calls {@link #close}, so
   * the answer leaves before the server stops.
   *
   * <p>Unlike a drain it does not fail when the registry refuses the DRAINING record: the node is
   * going anyway, and closing revokes its lease, which removes the entry.
   */
  DrainResult beginTermination(String reason, Duration grace) {
    Instant deadline = config.clock().instant().plus(grace);
    terminatedByCoordinator = true;
    accepting = false;
    LOG.log(
        Level.INFO,
        "worker "
            + config.nodeId()
            + " terminated by the coordinator ("
            // A reason is the caller's text: no line breaks of its own in our log.
            + (reason.isEmpty() ? "no reason given" : reason.replaceAll("\\p{Cntrl}", " "))
            + "): draining for up to "
            + grace.toMillis()
            + " ms, then stopping");
    try {
      registration.moveTo(NodeState.DRAINING);
    } catch (RuntimeException e) {
      // Expected while the store is away; the clients' turned-back tasks and the lease revoke on
      // close tell the cluster all the same.
      LOG.log(
          Level.WARNING,
          "worker " + config.nodeId() + " could not record DRAINING: " + e.getMessage());
    }
    return awaitIdle(deadline);
  }

  /**
   * Waits, by the worker's clock, until nothing runs or {@code deadline} has passed: no task, and
   * no flow instance placed here (the leader hands a draining node's instances over to others).
   */
  private DrainResult awaitIdle(Instant deadline) {
    while (stillRunning() > 0 && config.clock().instant().isBefore(deadline)) {
      // Drain is a control action, rare and bounded by its timeout: a short poll suffices.
      LockSupport.parkNanos(5_000_000);
    }
    int left = stillRunning();
    return new DrainResult(left == 0, left);
  }

  /** Tasks running here and flow instances placed here. */
  private int stillRunning() {
    FlowAgent agent = flowAgent;
    return runner.inFlight() + (agent == null ? 0 : agent.instancesHere());
  }

  /**
   * True once a coordinator's fenced Terminate was accepted: the node is stopping, or has stopped,
   * because the cluster's leader said so. Its process then exits as after a graceful stop.
   */
  public boolean terminatedByCoordinator() {
    return terminatedByCoordinator;
  }

  /** The node's flow runtime. */
  public FlowNode flows() {
    return flows;
  }

  private void stopFlows() {
    FlowAgent agent = flowAgent;
    if (agent != null) {
      agent.close();
    }
    try {
      flows.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    nodeChannels.close();
  }

  /** Completes when the node has stopped: closed, killed, or its lease lost. */
  public CompletableFuture<Void> terminated() {
    return terminated;
  }

  private void onLeaseLost() {
    LOG.log(
        Level.WARNING,
        "worker " + config.nodeId() + " cannot rejoin: its id is taken by another node; stopping");
    accepting = false;
    stopFlows();
    runner.stop();
    server.shutdownNow();
    sender.shutdown();
    terminated.complete(null);
  }

  /**
   * Stops as a crash would: the server drops its connections, running tasks are interrupted and the
   * lease is left to expire. For tests and the demo.
   */
  public void kill() {
    accepting = false;
    NodeRegistration reg = registration;
    if (reg != null) {
      reg.abandon();
    }
    stopFlows();
    runner.stop();
    server.shutdownNow();
    sender.shutdown();
    terminated.complete(null);
  }

  /** Leaves the cluster: deregisters, lets running tasks finish briefly, stops the server. */
  @Override
  public void close() {
    accepting = false;
    NodeRegistration reg = registration;
    if (reg != null) {
      reg.close();
    }
    stopFlows();
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    runner.stop();
    sender.shutdown();
    terminated.complete(null);
  }
}
