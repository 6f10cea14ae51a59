package io.tideflow.runtime.membership;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.retry.Backoff;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.KeyValue;
import io.tideflow.store.RevisionCompactedException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Follows the node registry in the store and publishes it as an immutable {@link ClusterView}:
 * lists the nodes once, then applies the watch's changes one at a time, so readers always see a
 * whole view ({@link #view()} is a volatile read, safe from any thread).
 *
 * <p>When the watch ends with an error — the store compacted the revisions it was at ({@link
 * RevisionCompactedException}) or its connection is gone — the watcher lists the registry again,
 * publishes that snapshot as a fresh view (so listeners see the joins and departures they missed)
 * and watches on from its revision. While the store keeps failing it tries again after the delays
 * of its {@link Backoff}. {@link #health()} says whether it is following the store right now.
 *
 * <p>Listeners are called one view at a time, on the store's watch thread or, after a watch error,
 * on the watcher's recovery thread, and must not block.
 */
public final class ClusterWatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterWatcher.class.getName());

  /** Between re-lists while the store fails: 100 ms, doubling, at most 5 s. */
  public static final Backoff DEFAULT_BACKOFF =
      Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));

  private final ClusterStore store;
  private final Duration timeout;
  private final InstantSource clock;
  private final Backoff backoff;
  private final List<Consumer<ClusterView>> listeners = new CopyOnWriteArrayList<>();

  /** Serializes publishing views, so listeners see one at a time and in order. */
  private final Object publishing = new Object();

  /** Guards {@link #generation}, {@link #watch}, {@link #closed}, {@link #recovery}, streak. */
  private final Object lock = new Object();

  private long generation;
  private ClusterStore.Watch watch;
  private boolean closed;
  private Thread recovery;

  /** Watch errors and failed lists since the last change the watch delivered. */
  private int failureStreak;

  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final List<Meter> meters = new ArrayList<>();
  private MeterRegistry metrics;
  private volatile ClusterView view = ClusterView.empty();
  private volatile Throwable failure;
  private volatile Throwable lastError;
  private volatile Instant lastErrorAt;

  /**
   * Whether a watcher follows the store, and what went wrong last.
   *
   * @param healthy true while a watch runs; false from a watch error until the watcher has listed
   *     and watched again, and after {@link #close()}
   * @param restarts how many times it has listed and watched again after an error
   * @param errors how many watch errors and failed re-lists it has seen
   * @param lastError the newest of those, or null if none
   * @param lastErrorAt when the watcher saw {@code lastError}, on its clock, or null if none
   */
  public record Health(
      boolean healthy, long restarts, long errors, Throwable lastError, Instant lastErrorAt) {}

  private ClusterWatcher(
      ClusterStore store, Duration timeout, InstantSource clock, Backoff backoff) {
    this.store = store;
    this.timeout = timeout;
    this.clock = clock;
    this.backoff = backoff;
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
    ClusterWatcher watcher = new ClusterWatcher(store, timeout, clock, backoff);
    watcher.begin();
    return watcher;
  }

  /**
   * As {@link #start(ClusterStore, Duration, InstantSource, Backoff)}, and reports its health in
   * {@code metrics} under the tag {@code watcher=name}: {@code tideflow.membership.watch.healthy}
   * (1 or 0), {@code tideflow.membership.watch.restarts} and {@code
   * tideflow.membership.watch.errors}. Closing the watcher removes them.
   */
  public static ClusterWatcher start(
      ClusterStore store,
      Duration timeout,
      InstantSource clock,
      Backoff backoff,
      MeterRegistry metrics,
      String name) {
    ClusterWatcher watcher = new ClusterWatcher(store, timeout, clock, backoff);
    watcher.begin();
    watcher.register(metrics, name);
    return watcher;
  }

  private void begin() {
    ClusterStore.Snapshot snapshot =
        StoreCalls.await(store.list(ClusterKeys.NODES), timeout, "list nodes");
    long gen;
    synchronized (lock) {
      gen = generation;
    }
    follow(snapshot, gen, false);
  }

  /** Publishes {@code snapshot} (to listeners if {@code announce}) and watches on from it. */
  private void follow(ClusterStore.Snapshot snapshot, long gen, boolean announce) {
    ClusterView fresh = viewOf(snapshot);
    synchronized (publishing) {
      view = fresh;
      if (announce) {
        listeners.forEach(l -> l.accept(fresh));
      }
    }
    ClusterStore.Watch w =
        store.watch(ClusterKeys.NODES, snapshot.revision() + 1, new Listener(gen));
    boolean stale;
    synchronized (lock) {
      stale = closed || gen != generation;
      if (!stale) {
        watch = w;
      }
    }
    if (stale) {
      w.close();
    }
  }

  private static ClusterView viewOf(ClusterStore.Snapshot snapshot) {
    ClusterView nodes = ClusterView.empty();
    for (KeyValue kv : snapshot.kvs()) {
      NodeInfo node = decodeOrNull(kv);
      if (node != null) {
        nodes = nodes.with(node, snapshot.revision());
      }
    }
    return ClusterView.of(snapshot.revision(), nodes.nodes());
  }

  /** The listener of the watch of one generation; it ignores calls once a newer one started. */
  private final class Listener implements ClusterStore.WatchListener {
    private final long gen;

    Listener(long gen) {
      this.gen = gen;
    }

    @Override
    public void onEvents(List<WatchEvent> events) {
      synchronized (lock) {
        if (closed || gen != generation) {
          return; // a watch given up after an error; its successor lists what it would say
        }
        failureStreak = 0;
      }
      apply(events, gen);
    }

    @Override
    public void onError(Throwable error) {
      failed(gen, error);
    }
  }

  private void failed(long gen, Throwable error) {
    ClusterStore.Watch ended;
    synchronized (lock) {
      if (closed || gen != generation) {
        return;
      }
      generation++;
      failureStreak++;
      ended = watch;
      watch = null;
      noteError(error);
      failure = error;
      recovery = Thread.ofVirtual().name("tideflow-cluster-watcher-recovery").start(this::recover);
    }
    if (ended != null) {
      ended.close();
    }
    LOG.log(
        Level.WARNING,
        "node registry watch ended ("
            + error
            + "); listing the registry again and watching from there");
  }

  /** Lists and watches again, backing off while the store fails, until it works or closes. */
  private void recover() {
    while (true) {
      long gen;
      int streak;
      synchronized (lock) {
        if (closed) {
          return;
        }
        gen = generation;
        streak = failureStreak;
      }
      // The first attempt after a healthy watch goes at once (a compaction only needs a re-list);
      // a watch that keeps failing right after a restart, or a store that does not answer, waits.
      if (streak > 1 && !sleep(backoff.delay(streak - 1))) {
        return;
      }
      try {
        ClusterStore.Snapshot snapshot =
            StoreCalls.await(store.list(ClusterKeys.NODES), timeout, "list nodes");
        follow(snapshot, gen, true);
        restarts.incrementAndGet();
        synchronized (lock) {
          if (gen == generation) {
            failure = null;
            recovery = null;
          }
        }
        LOG.log(
            Level.INFO,
            "node registry followed again from revision "
                + snapshot.revision()
                + " ("
                + snapshot.kvs().size()
                + " nodes)");
        return;
      } catch (RuntimeException e) {
        synchronized (lock) {
          if (closed) {
            return; // close() interrupted the list: not a failure of the store
          }
          failureStreak++;
          noteError(e);
        }
        LOG.log(Level.WARNING, "node registry could not be listed again: " + e);
      }
    }
  }

  /** Waits for an interrupted recovery to end, so nothing lists after close() returns. */
  private void awaitEnd(Thread r) {
    if (r == Thread.currentThread()) {
      return; // closed by a listener that recovery called
    }
    try {
      if (!r.join(timeout)) {
        LOG.log(Level.WARNING, "node registry recovery did not stop within " + timeout);
      }
    } catch (InterruptedException e) {
      // Whoever closes us is being interrupted too: stop waiting, keep the flag for them.
      Thread.currentThread().interrupt();
    }
  }

  /** Sleeps {@code delay}; false when {@link #close()} interrupted it. */
  private static boolean sleep(Duration delay) {
    try {
      Thread.sleep(delay);
      return true;
    } catch (InterruptedException e) {
      // close() interrupts recovery: stop trying.
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void noteError(Throwable error) {
    errors.incrementAndGet();
    lastError = error;
    lastErrorAt = clock.instant();
  }

  private void apply(List<WatchEvent> events, long gen) {
    synchronized (publishing) {
      synchronized (lock) {
        if (gen != generation) {
          return; // an error ended this watch meanwhile; recovery publishes a fresh view
        }
      }
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

  private void register(MeterRegistry registry, String name) {
    List<Meter> registered =
        List.of(
            Gauge.builder("tideflow.membership.watch.healthy", this, w -> w.healthy() ? 1 : 0)
                .tag("watcher", name)
                .description("1 while the node registry watch runs, 0 while it recovers")
                .register(registry),
            FunctionCounter.builder("tideflow.membership.watch.restarts", restarts, AtomicLong::get)
                .tag("watcher", name)
                .description("times the registry was listed and watched again after an error")
                .register(registry),
            FunctionCounter.builder("tideflow.membership.watch.errors", errors, AtomicLong::get)
                .tag("watcher", name)
                .description("watch errors and failed re-lists of the node registry")
                .register(registry));
    synchronized (lock) {
      metrics = registry;
      meters.addAll(registered);
    }
  }

  public ClusterView view() {
    return view;
  }

  /** The error that ended the watch, while the watcher recovers from it; null while it runs. */
  public Throwable failure() {
    return failure;
  }

  /** True while a watch follows the store (not while recovering, nor after close). */
  public boolean healthy() {
    synchronized (lock) {
      return !closed && failure == null;
    }
  }

  /** How many times the watcher listed and watched again after an error. */
  public long restarts() {
    return restarts.get();
  }

  public Health health() {
    return new Health(healthy(), restarts.get(), errors.get(), lastError, lastErrorAt);
  }

  /** Calls {@code listener} with every new view (not with the current one). */
  public void onChange(Consumer<ClusterView> listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    ClusterStore.Watch w;
    Thread r;
    List<Meter> registered;
    MeterRegistry registry;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      w = watch;
      watch = null;
      r = recovery;
      registered = List.copyOf(meters);
      registry = metrics;
    }
    if (r != null) {
      r.interrupt();
      awaitEnd(r);
    }
    if (w != null) {
      w.close();
    }
    for (Meter m : registered) {
      registry.remove(m);
    }
  }
}
