package io.tideflow.store.memory;

import io.tideflow.store.Leadership;
import java.util.concurrent.CompletableFuture;

/** Leadership in the memory store: held while its election key exists. */
final class MemoryLeadership implements Leadership {
  private final String election;
  private final String candidate;
  private final String key;
  private final long fencingToken;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private final MemoryClusterStore store;

  MemoryLeadership(
      String election, String candidate, String key, long fencingToken, MemoryClusterStore store) {
    this.election = election;
    this.candidate = candidate;
    this.key = key;
    this.fencingToken = fencingToken;
    this.store = store;
  }

  @Override
  public String election() {
    return election;
  }

  @Override
  public String candidate() {
    return candidate;
  }

  @Override
  public long fencingToken() {
    return fencingToken;
  }

  String key() {
    return key;
  }

  @Override
  public CompletableFuture<Void> lost() {
    return lost.copy();
  }

  CompletableFuture<Void> lostSignal() {
    return lost;
  }

  @Override
  public CompletableFuture<Boolean> put(String key, byte[] value) {
    return store.putIfLeading(this, key, value);
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    return store.deleteIfLeading(this, key);
  }

  @Override
  public CompletableFuture<Void> resign() {
    return store.resign(this);
  }

  @Override
  public String toString() {
    return "MemoryLeadership[" + election + ", " + candidate + ", token=" + fencingToken + "]";
  }
}
