package io.tideflow.bench.flow;

import static io.tideflow.bench.flow.BenchFlows.CPU;

import io.tideflow.core.flow.Connection;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.runtime.flow.FlowExecution;
import io.tideflow.runtime.flow.FlowProcess;
import io.tideflow.runtime.flow.FlowProcesses;
import io.tideflow.runtime.flow.InstanceStats;
import io.tideflow.runtime.flow.Message;
import io.tideflow.runtime.flow.ProcessContext;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A consumer ten times slower than its producer, for minutes: a paced {@code sequence} source of 4
 * KiB messages on node a, a sink on node b (two flow nodes in this JVM over gRPC on loopback) that
 * waits a fixed time per message. Once a second it samples the JVM's heap (used, and what the last
 * collection left), what the source's channel holds (waiting, sent and not yet safe) against its
 * byte bound, and the rates offered, sent and taken. Writes the samples as CSV and a chart (HTML
 * with SVG), and prints the heap's trend over the run's second half.
 *
 * <pre>
 * SlowConsumerBench [--minutes 5] [--rate 20000] [--size 4096] [--wait-micros 500]
 *                   [--capacity 1024] [--max-bytes 8388608] [OUT_DIR]
 * </pre>
 */
public final class SlowConsumerBench {
  private static final Map<String, String> PLACEMENT = Map.of("source#0", "a", "sink#0", "b");
  private static final AtomicLong TAKEN = new AtomicLong();

  private SlowConsumerBench() {}

  /** Waits a fixed time for each message, as a consumer held up by something it calls would. */
  static final class Wait implements FlowProcess {
    private long nanos;

    @Override
    public void open(ProcessContext context) {
      nanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(context.property("micros", "500")));
    }

    @Override
    public void onMessage(String port, Message message) {
      long until = System.nanoTime() + nanos;
      for (long left = nanos; left > 0; left = until - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      TAKEN.incrementAndGet();
    }
  }

  /** One second's sample. */
  record Sample(
      double seconds,
      long heapUsed,
      long heapAfterGc,
      long held,
      long emitted,
      long taken,
      double backpressured)
      implements SvgPlot.BenchSample {}

  public static void main(String[] args) throws Exception {
    double minutes = 5;
    long rate = 20_000;
    int size = 4096;
    long waitMicros = 500;
    int capacity = 1024;
    long maxBytes = Connection.DEFAULT_MAX_BYTES;
    Path out = Path.of("tideflow-bench/target/slow-consumer");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--minutes" -> minutes = Double.parseDouble(args[++i]);
        case "--rate" -> rate = Long.parseLong(args[++i]);
        case "--size" -> size = Integer.parseInt(args[++i]);
        case "--wait-micros" -> waitMicros = Long.parseLong(args[++i]);
        case "--capacity" -> capacity = Integer.parseInt(args[++i]);
        case "--max-bytes" -> maxBytes = Long.parseLong(args[++i]);
        default -> {
          if (args[i].startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + args[i]);
          }
          out = Path.of(args[i]);
        }
      }
    }
    Flow flow =
        Flow.builder("slow-consumer")
            .process(BenchFlows.source(Map.of("count", "0", "rate", "" + rate, "size", "" + size)))
            .process(
                new ProcessSpec(
                    "sink",
                    "wait",
                    1,
                    CPU,
                    List.of("in"),
                    List.of(),
                    Map.of("micros", "" + waitMicros)))
            .connect(
                new Connection(
                    "source",
                    "out",
                    "sink",
                    "in",
                    Routing.FORWARD,
                    capacity,
                    Connection.DEFAULT_KEY_GROUPS,
                    maxBytes))
            .build();
    FlowProcesses processes = FlowProcesses.builtins().with("wait", Wait::new);
    List<Sample> samples = new ArrayList<>();
    long peak;
    try (LoopbackPair nodes = LoopbackPair.start(processes)) {
      nodes.b().start(flow, PLACEMENT);
      FlowExecution onA = nodes.a().start(flow, PLACEMENT);
      long start = System.nanoTime();
      long end = start + (long) (minutes * 60e9);
      long next = start;
      long printed = 0;
      while (System.nanoTime() < end) {
        next += TimeUnit.SECONDS.toNanos(1);
        LockSupport.parkNanos(next - System.nanoTime());
        InstanceStats source = onA.stats().get(0);
        long spent = source.busyNanos() + source.backpressuredNanos() + source.idleNanos();
        Sample s =
            new Sample(
                (System.nanoTime() - start) / 1e9,
                heapUsed(),
                heapAfterGc(),
                onA.heldBytes(),
                source.emitted(),
                TAKEN.get(),
                spent == 0 ? 0 : (double) source.backpressuredNanos() / spent);
        samples.add(s);
        if (s.seconds() - printed >= 10) {
          printed = (long) s.seconds();
          System.out.printf(
              Locale.ROOT,
              "%4.0f s: heap %,d MiB (after GC %,d MiB), channel holds %,d KiB of %,d KiB,"
                  + " sent %,d, taken %,d%n",
              s.seconds(),
              s.heapUsed() >> 20,
              s.heapAfterGc() >> 20,
              s.held() >> 10,
              maxBytes >> 10,
              s.emitted(),
              s.taken());
        }
      }
      peak = onA.peakChannelBytes();
    }
    Files.createDirectories(out);
    writeCsv(samples, out.resolve("slow-consumer.csv"));
    Files.writeString(
        out.resolve("slow-consumer.html"),
        chart(samples, maxBytes, rate, waitMicros, size, capacity));
    report(samples, peak, maxBytes, rate, size, out);
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** What the heap's pools held right after their last collection. */
  private static long heapAfterGc() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      if (after != null) {
        sum += after.getUsed();
      }
    }
    return sum;
  }

  private static void writeCsv(List<Sample> samples, Path file) throws IOException {
    StringBuilder csv =
        new StringBuilder(
            "seconds,heap_used,heap_after_gc,channel_bytes,sent,taken,backpressured\n");
    for (Sample s : samples) {
      csv.append(
          String.format(
              Locale.ROOT,
              "%.1f,%d,%d,%d,%d,%d,%.4f%n",
              s.seconds(),
              s.heapUsed(),
              s.heapAfterGc(),
              s.held(),
              s.emitted(),
              s.taken(),
              s.backpressured()));
    }
    Files.writeString(file, csv);
  }

  /** The least-squares slope of y over x. */
  static double slope(double[] x, double[] y) {
    double mx = 0;
    double my = 0;
    for (int i = 0; i < x.length; i++) {
      mx += x[i] / x.length;
      my += y[i] / y.length;
    }
    double num = 0;
    double den = 0;
    for (int i = 0; i < x.length; i++) {
      num += (x[i] - mx) * (y[i] - my);
      den += (x[i] - mx) * (x[i] - mx);
    }
    return den == 0 ? 0 : num / den;
  }

  private static void report(
      List<Sample> samples, long peak, long maxBytes, long rate, int size, Path out) {
    if (samples.size() < 4) {
      System.out.println("too short a run to report on: " + samples.size() + " samples");
      return;
    }
    List<Sample> late = samples.subList(samples.size() / 2, samples.size());
    double[] t = late.stream().mapToDouble(Sample::seconds).toArray();
    double[] after = late.stream().mapToDouble(s -> s.heapAfterGc() / 1048576.0).toArray();
    long maxAfter = late.stream().mapToLong(Sample::heapAfterGc).max().orElse(0);
    long minAfter = late.stream().mapToLong(Sample::heapAfterGc).min().orElse(0);
    long maxUsed = samples.stream().mapToLong(Sample::heapUsed).max().orElse(0);
    long maxHeld = samples.stream().mapToLong(Sample::held).max().orElse(0);
    Sample first = late.get(0);
    Sample last = samples.get(samples.size() - 1);
    double seconds = last.seconds() - first.seconds();
    double taken = (last.taken() - first.taken()) / seconds;
    double sent = (last.emitted() - first.emitted()) / seconds;
    System.out.println();
    System.out.printf(Locale.ROOT, "| run | %.1f min |%n", last.seconds() / 60);
    System.out.printf(
        Locale.ROOT,
        "| offered, sent, taken (second half) | %,d, %,.0f, %,.0f msgs/s of %,d bytes |%n",
        rate,
        sent,
        taken,
        size);
    System.out.printf(
        Locale.ROOT,
        "| what an unbounded queue would have gathered | %,.0f MiB |%n",
        (rate * last.seconds() - last.taken()) * size / 1048576.0);
    System.out.printf(
        Locale.ROOT,
        "| channel bytes held, most sampled / peak / bound | %,d / %,d / %,d KiB |%n",
        maxHeld >> 10,
        peak >> 10,
        maxBytes >> 10);
    System.out.printf(
        Locale.ROOT,
        "| heap after GC, second half: min, max, trend | %,.1f, %,.1f MiB, %+.2f MiB/min |%n",
        minAfter / 1048576.0,
        maxAfter / 1048576.0,
        slope(t, after) * 60);
    System.out.printf(Locale.ROOT, "| heap used, most sampled | %,d MiB |%n", maxUsed >> 20);
    System.out.printf(
        Locale.ROOT,
        "| source backpressured (whole run) | %.1f %% |%n",
        100 * last.backpressured());
    System.out.println("samples and chart: " + out.toAbsolutePath());
  }

  private static String chart(
      List<Sample> samples, long maxBytes, long rate, long waitMicros, int size, int capacity) {
    double span = samples.isEmpty() ? 1 : samples.get(samples.size() - 1).seconds();
    SvgPlot heap = new SvgPlot("JVM heap (MiB)", span);
    heap.line("used", "#9aa5b1", samples, s -> s.heapUsed() / 1048576.0);
    heap.line("after the last GC", "#1f6feb", samples, s -> s.heapAfterGc() / 1048576.0);
    SvgPlot held = new SvgPlot("payload bytes the channel holds (KiB)", span);
    held.line("held", "#d1242f", samples, s -> s.held() / 1024.0);
    held.level("bound", "#6e7781", maxBytes / 1024.0);
    SvgPlot rates = new SvgPlot("messages per second", span);
    List<double[]> per = new ArrayList<>();
    for (int i = 1; i < samples.size(); i++) {
      Sample p = samples.get(i - 1);
      Sample s = samples.get(i);
      double dt = s.seconds() - p.seconds();
      per.add(
          new double[] {
            s.seconds(), (s.emitted() - p.emitted()) / dt, (s.taken() - p.taken()) / dt
          });
    }
    rates.points("sent", "#1a7f37", per, 1);
    rates.points("taken", "#8250df", per, 2);
    rates.level("offered", "#6e7781", rate);
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>A slow consumer</title>"
        + "<style>body{font:14px sans-serif;margin:24px}</style></head><body>"
        + String.format(
            Locale.ROOT,
            "<h2>A consumer ten times slower than its producer</h2><p>sequence source offering"
                + " %,d msgs/s of %,d bytes on node a; a sink waiting %,d µs a message on node b;"
                + " one channel of %,d messages and %,d KiB; %.1f minutes.</p>",
            rate,
            size,
            waitMicros,
            capacity,
            maxBytes >> 10,
            span / 60)
        + heap.svg()
        + held.svg()
        + rates.svg()
        + "</body></html>\n";
  }
}
