package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.retry.Backoff;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.store.ManualClock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerConnectionsTest {
  private static final Duration FIRST = Duration.ofMinutes(1);

  private final ManualClock clock = new ManualClock();
  private final WorkerConnections connections =
      new WorkerConnections(
          ClientConfig.defaults()
              .withClock(clock)
              .withReconnectBackoff(Backoff.exponential(FIRST, FIRST.multipliedBy(8))),
          new ClientClock(clock),
          new WorkerConnection.Listener() {
            @Override
            public void onResult(WorkerConnection c, TaskAttempt a, ResultMessage r) {}

            @Override
            public void onAnswered(WorkerConnection c) {}

            @Override
            public void onReady(WorkerConnection c) {}

            @Override
            public void onBroken(WorkerConnection c, Collection<TaskAttempt> o, Throwable t) {}
          },
          null,
          () -> false,
          new SimpleMeterRegistry(),
          LinkSecurity.plaintext());
  private final ClusterView view =
      ClusterView.of(
          1,
          List.of(
              new NodeInfo(
                  "n",
                  "test",
                  "127.0.0.1:1",
                  Map.of(),
                  Resources.of(1000, 1L << 30),
                  NodeState.READY,
                  LoadReport.NONE)));

  @AfterEach
  void close() {
    connections.close(t -> {});
  }

  @Test
  void aBreakReportedTwiceForOneConnectionIsOneFailureInARow() {
    connections.reconcile(view);
    WorkerConnection c = connections.get("n");
    // The event loop reports the break, and a send that raced it reports the same connection.
    connections.broke(c, view);
    connections.broke(c, view);

    clock.advance(FIRST.plusMillis(1));
    connections.prune(new ClientClock(clock).nanos());

    assertThat(connections.reachable().excluded("n")).as("backed off for delay(1) only").isFalse();
  }

  @Test
  void aSecondConnectionThatBreaksDoublesTheBackoff() {
    connections.reconcile(view);
    connections.broke(connections.get("n"), view);
    clock.advance(FIRST.plusMillis(1));
    connections.prune(new ClientClock(clock).nanos());
    connections.reconcile(view);
    connections.broke(connections.get("n"), view);

    clock.advance(FIRST.plusMillis(1));
    connections.prune(new ClientClock(clock).nanos());

    assertThat(connections.reachable().excluded("n")).as("delay(2) is two minutes").isTrue();
  }
}
