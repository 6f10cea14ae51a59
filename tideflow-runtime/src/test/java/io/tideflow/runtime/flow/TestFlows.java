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
        .process(process("source", "sequence", 1, List.of(), List.of("out"), sourceProperties))
        .process(process("sink", sink, 1, List.of("in"), List.of(), Map.of()))
        .connect("source.out", "sink.in", Routing.FORWARD, capacity)
        .build();
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
