package io.tideflow.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.tideflow.store.ClusterStore.LeaderInfo;
import io.tideflow.store.Leadership;
import io.tideflow.store.LeaseNotFoundException;
import io.tideflow.store.limits.StoreLimits;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Elections through etcd's election service. The election {@code name} campaigns under the etcd
 * election {@code election/<name>}, so candidates' keys are {@code election/<name>/<leaseId in
 * hex>} and the leader is the oldest key; the fencing token is that key's create revision.
 */
final class EtcdElections {
  static final String ELECTION_PREFIX = "election/";

  private final Client client;
  private final EtcdRequests requests;
  private final LongFunction<EtcdLease> leases;
  private final Set<EtcdLeadership> leaderships = ConcurrentHashMap.newKeySet();

  EtcdElections(Client client, EtcdRequests requests, LongFunction<EtcdLease> leases) {
    this.client = client;
    this.requests = requests;
    this.leases = leases;
  }

  CompletableFuture<Leadership> campaign(String election, String candidate, long leaseId) {
    CompletableFuture<Leadership> result = new CompletableFuture<>();
    requests
        .untimed(
            () -> client.getElectionClient().campaign(name(election), leaseId, bytes(candidate)),
            response -> response.getLeader(),
            leaseId)
        .whenCompleteAsync(
            (leaderKey, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
                return;
              }
              EtcdLeadership won = lead(election, candidate, leaderKey);
              if (!result.complete(won)) {
                won.resign(); // the campaign was given up before etcd answered
              }
            },
            requests.completions());
    EtcdLease lease = leases.apply(leaseId);
    if (lease != null) {
      // etcd keeps a campaign waiting even after its own key is gone: give up when the lease ends.
      lease
          .ended()
          .thenRunAsync(
              () ->
                  result.completeExceptionally(
                      requests.isClosed()
                          ? requests.errors().closed()
                          : new LeaseNotFoundException(leaseId)),
              requests.completions());
    }
    return result;
  }

  CompletableFuture<Optional<LeaderInfo>> leader(String election) {
    CompletableFuture<Optional<LeaderInfo>> result = new CompletableFuture<>();
    requests
        .timed(
            () -> client.getElectionClient().leader(name(election)),
            response ->
                new LeaderInfo(
                    response.getKv().getValue().toString(UTF_8),
                    response.getKv().getCreateRevision()),
            0)
        .whenCompleteAsync(
            (leader, error) -> {
              if (error == null) {
                result.complete(Optional.of(leader));
              } else if (EtcdErrors.unwrap(error) instanceof NoLeaderException) {
                result.complete(Optional.empty());
              } else {
                result.completeExceptionally(error);
              }
            },
            requests.completions());
    return result;
  }

  CompletableFuture<Boolean> putIfLeading(EtcdLeadership leadership, String key, byte[] value) {
    StoreLimits.requireValue(StoreLimits.requireKey(key), value);
    return fenced(leadership, Op.put(bytes(key), ByteSequence.from(value), PutOption.DEFAULT));
  }

  CompletableFuture<Boolean> deleteIfLeading(EtcdLeadership leadership, String key) {
    StoreLimits.requireKey(key);
    return fenced(leadership, Op.delete(bytes(key), DeleteOption.DEFAULT));
  }

  /**
   * {@code op} in a transaction that holds only while the leader key has the leadership's token.
   */
  private CompletableFuture<Boolean> fenced(EtcdLeadership leadership, Op op) {
    Cmp stands =
        new Cmp(
            leadership.leaderKey().getKey(),
            Cmp.Op.EQUAL,
            CmpTarget.createRevision(leadership.fencingToken()));
    return requests.timed(
        () -> client.getKVClient().txn().If(stands).Then(op).commit(),
        response -> response.isSucceeded(),
        0);
  }

  CompletableFuture<Void> resign(EtcdLeadership leadership) {
    return requests.timed(
        () -> client.getElectionClient().resign(leadership.leaderKey()), response -> null, 0);
  }

  void forget(EtcdLeadership leadership) {
    leaderships.remove(leadership);
  }

  /** The store is closing: every leadership is lost to its holder. */
  void close() {
    List.copyOf(leaderships).forEach(EtcdLeadership::end);
  }

  private EtcdLeadership lead(String election, String candidate, LeaderKey leaderKey) {
    EtcdLeadership leadership =
        new EtcdLeadership(election, candidate, leaderKey, this, requests.completions());
    leaderships.add(leadership);
    leadership.follow(client.getWatchClient());
    EtcdLease lease = leases.apply(leaderKey.getLease());
    if (lease == null) {
      leadership.end(); // the lease ended while etcd answered
    } else {
      lease.ended().thenRun(leadership::end);
    }
    return leadership;
  }

  private static ByteSequence name(String election) {
    return bytes(ELECTION_PREFIX + election);
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }
}
