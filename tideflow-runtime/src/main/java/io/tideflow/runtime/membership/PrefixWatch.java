package io.tideflow.runtime.membership;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.retry.Backoff;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.RevisionCompactedException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows every key under a prefix of the store without gaps, also across watch errors: lists the
 * prefix, hands the snapshot to its {@link Sink}, then the watch's changes from the snapshot's
 * revision on. When the watch ends with an error — the store compacted the revisions it was at
 * ({@link RevisionCompactedException}) or its connection is gone — it lists the prefix again, hands
 * that snapshot over as a restart and watches on from its revision. The first re-list goes at once
 * (a compaction needs nothing more); while the store keeps failing, attempts are spaced by the
 * delays of a {@link Backoff}.
 *
 * <p>The sink is called one call at a time, in order: on the store's watch thread, or after an
 * error on this watch's recovery thread. It must not block. A watch given up after an error calls
 * it no more.
 */
public final class PrefixWatch implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PrefixWatch.class.getName());

  /** Between re-lists while the store fails: 100 ms, doubling, at most 5 s. */
  public static final Backoff DEFAULT_BACKOFF =
      Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));

  /** Receives what a {@link PrefixWatch} follows. */
  public interface Sink {
    /**
     * Every key under the prefix at {@code snapshot.revision()}; replaces all that came before.
     *
     * @param restart false for the first listing, true for one after a watch error
     */
    void onSnapshot(ClusterStore.Snapshot snapshot, boolean restart);

    /** Changes after the last snapshot or batch, in revision order. */
    void onEvents(List<WatchEvent> events);
  }

  /**
   * Whether a watch follows the store, and what went wrong last.
   *
   * @param healthy true while a watch runs; false from a watch error until the prefix has been
   *     listed and watched again, and after {@link #close()}
   * @param restarts how many times the prefix was listed and watched again after an error
   * @param errors how many watch errors and failed re-lists there were
   * @param lastError the newest of those, or null if none
   * @param lastErrorAt when it was seen, on the watch's clock, or null if none
   */
  public record Health(
      boolean healthy, long restarts, long errors, Throwable lastError, Instant lastErrorAt) {}

  private final ClusterStore store;
  private final String prefix;
  private final Duration timeout;
  private final InstantSource clock;
  private final Backoff backoff;
  private final Sink sink;

  /** Serializes calls of the sink, so it sees one at a time and in order. */
  private final Object delivering = new Object();

  /** Guards generation, watch, closed, recovery and failureStreak; never held across I/O. */
  private final Object lock = new Object();

  private long generation;
  private ClusterStore.Watch watch;
  private boolean closed;
  private Thread recovery;

  /** Opened by {@link #close()}: ends a recovery's back-off at once. */
  private final CountDownLatch closing = new CountDownLatch(1);

  /** Watch errors and failed lists since the last change a watch delivered. */
  private int failureStreak;

  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final List<Meter> meters = new ArrayList<>();
  private MeterRegistry metrics;
  private volatile Throwable failure;
  private volatile Throwable lastError;
  private volatile Instant lastErrorAt;

  private PrefixWatch(
      ClusterStore store,
      String prefix,
      Duration timeout,
      InstantSource clock,
      Backoff backoff,
      Sink sink) {
    this.store = store;
    this.prefix = prefix;
    this.timeout = timeout;
    this.clock = clock;
    this.backoff = backoff;
    this.sink = sink;
  }

  /**
   * Lists {@code prefix} (the first {@link Sink#onSnapshot} is called before this returns) and
   * starts following it.
   *
   * @param timeout bounds each listing
   * @param clock dates the errors in {@link #health()}
   * @param backoff spaces re-lists while the store fails
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  public static PrefixWatch start(
      ClusterStore store,
      String prefix,
      Duration timeout,
      InstantSource clock,
      Backoff backoff,
      Sink sink) {
    PrefixWatch w = new PrefixWatch(store, prefix, timeout, clock, backoff, sink);
    w.follow(StoreCalls.await(store.list(prefix), timeout, "list " + prefix), 0, false);
    return w;
  }

  /** Hands {@code snapshot} to the sink and watches on from it, if still of generation gen. */
  private void follow(ClusterStore.Snapshot snapshot, long gen, boolean restart) {
    synchronized (delivering) {
      synchronized (lock) {
        if (closed || gen != generation) {
          return;
        }
      }
      sink.onSnapshot(snapshot, restart);
    }
    ClusterStore.Watch w = store.watch(prefix, snapshot.revision() + 1, new Listener(gen));
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

  /** The listener of one generation's watch; it ignores calls once a newer one started. */
  private final class Listener implements ClusterStore.WatchListener {
    private final long gen;

    Listener(long gen) {
      this.gen = gen;
    }

    @Override
    public void onEvents(List<WatchEvent> events) {
      synchronized (delivering) {
        synchronized (lock) {
          if (closed || gen != generation) {
            return; // a watch given up after an error; its successor lists what it would say
          }
          failureStreak = 0;
        }
        sink.onEvents(events);
      }
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
      recovery = Thread.ofVirtual().name("tideflow-watch-recovery" + prefix).start(this::recover);
    }
    if (ended != null) {
      ended.close();
    }
    LOG.log(
        Level.WARNING,
        "watch of " + prefix + " ended (" + error + "); listing it again and watching from there");
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
      if (streak > 1 && !backOff(backoff.delay(streak - 1))) {
        return;
      }
      try {
        ClusterStore.Snapshot snapshot =
            StoreCalls.await(store.list(prefix), timeout, "list " + prefix);
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
            prefix
                + " followed again from revision "
                + snapshot.revision()
                + " ("
                + snapshot.kvs().size()
                + " keys)");
        return;
      } catch (RuntimeException e) {
        synchronized (lock) {
          if (closed) {
            return; // close() interrupted the list: not a failure of the store
          }
          failureStreak++;
          noteError(e);
        }
        LOG.log(Level.WARNING, prefix + " could not be listed again: " + e);
      }
    }
  }

  /** Waits out {@code delay}; false as soon as {@link #close()} ends the watch. */
  private boolean backOff(Duration delay) {
    try {
      return !closing.await(delay.toNanos(), TimeUnit.NANOSECONDS);
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

  /**
   * Reports this watch's health in {@code registry} under the tag {@code watcher=name}: {@code
   * tideflow.membership.watch.healthy} (1 or 0), {@code tideflow.membership.watch.restarts} and
   * {@code tideflow.membership.watch.errors}. {@link #close()} removes them.
   */
  public void register(MeterRegistry registry, String name) {
    List<Meter> registered =
        List.of(
            Gauge.builder("tideflow.membership.watch.healthy", this, w -> w.healthy() ? 1 : 0)
                .tag("watcher", name)
                .description("1 while the watch runs, 0 while it recovers from an error")
                .register(registry),
            FunctionCounter.builder("tideflow.membership.watch.restarts", restarts, AtomicLong::get)
                .tag("watcher", name)
                .description("times the keys were listed and watched again after an error")
                .register(registry),
            FunctionCounter.builder("tideflow.membership.watch.errors", errors, AtomicLong::get)
                .tag("watcher", name)
                .description("watch errors and failed re-lists")
                .register(registry));
    synchronized (lock) {
      metrics = registry;
      meters.addAll(registered);
    }
  }

  /** The error that ended the watch, while recovering from it; null while a watch runs. */
  public Throwable failure() {
    return failure;
  }

  /** True while a watch follows the store (not while recovering, nor after close). */
  public boolean healthy() {
    synchronized (lock) {
      return !closed && failure == null;
    }
  }

  public Health health() {
    return new Health(healthy(), restarts.get(), errors.get(), lastError, lastErrorAt);
  }

  /** Stops watching and recovering; returns once no recovery runs. Idempotent. */
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
      closing.countDown();
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

  /** Waits for an interrupted recovery to end, so nothing lists after close() returns. */
  private void awaitEnd(Thread r) {
    if (r == Thread.currentThread()) {
      return; // closed from the sink, which recovery called
    }
    try {
      if (!r.join(timeout)) {
        LOG.log(Level.WARNING, "recovery of the watch of " + prefix + " did not stop in time");
      }
    } catch (InterruptedException e) {
      // Whoever closes us is being interrupted too: stop waiting, keep the flag for them.
      Thread.currentThread().interrupt();
    }
  }
}
