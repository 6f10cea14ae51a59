package io.tideflow.bench.flow;

import static io.tideflow.bench.flow.BenchFlows.CPU;

import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.runtime.flow.FlowExecution;
import io.tideflow.runtime.flow.FlowNode;
import io.tideflow.runtime.flow.FlowProcess;
import io.tideflow.runtime.flow.FlowProcesses;
import io.tideflow.runtime.flow.FlowStateStore;
import io.tideflow.runtime.flow.Message;
import io.tideflow.runtime.flow.StatefulProcess;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What keeping state costs: a source on node a, flat out, into a counter on node b over gRPC on
 * loopback (two nodes in this JVM), the counter stateless, then stateful with its state kept in
 * memory, then in etcd (with {@code --store}). A stateful counter lets its inputs go from the
 * sender's replay ring only once a snapshot after them is kept, so the store's write latency and
 * the ring's size bound the rate.
 *
 * <pre>
 * StatefulBench [--store etcd://127.0.0.1:2379] [--rounds 3] [--warmup 2] [--seconds 5]
 *               [--capacity 1024]
 * </pre>
 */
public final class StatefulBench {
  private static final Map<String, String> PLACEMENT = Map.of("source#0", "a", "count#0", "b");
  private static final AtomicLong COUNTED = new AtomicLong();
  private static final AtomicLong ROUND = new AtomicLong();

  private StatefulBench() {}

  /** Counts what it takes; publishes the count for the bench to read. */
  static class Count implements FlowProcess {
    long count;

    @Override
    public void onMessage(String port, Message message) {
      count++;
      COUNTED.lazySet(count);
    }
  }

  /** The same counter, with its count as its state. */
  static final class StatefulCount extends Count implements StatefulProcess {
    @Override
    public byte[] snapshot() {
      return ByteBuffer.allocate(Long.BYTES).putLong(count).array();
    }

    @Override
    public void restore(byte[] state) {
      count = ByteBuffer.wrap(state).getLong();
    }
  }

  static Flow flow(String counter, int capacity) {
    return Flow.builder("stateful")
        .process(BenchFlows.source(Map.of("count", "0", "size", "16")))
        .process(new ProcessSpec("count", counter, 1, CPU, List.of("in"), List.of()))
        .connect("source.out", "count.in", Routing.FORWARD, capacity)
        .build();
  }

  public static void main(String[] args) throws Exception {
    String storeUri = null;
    int rounds = 3;
    int warmup = 2;
    int seconds = 5;
    int capacity = 1024;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--store" -> storeUri = args[++i];
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--capacity" -> capacity = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "source -> counter across two nodes on loopback, channel capacity %d, %d cores%n",
        capacity,
        Runtime.getRuntime().availableProcessors());
    ClusterStore store = storeUri == null ? null : ClusterStores.open(storeUri);
    try {
      row("stateless", "count", FlowStateStore::inMemory, rounds, warmup, seconds, capacity);
      row(
          "stateful, state in memory",
          "stateful-count",
          FlowStateStore::inMemory,
          rounds,
          warmup,
          seconds,
          capacity);
      if (store != null) {
        row(
            "stateful, state in etcd",
            "stateful-count",
            () -> FlowStateStore.over(store),
            rounds,
            warmup,
            seconds,
            capacity);
      }
    } finally {
      if (store != null) {
        store.close();
      }
    }
  }

  private static void row(
      String name,
      String counter,
      java.util.function.Supplier<FlowStateStore> states,
      int rounds,
      int warmup,
      int seconds,
      int capacity)
      throws Exception {
    double[] rates = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      rates[r] = round(counter, states.get(), warmup, seconds, capacity);
      System.out.printf(
          Locale.ROOT, "%s round %d/%d: %,.0f msgs/s%n", name, r + 1, rounds, rates[r]);
    }
    Arrays.sort(rates);
    System.out.printf(
        Locale.ROOT,
        "%-28s median %,12.0f msgs/s (min %,.0f, max %,.0f)%n",
        name,
        rates[rounds / 2],
        rates[0],
        rates[rounds - 1]);
  }

  private static double round(
      String counter, FlowStateStore states, int warmup, int seconds, int capacity)
      throws Exception {
    FlowProcesses processes =
        FlowProcesses.builtins()
            .with("count", Count::new)
            .with("stateful-count", StatefulCount::new);
    COUNTED.set(0);
    LoopbackPair nodes = LoopbackPair.start(processes);
    FlowNode a = nodes.a();
    FlowNode b = nodes.b();
    a.states(states);
    b.states(states);
    Flow flow = flow(counter, capacity);
    // A deployment of its own per round: no round takes up a former one's state from the store.
    long generation = System.currentTimeMillis() * 1000 + ROUND.incrementAndGet();
    FlowExecution onB = b.start(flow, generation, PLACEMENT, null);
    FlowExecution onA = a.start(flow, generation, PLACEMENT, null);
    try {
      TimeUnit.SECONDS.sleep(warmup);
      long from = COUNTED.get();
      long start = System.nanoTime();
      TimeUnit.SECONDS.sleep(seconds);
      long counted = COUNTED.get() - from;
      return counted * 1e9 / (System.nanoTime() - start);
    } finally {
      onA.stop();
      onB.stop();
      nodes.close();
    }
  }
}
