package io.tideflow.bench.flow;

import static io.tideflow.bench.flow.BenchFlows.CPU;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.coordinator.FlowPlacer;
import io.tideflow.runtime.flow.FlowProcess;
import io.tideflow.runtime.flow.FlowProcesses;
import io.tideflow.runtime.flow.FlowRecords;
import io.tideflow.runtime.flow.Message;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * What moving instances between live nodes costs a running flow. Three workers and a coordinator in
 * this JVM on a real etcd run a paced source into four {@code pass} instances and a sink; each
 * round a fourth worker joins and takes instances over, then drains and hands them back. For every
 * handover it prints how long the sources were held (from the placement that pauses them to the one
 * that lets them go, as the placements in etcd show) and the longest gap between two messages at
 * the sink around it; at the end, whether every number arrived exactly once.
 *
 * <pre>
 * HandoverBench --store etcd://127.0.0.1:2379 [--rounds 5] [--rate 20000]
 * </pre>
 */
public final class HandoverBench {
  private static final Duration TTL = Duration.ofSeconds(2);

  private HandoverBench() {}

  /** Marks every number it takes; counts the ones it had already, and the longest wait between. */
  static final class Check implements FlowProcess {
    static final BitSet SEEN = new BitSet();
    static long distinct;
    static long repeated;
    static long last;
    static long longestGap;

    @Override
    public void onMessage(String port, Message message) {
      int n = (int) ByteBuffer.wrap(message.payload()).getLong();
      long now = System.nanoTime();
      synchronized (SEEN) {
        if (SEEN.get(n)) {
          repeated++;
        } else {
          SEEN.set(n);
          distinct++;
        }
        if (last != 0) {
          longestGap = Math.max(longestGap, now - last);
        }
        last = now;
        if ((distinct & 255) == 0) {
          SEEN.notifyAll();
        }
      }
    }

    /** Whether nothing arrived for {@code nanos}. */
    static boolean quietFor(long nanos) {
      synchronized (SEEN) {
        return System.nanoTime() - last > nanos;
      }
    }

    static long distinct() {
      synchronized (SEEN) {
        return distinct;
      }
    }

    /** The longest gap since the last call, in ms. */
    static double takeLongestGapMillis() {
      synchronized (SEEN) {
        double gap = longestGap / 1e6;
        longestGap = 0;
        return gap;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    String uri = null;
    int rounds = 5;
    int rate = 20_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--store" -> uri = args[++i];
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (uri == null) {
      throw new IllegalArgumentException("--store etcd://host:port is required");
    }
    if (rounds < 1 || rate < 1) {
      throw new IllegalArgumentException("--rounds and --rate must be >= 1");
    }
    long numbers = (long) rate * (rounds * 8L + 10);
    if (numbers > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "--rate × (8 × --rounds + 10) numbers must stay under 2^31, was " + numbers);
    }
    int total = (int) numbers;
    System.out.printf(
        Locale.ROOT,
        "handovers of a running flow: source at %,d msgs/s -> pass x4 -> sink, %d rounds of a"
            + " joining then draining worker, %d cores%n",
        rate,
        rounds,
        Runtime.getRuntime().availableProcessors());
    Map<String, WorkerNode> workers = new HashMap<>();
    List<ClusterStore> stores = new ArrayList<>();
    ClusterStore.Watch watch = null;
    try (ClusterStore store = ClusterStores.open(uri);
        Coordinator coordinator =
            Coordinator.start("c1", store, TTL, Duration.ofSeconds(5), new SimpleMeterRegistry());
        FlowPlacer placer = FlowPlacer.start(store, coordinator, Duration.ofSeconds(5), 0.1)) {
      await(coordinator::isLeader, 30, "leadership");
      for (String id : List.of("w1", "w2", "w3")) {
        workers.put(id, worker(uri, id, stores));
      }
      Flow flow =
          Flow.builder("moving")
              .process(BenchFlows.source(Map.of("count", "" + total, "rate", "" + rate)))
              .process(new ProcessSpec("pass", "pass", 4, CPU, List.of("in"), List.of("out")))
              .process(new ProcessSpec("sink", "check", 1, CPU, List.of("in"), List.of()))
              .connect("source.out", "pass.in", Routing.ROUND_ROBIN, 1024)
              .connect("pass.out", "sink.in", Routing.ROUND_ROBIN, 1024)
              .build();
      store
          .put(
              ClusterKeys.flow("moving"),
              FlowRecords.encode(flow, Map.of(), System.currentTimeMillis()),
              0)
          .join();
      Holds holds = new Holds();
      watch = store.watch(ClusterKeys.placement("moving"), 0, holds);
      long warm = rate * 2L;
      await(() -> Check.distinct() > warm, 60, "the flow to run");
      holds.take();
      List<double[]> pauses = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        String id = "w4-" + r;
        Check.takeLongestGapMillis();
        WorkerNode joined = worker(uri, id, stores);
        workers.put(id, joined);
        await(
            () -> {
              FlowRecords.Placement p = placement(store);
              return p.nodes().containsValue(id) && !p.paused() && holds.ended();
            },
            30,
            id + " to take instances over");
        double join = holds.take();
        settle(rate);
        pauses.add(new double[] {join, Check.takeLongestGapMillis()});
        print("join", r, pauses.getLast());
        WorkerNode.DrainResult drained = joined.drain(Duration.ofSeconds(30));
        if (!drained.drained()) {
          throw new IllegalStateException(id + " did not hand its instances over: " + drained);
        }
        await(holds::ended, 30, "the flow to go on");
        double drain = holds.take();
        settle(rate);
        pauses.add(new double[] {drain, Check.takeLongestGapMillis()});
        print("drain", r, pauses.getLast());
        workers.remove(id).close();
      }
      await(() -> Check.distinct() >= total, 120, "every number");
      // Anything sent twice would come right after: the count stands once the sink is quiet.
      await(() -> Check.quietFor(1_000_000_000L), 30, "the sink to go quiet");
      double[] held = pauses.stream().mapToDouble(p -> p[0]).sorted().toArray();
      double[] gaps = pauses.stream().mapToDouble(p -> p[1]).sorted().toArray();
      System.out.printf(
          Locale.ROOT,
          "%d handovers: sources held median %.0f ms (min %.0f, max %.0f); longest sink gap median"
              + " %.0f ms (max %.0f)%n",
          held.length,
          held[held.length / 2],
          held[0],
          held[held.length - 1],
          gaps[gaps.length / 2],
          gaps[gaps.length - 1]);
      synchronized (Check.SEEN) {
        System.out.printf(
            Locale.ROOT,
            "numbers: %,d sent, %,d arrived, %,d arrived twice%n",
            total,
            Check.distinct,
            Check.repeated);
      }
    } finally {
      if (watch != null) {
        watch.close();
      }
      workers.values().forEach(WorkerNode::close);
      for (ClusterStore s : stores) {
        s.close();
      }
    }
  }

  private static void print(String what, int round, double[] p) {
    System.out.printf(
        Locale.ROOT,
        "round %d %-5s: sources held %.0f ms, longest sink gap %.0f ms%n",
        round,
        what,
        p[0],
        p[1]);
  }

  private static WorkerNode worker(String uri, String id, List<ClusterStore> stores) {
    ClusterStore own = ClusterStores.open(uri);
    stores.add(own);
    return WorkerNode.start(
        WorkerConfig.defaults(id).withLeaseTtl(TTL),
        own,
        TaskHandlers.builtins(),
        FlowProcesses.builtins().with("check", Check::new),
        new SimpleMeterRegistry(),
        LinkSecurity.plaintext());
  }

  private static FlowRecords.Placement placement(ClusterStore store) {
    return FlowRecords.decodePlacement(
        store.get(ClusterKeys.placement("moving")).join().orElseThrow().value());
  }

  /**
   * Follows the flow's placement: each time a placement lets the sources go after one that held
   * them, adds how long they were held, from this watch's sight of the one to its sight of the
   * other (both seen by one watch, so its delay counts at both ends).
   */
  private static final class Holds implements ClusterStore.WatchListener {
    private final Queue<Double> held = new ConcurrentLinkedQueue<>();
    private long pausedAt;

    @Override
    public void onEvents(List<ClusterStore.WatchEvent> events) {
      long now = System.nanoTime();
      for (ClusterStore.WatchEvent e : events) {
        if (e.type() != ClusterStore.WatchEvent.Type.PUT) {
          continue;
        }
        boolean paused = FlowRecords.decodePlacement(e.kv().value()).paused();
        if (paused && pausedAt == 0) {
          pausedAt = now;
        } else if (!paused && pausedAt != 0) {
          held.add((now - pausedAt) / 1e6);
          pausedAt = 0;
        }
      }
    }

    /** Whether a hold ended since the last {@link #take}. */
    boolean ended() {
      return !held.isEmpty();
    }

    /** The holds that ended since the last call, added up, in ms; -1 if none did. */
    double take() {
      double sum = 0;
      boolean any = false;
      for (Double d; (d = held.poll()) != null; ) {
        sum += d;
        any = true;
      }
      return any ? sum : -1;
    }
  }

  /** Until the sink has taken another half second of the source's numbers. */
  private static void settle(int rate) throws InterruptedException {
    long from = Check.distinct();
    await(() -> Check.distinct() >= from + rate / 2, 30, "the flow to go on after a handover");
  }

  private static void await(BooleanSupplier condition, int seconds, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + what + " within " + seconds + " s");
      }
      // Woken when the sink or the placement moves on; conditions on the store are looked at
      // again after at most 5 ms.
      synchronized (Check.SEEN) {
        Check.SEEN.wait(5);
      }
    }
  }
}
