package io.tideflow.runtime.provider;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Lease;
import io.tideflow.store.LeaseNotFoundException;
import io.tideflow.store.memory.MemoryClusterStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeferredRegistrationStoreTest {
  private final MemoryClusterStore cluster = new MemoryClusterStore();
  private final DeferredRegistrationStore held = new DeferredRegistrationStore(cluster);

  @AfterEach
  void close() {
    cluster.close();
  }

  private Optional<String> read(String key) throws Exception {
    return cluster.get(key).get(5, TimeUnit.SECONDS).map(kv -> new String(kv.value(), UTF_8));
  }

  @Test
  void writesUnderTheHeldLeaseReachTheClusterOnlyOnActivationAndThenTheLatestValue()
      throws Exception {
    Lease lease = held.grantLease(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    held.put("/n/a", "joining".getBytes(UTF_8), lease.id()).get(5, TimeUnit.SECONDS);
    held.put("/n/a", "ready".getBytes(UTF_8), lease.id()).get(5, TimeUnit.SECONDS);
    assertThat(read("/n/a")).isEmpty();

    held.activate().get(5, TimeUnit.SECONDS);

    assertThat(read("/n/a")).contains("ready");
    held.put("/n/a", "draining".getBytes(UTF_8), lease.id()).get(5, TimeUnit.SECONDS);
    assertThat(read("/n/a")).contains("draining");
  }

  @Test
  void revokingTheHeldLeaseAfterActivationDeletesItsKeysFromTheCluster() throws Exception {
    Lease lease = held.grantLease(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    held.put("/n/a", "ready".getBytes(UTF_8), lease.id()).get(5, TimeUnit.SECONDS);
    held.activate().get(5, TimeUnit.SECONDS);

    lease.revoke().get(5, TimeUnit.SECONDS);

    assertThat(read("/n/a")).isEmpty();
    assertThat(lease.lost()).isNotDone();
  }

  @Test
  void aStandbyRevokedBeforeActivationNeverReachesTheCluster() throws Exception {
    Lease lease = held.grantLease(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    held.put("/n/a", "ready".getBytes(UTF_8), lease.id()).get(5, TimeUnit.SECONDS);

    lease.revoke().get(5, TimeUnit.SECONDS);

    assertThat(held.activate()).isCompletedExceptionally();
    assertThat(read("/n/a")).isEmpty();
  }

  @Test
  void aFailedActivationEndsTheHeldLeaseSoTheWorkerStops() throws Exception {
    Lease lease = held.grantLease(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    held.put("/n/a", "ready".getBytes(UTF_8), lease.id()).get(5, TimeUnit.SECONDS);
    cluster.close();

    assertThat(held.activate()).failsWithin(Duration.ofSeconds(5));
    assertThat(lease.lost()).succeedsWithin(Duration.ofSeconds(5));
  }

  @Test
  void otherLeasesAndWritesPassThrough() throws Exception {
    held.grantLease(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    Lease second = held.grantLease(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);

    held.put("/other", "x".getBytes(UTF_8), second.id()).get(5, TimeUnit.SECONDS);

    assertThat(second.id()).isNotEqualTo(DeferredRegistrationStore.HELD_LEASE_ID);
    Optional<KeyValue> kv = cluster.get("/other").get(5, TimeUnit.SECONDS);
    assertThat(kv).isPresent();
  }

  /** The cluster store, recording the leases granted through it. */
  private ClusterStore recordingGrants(List<CompletableFuture<Lease>> grants) {
    return (ClusterStore)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {ClusterStore.class},
            (proxy, method, args) -> {
              Object result;
              try {
                result = method.invoke(cluster, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              if (method.getName().equals("grantLease")) {
                @SuppressWarnings("unchecked")
                CompletableFuture<Lease> grant = (CompletableFuture<Lease>) result;
                grants.add(grant);
              }
              return result;
            });
  }

  @Test
  void preparedActivationIsOneWriteUnderTheLeaseGrantedAhead() throws Exception {
    List<CompletableFuture<Lease>> grants = new CopyOnWriteArrayList<>();
    DeferredRegistrationStore prepared = new DeferredRegistrationStore(recordingGrants(grants));
    Lease lease = prepared.grantLease(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    prepared.put("/n/a", "ready".getBytes(UTF_8), lease.id()).get(5, TimeUnit.SECONDS);

    prepared.prepare().get(5, TimeUnit.SECONDS);
    assertThat(grants).hasSize(1);
    long early = grants.getFirst().get().id();
    assertThat(read("/n/a")).isEmpty();
    assertThat(
            cluster.list(DeferredRegistrationStore.WARM_UP_PREFIX).get(5, TimeUnit.SECONDS).kvs())
        .as("the scratch write is gone")
        .isEmpty();

    prepared.activate().get(5, TimeUnit.SECONDS);
    assertThat(grants).as("no second grant").hasSize(1);
    KeyValue kv = cluster.get("/n/a").get(5, TimeUnit.SECONDS).orElseThrow();
    assertThat(kv.leaseId()).isEqualTo(early);
  }

  @Test
  void aPreparedStandbyRevokedBeforeActivationEndsTheLeaseGrantedAhead() throws Exception {
    List<CompletableFuture<Lease>> grants = new CopyOnWriteArrayList<>();
    DeferredRegistrationStore prepared = new DeferredRegistrationStore(recordingGrants(grants));
    Lease lease = prepared.grantLease(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    prepared.prepare().get(5, TimeUnit.SECONDS);
    long early = grants.getFirst().get().id();

    lease.revoke().get(5, TimeUnit.SECONDS);

    assertThat(cluster.put("/x", new byte[0], early))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(LeaseNotFoundException.class);
  }
}
