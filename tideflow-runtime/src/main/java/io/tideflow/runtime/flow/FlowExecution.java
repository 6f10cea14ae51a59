package io.tideflow.runtime.flow;

import io.tideflow.core.flow.Connection;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A flow running on this node: one {@link InstanceRunner} per instance, joined by bounded {@link
 * SpscChannel}s, one per pair of sending and receiving instances of a connection (so that every
 * channel has one writer and one reader, as in Flink's subpartitions and Jet's queues). The flow
 * completes once every instance has ended: sources when they have produced everything, the others
 * when all their inputs have ended. The first instance that fails stops the rest and fails the flow
 * with its name.
 */
public final class FlowExecution implements AutoCloseable {
  private final Flow flow;
  private final long generation;
  private final List<InstanceRunner> runners = new ArrayList<>();
  private final CompletableFuture<Void> completion = new CompletableFuture<>();
  private final List<RemoteOut> remoteOuts = new ArrayList<>();
  private final List<InboundChannel> inbound = new ArrayList<>();
  // Every channel whose sender is here: what their bytes are held to.
  private final List<Link> sent = new ArrayList<>();
  private final AtomicInteger running = new AtomicInteger();
  private FlowNode node;
  private java.util.Set<String> only;
  private volatile boolean stopping;
  private volatile boolean paused;

  /** How long starting waits for the states of stateful instances placed again. */
  private static final long STATE_LOAD_NANOS = TimeUnit.SECONDS.toNanos(10);

  private FlowExecution(Flow flow, long generation) {
    this.flow = flow;
    this.generation = generation;
  }

  /**
   * Starts every instance of {@code flow} here.
   *
   * @throws IllegalArgumentException naming the process types {@code processes} does not know;
   *     nothing is started then
   */
  public static FlowExecution start(Flow flow, FlowProcesses processes) {
    FlowExecution execution = new FlowExecution(flow, 0);
    execution.wire(processes, null, null);
    execution.launch();
    return execution;
  }

  /** Starts the instances {@code placement} puts on {@code node}; see {@link FlowNode#start}. */
  static FlowExecution start(
      Flow flow,
      FlowProcesses processes,
      Map<String, String> placement,
      FlowNode node,
      java.util.Set<String> only,
      long generation,
      boolean paused) {
    for (ProcessSpec p : flow.processes()) {
      for (int i = 0; i < p.parallelism(); i++) {
        if (placement.get(p.name() + "#" + i) == null) {
          throw new IllegalArgumentException(
              "flow " + flow.name() + ": the placement has no node for " + p.name() + "#" + i);
        }
      }
    }
    FlowExecution execution = new FlowExecution(flow, generation);
    execution.only = only;
    execution.paused = paused;
    execution.wire(processes, placement, node);
    execution.launch();
    return execution;
  }

  /** Every type an instance here needs is known. */
  private void checkTypes(FlowProcesses processes, Map<String, String> placement, FlowNode node) {
    TreeSet<String> unknown = new TreeSet<>();
    for (ProcessSpec p : flow.processes()) {
      for (int i = 0; i < p.parallelism(); i++) {
        if (remote(placement, node, p.name(), i) == null && processes.get(p.type()) == null) {
          unknown.add(p.type());
        }
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "flow "
              + flow.name()
              + " names process types this node does not have: "
              + unknown
              + " (it has "
              + processes.types()
              + ")");
    }
  }

  /**
   * Where {@code process#i} runs when not in this execution, or null when it is: an instance on
   * this node but outside {@link #only} belongs to another execution here.
   */
  private String remote(
      Map<String, String> placement, FlowNode node, String process, int instance) {
    if (placement == null) {
      return null;
    }
    String id = process + "#" + instance;
    String at = placement.get(id);
    return at.equals(node.nodeId()) && (only == null || only.contains(id)) ? null : at;
  }

  private void wire(FlowProcesses processes, Map<String, String> placement, FlowNode node) {
    checkTypes(processes, placement, node);
    Map<String, InstanceRunner[]> byProcess = new LinkedHashMap<>();
    for (ProcessSpec p : flow.processes()) {
      Supplier<? extends FlowProcess> supplier = processes.get(p.type());
      InstanceRunner[] instances = new InstanceRunner[p.parallelism()];
      for (int i = 0; i < instances.length; i++) {
        if (remote(placement, node, p.name(), i) != null) {
          continue;
        }
        FlowProcess body = supplier.get();
        if (body == null) {
          throw new IllegalArgumentException("process type " + p.type() + " supplied null");
        }
        instances[i] = new InstanceRunner(this, p, i, body);
        runners.add(instances[i]);
      }
      byProcess.put(p.name(), instances);
    }
    Map<InstanceRunner, List<Link>> inputs = new HashMap<>();
    Map<InstanceRunner, Map<String, List<OutputPort.Route>>> routes = new HashMap<>();
    List<Connection> connections = flow.connections();
    for (int ci = 0; ci < connections.size(); ci++) {
      Connection c = connections.get(ci);
      InstanceRunner[] senders = byProcess.get(c.from());
      InstanceRunner[] receivers = byProcess.get(c.to());
      for (int i = 0; i < senders.length; i++) {
        boolean forward = c.routing() == Routing.FORWARD;
        Link[] links = new Link[forward ? 1 : receivers.length];
        for (int k = 0; k < links.length; k++) {
          int j = forward ? i : k;
          InstanceRunner sender = senders[i];
          InstanceRunner receiver = receivers[j];
          if (sender != null && receiver != null) {
            links[k] = new Link(c.capacity(), c.maxBytes(), c.toPort(), sender, receiver);
            sent.add(links[k]);
            inputs.computeIfAbsent(receiver, r -> new ArrayList<>()).add(links[k]);
          } else if (sender != null) {
            links[k] = new Link(c.capacity(), c.maxBytes(), sender, node.sendPump(), null);
            sent.add(links[k]);
            remoteOuts.add(
                new RemoteOut(
                    new ChannelKey(flow.name(), generation, ci, i, j),
                    links[k],
                    this,
                    remote(placement, node, c.to(), j),
                    c.capacity()));
          } else if (receiver != null) {
            String port = c.toPort();
            Link in =
                new Link(
                    c.capacity(),
                    c.maxBytes(),
                    node.grantPump(),
                    receiver,
                    m -> receiver.deliver(port, m));
            inputs.computeIfAbsent(receiver, r -> new ArrayList<>()).add(in);
            inbound.add(
                new InboundChannel(
                    new ChannelKey(flow.name(), generation, ci, i, j),
                    remote(placement, node, c.from(), i),
                    in,
                    this));
          }
        }
        if (senders[i] != null) {
          routes
              .computeIfAbsent(senders[i], r -> new LinkedHashMap<>())
              .computeIfAbsent(c.fromPort(), port -> new ArrayList<>())
              .add(new OutputPort.Route(c.routing(), c.keyGroups(), links));
        }
      }
    }
    for (InstanceRunner r : runners) {
      r.tracksAcks(node != null);
      r.inputs(inputs.getOrDefault(r, List.of()));
      Map<String, List<OutputPort.Route>> ports = routes.getOrDefault(r, Map.of());
      ProcessSpec spec = flow.process(r.process());
      for (String port : spec.outputs()) {
        r.output(port, ports.getOrDefault(port, List.of()));
      }
    }
    this.node = node;
  }

  private void launch() {
    running.set(runners.size() + remoteOuts.size());
    if (running.get() == 0) {
      completion.complete(null);
      return;
    }
    for (InstanceRunner r : runners) {
      r.loadState(STATE_LOAD_NANOS);
    }
    for (InboundChannel c : inbound) {
      node.register(c);
    }
    for (RemoteOut o : remoteOuts) {
      node.register(o);
    }
    for (InstanceRunner r : runners) {
      r.thread = Thread.ofVirtual().name("flow-" + flow.name() + "-" + r.id()).unstarted(r);
    }
    for (InstanceRunner r : runners) {
      r.thread.start();
    }
  }

  public Flow flow() {
    return flow;
  }

  /** Which deployment of the flow this runs: the time it was deployed, 0 when run directly. */
  public long generation() {
    return generation;
  }

  /** Completes when every instance has ended; exceptionally when one failed or on {@link #stop}. */
  public CompletableFuture<Void> completion() {
    return completion;
  }

  boolean stopping() {
    return stopping;
  }

  boolean paused() {
    return paused;
  }

  /**
   * Holds this execution's sources still before their next {@code produce} (true), or lets them go
   * on: how a flow is quiesced while its instances move between live nodes.
   */
  public void pause(boolean pause) {
    this.paused = pause;
    if (!pause) {
      runners.forEach(r -> LockSupport.unpark(r.thread));
    }
  }

  /**
   * Paused, and every source here holds still (or has ended) with all it wrote safe and, if
   * stateful, its position kept. Since an input becomes safe only once what it caused is safe
   * downstream, every node's sources quiescent means nothing is in flight anywhere in the flow.
   */
  public boolean quiescent() {
    if (!paused) {
      return false;
    }
    for (InstanceRunner r : runners) {
      if (r.isSource() && !r.quiescent()) {
        return false;
      }
    }
    return true;
  }

  /** The instances this execution runs, {@code process#i}. */
  public java.util.Set<String> instances() {
    java.util.Set<String> ids = new java.util.LinkedHashSet<>();
    for (InstanceRunner r : runners) {
      ids.add(r.id());
    }
    return ids;
  }

  /**
   * Stops every instance where it is, interrupting what a process waits on; what waits in channels
   * is dropped.
   */
  public void stop() {
    if (!stopping) {
      stopping = true;
      runners.forEach(r -> r.thread.interrupt());
      completion.completeExceptionally(
          new java.util.concurrent.CancellationException("flow " + flow.name() + " was stopped"));
    }
  }

  /** Stops the flow and waits up to 10 s for its instances to end. */
  @Override
  public void close() throws InterruptedException {
    stop();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (InstanceRunner r : runners) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        r.thread.join(java.time.Duration.ofNanos(left));
      }
    }
  }

  void exited(InstanceRunner runner, Throwable failure) {
    if (failure != null && !stopping) {
      stopping = true;
      runners.forEach(r -> LockSupport.unpark(r.thread));
      completion.completeExceptionally(new FlowFailedException(flow.name(), runner.id(), failure));
    }
    if (running.decrementAndGet() == 0) {
      completion.complete(null);
    }
  }

  /** Settles what this node's instances have made safe; the grant pump's thread. */
  void settle() {
    // Receivers first, so that what a sink took is safe all the way up in one pass.
    for (int i = runners.size() - 1; i >= 0; i--) {
      runners.get(i).settle();
    }
  }

  /** Where this execution's stateful instances keep their state; null when run directly. */
  FlowStateStore states() {
    return node == null ? null : node.states();
  }

  /** Has the grant pump settle again soon: a state was kept. */
  void wakeSettler() {
    if (node != null) {
      node.grantPump().wake();
    }
  }

  /** A channel to another node ended and the receiver acknowledged all of it. */
  void remoteFinished() {
    if (running.decrementAndGet() == 0) {
      completion.complete(null);
    }
  }

  /** Messages the receivers of this node's channels to other nodes dropped as duplicates. */
  public long duplicatesReported() {
    long sum = 0;
    for (RemoteOut o : remoteOuts) {
      sum += o.duplicates;
    }
    return sum;
  }

  /** Messages this node's channels from other nodes dropped as duplicates. */
  public long duplicatesDropped() {
    long sum = 0;
    for (InboundChannel c : inbound) {
      sum += c.duplicates();
    }
    return sum;
  }

  /** Payload bytes the channels sent from here hold now, together. */
  public long heldBytes() {
    long held = 0;
    for (Link l : sent) {
      held += l.heldBytes();
    }
    return held;
  }

  /**
   * The most payload bytes any one channel sent from here held at any time, over its bound when one
   * message was larger than the bound.
   */
  public long peakChannelBytes() {
    long peak = 0;
    for (Link l : sent) {
      peak = Math.max(peak, l.peakBytes());
    }
    return peak;
  }

  /** Every instance's counters now, in flow order. */
  public List<InstanceStats> stats() {
    long now = System.nanoTime();
    List<InstanceStats> stats = new ArrayList<>(runners.size());
    for (InstanceRunner r : runners) {
      stats.add(r.stats(now));
    }
    return stats;
  }
}
