package io.tideflow.runtime.flow;

import static io.tideflow.runtime.flow.TestFlows.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.Routing;
import io.tideflow.runtime.flow.proto.ChannelGrant;
import io.tideflow.runtime.flow.proto.FlowReply;
import io.tideflow.runtime.transport.WireLimits;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Flows whose instances sit on several nodes, each node with its own gRPC server on loopback. */
class FlowNodeTest {
  private final Map<String, Server> servers = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, FlowNode> nodes = new ConcurrentHashMap<>();

  /** A sink that records every number it takes, with the node it ran on. */
  static final class Collect implements FlowProcess {
    private final Queue<Long> seen;

    Collect(Queue<Long> seen) {
      this.seen = seen;
    }

    @Override
    public void onMessage(String port, Message message) {
      seen.add(ByteBuffer.wrap(message.payload()).getLong());
    }
  }

  private FlowNode node(String id, FlowProcesses processes) throws Exception {
    return node(id, processes, List.of());
  }

  private FlowNode node(String id, FlowProcesses processes, List<ServerInterceptor> interceptors)
      throws Exception {
    FlowNode node =
        new FlowNode(
            id,
            processes,
            target -> {
              Server s = servers.get(target);
              if (s == null) {
                throw new IllegalStateException("no node " + target);
              }
              return channels.computeIfAbsent(
                  target,
                  t ->
                      NettyChannelBuilder.forAddress("127.0.0.1", s.getPort())
                          .usePlaintext()
                          .directExecutor()
                          .maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES)
                          .build());
            });
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES)
            .addService(ServerInterceptors.intercept(node.service(), interceptors))
            .build()
            .start();
    servers.put(id, server);
    nodes.put(id, node);
    return node;
  }

  /** What a node's death looks like to the others: its server and its instances are gone. */
  private void kill(String id) throws Exception {
    servers.remove(id).shutdownNow();
    ManagedChannel c = channels.remove(id);
    if (c != null) {
      c.shutdownNow();
    }
    nodes.remove(id).close();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (FlowNode n : nodes.values()) {
      n.close();
    }
    servers.values().forEach(Server::shutdownNow);
    channels.values().forEach(ManagedChannel::shutdownNow);
  }

  @Test
  void accountsForEveryOneOfAThousandMessagesAcrossTwoNodes() throws Exception {
    Queue<Long> seen = new ConcurrentLinkedQueue<>();
    FlowProcesses processes = FlowProcesses.builtins().with("collect", () -> new Collect(seen));
    FlowNode a = node("a", processes);
    FlowNode b = node("b", processes);
    Flow flow =
        Flow.builder("thousand")
            .process(
                process(
                    "source", "sequence", 2, List.of(), List.of("out"), Map.of("count", "1000")))
            .process(process("map", "pass", 2, List.of("in"), List.of("out"), Map.of()))
            .process(process("sink", "collect", 2, List.of("in"), List.of(), Map.of()))
            .connect("source.out", "map.in", Routing.ROUND_ROBIN, 16)
            .connect("map.out", "sink.in", Routing.KEYED, 16)
            .build();
    Map<String, String> placement =
        Map.of(
            "source#0",
            "a",
            "source#1",
            "b",
            "map#0",
            "b",
            "map#1",
            "a",
            "sink#0",
            "a",
            "sink#1",
            "b");

    FlowExecution onA = a.start(flow, placement);
    FlowExecution onB = b.start(flow, placement);
    onA.completion().get(30, TimeUnit.SECONDS);
    onB.completion().get(30, TimeUnit.SECONDS);

    assertThat(seen).hasSize(1000);
    assertThat(new HashSet<>(seen)).hasSize(1000);
    assertThat(seen.stream().mapToLong(Long::longValue).max().getAsLong()).isEqualTo(999);
    assertThat(onA.duplicatesDropped() + onB.duplicatesDropped()).isZero();
    assertThat(onA.stats())
        .extracting(InstanceStats::instance)
        .containsExactly("source#0", "map#1", "sink#0");
    assertThat(a.strayBatches() + b.strayBatches()).isZero();
  }

  @Test
  void replaysWhatTheDeadReceiverHadNotAcknowledgedToItsNewNode() throws Exception {
    int total = 20_000;
    Queue<Long> onB = new ConcurrentLinkedQueue<>();
    Queue<Long> onC = new ConcurrentLinkedQueue<>();
    FlowNode a = node("a", FlowProcesses.builtins());
    FlowNode b = node("b", FlowProcesses.builtins().with("collect", () -> new Collect(onB)));
    Flow flow = TestFlows.sourceWorkSink("replay", total, 1, Routing.FORWARD);
    Map<String, String> before = Map.of("source#0", "a", "work#0", "a", "sink#0", "b");
    FlowExecution onA = a.start(flow, before);
    b.start(flow, before);
    await().atMost(Duration.ofSeconds(20)).until(() -> onB.size() > total / 4);

    kill("b");
    int takenByB = onB.size();
    FlowNode c = node("c", FlowProcesses.builtins().with("collect", () -> new Collect(onC)));
    Map<String, String> after = Map.of("source#0", "a", "work#0", "a", "sink#0", "c");
    FlowExecution onNew = c.start(flow, after);
    a.moved(flow, "sink#0", "c");

    onA.completion().get(60, TimeUnit.SECONDS);
    onNew.completion().get(60, TimeUnit.SECONDS);
    Set<Long> delivered = new HashSet<>(onB);
    delivered.addAll(onC);
    assertThat(delivered).hasSize(total);
    assertThat(takenByB).isLessThan(total);
    // What B took but had not acknowledged when it died comes again: at most its channel's worth.
    long again = onC.stream().filter(new HashSet<>(onB)::contains).count();
    assertThat(again).isLessThanOrEqualTo(2 * 64);
    assertThat(new HashSet<>(onC)).hasSize(onC.size());
    // Nothing of the dead node stays behind: its broken stream is forgotten, and closing a node
    // ends its pumps.
    await().atMost(Duration.ofSeconds(10)).until(() -> !a.streamTargets().contains("b"));
    assertThat(a.streamTargets()).containsExactly("c");
    assertThat(c.streamSources()).containsExactly("a");
    a.close();
    c.close();
    assertThat(a.pumpsRunning()).isFalse();
    assertThat(c.pumpsRunning()).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> c.streamSources().isEmpty());
  }

  /**
   * Cuts the first stream that is about to acknowledge a channel's end, before the acknowledgement
   * leaves: the receiver has the end, the sender does not know it.
   */
  private static final class CutBeforeEndAck implements ServerInterceptor {
    final AtomicInteger cuts = new AtomicInteger();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      AtomicBoolean cut = new AtomicBoolean();
      return next.startCall(
          new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
              if (cut.get()) {
                return; // the link is gone: what the receiver still writes goes nowhere
              }
              if (message instanceof FlowReply reply
                  && reply.getGrantsList().stream().anyMatch(ChannelGrant::getEnded)
                  && cuts.compareAndSet(0, 1)) {
                cut.set(true);
                close(
                    Status.UNAVAILABLE.withDescription("cut before the end's ack"), new Metadata());
                return;
              }
              super.sendMessage(message);
            }
          },
          headers);
    }
  }

  @Test
  void aStreamCutBetweenAChannelsEndAndItsAcknowledgementStillCompletesTheFlow() throws Exception {
    Queue<Long> seen = new ConcurrentLinkedQueue<>();
    CutBeforeEndAck cutter = new CutBeforeEndAck();
    FlowNode a = node("a", FlowProcesses.builtins());
    FlowNode b =
        node(
            "b",
            FlowProcesses.builtins().with("collect", () -> new Collect(seen)),
            List.of(cutter));
    Flow flow =
        Flow.builder("cut-end")
            .process(TestFlows.source(Map.of("count", "500")))
            .process(process("sink", "collect", 1, List.of("in"), List.of(), Map.of()))
            .connect("source.out", "sink.in", Routing.FORWARD, 16)
            .build();
    Map<String, String> placement = Map.of("source#0", "a", "sink#0", "b");

    FlowExecution onA = a.start(flow, placement);
    FlowExecution onB = b.start(flow, placement);
    onB.completion().get(30, TimeUnit.SECONDS);
    // The sender finishes only once the end is acknowledged: over the next stream.
    onA.completion().get(30, TimeUnit.SECONDS);

    assertThat(cutter.cuts.get()).as("the end's first acknowledgement was cut").isEqualTo(1);
    assertThat(seen).hasSize(500);
    assertThat(new HashSet<>(seen)).hasSize(500);
    assertThat(a.strayBatches() + b.strayBatches()).isZero();
  }

  @Test
  void aBlockedReceiverOnAnotherNodeHoldsTheSenderWithinTheBound() throws Exception {
    java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(0);
    FlowProcesses gate =
        FlowProcesses.builtins()
            .with(
                "gate",
                () ->
                    new FlowProcess() {
                      @Override
                      public void onMessage(String port, Message message) throws Exception {
                        permits.acquire();
                      }
                    });
    FlowNode a = node("a", gate);
    FlowNode b = node("b", gate);
    Flow flow =
        Flow.builder("held")
            .process(TestFlows.source(Map.of("count", "0")))
            .process(process("sink", "gate", 1, List.of("in"), List.of(), Map.of()))
            .connect("source.out", "sink.in", Routing.FORWARD, 16)
            .build();
    Map<String, String> placement = Map.of("source#0", "a", "sink#0", "b");
    FlowExecution onA = a.start(flow, placement);
    FlowExecution onB = b.start(flow, placement);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> onA.stats().get(0).backpressuredNanos() > 200_000_000L);
    // 16 on the sender's node waiting for the pump, 64 kept for replay, 16 in the receiver's
    // channel: nothing more is in flight however long the receiver is stuck.
    assertThat(onA.stats().get(0).emitted())
        .isLessThanOrEqualTo(16 + 16 * RemoteOut.REPLAY_FACTOR + 16);
    assertThat(onB.stats().get(0).queued()).isLessThanOrEqualTo(16);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    a.bindMetrics(registry);
    b.bindMetrics(registry);
    assertThat(registry.get("tideflow.flow.instances").tag("node", "a").gauge().value())
        .isEqualTo(1);
    assertThat(
            registry
                .get("tideflow.flow.streams")
                .tag("node", "a")
                .tag("direction", "out")
                .gauge()
                .value())
        .isEqualTo(1);
    assertThat(
            registry
                .get("tideflow.flow.streams")
                .tag("node", "b")
                .tag("direction", "in")
                .gauge()
                .value())
        .isEqualTo(1);
    // What the stuck receiver has not made safe stays with the sender, within the replay ring.
    assertThat(registry.get("tideflow.flow.unacked").tag("node", "a").gauge().value())
        .isBetween(1.0, 16.0 * RemoteOut.REPLAY_FACTOR);
    permits.release(10_000);
    // The receiver counts what it took once per batch (at most 16 here), and it blocks inside
    // the batch that holds the 10,001st message.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> onB.stats().get(0).received() >= 10_000 - 16);
    assertThat(onA.stats().get(0).emitted())
        .isLessThanOrEqualTo(10_000 + 16 + 16 * RemoteOut.REPLAY_FACTOR + 16 + 1);
  }

  /** 300 messages of 64 KiB from an unpaced source into a sink taking 2 ms a message. */
  private static Flow heavy(String name, long maxBytes) {
    return Flow.builder(name)
        .process(TestFlows.source(Map.of("count", "300", "size", "65536")))
        .process(process("sink", "spin", 1, List.of("in"), List.of(), Map.of("nanos", "2000000")))
        .connect(
            new io.tideflow.core.flow.Connection(
                "source", "out", "sink", "in", Routing.FORWARD, 64, 128, maxBytes))
        .build();
  }

  @Test
  void aSlowConsumerHoldsTheBytesAChannelHoldsUnderItsBound() throws Exception {
    long bound = 512 << 10;
    // In one node: 64 messages of 64 KiB would be 4 MiB; the bound holds it to 512 KiB.
    try (FlowExecution local =
        FlowExecution.start(heavy("heavy-local", bound), FlowProcesses.builtins())) {
      local.completion().get(30, TimeUnit.SECONDS);
      assertThat(local.peakChannelBytes()).isPositive().isLessThanOrEqualTo(bound);
      assertThat(local.stats().get(1).received()).isEqualTo(300);
    }
    // Across nodes the bound covers what waits on the sender and what it keeps for replay.
    FlowNode a = node("a", FlowProcesses.builtins());
    FlowNode b = node("b", FlowProcesses.builtins());
    Flow flow = heavy("heavy-remote", bound);
    Map<String, String> placement = Map.of("source#0", "a", "sink#0", "b");
    FlowExecution onA = a.start(flow, placement);
    FlowExecution onB = b.start(flow, placement);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> onA.stats().get(0).backpressuredNanos() > 100_000_000L);
    assertThat(onA.heldBytes()).isLessThanOrEqualTo(bound);
    onB.completion().get(30, TimeUnit.SECONDS);
    onA.completion().get(30, TimeUnit.SECONDS);
    assertThat(onA.peakChannelBytes()).isGreaterThan(bound / 4).isLessThanOrEqualTo(bound);
    assertThat(onB.stats().get(0).received()).isEqualTo(300);
    assertThat(onA.heldBytes()).isZero();
  }

  @Test
  void losesNothingWhenTheNodeOfAMiddleStageDies() throws Exception {
    int total = 20_000;
    Queue<Long> seen = new ConcurrentLinkedQueue<>();
    FlowProcesses processes = FlowProcesses.builtins().with("collect", () -> new Collect(seen));
    FlowNode a = node("a", processes);
    FlowNode b = node("b", processes);
    FlowNode c = node("c", processes);
    Flow flow = TestFlows.sourceWorkSink("middle", total, 1, Routing.FORWARD);
    Map<String, String> before = Map.of("source#0", "a", "work#0", "b", "sink#0", "c");
    FlowExecution onA = a.start(flow, before);
    b.start(flow, before);
    FlowExecution onC = c.start(flow, before);
    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() > total / 4);

    kill("b");
    FlowNode d = node("d", processes);
    Map<String, String> after = Map.of("source#0", "a", "work#0", "d", "sink#0", "c");
    FlowExecution onD = d.start(flow, after);
    a.moved(flow, "work#0", "d");
    c.moved(flow, "work#0", "d");

    onA.completion().get(60, TimeUnit.SECONDS);
    onD.completion().get(60, TimeUnit.SECONDS);
    onC.completion().get(60, TimeUnit.SECONDS);
    Set<Long> delivered = new HashSet<>(seen);
    assertThat(delivered).hasSize(total);
    // What B had taken but the sink had not made safe is processed again on D: the sink sees
    // those twice, never more than what was in flight behind B.
    int again = seen.size() - delivered.size();
    assertThat(again).isLessThanOrEqualTo(64 * RemoteOut.REPLAY_FACTOR + 2 * 64);
  }

  @Test
  void aConsumerTenTimesSlowerHoldsTheProducerWithinTheBoundThroughout() throws Exception {
    FlowNode a = node("a", FlowProcesses.builtins());
    FlowNode b = node("b", FlowProcesses.builtins());
    int capacity = 64;
    Flow flow =
        Flow.builder("slow-consumer")
            .process(TestFlows.source(Map.of("count", "0")))
            .process(process("sink", "spin", 1, List.of("in"), List.of(), Map.of("nanos", "2000")))
            .connect("source.out", "sink.in", Routing.FORWARD, capacity)
            .build();
    Map<String, String> placement = Map.of("source#0", "a", "sink#0", "b");
    FlowExecution onA = a.start(flow, placement);
    FlowExecution onB = b.start(flow, placement);
    // In flight at most: the sender's channel, its replay ring, the receiver's channel, and the
    // batch the receiver has in hand.
    long bound = capacity + (long) capacity * RemoteOut.REPLAY_FACTOR + capacity + capacity;
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> onA.stats().get(0).emitted() - onB.stats().get(0).received() <= bound);
    InstanceStats source = onA.stats().get(0);
    assertThat(source.backpressuredNanos()).isGreaterThan(source.busyNanos());
    assertThat(onB.stats().get(0).received()).isGreaterThan(100_000);
  }

  @Test
  void largePayloadsAreSentInFramesUnderTheReceiversLimit() throws Exception {
    // 64 messages of 100 kB would make a 6.4 MB frame, over the 4 MiB a node accepts.
    Queue<Long> seen = new ConcurrentLinkedQueue<>();
    FlowProcesses processes = FlowProcesses.builtins().with("collect", () -> new Collect(seen));
    FlowNode a = node("a", processes);
    FlowNode b = node("b", processes);
    Flow flow =
        TestFlows.sourceSink("large", Map.of("count", "300", "size", "100000"), "collect", 64);
    Map<String, String> placement = Map.of("source#0", "a", "sink#0", "b");
    FlowExecution onA = a.start(flow, placement);
    FlowExecution onB = b.start(flow, placement);
    onA.completion().get(30, TimeUnit.SECONDS);
    onB.completion().get(30, TimeUnit.SECONDS);
    assertThat(new HashSet<>(seen)).hasSize(300);
  }

  /** The receive windows of the channels {@code node} takes from others. */
  private static List<Integer> windows(FlowNode node) {
    return node.inboundChannels().stream().map(InboundChannel::window).toList();
  }

  @Test
  void theReceiveWindowWidensWhileTheReceiverKeepsUpAndNotWhileItFallsBehind() throws Exception {
    FlowProcesses processes = FlowProcesses.builtins();
    FlowNode a = node("a", processes);
    FlowNode b = node("b", processes);
    int capacity = 64;
    // A fast sink: the credits' round trip, not the sink, bounds the rate; the window grows.
    Flow fast =
        Flow.builder("fast")
            .process(TestFlows.source(Map.of("count", "0")))
            .process(process("sink", "discard", 1, List.of("in"), List.of(), Map.of()))
            .connect("source.out", "sink.in", Routing.FORWARD, capacity)
            .build();
    Map<String, String> placement = Map.of("source#0", "a", "sink#0", "b");
    FlowExecution onA = a.start(fast, placement);
    FlowExecution onB = b.start(fast, placement);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> windows(b).stream().anyMatch(w -> w > capacity));
    assertThat(windows(b))
        .allSatisfy(
            w -> assertThat(w).isLessThanOrEqualTo(InboundChannel.WINDOW_FACTOR * capacity));
    onA.close();
    onB.close();

    // A sink far slower than the source (2 ms a message, even on a busy machine where the source
    // gets little cpu): the receiver holds its channel full, the window stays.
    Flow slow =
        Flow.builder("slow")
            .process(TestFlows.source(Map.of("count", "0")))
            .process(
                process("sink", "spin", 1, List.of("in"), List.of(), Map.of("nanos", "2000000")))
            .connect("source.out", "sink.in", Routing.FORWARD, capacity)
            .build();
    FlowExecution slowOnA = a.start(slow, placement);
    FlowExecution slowOnB = b.start(slow, placement);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> slowOnB.stats().get(0).received() > 20L * capacity);
    assertThat(
            b.inboundChannels().stream()
                .filter(c -> c.key.flow().equals("slow"))
                .map(InboundChannel::window))
        .isNotEmpty()
        .allSatisfy(w -> assertThat(w).isEqualTo(capacity));
    slowOnA.close();
    slowOnB.close();
  }
}
