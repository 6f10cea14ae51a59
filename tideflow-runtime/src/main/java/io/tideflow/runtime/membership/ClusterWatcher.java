package io.tideflow.runtime.membership;

import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.KeyValue;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Follows the node registry in the store and publishes it as an immutable {@link ClusterView}:
 * lists the nodes once, then applies the watch's changes one at a time, so readers always see a
 * whole view ({@link #view()} is a volatile read, safe from any thread).
 *
 * <p>Listeners are called on the store's watch thread, one change at a time, and must not block.
 */
public final class ClusterWatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterWatcher.class.getName());

  private final ClusterStore store;
  private final List<Consumer<ClusterView>> listeners = new CopyOnWriteArrayList<>();
  private volatile ClusterView view = ClusterView.empty();
  private volatile ClusterStore.Watch watch;
  private volatile Throwable failure;

  private ClusterWatcher(ClusterStore store) {
    this.store = store;
  }

  /**
   * Reads the registry and starts following it.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  public static ClusterWatcher start(ClusterStore store, Duration timeout) {
    ClusterWatcher watcher = new ClusterWatcher(store);
    watcher.begin(timeout);
    return watcher;
  }

  private void begin(Duration timeout) {
    ClusterStore.Snapshot snapshot =
        StoreCalls.await(store.list(ClusterKeys.NODES), timeout, "list nodes");
    ClusterView initial = ClusterView.empty();
    for (KeyValue kv : snapshot.kvs()) {
      NodeInfo node = decodeOrNull(kv);
      if (node != null) {
        initial = initial.with(node, snapshot.revision());
      }
    }
    view = ClusterView.of(snapshot.revision(), initial.nodes());
    watch =
        store.watch(
            ClusterKeys.NODES,
            snapshot.revision() + 1,
            new ClusterStore.WatchListener() {
              @Override
              public void onEvents(List<WatchEvent> events) {
                apply(events);
              }

              @Override
              public void onError(Throwable error) {
                failure = error;
                LOG.log(Level.ERROR, "node registry watch ended: " + error.getMessage(), error);
              }
            });
  }

  private void apply(List<WatchEvent> events) {
    ClusterView next = view;
    for (WatchEvent e : events) {
      String id = e.kv().key().substring(ClusterKeys.NODES.length());
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

  /** The error that ended the watch, or null while it runs. */
  public Throwable failure() {
    return failure;
  }

  /** Calls {@code listener} with every new view (not with the current one). */
  public void onChange(Consumer<ClusterView> listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    ClusterStore.Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
