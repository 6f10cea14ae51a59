package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.ListenAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerAddressTest {

  @Test
  void theRegistryRecordsTheAdvertisedHostAndClientsReachTheWorkerThere() throws Exception {
    try (EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins())) {
      WorkerNode worker =
          cluster.startWorker("w1", c -> c.withListen(ListenAddress.of("127.0.0.1", "localhost")));
      assertThat(worker.address()).startsWith("localhost:");
      assertThat(registered(cluster, "w1").address()).isEqualTo(worker.address());

      assertThat(echo(cluster.client(), 7)).isEqualTo((byte) 7);
    }
  }

  @Test
  void aWorkerOnIpv6LoopbackIsRegisteredInBracketsAndServesTasks() throws Exception {
    assumeTrue(
        ipv6LoopbackWorks(),
        "this machine's kernel offers no IPv6 loopback (::1), so an IPv6 listener cannot be tried");
    try (EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins())) {
      WorkerNode worker =
          cluster.startWorker("w6", c -> c.withListen(ListenAddress.of("::1", null)));
      assertThat(worker.address()).matches("\\[::1]:\\d+");
      assertThat(registered(cluster, "w6").address()).isEqualTo(worker.address());

      assertThat(echo(cluster.client(), 6)).isEqualTo((byte) 6);
    }
  }

  private static NodeInfo registered(EmbeddedCluster cluster, String id) {
    return cluster.workers.stream().filter(w -> w.id().equals(id)).findFirst().orElseThrow().info();
  }

  private static byte echo(TideflowClient client, int value) throws Exception {
    byte[] out =
        client
            .submit(TaskSpec.builder("echo").payload(new byte[] {(byte) value}).build())
            .get(20, TimeUnit.SECONDS)
            .output();
    assertThat(out).hasSize(1);
    return out[0];
  }

  private static boolean ipv6LoopbackWorks() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
