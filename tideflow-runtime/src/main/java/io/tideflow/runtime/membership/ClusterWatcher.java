package io.tideflow.runtime.membership;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.retry.Backoff;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.KeyValue;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Follows the node registry in the store and publishes it as an immutable {@link ClusterView}:
 * lists the nodes once, then applies the watch's changes one at a time, so readers always see a
 * whole view ({@link #view()} is a volatile read, safe from any thread).
 *
 * <p>When the watch ends with an error (a compaction, a lost connection) the registry is listed
 * again and published as a fresh view, so listeners see the joins and departures they missed, and
 * followed on from there; see {@link PrefixWatch}. {@link #health()} says whether it is following
 * the store right now.
 *
 * <p>Listeners are called one view at a time, on the store's watch thread or, after a watch error,
 * on the recovery thread, and must not block.
 */
public final class ClusterWatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterWatcher.class.getName());

  /** Between re-lists while the store fails: 100 ms, doubling, at most 5 s. */
  public static final Backoff DEFAULT_BACKOFF = PrefixWatch.DEFAULT_BACKOFF;

  private final List<Consumer<ClusterView>> listeners = new CopyOnWriteArrayList<>();
  private volatile ClusterView view = ClusterView.empty();
  private volatile PrefixWatch watch;

  /** The prefix followed: {@link ClusterKeys#NODES}, or {@link ClusterKeys#GONE}. */
  private final String prefix;

  private ClusterWatcher(String prefix) {
    this.prefix = prefix;
  }

  /**
   * Follows the nodes the leader recorded as GONE (the newest it keeps), as {@link #start(
   * ClusterStore, Duration)} follows the live ones: what a dashboard or {@code status} shows of
   * nodes lost.
   */
  public static ClusterWatcher gone(ClusterStore store, Duration timeout) {
    return start(store, ClusterKeys.GONE, timeout, InstantSource.system(), DEFAULT_BACKOFF);
  }

  /**
   * Reads the registry and starts following it, recovering from watch errors with {@link
   * #DEFAULT_BACKOFF} on the system clock.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  public static ClusterWatcher start(ClusterStore store, Duration timeout) {
    return start(store, timeout, InstantSource.system(), DEFAULT_BACKOFF);
  }

  /**
   * As {@link #start(ClusterStore, Duration)}, waiting {@code backoff}'s delays between failed
   * re-lists and dating errors on {@code clock}.
   */
  public static ClusterWatcher start(
      ClusterStore store, Duration timeout, InstantSource clock, Backoff backoff) {
    return start(store, ClusterKeys.NODES, timeout, clock, backoff);
  }

  private static ClusterWatcher start(
      ClusterStore store, String prefix, Duration timeout, InstantSource clock, Backoff backoff) {
    ClusterWatcher watcher = new ClusterWatcher(prefix);
    watcher.watch =
        PrefixWatch.start(
            store,
            prefix,
            timeout,
            clock,
            backoff,
            new PrefixWatch.Sink() {
              @Override
              public void onSnapshot(ClusterStore.Snapshot snapshot, boolean restart) {
                watcher.replace(snapshot, restart);
              }

              @Override
              public void onEvents(List<WatchEvent> events) {
                watcher.apply(events);
              }
            });
    return watcher;
  }

  /**
   * As {@link #start(ClusterStore, Duration, InstantSource, Backoff)}, and reports its health in
   * {@code metrics} under the tag {@code watcher=name} (see {@link PrefixWatch#register}).
   */
  public static ClusterWatcher start(
      ClusterStore store,
      Duration timeout,
      InstantSource clock,
      Backoff backoff,
      MeterRegistry metrics,
      String name) {
    ClusterWatcher watcher = start(store, timeout, clock, backoff);
    watcher.watch.register(metrics, name);
    return watcher;
  }

  private void replace(ClusterStore.Snapshot snapshot, boolean restart) {
    ClusterView nodes = ClusterView.empty();
    for (KeyValue kv : snapshot.kvs()) {
      NodeInfo node = decodeOrNull(kv);
      if (node != null) {
        nodes = nodes.with(node, snapshot.revision());
      }
    }
    ClusterView fresh = ClusterView.of(snapshot.revision(), nodes.nodes());
    view = fresh;
    if (restart) {
      publish(fresh);
    }
  }

  private void apply(List<WatchEvent> events) {
    ClusterView next = view;
    for (WatchEvent e : events) {
      String id = e.kv().key().substring(prefix.length());
      if (e.type() == WatchEvent.Type.DELETE) {
        next = next.without(id, e.kv().modRevision());
      } else {
        NodeInfo node = decodeOrNull(e.kv());
        if (node != null) {
          next = next.with(node, e.kv().modRevision());
        }
      }
    }
    view = next;
    publish(next);
  }

  private void publish(ClusterView next) {
    for (Consumer<ClusterView> listener : listeners) {
      listener.accept(next);
    }
  }

  private static NodeInfo decodeOrNull(KeyValue kv) {
    try {
      return NodeRecords.decode(kv.key(), kv.value());
    } catch (IllegalArgumentException e) {
      // A record this version cannot read: leave that node out rather than stop following.
      LOG.log(Level.WARNING, e.getMessage());
      return null;
    }
  }

  public ClusterView view() {
    return view;
  }

  /** The error that ended the watch, while the watcher recovers from it; null while it runs. */
  public Throwable failure() {
    return watch.failure();
  }

  /** True while a watch follows the store (not while recovering, nor after close). */
  public boolean healthy() {
    return watch.healthy();
  }

  /** How many times the registry was listed and watched again after an error. */
  public long restarts() {
    return watch.health().restarts();
  }

  public PrefixWatch.Health health() {
    return watch.health();
  }

  /** Calls {@code listener} with every new view (not with the current one). */
  public void onChange(Consumer<ClusterView> listener) {
    listeners.add(listener);
  }

  /** Stops following; returns once no recovery runs. */
  @Override
  public void close() {
    watch.close();
  }
}
