package io.tideflow.store.memory;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.tideflow.store.ClusterStore.LeaderInfo;
import io.tideflow.store.ClusterStore.Snapshot;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.ClusterStore.WatchListener;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.LeaseNotFoundException;
import io.tideflow.store.StoreUnavailableException;
import io.tideflow.store.delivery.SerialExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The memory store's keys, leases, history, watches and elections. Not thread-safe: {@link
 * MemoryClusterStore} calls it only while holding its lock. It never calls user code: futures and
 * listeners are handed to the completion executor.
 */
final class MemoryState {
  /** Election keys are {@code election/<name>/<leaseId in hex>}, as etcd names them. */
  static final String ELECTION_PREFIX = "election/";

  private static final byte[] EMPTY = new byte[0];

  private static final class LeaseState {
    final MemoryLease lease;
    final Set<String> keys = new HashSet<>();
    Instant deadline; // null while kept alive

    LeaseState(MemoryLease lease) {
      this.lease = lease;
    }
  }

  private record Campaign(
      String election, String candidate, long leaseId, CompletableFuture<Leadership> result) {}

  private final MemoryClusterStore store;
  private final Executor completions;
  private final EventHistory history;
  private final TreeMap<String, KeyValue> data = new TreeMap<>();
  private final Map<Long, LeaseState> leases = new HashMap<>();
  private final List<MemoryWatch> watches = new ArrayList<>();
  private final Map<String, Campaign> campaigns = new LinkedHashMap<>(); // by election key
  private final Map<String, MemoryLeadership> leaderships = new HashMap<>(); // by election key
  private long revision;
  private long nextLeaseId = 1;

  MemoryState(MemoryClusterStore store, Executor completions, int historyLimit) {
    this.store = store;
    this.completions = completions;
    this.history = new EventHistory(historyLimit);
  }

  Optional<KeyValue> get(String key) {
    return Optional.ofNullable(data.get(key)).map(MemoryState::copy);
  }

  Snapshot list(String prefix) {
    List<KeyValue> kvs = new ArrayList<>();
    for (KeyValue kv : data.tailMap(prefix, true).values()) {
      if (!kv.key().startsWith(prefix)) {
        break;
      }
      kvs.add(copy(kv));
    }
    return new Snapshot(revision, kvs);
  }

  long put(String key, byte[] value, long leaseId) {
    if (leaseId != 0 && !leases.containsKey(leaseId)) {
      throw new LeaseNotFoundException(leaseId);
    }
    revision++;
    KeyValue old = data.get(key);
    if (old != null && old.leaseId() != 0 && old.leaseId() != leaseId) {
      detach(old);
    }
    if (leaseId != 0) {
      leases.get(leaseId).keys.add(key);
    }
    long created = old == null ? revision : old.createRevision();
    KeyValue kv = new KeyValue(key, value, created, revision, leaseId);
    data.put(key, kv);
    publish(List.of(new WatchEvent(WatchEvent.Type.PUT, kv)));
    return revision;
  }

  boolean compareAndSet(String key, long expectedModRevision, byte[] value, long leaseId) {
    KeyValue old = data.get(key);
    long actual = old == null ? 0 : old.modRevision();
    if (actual != expectedModRevision) {
      return false;
    }
    put(key, value, leaseId);
    return true;
  }

  boolean delete(String key) {
    if (!data.containsKey(key)) {
      return false;
    }
    removeKeys(List.of(key));
    return true;
  }

  MemoryLease grant(Duration ttl) {
    MemoryLease lease = new MemoryLease(nextLeaseId++, ttl, store);
    leases.put(lease.id(), new LeaseState(lease));
    return lease;
  }

  void suspendKeepAlive(long leaseId, Instant now) {
    LeaseState state = leases.get(leaseId);
    if (state == null) {
      throw new LeaseNotFoundException(leaseId);
    }
    if (state.deadline == null) {
      state.deadline = now.plus(state.lease.ttl());
    }
  }

  List<Long> dueLeases(Instant now) {
    List<Long> due = new ArrayList<>();
    for (LeaseState state : leases.values()) {
      if (state.deadline != null && !now.isBefore(state.deadline)) {
        due.add(state.lease.id());
      }
    }
    return due;
  }

  /**
   * Ends a lease and deletes its keys in one revision. {@code lost} completes {@link
   * MemoryLease#lost()} (expiry, not revoke). Returns false when the lease was already gone.
   */
  boolean endLease(long leaseId, boolean lost) {
    LeaseState state = leases.remove(leaseId);
    if (state == null) {
      return false;
    }
    removeKeys(state.keys);
    if (lost) {
      completions.execute(() -> state.lease.lostSignal().complete(null));
    }
    return true;
  }

  MemoryWatch watch(String prefix, long fromRevision, WatchListener listener) {
    long from = fromRevision > 0 ? fromRevision : revision + 1;
    MemoryWatch watch =
        new MemoryWatch(prefix, from, listener, new SerialExecutor(completions), store::unwatch);
    if (from <= revision) {
      try {
        watch.offer(history.since(from, prefix));
      } catch (RuntimeException compacted) {
        watch.fail(compacted);
        return watch;
      }
    }
    watches.add(watch);
    return watch;
  }

  void unwatch(MemoryWatch watch) {
    watches.remove(watch);
  }

  void campaign(
      String election, String candidate, long leaseId, CompletableFuture<Leadership> result) {
    if (!leases.containsKey(leaseId)) {
      throw new LeaseNotFoundException(leaseId);
    }
    String key = ELECTION_PREFIX + election + "/" + Long.toHexString(leaseId);
    byte[] value = candidate.getBytes(UTF_8);
    Campaign replaced = campaigns.put(key, new Campaign(election, candidate, leaseId, result));
    if (replaced != null) {
      fail(replaced.result(), new IllegalStateException("replaced by a new campaign on " + key));
    }
    KeyValue existing = data.get(key);
    if (existing == null || !Arrays.equals(existing.value(), value)) {
      put(key, value, leaseId); // reconciles the election
    } else {
      reconcile(election);
    }
  }

  Optional<LeaderInfo> leader(String election) {
    return leaderKey(election)
        .map(kv -> new LeaderInfo(new String(kv.value(), UTF_8), kv.createRevision()));
  }

  /** Whether {@code leadership} still stands: its key exists, created at its fencing token. */
  boolean stands(MemoryLeadership leadership) {
    KeyValue kv = data.get(leadership.key());
    return kv != null && kv.createRevision() == leadership.fencingToken();
  }

  void resign(MemoryLeadership leadership) {
    KeyValue kv = data.get(leadership.key());
    if (kv != null && kv.createRevision() == leadership.fencingToken()) {
      delete(leadership.key()); // reconciles: completes lost()
    }
  }

  /** Ends every lease, leadership and campaign because the store closes; watches stop silently. */
  void close() {
    for (LeaseState state : leases.values()) {
      completions.execute(() -> state.lease.lostSignal().complete(null));
    }
    leases.clear();
    for (MemoryLeadership leadership : leaderships.values()) {
      completions.execute(() -> leadership.lostSignal().complete(null));
    }
    leaderships.clear();
    for (Campaign campaign : campaigns.values()) {
      fail(campaign.result(), new StoreUnavailableException("memory store closed"));
    }
    campaigns.clear();
    watches.clear();
  }

  private void detach(KeyValue kv) {
    LeaseState owner = leases.get(kv.leaseId());
    if (owner != null) {
      owner.keys.remove(kv.key());
    }
  }

  private void removeKeys(Collection<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    revision++;
    List<WatchEvent> events = new ArrayList<>();
    for (String key : new TreeSet<>(keys)) {
      KeyValue old = data.remove(key);
      detach(old);
      events.add(new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(key, EMPTY, 0, revision, 0)));
    }
    publish(events);
  }

  private void publish(List<WatchEvent> events) {
    history.add(events);
    for (MemoryWatch watch : watches) {
      watch.offer(events);
    }
    Set<String> elections = new TreeSet<>();
    for (WatchEvent event : events) {
      String key = event.kv().key();
      int end = key.lastIndexOf('/');
      if (key.startsWith(ELECTION_PREFIX) && end > ELECTION_PREFIX.length()) {
        elections.add(key.substring(ELECTION_PREFIX.length(), end));
      }
    }
    elections.forEach(this::reconcile);
  }

  private Optional<KeyValue> leaderKey(String election) {
    String prefix = ELECTION_PREFIX + election + "/";
    KeyValue leader = null;
    for (KeyValue kv : data.tailMap(prefix, true).values()) {
      if (!kv.key().startsWith(prefix)) {
        break;
      }
      if (leader == null || kv.createRevision() < leader.createRevision()) {
        leader = kv;
      }
    }
    return Optional.ofNullable(leader);
  }

  /** Ends leaderships whose key is gone and crowns the campaign whose key is now the oldest. */
  private void reconcile(String election) {
    Iterator<MemoryLeadership> held = leaderships.values().iterator();
    while (held.hasNext()) {
      MemoryLeadership leadership = held.next();
      KeyValue kv = data.get(leadership.key());
      if (leadership.election().equals(election)
          && (kv == null || kv.createRevision() != leadership.fencingToken())) {
        held.remove();
        completions.execute(() -> leadership.lostSignal().complete(null));
      }
    }
    Optional<KeyValue> leader = leaderKey(election);
    Iterator<Map.Entry<String, Campaign>> waiting = campaigns.entrySet().iterator();
    while (waiting.hasNext()) {
      Map.Entry<String, Campaign> entry = waiting.next();
      Campaign campaign = entry.getValue();
      if (!campaign.election().equals(election)) {
        continue;
      }
      KeyValue kv = data.get(entry.getKey());
      if (kv == null) {
        waiting.remove();
        fail(
            campaign.result(),
            leases.containsKey(campaign.leaseId())
                ? new IllegalStateException("election key " + entry.getKey() + " was deleted")
                : new LeaseNotFoundException(campaign.leaseId()));
      } else if (leader.isPresent() && leader.get().key().equals(entry.getKey())) {
        waiting.remove();
        MemoryLeadership won =
            new MemoryLeadership(
                election, campaign.candidate(), kv.key(), kv.createRevision(), store);
        leaderships.put(kv.key(), won);
        completions.execute(() -> campaign.result().complete(won));
      }
    }
  }

  private void fail(CompletableFuture<?> future, Throwable error) {
    completions.execute(() -> future.completeExceptionally(error));
  }

  private static KeyValue copy(KeyValue kv) {
    return new KeyValue(
        kv.key(), kv.value().clone(), kv.createRevision(), kv.modRevision(), kv.leaseId());
  }
}
