package io.tideflow.runtime.flow;

import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.core.model.Resources;
import java.util.List;
import java.util.Map;

/** Short forms for the processes the flow tests build. */
final class TestFlows {
  private static final Resources CPU = Resources.of(100, 1 << 20);

  private TestFlows() {}

  /**
   * A source of {@code total} numbered messages, {@code workers} instances of 20 µs of work each,
   * and a {@code collect} sink, joined by channels of 64 with {@code routing}.
   */
  static Flow sourceWorkSink(String name, int total, int workers, Routing routing) {
    return Flow.builder(name)
        .process(
            process(
                "source", "sequence", 1, List.of(), List.of("out"), Map.of("count", "" + total)))
        .process(
            process(
                "work", "spin", workers, List.of("in"), List.of("out"), Map.of("nanos", "20000")))
        .process(process("sink", "collect", 1, List.of("in"), List.of(), Map.of()))
        .connect("source.out", "work.in", routing, 64)
        .connect("work.out", "sink.in", routing, 64)
        .build();
  }

  /**
   * One sequence source with {@code sourceProperties}, forward into one sink of type {@code sink}.
   */
  static Flow sourceSink(
      String name, Map<String, String> sourceProperties, String sink, int capacity) {
    return Flow.builder(name)
        .process(source(sourceProperties))
        .process(process("sink", sink, 1, List.of("in"), List.of(), Map.of()))
        .connect("source.out", "sink.in", Routing.FORWARD, capacity)
        .build();
  }

  /**
   * Sums the numbers it takes by key group, waiting {@code nanos} (0 by default) a message, and at
   * its end emits a number per group that holds any: {@link #totalOf}.
   */
  static final class KeyedTotal implements KeyedStatefulProcess {
    private final Map<Integer, long[]> groups = new java.util.TreeMap<>();
    private ProcessContext context;
    private Output out;
    private long nanos;

    @Override
    public void open(ProcessContext context) {
      this.context = context;
      out = context.output("out");
      nanos = Long.parseLong(context.property("nanos", "0"));
    }

    @Override
    public void onMessage(String port, Message message) {
      if (nanos > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
      }
      long[] total = groups.computeIfAbsent(context.keyGroup(message.key()), g -> new long[2]);
      total[0] += java.nio.ByteBuffer.wrap(message.payload()).getLong();
      total[1]++;
    }

    @Override
    public void finish() throws InterruptedException {
      for (Map.Entry<Integer, long[]> e : groups.entrySet()) {
        out.emit(
            java.nio.ByteBuffer.allocate(8)
                .putLong(totalOf(e.getKey(), e.getValue()[0], e.getValue()[1]))
                .array());
      }
    }

    @Override
    public Map<Integer, byte[]> snapshotGroups() {
      Map<Integer, byte[]> states = new java.util.HashMap<>();
      groups.forEach(
          (g, t) ->
              states.put(g, java.nio.ByteBuffer.allocate(16).putLong(t[0]).putLong(t[1]).array()));
      return states;
    }

    @Override
    public void restoreGroups(Map<Integer, byte[]> states) {
      states.forEach(
          (g, b) -> {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
            groups.put(g, new long[] {in.getLong(), in.getLong()});
          });
    }
  }

  /** A group's sum (below 2^32) and count (below 2^16), as one number: group, count, sum. */
  static long totalOf(int group, long sum, long count) {
    return (long) group << 48 | count << 32 | sum;
  }

  /**
   * What {@link KeyedTotal} emits for the numbers {@code [0, total)}, each its own key, in {@code
   * keyGroups} groups.
   */
  static java.util.Set<Long> keyedTotals(int total, int keyGroups) {
    Map<Integer, long[]> groups = new java.util.TreeMap<>();
    for (long n = 0; n < total; n++) {
      long[] t =
          groups.computeIfAbsent(
              io.tideflow.core.flow.KeyGroups.group(n, keyGroups), g -> new long[2]);
      t[0] += n;
      t[1]++;
    }
    java.util.Set<Long> totals = new java.util.HashSet<>();
    groups.forEach((g, t) -> totals.add(totalOf(g, t[0], t[1])));
    return totals;
  }

  /** One {@code sequence} source named {@code source} with {@code properties}. */
  static ProcessSpec source(Map<String, String> properties) {
    return process("source", "sequence", 1, List.of(), List.of("out"), properties);
  }

  static ProcessSpec process(
      String name,
      String type,
      int parallelism,
      List<String> in,
      List<String> out,
      Map<String, String> props) {
    return new ProcessSpec(name, type, parallelism, CPU, in, out, props);
  }
}
