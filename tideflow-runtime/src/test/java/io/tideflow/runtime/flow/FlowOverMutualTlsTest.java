package io.tideflow.runtime.flow;

import static io.tideflow.runtime.flow.TestFlows.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.Routing;
import io.tideflow.runtime.security.CallerRoles;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flow streams between nodes under mutual TLS: a node speaks only for itself. */
class FlowOverMutualTlsTest {
  @Test
  void aNodeThatClaimsAnotherNodesChannelsIsRefused(@TempDir Path dir) throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    Queue<Long> seen = new ConcurrentLinkedQueue<>();
    FlowProcesses processes =
        FlowProcesses.builtins().with("collect", () -> new FlowNodeTest.Collect(seen));
    Flow flow =
        Flow.builder("secure")
            .process(
                process("source", "sequence", 1, List.of(), List.of("out"), Map.of("count", "500")))
            .process(process("sink", "collect", 1, List.of("in"), List.of(), Map.of()))
            .connect("source.out", "sink.in", Routing.FORWARD, 32)
            .build();
    Map<String, String> placement = Map.of("source#0", "a", "sink#0", "b");
    try (ClusterTls bTls =
            ClusterTls.load(pki.issue(Identity.Role.NODE, "b"), Duration.ofMinutes(1));
        ClusterTls aTls =
            ClusterTls.load(pki.issue(Identity.Role.NODE, "a"), Duration.ofMinutes(1));
        ClusterTls cTls =
            ClusterTls.load(pki.issue(Identity.Role.NODE, "c"), Duration.ofMinutes(1));
        FlowNode b =
            new FlowNode(
                "b",
                processes,
                id -> {
                  throw new IllegalStateException("b sends nothing");
                })) {
      LinkSecurity bSecurity = LinkSecurity.mutualTls(bTls);
      Server server =
          bSecurity
              .secure(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
              .directExecutor()
              .addService(ServerInterceptors.intercept(b.service(), new CallerRoles()))
              .build()
              .start();
      String address = "127.0.0.1:" + server.getPort();
      FlowExecution onB = b.start(flow, placement);

      // Node c's certificate, calling itself a: refused, nothing arrives.
      ManagedChannel forged = LinkSecurity.mutualTls(cTls).channel("b", address).build();
      try (FlowNode impostor = new FlowNode("a", processes, id -> forged)) {
        impostor.start(flow, placement);
        await()
            .during(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(3))
            .until(() -> seen.isEmpty() && onB.stats().get(0).received() == 0);
      } finally {
        forged.shutdownNow();
      }

      // Node a itself: everything arrives.
      ManagedChannel real = LinkSecurity.mutualTls(aTls).channel("b", address).build();
      try (FlowNode a = new FlowNode("a", processes, id -> real)) {
        a.start(flow, placement).completion().get(30, TimeUnit.SECONDS);
        onB.completion().get(30, TimeUnit.SECONDS);
        assertThat(seen).hasSize(500);
      } finally {
        real.shutdownNow();
        server.shutdownNow();
      }
    }
  }
}
