package io.tideflow.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStoreContractTest;
import io.tideflow.store.Lease;
import io.tideflow.store.ManualClock;
import io.tideflow.store.RecordingListener;
import io.tideflow.store.RevisionCompactedException;
import io.tideflow.store.StoreUnavailableException;
import io.tideflow.store.connect.ClusterStores;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract against a real etcd process, plus what only a remote store can do: be away. */
class EtcdClusterStoreTest extends ClusterStoreContractTest {
  private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration TEST_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static EtcdProcess etcd;

  @BeforeAll
  static void startEtcd() {
    etcd = EtcdProcess.start();
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @Override
  protected ClusterStore openStore() {
    // Longer than the 5 s default: the shared CI machine may be slow to fsync.
    return EtcdClusterStore.connect(List.of(etcd.endpoint()), TEST_REQUEST_TIMEOUT);
  }

  @Override
  protected void suspendKeepAlive(ClusterStore store, Lease lease) {
    ((EtcdClusterStore) store).suspendKeepAlive(lease.id());
  }

  @Override
  protected Duration leaseTtl() {
    return Duration.ofSeconds(2); // etcd's minimum with default heartbeat and election timeout
  }

  @Test
  void aStoreOnAClosedPortFailsAsUnavailableNamingTheEndpointWithinTheTimeout() throws Exception {
    int closedPort = closedPort();
    try (EtcdClusterStore away =
        EtcdClusterStore.connect(List.of("127.0.0.1:" + closedPort), SHORT_TIMEOUT)) {

      assertThat(away.get("k"))
          .failsWithin(SHORT_TIMEOUT.plus(WAIT))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOf(StoreUnavailableException.class)
          .withMessage("cannot reach etcd at 127.0.0.1:" + closedPort + " within 1s");
      assertThat(away.put("k", bytes("v"), 0))
          .failsWithin(SHORT_TIMEOUT.plus(WAIT))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(StoreUnavailableException.class);
    }
  }

  @Test
  void aFrozenEtcdMakesRequestsFailAsUnavailableAndTheyWorkAgainWhenItResumes() throws Exception {
    try (EtcdClusterStore frozen =
        EtcdClusterStore.connect(List.of(etcd.endpoint()), SHORT_TIMEOUT)) {
      done(frozen.put(ns + "before", bytes("v"), 0));

      etcd.pause();
      try {
        assertThat(frozen.get(ns + "before"))
            .failsWithin(SHORT_TIMEOUT.plus(WAIT))
            .withThrowableOfType(ExecutionException.class)
            .havingCause()
            .isInstanceOf(StoreUnavailableException.class)
            .withMessageContaining("127.0.0.1:" + etcd.clientPort());
      } finally {
        etcd.resume();
      }

      assertThat(frozen.get(ns + "before")).succeedsWithin(WAIT);
    }
  }

  @Test
  void aFrozenEtcdLeavesALeaseUnconfirmedButNeverLostOnALocalGuess() throws Exception {
    Lease lease = done(store.grantLease(leaseTtl()));

    etcd.pause();
    try {
      await().atMost(leaseTtl().plus(WAIT)).until(() -> !lease.confirmed());
      // Twice the TTL without an answer: the old code declared the lease lost and revoked it.
      Duration silence = leaseTtl().multipliedBy(2);
      await().atMost(silence.plus(WAIT)).until(() -> lease.unconfirmedFor().compareTo(silence) > 0);
      assertThat(lease.lost()).as("etcd has said nothing yet").isNotDone();
    } finally {
      etcd.resume();
    }

    // Back: etcd either renews the lease or says it expired it meanwhile, and lost() follows
    // what etcd says, not what we guessed.
    await().atMost(WAIT).until(() -> lease.confirmed() || lease.lost().isDone());
    long remaining = remainingTtlSeconds(lease.id());
    if (lease.lost().isDone()) {
      assertThat(remaining).as("etcd no longer has a lease reported lost").isEqualTo(-1);
    } else {
      assertThat(remaining).as("etcd still has a lease that is confirmed").isPositive();
    }
  }

  @Test
  void aLeaseOutlivesAnEtcdPauseShorterThanItsTtlWithoutAnyLoss() throws Exception {
    Lease lease = done(store.grantLease(LONG_TTL));

    etcd.pause();
    try {
      await().atMost(LONG_TTL).until(() -> ((EtcdClusterStore) store).unansweredKeepAlives() > 0);
    } finally {
      etcd.resume();
    }

    await().atMost(WAIT).until(lease::confirmed);
    assertThat(lease.lost()).isNotDone();
    assertThat(remainingTtlSeconds(lease.id())).isPositive();
    done(lease.revoke());
  }

  private static long remainingTtlSeconds(long leaseId) throws Exception {
    try (Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
      return raw.getLeaseClient()
          .timeToLive(leaseId, io.etcd.jetcd.options.LeaseOption.DEFAULT)
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
          .getTTL();
    }
  }

  @Test
  void aWatchFromACompactedRevisionFailsSayingSo() throws Exception {
    long old = done(store.put(ns + "k", bytes("1"), 0));
    long newer = done(store.put(ns + "k", bytes("2"), 0));
    try (Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
      raw.getKVClient().compact(newer).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    RecordingListener listener = new RecordingListener();

    watch(ns, old, listener);

    await().atMost(WAIT).until(() -> !listener.errors().isEmpty());

    assertThat(listener.errors().get(0))
        .isInstanceOf(RevisionCompactedException.class)
        .hasMessageContaining("revision " + old + " has been compacted");
    assertThat(listener.events()).isEmpty();
  }

  @Test
  void anEtcdUriOpensAWorkingStore() throws Exception {
    try (ClusterStore opened = ClusterStores.open(etcd.uri())) {
      long revision = done(opened.put(ns + "via-uri", bytes("v"), 0));

      assertThat(done(opened.get(ns + "via-uri")).orElseThrow().modRevision()).isEqualTo(revision);
    }
  }

  @Test
  void anEtcdUriWithSeveralEndpointsOpensAnEtcdStore() {
    try (ClusterStore store =
        ClusterStores.open("etcd://127.0.0.1:" + etcd.clientPort() + ",127.0.0.1:1")) {
      assertThat(store).isInstanceOf(EtcdClusterStore.class);
      assertThat(((EtcdClusterStore) store).endpoints())
          .containsExactly(etcd.endpoint(), "http://127.0.0.1:1");
    }
  }

  @Test
  void aMissingEtcdBinaryIsReportedWithTheDebianPackageToInstall() {
    assertThatThrownBy(() -> EtcdProcess.findOnPath("/nonexistent-dir"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("etcd not found on PATH: install the Debian package etcd-server");
  }

  @Test
  void grantedLeasesCarryEtcdsTtlInWholeSeconds() throws Exception {
    Lease lease = done(store.grantLease(Duration.ofMillis(2500)));

    assertThat(lease.ttl()).isEqualTo(Duration.ofSeconds(3));
    done(lease.revoke());
  }

  @Test
  void aLeaseIsConfirmedUntilATtlLessTheDriftMarginAfterTheNewestAnsweredKeepAliveWasSent()
      throws Exception {
    ManualClock clock = new ManualClock();
    try (EtcdClusterStore timed =
        EtcdClusterStore.connect(List.of(etcd.endpoint()), TEST_REQUEST_TIMEOUT, clock)) {
      Instant sent = clock.instant();
      EtcdLease lease = (EtcdLease) done(timed.grantLease(LONG_TTL));
      Duration margin = lease.ttl().dividedBy(EtcdLease.DRIFT_MARGIN_DIVISOR);
      assertThat(lease.validUntil()).isEqualTo(sent.plus(lease.ttl()).minus(margin));

      // Due for renewal at a third of the TTL; the renewal counts from when it was sent.
      clock.advance(lease.ttl().dividedBy(EtcdLease.RENEWALS_PER_TTL));
      Instant renewalSent = clock.instant();
      timed.tickLeases();
      await()
          .atMost(WAIT)
          .until(() -> lease.validUntil().equals(renewalSent.plus(lease.ttl()).minus(margin)));
      timed.suspendKeepAlive(lease.id());

      clock.advance(lease.ttl().minus(margin));
      assertThat(lease.confirmed()).as("exactly at the bound").isTrue();
      clock.advance(Duration.ofMillis(1));
      assertThat(lease.unconfirmedFor()).isEqualTo(Duration.ofMillis(1));

      // Unconfirmed by our clock, alive in etcd (its TTL is long in real time): not lost.
      timed.tickLeases();
      await().atMost(WAIT).until(() -> !probing(lease));
      assertThat(lease.lost()).isNotDone();
      done(lease.revoke());
    }
  }

  @Test
  void aSuspendedLeaseIsReportedLostOnlyAfterEtcdHasEndedIt() throws Exception {
    Lease lease = done(store.grantLease(leaseTtl()));
    ((EtcdClusterStore) store).suspendKeepAlive(lease.id());

    assertThat(lease.lost()).succeedsWithin(leaseTtl().multipliedBy(3).plus(WAIT));

    assertThat(remainingTtlSeconds(lease.id())).isEqualTo(-1);
  }

  private static boolean probing(EtcdLease lease) {
    return lease.asking();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
