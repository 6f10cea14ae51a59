package io.tideflow.store.memory;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.Lease;
import io.tideflow.store.StoreUnavailableException;
import io.tideflow.store.clock.MonotonicClock;
import io.tideflow.store.limits.StoreLimits;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The embedded {@link ClusterStore}: all state in this JVM, guarded by one lock that is never held
 * while user code runs.
 *
 * <p>Threads: every future completes, and every watch listener runs, on a daemon platform thread of
 * the store (one at a time and in revision order per watch). One daemon platform thread checks
 * lease expiry every {@code expiryCheckInterval}.
 *
 * <p>Leases are kept alive implicitly: a lease ends only on {@link Lease#revoke()}, on {@link
 * #close()}, or after the test hooks {@link #suspendKeepAlive(long)} (expires one TTL later on the
 * injected clock) and {@link #expireLease(long)} (expires now). Watches can start from any of the
 * last {@code historyLimit} events; older revisions fail the watch with a {@link
 * io.tideflow.store.RevisionCompactedException}. A watch's {@code fromRevision <= 0} means "from
 * the next write".
 */
public final class MemoryClusterStore implements ClusterStore {
  /** How many past events a new watch can replay. */
  public static final int DEFAULT_HISTORY_LIMIT = 10_000;

  /** How often the expiry thread looks for leases whose keep-alive was suspended. */
  public static final Duration DEFAULT_EXPIRY_CHECK_INTERVAL = Duration.ofMillis(50);

  private final ReentrantLock lock = new ReentrantLock();
  private final InstantSource clock;
  private final Executor completions;
  private final ScheduledExecutorService expiry;
  private final MemoryState state; // guarded by lock
  private boolean closed; // guarded by lock

  /** A store on the system clock with the default history and expiry check interval. */
  public MemoryClusterStore() {
    this(MonotonicClock.system());
  }

  /** A store whose lease expiry follows {@code clock}. */
  public MemoryClusterStore(InstantSource clock) {
    this(clock, DEFAULT_EXPIRY_CHECK_INTERVAL, DEFAULT_HISTORY_LIMIT);
  }

  public MemoryClusterStore(InstantSource clock, Duration expiryCheckInterval, int historyLimit) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (expiryCheckInterval.isNegative() || expiryCheckInterval.isZero()) {
      throw new IllegalArgumentException(
          "expiryCheckInterval must be > 0, was " + expiryCheckInterval);
    }
    // Platform threads, not virtual ones: the control plane must not queue behind CPU-bound tasks
    // that occupy the virtual-thread carriers. Idle threads end after a minute.
    this.completions =
        Executors.newCachedThreadPool(
            Thread.ofPlatform().name("tideflow-memory-store-", 0).daemon().factory());
    this.state = new MemoryState(this, completions, historyLimit);
    this.expiry =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("tideflow-memory-store-expiry").daemon().factory());
    long periodNanos = expiryCheckInterval.toNanos();
    expiry.scheduleWithFixedDelay(
        this::expireDueLeases, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public CompletableFuture<Lease> grantLease(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be > 0, was " + ttl);
    }
    return call(() -> state.grant(ttl));
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value, long leaseId) {
    byte[] copy = StoreLimits.requireValue(StoreLimits.requireKey(key), value).clone();
    return call(() -> state.put(key, copy, leaseId));
  }

  @Override
  public CompletableFuture<Optional<KeyValue>> get(String key) {
    StoreLimits.requireKey(key);
    return call(() -> state.get(key));
  }

  @Override
  public CompletableFuture<Snapshot> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return call(() -> state.list(prefix));
  }

  @Override
  public CompletableFuture<Boolean> compareAndSet(
      String key, long expectedModRevision, byte[] value, long leaseId) {
    byte[] copy = StoreLimits.requireValue(StoreLimits.requireKey(key), value).clone();
    return call(() -> state.compareAndSet(key, expectedModRevision, copy, leaseId));
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    StoreLimits.requireKey(key);
    return call(() -> state.delete(key));
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(listener, "listener");
    lock.lock();
    try {
      if (closed) {
        MemoryWatch watch = new MemoryWatch(prefix, 0, listener, completions, w -> {});
        watch.fail(new StoreUnavailableException("memory store is closed"));
        return watch;
      }
      return state.watch(prefix, fromRevision, listener);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public CompletableFuture<Leadership> campaign(String election, String candidate, Lease lease) {
    StoreLimits.requireElection(election);
    Objects.requireNonNull(candidate, "candidate");
    long leaseId = lease.id();
    CompletableFuture<Leadership> result = new CompletableFuture<>();
    lock.lock();
    try {
      if (closed) {
        throw new StoreUnavailableException("memory store is closed");
      }
      state.campaign(election, candidate, leaseId, result);
    } catch (RuntimeException e) {
      completions.execute(() -> result.completeExceptionally(e));
    } finally {
      lock.unlock();
    }
    return result;
  }

  @Override
  public CompletableFuture<Optional<LeaderInfo>> leader(String election) {
    StoreLimits.requireElection(election);
    return call(() -> state.leader(election));
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      state.close();
    } finally {
      lock.unlock();
    }
    expiry.shutdownNow();
  }

  /**
   * Test hook: stops the implicit keep-alive of {@code leaseId}, as if its node hung or was cut
   * off. The lease expires one TTL later on the store's clock. Throws {@link
   * io.tideflow.store.LeaseNotFoundException} if the lease is gone.
   */
  public void suspendKeepAlive(long leaseId) {
    locked(() -> state.suspendKeepAlive(leaseId, clock.instant()));
  }

  /** Test hook: expires {@code leaseId} now, as if its TTL had passed without keep-alive. */
  public void expireLease(long leaseId) {
    locked(() -> state.endLease(leaseId, true));
  }

  /**
   * Expires every suspended lease whose TTL has passed on the clock. The expiry thread calls this
   * periodically; tests on a fake clock call it after advancing the clock.
   */
  public void expireDueLeases() {
    locked(
        () -> {
          for (long leaseId : state.dueLeases(clock.instant())) {
            state.endLease(leaseId, true);
          }
        });
  }

  CompletableFuture<Void> revoke(long leaseId) {
    return call(
        () -> {
          state.endLease(leaseId, false);
          return null;
        });
  }

  CompletableFuture<Boolean> putIfLeading(MemoryLeadership leadership, String key, byte[] value) {
    byte[] copy = StoreLimits.requireValue(StoreLimits.requireKey(key), value).clone();
    return call(
        () -> {
          boolean leads = state.stands(leadership);
          if (leads) {
            state.put(key, copy, 0);
          }
          return leads;
        });
  }

  CompletableFuture<Boolean> deleteIfLeading(MemoryLeadership leadership, String key) {
    StoreLimits.requireKey(key);
    return call(
        () -> {
          boolean leads = state.stands(leadership);
          if (leads) {
            state.delete(key);
          }
          return leads;
        });
  }

  CompletableFuture<Void> resign(MemoryLeadership leadership) {
    return call(
        () -> {
          state.resign(leadership);
          return null;
        });
  }

  void unwatch(MemoryWatch watch) {
    locked(() -> state.unwatch(watch));
  }

  private void locked(Runnable action) {
    lock.lock();
    try {
      if (!closed) {
        action.run();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code op} under the lock and completes the result on the completion executor. */
  private <T> CompletableFuture<T> call(Supplier<T> op) {
    CompletableFuture<T> future = new CompletableFuture<>();
    T result = null;
    RuntimeException failure = null;
    lock.lock();
    try {
      if (closed) {
        failure = new StoreUnavailableException("memory store is closed");
      } else {
        result = op.get();
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      lock.unlock();
    }
    T value = result;
    RuntimeException error = failure;
    completions.execute(
        () -> {
          if (error != null) {
            future.completeExceptionally(error);
          } else {
            future.complete(value);
          }
        });
    return future;
  }
}
