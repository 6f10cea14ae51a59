package io.tideflow.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.Watch;
import io.tideflow.store.ClusterStoreContractTest;
import io.tideflow.store.Lease;
import io.tideflow.store.RecordingListener;
import io.tideflow.store.RevisionCompactedException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class MemoryClusterStoreTest extends ClusterStoreContractTest {

  @Override
  protected ClusterStore openStore() {
    return new MemoryClusterStore();
  }

  @Override
  protected void suspendKeepAlive(ClusterStore store, Lease lease) {
    ((MemoryClusterStore) store).suspendKeepAlive(lease.id());
  }

  @Override
  protected Duration leaseTtl() {
    return Duration.ofMillis(300);
  }

  @Test
  void aSuspendedLeaseExpiresExactlyOneTtlLaterOnTheInjectedClock() throws Exception {
    ManualClock clock = new ManualClock();
    try (MemoryClusterStore manual = new MemoryClusterStore(clock, Duration.ofHours(1), 100)) {
      Lease lease = done(manual.grantLease(Duration.ofSeconds(10)));
      done(manual.put("node", bytes("v"), lease.id()));
      manual.suspendKeepAlive(lease.id());

      clock.advance(Duration.ofSeconds(10).minusMillis(1));
      manual.expireDueLeases();
      assertThat(done(manual.get("node"))).isPresent();

      clock.advance(Duration.ofMillis(1));
      manual.expireDueLeases();
      assertThat(done(manual.get("node"))).isEmpty();
      assertThat(lease.lost()).succeedsWithin(WAIT);
    }
  }

  @Test
  void aLeaseKeptAliveNeverExpiresHoweverMuchTimePasses() throws Exception {
    ManualClock clock = new ManualClock();
    try (MemoryClusterStore manual = new MemoryClusterStore(clock, Duration.ofHours(1), 100)) {
      Lease lease = done(manual.grantLease(Duration.ofSeconds(1)));
      done(manual.put("node", bytes("v"), lease.id()));

      clock.advance(Duration.ofDays(1));
      manual.expireDueLeases();

      assertThat(done(manual.get("node"))).isPresent();
      assertThat(lease.lost()).isNotDone();
    }
  }

  @Test
  void expireLeaseEndsTheLeaseAtOnce() throws Exception {
    MemoryClusterStore memory = (MemoryClusterStore) store;
    Lease lease = grant();
    done(store.put(ns + "node", bytes("v"), lease.id()));

    memory.expireLease(lease.id());

    assertThat(lease.lost()).succeedsWithin(WAIT);
    assertThat(done(store.get(ns + "node"))).isEmpty();
  }

  @Test
  void aWatchFromACompactedRevisionFailsSayingSo() throws Exception {
    try (MemoryClusterStore small = new MemoryClusterStore(InstantSource.system(), WAIT, 3)) {
      long first = done(small.put("k", bytes("1"), 0));
      for (int i = 2; i <= 5; i++) {
        done(small.put("k", bytes(Integer.toString(i)), 0));
      }
      RecordingListener compacted = new RecordingListener();
      RecordingListener kept = new RecordingListener();

      Watch old = small.watch("k", first, compacted);
      Watch recent = small.watch("k", first + 2, kept);

      await().atMost(WAIT).until(() -> !compacted.errors().isEmpty());
      await().atMost(WAIT).until(() -> kept.events().size() == 3);
      old.close();
      recent.close();
      assertThat(compacted.errors().get(0))
          .isInstanceOf(RevisionCompactedException.class)
          .hasMessageContaining("compacted");
      assertThat(compacted.events()).isEmpty();
    }
  }

  /** A clock tests move by hand. */
  static final class ManualClock implements InstantSource {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }
  }
}
