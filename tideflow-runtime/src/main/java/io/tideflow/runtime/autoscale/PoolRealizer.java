package io.tideflow.runtime.autoscale;

import io.grpc.Status;
import io.tideflow.core.autoscale.PoolAction;
import io.tideflow.core.autoscale.PoolEvent;
import io.tideflow.core.autoscale.PoolEvent.DrainOutcome;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.security.LinkSecurity;
import java.lang.System.Logger.Level;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Carries out a pool's {@link PoolAction}s: launches and terminations through the {@link
 * NodeProvider}, drains over the node's control service under the leadership's fencing token. Never
 * waits: what became of each action is reported as a {@link PoolEvent} to {@code events}, on
 * whatever thread completed it; the receiver hands it to the pool's owner thread.
 *
 * <p>{@link #carryOut} is called by the pool's owner thread only (its request counter is that
 * thread's).
 */
final class PoolRealizer {
  private static final System.Logger LOG = System.getLogger(PoolRealizer.class.getName());

  private final PoolConfig config;
  private final NodeProvider provider;
  private final ClusterWatcher watcher;
  private final LongSupplier fencingToken;
  private final InstantSource clock;
  private final Consumer<PoolEvent> events;

  /** Set before the pool starts; read on its thread. */
  private volatile LinkSecurity security = LinkSecurity.plaintext();

  private long requests;

  PoolRealizer(
      PoolConfig config,
      NodeProvider provider,
      ClusterWatcher watcher,
      LongSupplier fencingToken,
      InstantSource clock,
      Consumer<PoolEvent> events) {
    this.config = config;
    this.provider = provider;
    this.watcher = watcher;
    this.fencingToken = fencingToken;
    this.clock = clock;
    this.events = events;
  }

  void carryOut(List<PoolAction> actions) {
    for (PoolAction action : actions) {
      try {
        carryOut(action);
      } catch (RuntimeException e) {
        // A provider or drain that throws instead of failing its future: the step must still
        // hear how the action ended, or a launch stays outstanding (the pool never grows again)
        // and a node stays half-retired; the actions after it still run.
        LOG.log(Level.WARNING, "pool " + config.name() + ": " + action + " threw", e);
        events.accept(failed(action, e));
      }
    }
  }

  /** The event that says {@code action} failed at once with {@code e}. */
  private static PoolEvent failed(PoolAction action, RuntimeException e) {
    return switch (action) {
      case PoolAction.Launch l -> new PoolEvent.Launched(false);
      case PoolAction.Drain d ->
          new PoolEvent.Drained(d.nodeId(), PoolEvent.DrainOutcome.UNREACHABLE);
      case PoolAction.Terminate t -> new PoolEvent.TerminationFailed(t.nodeId(), e.toString());
      case PoolAction.RetryAt r -> throw e; // only logs; cannot throw
    };
  }

  private void carryOut(PoolAction action) {
    switch (action) {
      case PoolAction.Launch l -> launch(l.count());
      case PoolAction.Drain d -> drain(d.nodeId());
      case PoolAction.Terminate t -> terminate(t);
      case PoolAction.RetryAt r ->
          LOG.log(
              Level.WARNING,
              "pool "
                  + config.name()
                  + ": terminating "
                  + r.nodeId()
                  + " failed ("
                  + r.failures()
                  + " time(s)), trying"
                  + " again at "
                  + r.at()
                  + ": "
                  + r.error());
    }
  }

  private void launch(int count) {
    provider
        .launch(config.template(), count, requestId("up"))
        .whenComplete(
            (r, e) -> {
              boolean ok = e == null && r.ok();
              if (!ok) {
                LOG.log(
                    Level.WARNING,
                    "pool " + config.name() + " launch failed: " + (e != null ? e : r.errors()));
              }
              events.accept(new PoolEvent.Launched(ok));
            });
  }

  void linkSecurity(LinkSecurity value) {
    this.security = value;
  }

  /** Its tasks finish first (or move on at the timeout); the step then terminates it. */
  private void drain(String nodeId) {
    NodeInfo node = watcher.view().node(nodeId);
    if (node == null) {
      events.accept(new PoolEvent.Drained(nodeId, DrainOutcome.UNREACHABLE));
      return;
    }
    NodeDrainer.drain(
            security, nodeId, node.address(), config.drainTimeout(), fencingToken.getAsLong())
        .whenComplete(
            (reply, error) -> {
              DrainOutcome outcome = DrainOutcome.DRAINED;
              if (error != null
                  && Status.fromThrowable(error).getCode() == Status.Code.FAILED_PRECONDITION) {
                // Our fencing token is stale: a newer coordinator leads and owns this node now.
                LOG.log(Level.WARNING, "drain of " + nodeId + " refused: " + error.getMessage());
                outcome = DrainOutcome.STALE_TOKEN;
              } else if (error != null) {
                LOG.log(
                    Level.WARNING, "drain of " + nodeId + " failed, terminating anyway: " + error);
                outcome = DrainOutcome.UNREACHABLE;
              }
              events.accept(new PoolEvent.Drained(nodeId, outcome));
            });
  }

  private void terminate(PoolAction.Terminate t) {
    if (t.why() == PoolAction.Why.LOST) {
      LOG.log(
          Level.WARNING,
          "pool "
              + config.name()
              + ": node "
              + t.nodeId()
              + " missing from the registry for more than twice its lease TTL: terminating it");
    }
    String kind = t.why().name().toLowerCase(Locale.ROOT);
    provider
        .terminate(List.of(t.nodeId()), requestId(kind + "-" + t.nodeId()))
        .whenComplete(
            (v, e) ->
                events.accept(
                    e == null
                        ? new PoolEvent.Terminated(t.nodeId())
                        : new PoolEvent.TerminationFailed(t.nodeId(), e.toString())));
  }

  private String requestId(String kind) {
    return config.name() + "-" + kind + "-" + (++requests) + "-" + clock.millis();
  }
}
