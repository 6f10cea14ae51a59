package io.tideflow.runtime.membership;

import io.etcd.jetcd.Client;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.etcd.EtcdClusterStore;
import io.tideflow.store.etcd.EtcdProcess;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdClusterWatcherRecoveryTest extends ClusterWatcherRecoveryContract {
  private static EtcdProcess etcd;
  private static EtcdClusterStore store;
  private static Client admin;

  @BeforeAll
  static void startEtcd() {
    etcd = EtcdProcess.start();
    store = EtcdClusterStore.connect(List.of(etcd.endpoint()));
    admin = Client.builder().endpoints(etcd.endpoint()).build();
  }

  @AfterAll
  static void stopEtcd() {
    try (EtcdProcess e = etcd;
        EtcdClusterStore s = store) {
      if (admin != null) {
        admin.close();
      }
    }
  }

  /** The store outlives each test: start each from an empty registry. */
  @BeforeEach
  void clearRegistry() throws Exception {
    for (KeyValue kv : store.list(ClusterKeys.NODES).get(10, TimeUnit.SECONDS).kvs()) {
      store.delete(kv.key()).get(10, TimeUnit.SECONDS);
    }
  }

  @Override
  ClusterStore store() {
    return store;
  }

  @Override
  void compact() throws Exception {
    long revision = store.put("/unrelated/compact", new byte[] {1}, 0).get(10, TimeUnit.SECONDS);
    admin.getKVClient().compact(revision).get(10, TimeUnit.SECONDS);
  }
}
