package io.tideflow.store.etcd;

import io.etcd.jetcd.Watch.Watcher;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent.EventType;
import io.tideflow.store.Leadership;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Leadership won through etcd's election service. It ends when its lease ends, when it resigns, or
 * when a watch on its leader key sees the key deleted.
 */
final class EtcdLeadership implements Leadership {
  private final String election;
  private final String candidate;
  private final LeaderKey leaderKey;
  private final EtcdElections elections;
  private final Executor completions;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile Watcher keyWatch;

  EtcdLeadership(
      String election,
      String candidate,
      LeaderKey leaderKey,
      EtcdElections elections,
      Executor completions) {
    this.election = election;
    this.candidate = candidate;
    this.leaderKey = leaderKey;
    this.elections = elections;
    this.completions = completions;
  }

  /** Watches the leader key from its creation, so a delete at any later revision is seen. */
  void follow(io.etcd.jetcd.Watch watches) {
    keyWatch =
        watches.watch(
            leaderKey.getKey(),
            WatchOption.builder().withRevision(leaderKey.getRevision()).build(),
            io.etcd.jetcd.Watch.listener(
                response -> {
                  if (response.getEvents().stream()
                      .anyMatch(e -> e.getEventType() == EventType.DELETE)) {
                    end();
                  }
                },
                // A final error means we can no longer tell: assume the worst.
                this::end));
    if (ended.get()) {
      keyWatch.close();
    }
  }

  LeaderKey leaderKey() {
    return leaderKey;
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
    return leaderKey.getRevision();
  }

  @Override
  public CompletableFuture<Void> lost() {
    return lost.copy();
  }

  @Override
  public CompletableFuture<Boolean> put(String key, byte[] value) {
    return elections.putIfLeading(this, key, value);
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    return elections.deleteIfLeading(this, key);
  }

  @Override
  public CompletableFuture<Void> resign() {
    return elections.resign(this).thenRunAsync(this::end, completions);
  }

  /** Ends this leadership once; later calls do nothing. */
  void end() {
    if (ended.compareAndSet(false, true)) {
      Watcher watch = keyWatch;
      if (watch != null) {
        watch.close();
      }
      elections.forget(this);
      completions.execute(() -> lost.complete(null));
    }
  }

  @Override
  public String toString() {
    return "EtcdLeadership[" + election + ", " + candidate + ", token=" + fencingToken() + "]";
  }
}
