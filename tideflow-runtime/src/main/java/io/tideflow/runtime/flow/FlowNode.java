package io.tideflow.runtime.flow;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.flow.Flow;
import io.tideflow.runtime.flow.proto.ChannelBatch;
import io.tideflow.runtime.flow.proto.ChannelGrant;
import io.tideflow.runtime.flow.proto.FlowFrame;
import io.tideflow.runtime.flow.proto.FlowReply;
import io.tideflow.runtime.flow.proto.FlowServiceGrpc;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The flow runtime of one node: runs the instances a placement gives this node ({@link
 * FlowExecution}), sends what they write to instances elsewhere ({@link SendPump}) and takes in
 * what other nodes send to its instances ({@link #service()}, {@link GrantPump}). Between two nodes
 * there is one stream for each direction, carrying every channel of every flow between them.
 *
 * <p>Thread-safe.
 */
public final class FlowNode implements AutoCloseable {
  private static final Logger LOG = System.getLogger(FlowNode.class.getName());

  /** How many dropped channels' last grants are kept to answer a sender that missed one. */
  static final int DROPPED_KEPT = 4096;

  /** Messages a frame to another node carries at most. */
  public static final int MAX_BATCH = SendPump.BATCH_MESSAGES;

  private final String nodeId;
  private final FlowProcesses processes;
  private final SendPump sendPump;
  private final GrantPump grantPump;
  private final Map<ChannelKey, InboundChannel> inbound = new ConcurrentHashMap<>();
  private final Map<String, InStream> streams = new ConcurrentHashMap<>();
  private final Set<String> gaugedPeers = ConcurrentHashMap.newKeySet();
  private volatile MeterRegistry registry;
  // The last grants of the channels dropped most recently, at most DROPPED_KEPT.
  private final Map<ChannelKey, ChannelGrant> dropped =
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ChannelKey, ChannelGrant> eldest) {
          return size() > DROPPED_KEPT;
        }
      };
  // Settled channels whose executions stopped, by key, at most DROPPED_KEPT: a channel started
  // again with the key on the same stream goes on from where one stands.
  private final Map<ChannelKey, InboundChannel.Handover> handedOver =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(
                Map.Entry<ChannelKey, InboundChannel.Handover> eldest) {
              return size() > DROPPED_KEPT;
            }
          });
  private final List<FlowExecution> executions = new CopyOnWriteArrayList<>();
  private final AtomicLong stray = new AtomicLong();
  private volatile FlowStateStore states = FlowStateStore.inMemory();

  /**
   * @param nodeId this node's id, as placements name it
   * @param channels the gRPC channel to another node by its id; may throw while the node is not
   *     known yet, and is asked again later
   */
  public FlowNode(String nodeId, FlowProcesses processes, Function<String, Channel> channels) {
    this(nodeId, processes, channels, MAX_BATCH);
  }

  /**
   * A node whose frames to other nodes carry at most {@code maxBatch} messages: 1 sends each in a
   * frame of its own, for measuring what batching buys.
   */
  public FlowNode(
      String nodeId, FlowProcesses processes, Function<String, Channel> channels, int maxBatch) {
    this.nodeId = nodeId;
    this.processes = processes;
    this.sendPump =
        new SendPump(
            nodeId,
            target -> {
              peerSeen(target);
              return channels.apply(target);
            },
            () -> grantPump().wake(),
            maxBatch);
    this.grantPump = new GrantPump(this, nodeId);
    sendPump.start();
    grantPump.start();
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Keeps the state of this node's stateful instances in {@code states} from the next execution
   * started on; in memory until then.
   */
  public void states(FlowStateStore states) {
    this.states = java.util.Objects.requireNonNull(states, "states");
  }

  FlowStateStore states() {
    return states;
  }

  /** The service other nodes' flow streams come in on; add it to this node's gRPC server. */
  public BindableService service() {
    return new FlowServiceGrpc.FlowServiceImplBase() {
      @Override
      public StreamObserver<FlowFrame> exchange(StreamObserver<FlowReply> replies) {
        return new InStream(FlowNode.this, replies);
      }
    };
  }

  /**
   * Starts the instances of {@code flow} that {@code placement} puts on this node.
   *
   * @param placement the node of every instance, by {@code process#i}
   * @throws IllegalArgumentException for an instance without a node, or an unknown process type
   */
  public FlowExecution start(Flow flow, Map<String, String> placement) {
    return start(flow, 0, placement, null);
  }

  /**
   * Starts those of {@code only} that {@code placement} puts on this node: how a node takes up
   * instances placed again onto it while others of the flow already run here (the two executions'
   * channels then meet over this node's own stream, as any two nodes' do).
   *
   * @param generation which deployment of the flow: its channels are this deployment's alone, so
   *     that a flow deployed again under its name never takes the old deployment's messages
   * @param only the instances to start, {@code process#i}; null for all placed here
   */
  public FlowExecution start(
      Flow flow, long generation, Map<String, String> placement, java.util.Set<String> only) {
    return start(flow, generation, placement, only, false);
  }

  /**
   * As {@link #start(Flow, long, Map, java.util.Set)}, with the sources held still from the start
   * when {@code paused} (the flow is quiesced for a handover; {@link FlowExecution#pause} lets them
   * go).
   */
  public FlowExecution start(
      Flow flow,
      long generation,
      Map<String, String> placement,
      java.util.Set<String> only,
      boolean paused) {
    FlowExecution execution =
        FlowExecution.start(flow, processes, placement, this, only, generation, paused);
    executions.add(execution);
    execution.completion().whenComplete((ok, failure) -> forget(execution, failure));
    return execution;
  }

  /**
   * {@code instance} ({@code process#i}) of {@code flow} now runs on {@code node}: what this node's
   * instances write for it goes there from now on, everything not acknowledged first; what this
   * node's instances receive from it starts a new epoch of sequence numbers. How a flow follows an
   * instance placed again after its node died.
   */
  public void moved(Flow flow, String instance, String node) {
    moved(flow, 0, instance, node);
  }

  /** As {@link #moved(Flow, String, String)}, for deployment {@code generation} of the flow. */
  public void moved(Flow flow, long generation, String instance, String node) {
    int hash = instance.lastIndexOf('#');
    String process = instance.substring(0, hash);
    int index = Integer.parseInt(instance.substring(hash + 1));
    for (int c = 0; c < flow.connections().size(); c++) {
      if (flow.connections().get(c).to().equals(process)) {
        sendPump.retarget(flow.name(), generation, c, index, node);
      }
      if (flow.connections().get(c).from().equals(process)) {
        for (InboundChannel in : inbound.values()) {
          ChannelKey k = in.key;
          if (k.of(flow.name(), generation) && k.connection() == c && k.sender() == index) {
            InStream stream = streams.get(node);
            in.resetSender(node, stream == null || stream.closed() ? null : stream);
          }
        }
        grantPump.wake();
      }
    }
  }

  /** The flows running here, one execution per start. */
  public List<FlowExecution> executions() {
    return List.copyOf(executions);
  }

  /**
   * Publishes the node's flow gauges: instances running here ({@code tideflow.flow.instances}),
   * messages they took and wrote, streams open to and from other nodes, messages kept for replay
   * and duplicates dropped, all tagged with the node.
   */
  public void bindMetrics(MeterRegistry registry) {
    String id = nodeId;
    this.registry = registry;
    gaugedPeers.forEach(this::gaugePeer);
    Gauge.builder(
            "tideflow.flow.instances",
            this,
            n -> n.stats().stream().filter(InstanceStats::running).count())
        .tag("node", id)
        .description("Flow instances running on this node")
        .register(registry);
    FunctionCounter.builder(
            "tideflow.flow.messages.received",
            this,
            n -> n.stats().stream().mapToLong(InstanceStats::received).sum())
        .tag("node", id)
        .description("Messages this node's flow instances took from their inputs")
        .register(registry);
    FunctionCounter.builder(
            "tideflow.flow.messages.emitted",
            this,
            n -> n.stats().stream().mapToLong(InstanceStats::emitted).sum())
        .tag("node", id)
        .description("Messages this node's flow instances wrote to their outputs")
        .register(registry);
    Gauge.builder("tideflow.flow.streams", sendPump, SendPump::openStreams)
        .tag("node", id)
        .tag("direction", "out")
        .description("Flow streams open from this node to others")
        .register(registry);
    Gauge.builder(
            "tideflow.flow.streams",
            this,
            n -> n.streams.values().stream().filter(s -> !s.closed()).count())
        .tag("node", id)
        .tag("direction", "in")
        .description("Flow streams open from other nodes to this one")
        .register(registry);
    Gauge.builder(
            "tideflow.flow.channel.bytes",
            this,
            n -> n.executions.stream().mapToLong(FlowExecution::heldBytes).sum())
        .tag("node", id)
        .baseUnit("bytes")
        .description(
            "Payload bytes the channels sent from this node hold: waiting, or kept for replay")
        .register(registry);
    Gauge.builder("tideflow.flow.unacked", sendPump, SendPump::unacked)
        .tag("node", id)
        .description("Messages this node keeps for replay until their receivers make them safe")
        .register(registry);
    FunctionCounter.builder(
            "tideflow.flow.duplicates",
            this,
            n -> n.inbound.values().stream().mapToLong(InboundChannel::duplicates).sum())
        .tag("node", id)
        .description("Messages resent to this node that it had taken already, dropped")
        .register(registry);
  }

  /** A node this one streams to or from: its link's gauges, once. */
  private void peerSeen(String peer) {
    if (gaugedPeers.add(peer) && registry != null) {
      gaugePeer(peer);
    }
  }

  /**
   * {@code tideflow.flow.stream.open} by peer and direction: 1 while the stream is up, 0 while it
   * is broken or not open (yet).
   */
  private void gaugePeer(String peer) {
    MeterRegistry r = registry;
    Gauge.builder("tideflow.flow.stream.open", sendPump, p -> p.streamOpen(peer) ? 1 : 0)
        .tag("node", nodeId)
        .tag("peer", peer)
        .tag("direction", "out")
        .description("Whether this node's flow stream to the peer is up")
        .register(r);
    Gauge.builder(
            "tideflow.flow.stream.open",
            this,
            n -> {
              InStream s = n.streams.get(peer);
              return s != null && !s.closed() ? 1 : 0;
            })
        .tag("node", nodeId)
        .tag("peer", peer)
        .tag("direction", "in")
        .description("Whether the peer's flow stream to this node is up")
        .register(r);
  }

  /** Every instance's counters, of every flow here. */
  public List<InstanceStats> stats() {
    List<InstanceStats> all = new ArrayList<>();
    for (FlowExecution e : executions) {
      all.addAll(e.stats());
    }
    return all;
  }

  /** Batches that arrived for no channel here: the flow was not (or no longer) running here. */
  public long strayBatches() {
    return stray.get();
  }

  void register(RemoteOut out) {
    sendPump.add(out);
  }

  void register(InboundChannel channel) {
    InboundChannel.Handover before = handedOver.remove(channel.key);
    inbound.put(channel.key, channel);
    InStream stream = streams.get(channel.senderNode());
    if (stream != null && !stream.closed()) {
      if (before != null && stream == before.stream()) {
        channel.continueOn(before);
      } else {
        channel.attach(stream);
      }
      grantPump.wake();
    }
  }

  /** Attaches {@code channel} to its sender's stream if one is open. */
  void reattach(InboundChannel channel) {
    InStream stream = streams.get(channel.senderNode());
    if (stream != null && !stream.closed()) {
      channel.attach(stream);
    }
  }

  Party sendPump() {
    return sendPump;
  }

  Party grantPump() {
    return grantPump;
  }

  /** A stream from another node said who it is: its channels here move onto it. */
  void opened(InStream stream) {
    peerSeen(stream.sender());
    InStream previous = streams.put(stream.sender(), stream);
    if (previous != null) {
      LOG.log(Level.DEBUG, "flow stream from {0} replaced", stream.sender());
    }
    for (InboundChannel c : inbound.values()) {
      if (c.senderNode().equals(stream.sender())) {
        c.attach(stream);
      }
    }
    grantPump.wake();
  }

  void settle() {
    for (FlowExecution e : executions) {
      e.settle();
    }
  }

  InboundChannel inbound(ChannelKey key) {
    return inbound.get(key);
  }

  List<InboundChannel> inboundChannels() {
    return new ArrayList<>(inbound.values());
  }

  void strayBatch(ChannelBatch batch) {
    stray.incrementAndGet();
  }

  private void forget(FlowExecution execution, Throwable failure) {
    sendPump.remove(execution);
    if (failure != null) {
      // Stopped or failed: nothing it holds is owed to anyone any more. A settled channel's stream
      // is kept for the channel that may be started again with its key (a handover).
      inbound
          .values()
          .removeIf(
              c -> {
                if (c.execution != execution) {
                  return false;
                }
                InboundChannel.Handover h = c.handOver();
                if (h != null) {
                  handedOver.put(c.key, h);
                }
                return true;
              });
      executions.remove(execution);
      return;
    }
    if (inbound.values().stream().noneMatch(c -> c.execution == execution)) {
      executions.remove(execution);
    }
    // A channel goes once the grant pump has acknowledged all of it (see drop).
    inbound
        .values()
        .forEach(
            c -> {
              if (c.execution == execution) {
                c.retired = true;
              }
            });
    grantPump.wake();
  }

  /**
   * The last grant of a channel dropped here, or null: a sender whose stream broke before that
   * grant reached it sends its end again, and is answered with it.
   */
  ChannelGrant finalGrant(ChannelKey key) {
    synchronized (dropped) {
      return dropped.get(key);
    }
  }

  /** Forgets a retired channel the sender has the last acknowledgement of. */
  void drop(InboundChannel channel) {
    ChannelGrant last = channel.finalGrant();
    synchronized (dropped) {
      dropped.put(channel.key, last);
    }
    inbound.remove(channel.key, channel);
    FlowExecution e = channel.execution;
    if (inbound.values().stream().noneMatch(c -> c.execution == e)) {
      executions.remove(e);
    }
  }

  /** A stream from another node ended: forgotten, unless a newer one from that node replaced it. */
  void closed(InStream stream) {
    String sender = stream.sender();
    if (sender != null) {
      streams.remove(sender, stream);
    }
  }

  /** The nodes with a stream to this one now. */
  Set<String> streamSources() {
    return Set.copyOf(streams.keySet());
  }

  /** The nodes this one holds a stream to. */
  Set<String> streamTargets() {
    return sendPump.streamTargets();
  }

  /** Whether either pump's thread still runs. */
  boolean pumpsRunning() {
    return sendPump.running() || grantPump.running();
  }

  /** Stops every flow here and the pumps, waiting for their threads. */
  @Override
  public void close() throws InterruptedException {
    for (FlowExecution e : executions) {
      e.close();
    }
    sendPump.close();
    grantPump.close();
  }
}
