package io.tideflow.runtime.client;

import com.google.protobuf.CodedOutputStream;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.balance.Balancer;
import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.membership.ClientStatsRecords;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskException.Kind;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.store.ClusterStore;
import java.lang.System.Logger.Level;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Submits tasks to the cluster. Follows the node registry, places each task itself with the core's
 * placement code, sends it over the worker's task stream, and owns its retries: when a worker dies
 * or its connection breaks, the tasks it held are placed again elsewhere (at-least-once; an
 * idempotency key makes a retry that reaches the same worker run once).
 *
 * <p>A task with a resource demand holds it on its node from when it is sent until its answer (as a
 * Ray resource request does): the client records it in its {@link Allocations}, so the placement
 * strategy sees capacity less what is placed, and a task that fits nowhere now waits until
 * something is released or a node joins. What waits that way is published under the client's lease
 * ({@link io.tideflow.runtime.membership.ClusterKeys#DEMAND}) for the autoscaler's pending-demand
 * policy and for {@code status}; its task counts under {@link
 * io.tideflow.runtime.membership.ClusterKeys#CLIENTS}, for the leader's alerts.
 *
 * <p>{@link #submit} never blocks: a task waits in a bounded queue until a worker has a free
 * credit, and beyond the bound is rejected. Futures complete on gRPC's event loop or the client's
 * timer thread: chain with the {@code *Async} methods for anything that may block.
 *
 * <p>This class admits tasks and wires the parts that do the work: the {@link Dispatcher} (queues,
 * allocations, placement, balancer), {@link WorkerConnections} (streams kept in step with the
 * registry), {@link AttemptDeadlines} (the timeout sweep), {@link Outcomes} (futures and counts)
 * and the {@link ClientReporter}.
 */
public final class TideflowClient implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TideflowClient.class.getName());
  private static final long TICK_MILLIS = 50;

  /** A task's fixed-size fields (id, timeout, attempt) and its framing in a batch, at most. */
  private static final int TASK_FIELDS_BYTES = 64;

  private final ClientConfig config;
  private final ClientClock clock;
  private final ClusterWatcher watcher;
  private final ScheduledExecutorService timer;
  private final Outcomes outcomes;
  private final WorkerConnections connections;
  private final Dispatcher dispatcher;
  private final AttemptDeadlines deadlines;
  private final ClientReporter demand;

  /** Timer thread only. */
  private long lastDemandReportNanos;

  /** Written once, by {@link #close()}; every part reads it. */
  private volatile boolean closed;

  private TideflowClient(
      ClientConfig config,
      ClusterWatcher watcher,
      ClusterStore store,
      MeterRegistry metrics,
      LinkSecurity security) {
    this.config = config;
    this.clock = new ClientClock(config.clock());
    this.watcher = watcher;
    Balancer balancer = config.balancer() == null ? null : config.balancer().get();
    this.outcomes = new Outcomes(metrics);
    this.connections =
        new WorkerConnections(
            config, clock, new Events(), balancer, () -> closed, metrics, security);
    this.dispatcher =
        new Dispatcher(
            config,
            clock,
            watcher::view,
            connections,
            balancer,
            outcomes,
            new TurnBacks(config.turnBacks(), metrics),
            () -> closed);
    this.deadlines = new AttemptDeadlines(dispatcher, connections);
    this.demand =
        new ClientReporter(
            store,
            "client-" + UUID.randomUUID(),
            config.demandLeaseTtl(),
            config.demandReportInterval());
    this.lastDemandReportNanos = clock.nanos() - config.demandReportInterval().toNanos();
    Gauge.builder("tideflow.tasks.waiting", dispatcher, Dispatcher::waiting).register(metrics);
    Gauge.builder("tideflow.tasks.in_flight", connections, WorkerConnections::inFlight)
        .register(metrics);
    for (NodeState state : NodeState.values()) {
      Gauge.builder("tideflow.nodes", watcher, w -> w.view().countByState().get(state))
          .tag("state", state.name())
          .description("Nodes in the registry by state")
          .register(metrics);
    }
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-client-timer").factory());
  }

  /**
   * Connects to the cluster behind {@code store}.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read within {@link
   *     ClientConfig#storeTimeout()}
   */
  public static TideflowClient connect(
      ClusterStore store, ClientConfig config, MeterRegistry metrics) {
    return connect(store, config, metrics, LinkSecurity.plaintext());
  }

  /**
   * Connects to the cluster behind {@code store}, dialling its nodes as {@code security} says:
   * under mutual TLS only a node presenting the certificate of the id its registry entry names is
   * sent anything.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read within {@link
   *     ClientConfig#storeTimeout()}
   */
  public static TideflowClient connect(
      ClusterStore store, ClientConfig config, MeterRegistry metrics, LinkSecurity security) {
    // Its health (following or recovering, restarts, errors) under watcher=client.
    ClusterWatcher watcher =
        ClusterWatcher.start(
            store,
            config.storeTimeout(),
            InstantSource.system(),
            ClusterWatcher.DEFAULT_BACKOFF,
            metrics,
            "client");
    TideflowClient client = new TideflowClient(config, watcher, store, metrics, security);
    security.tls().ifPresent(tls -> tls.bindTo(metrics));
    watcher.onChange(view -> client.reconcile());
    client.reconcile();
    client.timer.scheduleWithFixedDelay(
        client::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    return client;
  }

  /**
   * Submits a task. The future fails with a {@link TaskException} whose kind says why: {@code
   * QUEUE_FULL} at once when too many tasks wait or their payloads hold too many bytes, {@code
   * TOO_LARGE} at once for a payload, handler name or idempotency key over its limit, {@code
   * OVERLOADED} when workers kept turning it back, {@code UNKNOWN_HANDLER}, {@code HANDLER_FAILED},
   * {@code TIMED_OUT}, {@code NO_NODE_FITS} when no node could take it before its timeout, {@code
   * ATTEMPTS_EXHAUSTED}.
   */
  public CompletableFuture<TaskResult> submit(TaskSpec spec) {
    TaskAttempt attempt = new TaskAttempt(spec, clock.nanos());
    if (closed) {
      attempt.future.completeExceptionally(new TaskException(Kind.CLIENT_CLOSED, "client closed"));
      return attempt.future;
    }
    String overLimit = overLimit(spec);
    if (overLimit != null) {
      attempt.future.completeExceptionally(new TaskException(Kind.TOO_LARGE, overLimit));
      return attempt.future;
    }
    String refused = dispatcher.admit(attempt);
    if (refused != null) {
      attempt.future.completeExceptionally(new TaskException(Kind.QUEUE_FULL, refused));
    }
    return attempt.future;
  }

  /**
   * Why {@code spec} could never be sent, as a sentence naming the field and its limit; null when
   * it can. Checked before anything is queued, so a task the worker would refuse costs nothing.
   */
  private String overLimit(TaskSpec spec) {
    if (spec.payload().length > config.maxPayloadBytes()) {
      return "payload of "
          + spec.payload().length
          + " bytes exceeds the limit of "
          + config.maxPayloadBytes()
          + " bytes";
    }
    String names = WireLimits.overLimit(spec.handler(), spec.idempotencyKey());
    if (names != null) {
      return names;
    }
    // Names count chars and a char may take 3 bytes: the encoded task is what must fit.
    int encoded =
        CodedOutputStream.computeStringSize(TaskMessage.HANDLER_FIELD_NUMBER, spec.handler())
            + CodedOutputStream.computeStringSize(
                TaskMessage.IDEMPOTENCY_KEY_FIELD_NUMBER, spec.idempotencyKey())
            + CodedOutputStream.computeByteArraySize(
                TaskMessage.PAYLOAD_FIELD_NUMBER, spec.payload())
            + TASK_FIELDS_BYTES;
    if (encoded > WireLimits.MAX_RESULT_BYTES) {
      return "task encodes to "
          + encoded
          + " bytes, more than the limit of "
          + WireLimits.MAX_RESULT_BYTES
          + " bytes for one stream message";
    }
    return null;
  }

  private void reconcile() {
    if (closed) {
      return;
    }
    connections.reconcile(watcher.view());
    dispatcher.unpark();
  }

  private void tick() {
    try {
      long now = clock.nanos();
      deadlines.sweep(now);
      dispatcher.releaseDue(now);
      connections.prune(now);
      connections.severStalled();
      reconcile();
      if (now - lastDemandReportNanos >= config.demandReportInterval().toNanos()) {
        lastDemandReportNanos = now;
        Stats s = stats();
        long millis = clock.millis();
        demand.report(
            dispatcher.pendingWork(),
            new ClientStatsRecords.Counts(
                id(),
                millis,
                s.submitted(),
                s.completed(),
                s.failed(),
                s.retried(),
                s.waiting(),
                s.inFlight(),
                ClientStatsRecords.held(dispatcher.allocations())),
            millis);
      }
    } catch (RuntimeException e) {
      // The timer must keep running; a failure here is a bug worth a loud log line.
      LOG.log(Level.ERROR, "client timer tick failed", e);
    }
  }

  /** The registry as this client sees it now. */
  public ClusterView view() {
    return watcher.view();
  }

  /**
   * Work that waits because no node can take it now (not for want of credits: for want of a fitting
   * node), grouped by shape, the most numerous first. What the autoscaler sees.
   */
  public List<PendingWork> pendingWork() {
    return dispatcher.pendingWork();
  }

  /** The id under which this client publishes its pending work. */
  public String id() {
    return demand.clientId();
  }

  /** What this client has placed and not yet had answered, per node. */
  public Allocations allocations() {
    return dispatcher.allocations();
  }

  /** Counts since the client started. */
  public record Stats(
      long submitted, long completed, long failed, long retried, int waiting, int inFlight) {}

  public Stats stats() {
    return outcomes.stats(dispatcher.waiting(), connections.inFlight());
  }

  /** Fails what has not finished, closes the streams and stops following the registry. */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    watcher.close();
    connections.close(t -> dispatcher.fail(t, Kind.CLIENT_CLOSED, "client closed"));
    dispatcher.failQueued();
    try {
      demand.close().get(config.storeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(Level.DEBUG, "client " + id() + " left its records behind: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the connections report, on the event loop: routed to the part that owns it. */
  private final class Events implements WorkerConnection.Listener {
    @Override
    public void onResult(WorkerConnection c, TaskAttempt t, ResultMessage r) {
      // The node answered: whatever the handler did, the node itself worked.
      dispatcher.answerPick(t, true);
      switch (r.getError()) {
        case ERROR_CODE_NONE -> dispatcher.succeed(t, c.nodeId(), r.getOutput().toByteArray());
        case REJECTED_DRAINING -> {
          t.attempts--; // the node turned it back unrun: this try does not count
          connections.stopUsing(c, watcher.view());
          dispatcher.turnBack(t, c.nodeId(), TurnBacks.Cause.DRAINING, r.getErrorMessage());
        }
        case OVERLOADED -> {
          t.attempts--;
          dispatcher.turnBack(t, c.nodeId(), TurnBacks.Cause.OVERLOADED, r.getErrorMessage());
        }
        case NO_CREDIT -> {
          t.attempts--;
          dispatcher.turnBack(t, c.nodeId(), TurnBacks.Cause.NO_CREDIT, r.getErrorMessage());
        }
        case UNKNOWN_HANDLER -> dispatcher.fail(t, Kind.UNKNOWN_HANDLER, r.getErrorMessage());
        case TOO_LARGE -> dispatcher.fail(t, Kind.TOO_LARGE, r.getErrorMessage());
        case TIMED_OUT -> dispatcher.fail(t, Kind.TIMED_OUT, r.getErrorMessage());
        default ->
            dispatcher.fail(
                t,
                Kind.HANDLER_FAILED,
                "handler '"
                    + t.spec.handler()
                    + "' failed on "
                    + c.nodeId()
                    + ": "
                    + r.getErrorMessage());
      }
    }

    @Override
    public void onAnswered(WorkerConnection c) {
      connections.answered(c);
    }

    @Override
    public void onReady(WorkerConnection c) {
      dispatcher.dispatch();
    }

    @Override
    public void onBroken(WorkerConnection c, Collection<TaskAttempt> orphans, Throwable cause) {
      String why = "connection to " + c.nodeId() + " at " + c.address() + " broke: " + cause;
      if (!closed) {
        // Placed again below only once the node is out of the usable set and the balancer's.
        connections.broke(c, watcher.view());
        if (!orphans.isEmpty()) {
          LOG.log(Level.INFO, why + "; placing " + orphans.size() + " task(s) again");
        }
      }
      for (TaskAttempt t : orphans) {
        dispatcher.answerPick(t, false);
        dispatcher.retry(t, why);
      }
      dispatcher.dispatch();
    }
  }
}
