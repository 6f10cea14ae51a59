package io.tideflow.runtime.flow;

import io.tideflow.core.flow.Flow;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.PrefixWatch;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A node's side of deployed flows (the state syncer): watches the placements the leading
 * coordinator writes and runs this node's instances of each on its {@link FlowNode}. When a new
 * placement of a running flow moves instances (their node died), it tells the node's senders and
 * receivers where they went and starts those that came here; when a flow's placement is deleted
 * (undeployed), it stops the flow's instances here. All of it on one thread, in the order the
 * placements came, and once a second anyway in case a start failed.
 */
public final class FlowAgent implements AutoCloseable {
  private static final Logger LOG = System.getLogger(FlowAgent.class.getName());

  private final ClusterStore store;
  private final FlowNode node;
  private final Duration timeout;
  private final ScheduledExecutorService loop;
  private final Map<String, FlowRecords.Placement> placements = new ConcurrentHashMap<>();
  private final Map<String, Running> running = new HashMap<>();
  private PrefixWatch watch;

  /** A flow this node follows: the placement it acted on last and what it started for it. */
  private static final class Running {
    final Flow flow;
    final long deployedAtMillis;
    Map<String, String> nodes;
    long epoch;
    final List<FlowExecution> executions = new ArrayList<>();

    Running(Flow flow, long deployedAtMillis) {
      this.flow = flow;
      this.deployedAtMillis = deployedAtMillis;
    }
  }

  private FlowAgent(ClusterStore store, FlowNode node, Duration timeout) {
    this.store = store;
    this.node = node;
    this.timeout = timeout;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("flow-agent-" + node.nodeId()).unstarted(r));
  }

  /**
   * Follows the placements in {@code store} for {@code node}.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  public static FlowAgent start(ClusterStore store, FlowNode node, Duration timeout) {
    FlowAgent agent = new FlowAgent(store, node, timeout);
    agent.watch =
        PrefixWatch.start(
            store,
            ClusterKeys.PLACEMENTS,
            timeout,
            Clock.systemUTC(),
            PrefixWatch.DEFAULT_BACKOFF,
            new PrefixWatch.Sink() {
              @Override
              public void onSnapshot(ClusterStore.Snapshot snapshot, boolean restart) {
                Map<String, FlowRecords.Placement> all = new HashMap<>();
                for (KeyValue kv : snapshot.kvs()) {
                  decode(kv).ifPresent(p -> all.put(p.flow(), p));
                }
                agent.placements.keySet().retainAll(all.keySet());
                agent.placements.putAll(all);
                agent.loop.execute(agent::reconcileQuietly);
              }

              @Override
              public void onEvents(List<ClusterStore.WatchEvent> events) {
                for (ClusterStore.WatchEvent e : events) {
                  String flow = e.kv().key().substring(ClusterKeys.PLACEMENTS.length());
                  if (e.type() == ClusterStore.WatchEvent.Type.DELETE) {
                    agent.placements.remove(flow);
                  } else {
                    decode(e.kv()).ifPresent(p -> agent.placements.put(p.flow(), p));
                  }
                }
                agent.loop.execute(agent::reconcileQuietly);
              }
            });
    agent.loop.scheduleWithFixedDelay(agent::reconcileQuietly, 1, 1, TimeUnit.SECONDS);
    return agent;
  }

  private static Optional<FlowRecords.Placement> decode(KeyValue kv) {
    try {
      return Optional.of(FlowRecords.decodePlacement(kv.value()));
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, "placement " + kv.key() + " does not decode: " + e.getMessage());
      return Optional.empty();
    }
  }

  private void reconcileQuietly() {
    try {
      reconcile();
    } catch (RuntimeException e) {
      // The store failed, or a flow could not start here: the next pass tries again.
      LOG.log(Level.WARNING, "node " + node.nodeId() + ": following flows failed: " + e);
    }
  }

  /** The flows this node runs instances of, by name. */
  public Set<String> flows() {
    return Set.copyOf(placements.keySet());
  }

  private void reconcile() {
    for (FlowRecords.Placement p : placements.values()) {
      Running r = running.get(p.flow());
      if (r != null && r.epoch >= p.epoch()) {
        continue;
      }
      Optional<KeyValue> kv =
          StoreCalls.await(store.get(ClusterKeys.flow(p.flow())), timeout, "get flow " + p.flow());
      if (kv.isEmpty()) {
        continue; // undeployed; its placement goes next
      }
      FlowRecords.Deployed d = FlowRecords.decode(kv.get().value());
      if (d.deployedAtMillis() != p.deployedAtMillis()) {
        continue; // deployed again since this placement: the leader places the new deployment
      }
      if (r != null && r.deployedAtMillis != d.deployedAtMillis()) {
        stop(r);
        running.remove(p.flow());
        r = null;
      }
      if (r == null) {
        r = new Running(d.flow(), d.deployedAtMillis());
        if (p.nodes().containsValue(node.nodeId())) {
          r.executions.add(node.start(d.flow(), d.deployedAtMillis(), p.nodes(), null));
        }
        LOG.log(
            Level.INFO,
            "node " + node.nodeId() + " runs flow " + p.flow() + " (epoch " + p.epoch() + ")");
      } else {
        follow(r, p);
      }
      r.nodes = p.nodes();
      r.epoch = p.epoch();
      running.put(p.flow(), r);
    }
    for (String flow : new HashSet<>(running.keySet())) {
      if (!placements.containsKey(flow)) {
        stop(running.remove(flow));
        LOG.log(Level.INFO, "node " + node.nodeId() + " stopped flow " + flow + ": undeployed");
      }
    }
  }

  /**
   * Acts on a new placement of a flow that runs: where instances went, and those that came here.
   */
  private void follow(Running r, FlowRecords.Placement p) {
    Set<String> here = new HashSet<>();
    for (Map.Entry<String, String> e : p.nodes().entrySet()) {
      if (!e.getValue().equals(r.nodes.get(e.getKey()))) {
        node.moved(r.flow, r.deployedAtMillis, e.getKey(), e.getValue());
        if (e.getValue().equals(node.nodeId())) {
          here.add(e.getKey());
        }
      }
    }
    if (!here.isEmpty()) {
      r.executions.add(node.start(r.flow, r.deployedAtMillis, p.nodes(), here));
      LOG.log(Level.INFO, "node " + node.nodeId() + " took up " + here + " of flow " + p.flow());
    }
  }

  private static void stop(Running r) {
    for (FlowExecution e : r.executions) {
      e.stop();
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running.values().forEach(FlowAgent::stop);
  }
}
