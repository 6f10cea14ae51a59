package io.tideflow.store.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.memory.MemoryClusterStore;
import org.junit.jupiter.api.Test;

class ClusterStoresTest {

  @Test
  void memoryAndMemUrisOpenANewEmbeddedStore() {
    try (ClusterStore memory = ClusterStores.open("memory:");
        ClusterStore mem = ClusterStores.open("mem:")) {
      assertThat(memory).isInstanceOf(MemoryClusterStore.class);
      assertThat(mem).isInstanceOf(MemoryClusterStore.class).isNotSameAs(memory);
    }
  }

  @Test
  void anUnknownSchemeIsRejectedNamingTheUriAndTheAcceptedForms() {
    assertThatThrownBy(() -> ClusterStores.open("zookeeper://localhost:2181"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown store URI 'zookeeper://localhost:2181': expected memory:, etcd://HOST:PORT or etcds://HOST:PORT");
  }

  @Test
  void anEtcdUriWithoutAPortIsRejected() {
    assertThatThrownBy(() -> ClusterStores.open("etcd://localhost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'etcd://localhost'");
  }

  @Test
  void anEtcdUriListsEveryEndpoint() {
    assertThat(ClusterStores.endpoints("u", "10.0.0.1:2379, 10.0.0.2:2379"))
        .containsExactly("http://10.0.0.1:2379", "http://10.0.0.2:2379");
  }
}
