package io.tideflow.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tideflow.store.ClusterStore.LeaderInfo;
import io.tideflow.store.ClusterStore.Snapshot;
import io.tideflow.store.ClusterStore.Watch;
import io.tideflow.store.ClusterStore.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ClusterStore} promises. Each implementation's test extends this class
 * and says how to open a store and how to stop a lease's keep-alive. Keys and elections are
 * namespaced per test, so implementations may share one server across tests.
 */
public abstract class ClusterStoreContractTest {
  private static final TimeUnit MILLIS = TimeUnit.MILLISECONDS;

  /** How long any one step may take; generous because CI machines are shared and loaded. */
  protected static final Duration WAIT = Duration.ofSeconds(15);

  /** The TTL of leases that must stay alive for the whole test. */
  protected static final Duration LONG_TTL = Duration.ofSeconds(30);

  protected ClusterStore store;
  protected String ns;
  private final List<Watch> watches = new ArrayList<>();

  /** A new store; closed after each test. */
  protected abstract ClusterStore openStore();

  /** Stops keep-alives of {@code lease} as if its holder hung, so it expires after its TTL. */
  protected abstract void suspendKeepAlive(ClusterStore store, Lease lease);

  /** The TTL of leases these tests let expire: the shortest the store honours. */
  protected abstract Duration leaseTtl();

  @BeforeEach
  void openStoreAndNamespace() {
    store = openStore();
    ns = "contract-" + UUID.randomUUID() + "/";
  }

  @AfterEach
  void closeWatchesAndStore() {
    watches.forEach(Watch::close);
    store.close();
  }

  /** Starts a watch that is closed after the test, whatever its outcome. */
  protected Watch watch(String prefix, long fromRevision, ClusterStore.WatchListener listener) {
    Watch watch = store.watch(prefix, fromRevision, listener);
    watches.add(watch);
    return watch;
  }

  protected static <T> T done(CompletableFuture<T> future)
      throws ExecutionException, InterruptedException, TimeoutException {
    return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  protected static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  /** A lease that stays alive until revoked. */
  protected Lease grant() throws Exception {
    return done(store.grantLease(LONG_TTL));
  }

  /** A lease with the shortest TTL, for tests that let it expire. */
  protected Lease grantShort() throws Exception {
    return done(store.grantLease(leaseTtl()));
  }

  @Test
  void aPutValueIsReadBackWithItsRevisions() throws Exception {
    long revision = done(store.put(ns + "a", bytes("one"), 0));

    KeyValue kv = done(store.get(ns + "a")).orElseThrow();

    assertThat(kv.key()).isEqualTo(ns + "a");
    assertThat(kv.value()).asString(UTF_8).isEqualTo("one");
    assertThat(kv.createRevision()).isEqualTo(revision);
    assertThat(kv.modRevision()).isEqualTo(revision);
    assertThat(kv.leaseId()).isZero();
    assertThat(done(store.get(ns + "missing"))).isEmpty();
  }

  @Test
  void everyWriteMovesTheRevisionForwardAndKeepsTheCreateRevision() throws Exception {
    long first = done(store.put(ns + "a", bytes("1"), 0));
    long second = done(store.put(ns + "b", bytes("2"), 0));
    long third = done(store.put(ns + "a", bytes("3"), 0));

    assertThat(second).isGreaterThan(first);
    assertThat(third).isGreaterThan(second);
    KeyValue kv = done(store.get(ns + "a")).orElseThrow();
    assertThat(kv.createRevision()).isEqualTo(first);
    assertThat(kv.modRevision()).isEqualTo(third);
  }

  @Test
  void listReturnsOnlyKeysUnderThePrefixSortedByKeyWithTheReadRevision() throws Exception {
    done(store.put(ns + "nodes/b", bytes("B"), 0));
    done(store.put(ns + "nodes/a", bytes("A"), 0));
    done(store.put(ns + "other/c", bytes("C"), 0));
    long last = done(store.put(ns + "nodes/c", bytes("C"), 0));

    Snapshot snapshot = done(store.list(ns + "nodes/"));

    assertThat(snapshot.kvs())
        .extracting(KeyValue::key)
        .containsExactly(ns + "nodes/a", ns + "nodes/b", ns + "nodes/c");
    assertThat(snapshot.revision()).isGreaterThanOrEqualTo(last);
  }

  @Test
  void compareAndSetWithZeroWritesOnlyWhenTheKeyIsAbsent() throws Exception {
    assertThat(done(store.compareAndSet(ns + "k", 0, bytes("first"), 0))).isTrue();
    assertThat(done(store.compareAndSet(ns + "k", 0, bytes("second"), 0))).isFalse();

    assertThat(done(store.get(ns + "k")).orElseThrow().value()).asString(UTF_8).isEqualTo("first");
  }

  @Test
  void compareAndSetWritesOnlyWhenTheModRevisionMatches() throws Exception {
    long created = done(store.put(ns + "k", bytes("v1"), 0));

    assertThat(done(store.compareAndSet(ns + "k", created + 1000, bytes("stale"), 0))).isFalse();
    assertThat(done(store.compareAndSet(ns + "k", created, bytes("v2"), 0))).isTrue();
    assertThat(done(store.compareAndSet(ns + "k", created, bytes("v3"), 0))).isFalse();

    KeyValue kv = done(store.get(ns + "k")).orElseThrow();
    assertThat(kv.value()).asString(UTF_8).isEqualTo("v2");
    assertThat(kv.modRevision()).isGreaterThan(created);
  }

  @Test
  void deleteRemovesTheKeyAndSaysWhetherItExisted() throws Exception {
    done(store.put(ns + "k", bytes("v"), 0));

    assertThat(done(store.delete(ns + "k"))).isTrue();
    assertThat(done(store.delete(ns + "k"))).isFalse();
    assertThat(done(store.get(ns + "k"))).isEmpty();
  }

  @Test
  void revokingALeaseDeletesItsKeysWithoutReportingTheLeaseLost() throws Exception {
    Lease lease = grant();
    done(store.put(ns + "leased", bytes("v"), lease.id()));
    done(store.put(ns + "kept", bytes("v"), 0));
    assertThat(done(store.get(ns + "leased")).orElseThrow().leaseId()).isEqualTo(lease.id());

    done(lease.revoke());

    assertThat(done(store.get(ns + "leased"))).isEmpty();
    assertThat(done(store.get(ns + "kept"))).isPresent();
    assertThat(lease.lost()).isNotDone();
  }

  @Test
  void aLeaseWhoseKeepAliveStopsExpiresDeletingItsKeysAndReportingItLost() throws Exception {
    Lease lease = grantShort();
    Lease other = grant();
    done(store.put(ns + "node", bytes("alive"), lease.id()));
    long written = done(store.put(ns + "other", bytes("alive"), other.id()));
    RecordingListener listener = new RecordingListener();
    watch(ns, written + 1, listener);
    suspendKeepAlive(store, lease);

    assertThat(lease.lost()).succeedsWithin(leaseTtl().multipliedBy(3).plus(WAIT));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(listener.described()).containsExactly("DELETE " + ns + "node="));
    assertThat(done(store.get(ns + "node"))).isEmpty();
    assertThat(done(store.get(ns + "other"))).isPresent();
    assertThat(other.lost()).isNotDone();
  }

  @Test
  void writingWithARevokedLeaseFailsWithLeaseNotFound() throws Exception {
    Lease lease = grant();
    done(lease.revoke());

    assertThat(store.put(ns + "k", bytes("v"), lease.id()))
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(LeaseNotFoundException.class);
    assertThat(done(store.get(ns + "k"))).isEmpty();
  }

  @Test
  void aWatchFromARevisionReplaysPastChangesThenFollowsLiveOnesInOrder() throws Exception {
    long from = done(store.put(ns + "a", bytes("1"), 0));
    done(store.put(ns + "b", bytes("2"), 0));
    done(store.delete(ns + "a"));
    done(store.put(ns.substring(0, ns.length() - 1) + "-elsewhere", bytes("x"), 0));
    RecordingListener listener = new RecordingListener();

    watch(ns, from, listener);
    await().atMost(WAIT).untilAsserted(() -> assertThat(listener.events()).hasSize(3));
    for (int i = 0; i < 20; i++) {
      done(store.put(ns + "live", bytes(Integer.toString(i)), 0));
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(listener.events()).hasSize(23));

    assertThat(listener.described().subList(0, 3))
        .containsExactly("PUT " + ns + "a=1", "PUT " + ns + "b=2", "DELETE " + ns + "a=");
    assertThat(listener.described().subList(3, 23))
        .containsExactlyElementsOf(
            IntStream.range(0, 20).mapToObj(i -> "PUT " + ns + "live=" + i).toList());
    assertThat(listener.events())
        .extracting(e -> e.kv().modRevision())
        .isSorted()
        .doesNotHaveDuplicates();
    assertThat(listener.overlappingCalls()).isZero();
    assertThat(listener.errors()).isEmpty();
  }

  @Test
  void aDeleteEventCarriesTheRevisionOfTheDelete() throws Exception {
    long put = done(store.put(ns + "k", bytes("v"), 0));
    RecordingListener listener = new RecordingListener();
    watch(ns, put + 1, listener);
    done(store.delete(ns + "k"));
    long after = done(store.put(ns + "marker", bytes("m"), 0));

    await().atMost(WAIT).untilAsserted(() -> assertThat(listener.events()).hasSize(2));
    WatchEvent delete = listener.events().get(0);
    assertThat(delete.type()).isEqualTo(WatchEvent.Type.DELETE);
    assertThat(delete.kv().value()).isEmpty();
    assertThat(delete.kv().modRevision()).isGreaterThan(put).isLessThan(after);
  }

  @Test
  void aSecondCandidateWaitsAndWinsWithAGreaterTokenWhenTheLeaderResigns() throws Exception {
    String election = election();
    Leadership first = done(store.campaign(election, "first", grant()));
    CompletableFuture<Leadership> second = store.campaign(election, "second", grant());
    await().atMost(WAIT).until(() -> leaderKeys(election) == 2);
    assertThat(second).isNotDone();

    done(first.resign());

    Leadership won = second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(won.candidate()).isEqualTo("second");
    assertThat(won.election()).isEqualTo(election);
    assertThat(won.fencingToken()).isGreaterThan(first.fencingToken());
    assertThat(first.lost()).succeedsWithin(WAIT);
    assertThat(won.lost()).isNotDone();
  }

  @Test
  void aSecondCandidateWinsWhenTheLeadersLeaseEnds() throws Exception {
    String election = election();
    Lease firstLease = grantShort();
    Leadership first = done(store.campaign(election, "first", firstLease));
    CompletableFuture<Leadership> second = store.campaign(election, "second", grant());
    await().atMost(WAIT).until(() -> leaderKeys(election) == 2);

    suspendKeepAlive(store, firstLease);

    assertThat(first.lost()).succeedsWithin(leaseTtl().multipliedBy(3).plus(WAIT));
    Leadership won = second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(won.candidate()).isEqualTo("second");
    assertThat(won.fencingToken()).isGreaterThan(first.fencingToken());
  }

  @Test
  void aLeadersFencedWritesApplyWhileItLeads() throws Exception {
    Leadership leader = done(store.campaign(election(), "leader", grant()));

    assertThat(done(leader.put(ns + "decision", bytes("scale to 3")))).isTrue();
    assertThat(done(store.get(ns + "decision")).orElseThrow().value())
        .isEqualTo(bytes("scale to 3"));
    assertThat(done(leader.delete(ns + "decision"))).isTrue();
    assertThat(done(store.get(ns + "decision"))).isEmpty();
    assertThat(done(leader.delete(ns + "never-written")))
        .as("a delete of an absent key still says the leadership stands")
        .isTrue();
  }

  @Test
  void aDeposedLeadersFencedWritesAreRefusedByTheStore() throws Exception {
    String election = election();
    Lease firstLease = grantShort();
    Leadership first = done(store.campaign(election, "first", firstLease));
    done(first.put(ns + "pool", bytes("first's")));
    CompletableFuture<Leadership> second = store.campaign(election, "second", grant());
    await().atMost(WAIT).until(() -> leaderKeys(election) == 2);
    suspendKeepAlive(store, firstLease);
    Leadership successor = second.get(leaseTtl().multipliedBy(3).plus(WAIT).toMillis(), MILLIS);
    done(successor.put(ns + "pool", bytes("second's")));

    // The deposed leader acts late, as one paused past its lease would on waking up.
    assertThat(done(first.put(ns + "pool", bytes("stale")))).isFalse();
    assertThat(done(first.put(ns + "other", bytes("stale")))).isFalse();
    assertThat(done(first.delete(ns + "pool"))).isFalse();

    assertThat(done(store.get(ns + "pool")).orElseThrow().value()).isEqualTo(bytes("second's"));
    assertThat(done(store.get(ns + "other"))).isEmpty();
  }

  @Test
  void aResignedLeadersFencedWritesAreRefused() throws Exception {
    Leadership leader = done(store.campaign(election(), "leader", grant()));
    done(leader.resign());

    assertThat(done(leader.put(ns + "k", bytes("late")))).isFalse();
    assertThat(done(store.get(ns + "k"))).isEmpty();
  }

  @Test
  void leaderReportsTheCurrentLeaderAndItsFencingToken() throws Exception {
    String election = election();
    assertThat(done(store.leader(election))).isEmpty();

    Leadership leadership = done(store.campaign(election, "node-1", grant()));

    assertThat(done(store.leader(election)))
        .contains(new LeaderInfo("node-1", leadership.fencingToken()));
    done(leadership.resign());
    assertThat(done(store.leader(election))).isEmpty();
  }

  @Test
  void anOversizedValueIsRejectedNamingTheKeyAndItsSize() {
    byte[] tooBig = new byte[ClusterStore.MAX_VALUE_BYTES + 1];

    assertThatThrownBy(() -> store.put(ns + "big", tooBig, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ns + "big")
        .hasMessageContaining(Integer.toString(ClusterStore.MAX_VALUE_BYTES + 1));
    assertThatThrownBy(() -> store.compareAndSet(ns + "big", 0, tooBig, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ns + "big");
  }

  @Test
  void aValueOfExactlyTheLimitIsAccepted() throws Exception {
    byte[] largest = new byte[ClusterStore.MAX_VALUE_BYTES];

    done(store.put(ns + "largest", largest, 0));

    assertThat(done(store.get(ns + "largest")).orElseThrow().value()).hasSize(largest.length);
  }

  @Test
  void aBlankKeyIsRejected() {
    assertThatThrownBy(() -> store.put(" ", bytes("v"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key must not be blank");
    assertThatThrownBy(() -> store.get(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key must not be blank");
  }

  @Test
  void aWatchFromRevisionZeroSeesOnlyLaterChanges() throws Exception {
    done(store.put(ns + "before", bytes("old"), 0));
    RecordingListener listener = new RecordingListener();

    watch(ns, 0, listener);

    // The watch starts when the store has set it up: write until it has seen a change.
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              done(store.put(ns + "after", bytes("new"), 0));
              return !listener.events().isEmpty();
            });
    assertThat(listener.described())
        .isNotEmpty()
        .allMatch(e -> e.equals("PUT " + ns + "after=new"));
  }

  @Test
  void aClosedWatchHearsNothingMore() throws Exception {
    RecordingListener closed = new RecordingListener();
    RecordingListener open = new RecordingListener();
    long from = done(store.list(ns)).revision() + 1;
    watch(ns, from, open);
    store.watch(ns, from, closed).close();

    done(store.put(ns + "k", bytes("v"), 0));

    await().atMost(WAIT).until(() -> open.events().size() == 1);
    assertThat(closed.events()).isEmpty();
  }

  @Test
  void aListenerThatBlocksDelaysNeitherFuturesNorOtherWatches() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RecordingListener other = new RecordingListener();
    ClusterStore.WatchListener blocking =
        events -> {
          try {
            if (!release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
              throw new IllegalStateException("blocking listener never released");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    long from = done(store.list(ns)).revision() + 1;
    watch(ns, from, blocking);
    watch(ns, from, other);
    try {
      CompletableFuture<Long> first = store.put(ns + "a", bytes("1"), 0);
      CompletableFuture<Long> second = store.put(ns + "b", bytes("2"), 0);

      assertThat(second).succeedsWithin(WAIT);
      assertThat(first).succeedsWithin(WAIT);
      await().atMost(WAIT).until(() -> other.events().size() == 2);
      assertThat(done(store.get(ns + "b"))).isPresent();
    } finally {
      release.countDown();
    }
  }

  @Test
  void futuresAndListenersRunOnTheStoresOwnThreads() throws Exception {
    Thread caller = Thread.currentThread();
    List<String> listenerThreads = new CopyOnWriteArrayList<>();
    watch(ns, done(store.list(ns)).revision() + 1, e -> listenerThreads.add(threadName()));

    // A stage added after the future completed runs on the caller: that is allowed.
    String futureThread =
        done(
            store
                .put(ns + "k", bytes("v"), 0)
                .thenApply(r -> caller == Thread.currentThread() ? "tideflow-test" : threadName()));

    await().atMost(WAIT).until(() -> !listenerThreads.isEmpty());
    assertThat(listenerThreads).allMatch(name -> name.startsWith("tideflow-"));
    assertThat(futureThread).startsWith("tideflow-");
  }

  @Test
  void compareAndSetAndCampaignWithARevokedLeaseFailWithLeaseNotFound() throws Exception {
    Lease lease = grant();
    done(lease.revoke());

    assertThat(store.compareAndSet(ns + "k", 0, bytes("v"), lease.id()))
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(LeaseNotFoundException.class);
    assertThat(store.campaign(election(), "late", lease))
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(LeaseNotFoundException.class);
  }

  @Test
  void revokingALeaseTwiceSucceeds() throws Exception {
    Lease lease = grant();

    done(lease.revoke());

    assertThat(lease.revoke()).succeedsWithin(WAIT);
  }

  @Test
  void closingTheStoreReportsItsLeasesAndLeadershipsLost() throws Exception {
    Lease lease = grant();
    Leadership leadership = done(store.campaign(election(), "closing", lease));

    store.close();

    assertThat(lease.lost()).succeedsWithin(WAIT);
    assertThat(leadership.lost()).succeedsWithin(WAIT);
    assertThat(store.get(ns + "k"))
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(StoreUnavailableException.class);
  }

  private static String threadName() {
    return Thread.currentThread().getName();
  }

  private String election() {
    return "contract-" + UUID.randomUUID();
  }

  /** How many candidates stand: election keys are {@code election/<name>/<leaseId>}. */
  private int leaderKeys(String election) throws Exception {
    return done(store.list("election/" + election + "/")).kvs().size();
  }
}
