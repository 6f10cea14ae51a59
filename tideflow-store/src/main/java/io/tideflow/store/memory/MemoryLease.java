package io.tideflow.store.memory;

import io.tideflow.store.Lease;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A lease of the memory store; its state lives in {@link MemoryState}. */
final class MemoryLease implements Lease {
  private final long id;
  private final Duration ttl;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private final MemoryClusterStore store;

  MemoryLease(long id, Duration ttl, MemoryClusterStore store) {
    this.id = id;
    this.ttl = ttl;
    this.store = store;
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public Duration ttl() {
    return ttl;
  }

  @Override
  public CompletableFuture<Void> lost() {
    return lost.copy();
  }

  /** Completed by the store's completion executor, never under its lock's caller. */
  CompletableFuture<Void> lostSignal() {
    return lost;
  }

  /** The memory store is always reachable: its leases are always confirmed. */
  @Override
  public Duration unconfirmedFor() {
    return Duration.ZERO;
  }

  @Override
  public CompletableFuture<Void> revoke() {
    return store.revoke(id);
  }

  @Override
  public String toString() {
    return "MemoryLease[" + Long.toHexString(id) + ", ttl=" + ttl + "]";
  }
}
