package io.tideflow.runtime.membership;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.ForwardingClusterStore;
import io.tideflow.store.StoreUnavailableException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that passes everything to another one, except the faults a test asks for: lists of a
 * prefix that fail, and watches cut off from the store and later reconnected from the revision
 * after the last one they delivered, as a client reconnecting to a remote store does. If that
 * revision has been compacted meanwhile, the real store fails the reconnected watch. Closing this
 * store does not close the other one.
 */
public final class FaultyStore extends ForwardingClusterStore {
  private final ConcurrentHashMap<String, AtomicInteger> failingLists = new ConcurrentHashMap<>();
  private final Set<CuttableWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicInteger listCalls = new AtomicInteger();
  private final java.util.Map<String, AtomicInteger> listsOf =
      new java.util.concurrent.ConcurrentHashMap<>();

  public FaultyStore(ClusterStore store) {
    super(store);
  }

  /** The next {@code times} lists of exactly {@code prefix} fail as if the store were away. */
  public void failLists(String prefix, int times) {
    failingLists.put(prefix, new AtomicInteger(times));
  }

  /** How many lists were asked for, failed or not. */
  public int listCalls() {
    return listCalls.get();
  }

  /** Lists of exactly {@code prefix} asked for so far. */
  public int listCalls(String prefix) {
    return listsOf.getOrDefault(prefix, new AtomicInteger()).get();
  }

  /** Stops every open watch's delivery, as a broken connection does. */
  public void cutWatches() {
    watches.forEach(CuttableWatch::cut);
  }

  /** Reconnects every cut watch from the revision after the last one it delivered. */
  public void reconnectWatches() {
    watches.forEach(CuttableWatch::reconnect);
  }

  @Override
  public CompletableFuture<Snapshot> list(String prefix) {
    listCalls.incrementAndGet();
    listsOf.computeIfAbsent(prefix, p -> new AtomicInteger()).incrementAndGet();
    AtomicInteger failures = failingLists.get(prefix);
    if (failures != null && failures.getAndDecrement() > 0) {
      return CompletableFuture.failedFuture(
          new StoreUnavailableException("list " + prefix + ": store away (injected)"));
    }
    return delegate.list(prefix);
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    CuttableWatch watch = new CuttableWatch(prefix, fromRevision, listener);
    watches.add(watch);
    watch.connect(fromRevision);
    return watch;
  }

  @Override
  public void close() {
    watches.forEach(CuttableWatch::close);
  }

  private final class CuttableWatch implements Watch {
    private final String prefix;
    private final WatchListener listener;
    private long nextRevision;
    private Watch current;
    private boolean closed;

    CuttableWatch(String prefix, long fromRevision, WatchListener listener) {
      this.prefix = prefix;
      this.listener = listener;
      this.nextRevision = fromRevision;
    }

    synchronized void connect(long from) {
      Watch[] self = new Watch[1];
      self[0] =
          delegate.watch(
              prefix,
              from,
              new WatchListener() {
                @Override
                public void onEvents(List<WatchEvent> events) {
                  synchronized (CuttableWatch.this) {
                    if (current != self[0]) {
                      return;
                    }
                    nextRevision = events.getLast().kv().modRevision() + 1;
                  }
                  listener.onEvents(events);
                }

                @Override
                public void onError(Throwable error) {
                  listener.onError(error);
                }
              });
      current = self[0];
    }

    synchronized void cut() {
      if (current != null) {
        current.close();
        current = null;
      }
    }

    synchronized void reconnect() {
      if (!closed && current == null) {
        connect(nextRevision);
      }
    }

    @Override
    public synchronized void close() {
      closed = true;
      cut();
      watches.remove(this);
    }
  }
}
