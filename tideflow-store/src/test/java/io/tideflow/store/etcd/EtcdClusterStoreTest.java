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
  void aLeaseIsLostWhenEtcdStopsAnsweringForLongerThanItsTtl() throws Exception {
    Lease lease = done(store.grantLease(leaseTtl()));
    Lease kept = done(store.grantLease(LONG_TTL));

    etcd.pause();
    try {
      assertThat(lease.lost()).succeedsWithin(leaseTtl().plus(WAIT));
    } finally {
      etcd.resume();
    }

    assertThat(kept.lost()).isNotDone();
    done(kept.revoke());
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
  void aLeaseWithoutKeepAlivesIsLostOnlyOnceTheStoresClockPassesItsTtlSinceTheLastRenewal()
      throws Exception {
    ManualClock clock = new ManualClock();
    try (EtcdClusterStore timed =
        EtcdClusterStore.connect(List.of(etcd.endpoint()), TEST_REQUEST_TIMEOUT, clock)) {
      // Long enough that etcd itself does not end it while the test runs.
      Lease lease = done(timed.grantLease(LONG_TTL));
      timed.suspendKeepAlive(lease.id());

      clock.advance(lease.ttl());
      timed.checkLeaseDeadlines();
      assertThat(lease.lost()).as("exactly one TTL of silence is not yet a loss").isNotDone();

      clock.advance(Duration.ofMillis(1));
      timed.checkLeaseDeadlines();
      assertThat(lease.lost()).succeedsWithin(WAIT);
    }
  }

  @Test
  void aKeepAliveRenewsTheLeaseAtTheStoresClockSoItsLossCountsFromThere() throws Exception {
    ManualClock clock = new ManualClock();
    try (EtcdClusterStore timed =
        EtcdClusterStore.connect(List.of(etcd.endpoint()), TEST_REQUEST_TIMEOUT, clock)) {
      EtcdLease lease = (EtcdLease) done(timed.grantLease(Duration.ofSeconds(3)));
      Duration ttl = lease.ttl();
      clock.advance(ttl.minusSeconds(1));
      Instant renewal = clock.instant();
      // jetcd renews about every third of the TTL in real time.
      await().atMost(WAIT).until(() -> lease.renewedAt().equals(renewal));
      timed.suspendKeepAlive(lease.id());

      clock.advance(ttl);
      timed.checkLeaseDeadlines();
      assertThat(lease.lost())
          .as("more than a TTL since the grant, but only a TTL since the renewal")
          .isNotDone();

      clock.advance(Duration.ofMillis(1));
      timed.checkLeaseDeadlines();
      assertThat(lease.lost()).succeedsWithin(WAIT);
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
