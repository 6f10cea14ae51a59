package io.tideflow.bench.flow;

import io.tideflow.runtime.flow.SpscChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * An in-node two-stage pipeline: one producer thread offers into a {@link SpscChannel}, one
 * consumer thread takes out of it, one value at a time or in batches. The figure is the values the
 * consumer received per second ({@code received}); {@code full} and {@code empty} count the
 * attempts that found no room or nothing, the producer held by backpressure or the consumer idle.
 * The value is one preallocated object, so the pipeline's own cost is measured, not allocation.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChannelBenchmark {
  private static final Object VALUE = new Object();

  @Param({"1024"})
  int capacity;

  SpscChannel<Object> channel;

  @Setup(Level.Iteration)
  public void setUp() {
    channel = new SpscChannel<>(capacity);
  }

  /** What the producer side counts. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Sent {
    public long sent;
    public long full;
  }

  /** What the consumer side counts. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Received {
    public long received;
    public long empty;
  }

  @Benchmark
  @Group("oneByOne")
  @GroupThreads(1)
  public void offer(Sent counters) {
    if (channel.offer(VALUE)) {
      counters.sent++;
    } else {
      counters.full++;
    }
  }

  @Benchmark
  @Group("oneByOne")
  @GroupThreads(1)
  public void poll(Received counters) {
    if (channel.poll() != null) {
      counters.received++;
    } else {
      counters.empty++;
    }
  }

  @Benchmark
  @Group("batched")
  @GroupThreads(1)
  public void offerBatched(Sent counters) {
    offer(counters);
  }

  @Benchmark
  @Group("batched")
  @GroupThreads(1)
  public void drain(Received counters) {
    int n = channel.drain(v -> {}, 64);
    if (n > 0) {
      counters.received += n;
    } else {
      counters.empty++;
    }
  }
}
