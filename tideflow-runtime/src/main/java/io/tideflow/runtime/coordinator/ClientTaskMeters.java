package io.tideflow.runtime.coordinator;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.runtime.membership.ClientStatsRecords;
import io.tideflow.runtime.membership.ClientStatsRecords.Counts;
import io.tideflow.runtime.membership.ClientStatsRecords.Held;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.PrefixWatch;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.KeyValue;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Every client's task counts, as the clients publish them under {@link ClusterKeys#CLIENTS},
 * exported by the leading coordinator as meters tagged {@code client}: {@code
 * tideflow_cluster_tasks_{submitted,completed,failed,retried}_total} and {@code
 * tideflow_cluster_tasks_{waiting,in_flight}}. So the leader's own scrape — what its alert rules
 * read — holds the tasks of clients in other processes, and a Prometheus that scrapes only the
 * leader sees them too; and what the tasks in flight hold on each node, summed over the clients:
 * {@code tideflow_node_tasks_allocated_{cpu_millicores,memory_bytes}{node}}. A client's meters go
 * when its record does (it closed, or its lease ended). At most {@value #MAX_CLIENTS} clients and
 * {@value #MAX_NODES} nodes are shown; more are left out with a warning.
 */
final class ClientTaskMeters implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClientTaskMeters.class.getName());

  /** Most clients given meters: each costs six series. */
  static final int MAX_CLIENTS = 1000;

  private final MeterRegistry registry;

  /** Most nodes given meters of what tasks hold there. */
  static final int MAX_NODES = 10_000;

  /** Guarded by this: each client's latest counts and its meters. */
  private final Map<String, Shown> byClient = new HashMap<>();

  /** Guarded by this: what the clients' tasks hold on each node that holds any. */
  private final Map<String, NodeSum> byNode = new HashMap<>();

  private boolean warnedNodes;

  private PrefixWatch watch;
  private boolean closed;
  private boolean warnedFull;

  /** A client's counts (replaced as records arrive) and the meters that read them. */
  private static final class Shown {
    volatile Counts counts;
    final List<Meter> meters;

    /** What of its allocations the node sums hold (those under the bound). */
    Map<String, Held> counted = Map.of();

    Shown(Counts counts, List<Meter> meters) {
      this.counts = counts;
      this.meters = meters;
    }
  }

  private ClientTaskMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Reads the clients' records and follows them.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  static ClientTaskMeters follow(ClusterStore store, Duration timeout, MeterRegistry registry) {
    ClientTaskMeters meters = new ClientTaskMeters(registry);
    PrefixWatch w =
        PrefixWatch.start(
            store,
            ClusterKeys.CLIENTS,
            timeout,
            InstantSource.system(),
            PrefixWatch.DEFAULT_BACKOFF,
            new PrefixWatch.Sink() {
              @Override
              public void onSnapshot(ClusterStore.Snapshot snapshot, boolean restart) {
                meters.replace(snapshot.kvs());
              }

              @Override
              public void onEvents(List<WatchEvent> events) {
                for (WatchEvent e : events) {
                  if (e.type() == WatchEvent.Type.DELETE) {
                    meters.remove(client(e.kv()));
                  } else {
                    meters.put(e.kv());
                  }
                }
              }
            });
    synchronized (meters) {
      meters.watch = w;
    }
    return meters;
  }

  private static String client(KeyValue kv) {
    return kv.key().substring(ClusterKeys.CLIENTS.length());
  }

  private synchronized void replace(List<KeyValue> kvs) {
    Set<String> listed = new HashSet<>();
    for (KeyValue kv : kvs) {
      listed.add(client(kv));
      put(kv);
    }
    for (String gone : Set.copyOf(byClient.keySet())) {
      if (!listed.contains(gone)) {
        remove(gone);
      }
    }
  }

  private synchronized void put(KeyValue kv) {
    if (closed) {
      return;
    }
    String client = client(kv);
    Counts counts;
    try {
      counts = ClientStatsRecords.decode(kv.key(), kv.value());
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, e.getMessage()); // unreadable: leave that client out
      remove(client);
      return;
    }
    Shown shown = byClient.get(client);
    if (shown != null) {
      shown.counts = counts;
      shown.counted = hold(counts.held(), shown.counted);
      return;
    }
    if (byClient.size() >= MAX_CLIENTS) {
      if (!warnedFull) {
        warnedFull = true;
        LOG.log(
            Level.WARNING,
            "more than " + MAX_CLIENTS + " clients publish task counts; the rest are not shown");
      }
      return;
    }
    Shown added = new Shown(counts, new ArrayList<>());
    added.meters.add(
        counter("submitted", "Tasks the client submitted", client, added, Counts::submitted));
    added.meters.add(
        counter("completed", "Tasks that succeeded", client, added, Counts::completed));
    added.meters.add(
        counter("failed", "Tasks that failed for good", client, added, Counts::failed));
    added.meters.add(counter("retried", "Attempts placed again", client, added, Counts::retried));
    added.meters.add(gauge("waiting", "Tasks no node has yet", client, added, Counts::waiting));
    added.meters.add(
        gauge("in_flight", "Tasks sent and not answered", client, added, Counts::inFlight));
    byClient.put(client, added);
    added.counted = hold(counts.held(), Map.of());
  }

  /**
   * Replaces what one client's tasks hold per node in the sums, {@code before} with {@code now}:
   * the new amounts are added first, the old taken away after, so a node the client alone holds
   * keeps its meters across the update. Returns what was counted of {@code now}: a node past the
   * bound is left out, and so never taken away later.
   */
  private Map<String, Held> hold(Map<String, Held> now, Map<String, Held> before) {
    Map<String, Held> counted = new HashMap<>();
    for (Map.Entry<String, Held> e : now.entrySet()) {
      NodeSum sum = byNode.get(e.getKey());
      if (sum == null) {
        if (byNode.size() >= MAX_NODES) {
          if (!warnedNodes) {
            warnedNodes = true;
            LOG.log(
                Level.WARNING,
                "tasks hold resources on more than "
                    + MAX_NODES
                    + " nodes; the rest are not shown");
          }
          continue;
        }
        sum = new NodeSum(e.getKey());
        byNode.put(e.getKey(), sum);
      }
      sum.add(e.getValue(), 1);
      counted.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Held> e : before.entrySet()) {
      NodeSum sum = byNode.get(e.getKey());
      sum.add(e.getValue(), -1);
      if (sum.tasks == 0 && sum.cpuMillis == 0 && sum.memoryBytes == 0) {
        byNode.remove(e.getKey());
        sum.meters.forEach(registry::remove);
      }
    }
    return counted;
  }

  /** What every client's tasks hold on one node, and the meters that show it. */
  private final class NodeSum {
    volatile long cpuMillis;
    volatile long memoryBytes;
    int tasks;
    final List<Meter> meters = new ArrayList<>();

    void add(Held h, int sign) {
      cpuMillis += sign * h.cpuMillis();
      memoryBytes += sign * h.memoryBytes();
      tasks += sign * h.tasks();
    }

    NodeSum(String node) {
      meters.add(
          Gauge.builder("tideflow.node.tasks.allocated.cpu", this, s -> s.cpuMillis)
              .tag("node", node)
              .baseUnit("millicores")
              .description("Cpu the clients' tasks in flight hold on the node")
              .register(registry));
      meters.add(
          Gauge.builder("tideflow.node.tasks.allocated.memory", this, s -> s.memoryBytes)
              .tag("node", node)
              .baseUnit("bytes")
              .description("Memory the clients' tasks in flight hold on the node")
              .register(registry));
    }
  }

  private Meter counter(
      String what, String description, String client, Shown shown, ToDoubleFunction<Counts> f) {
    return FunctionCounter.builder(
            "tideflow.cluster.tasks." + what, shown, s -> f.applyAsDouble(s.counts))
        .tag("client", client)
        .description(description + ", as its last record said")
        .register(registry);
  }

  private Meter gauge(
      String what, String description, String client, Shown shown, ToDoubleFunction<Counts> f) {
    return Gauge.builder("tideflow.cluster.tasks." + what, shown, s -> f.applyAsDouble(s.counts))
        .tag("client", client)
        .description(description + ", as its last record said")
        .register(registry);
  }

  private synchronized void remove(String client) {
    Shown shown = byClient.remove(client);
    if (shown != null) {
      shown.meters.forEach(registry::remove);
      hold(Map.of(), shown.counted);
    }
  }

  /** The clients shown now. */
  synchronized Set<String> clients() {
    return Set.copyOf(byClient.keySet());
  }

  /** Stops following and removes every meter. */
  @Override
  public void close() {
    PrefixWatch w;
    synchronized (this) {
      closed = true;
      w = watch;
      for (String client : Set.copyOf(byClient.keySet())) {
        remove(client);
      }
      for (NodeSum sum : byNode.values()) {
        sum.meters.forEach(registry::remove);
      }
      byNode.clear();
    }
    if (w != null) {
      w.close();
    }
  }
}
