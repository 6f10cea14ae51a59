package io.tideflow.bench.overload;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.proto.ErrorCode;
import io.tideflow.runtime.transport.proto.ResultBatch;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskBatch;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.runtime.transport.proto.TaskServiceGrpc;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.memory.MemoryClusterStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Overload of one worker: finds the rate it sustains with a handler that burns about 1 ms of CPU,
 * then offers three times that for {@code --overload-seconds} from {@code --clients} clients (each
 * its own {@link TideflowClient}, all in this JVM), and back at the sustainable rate afterwards.
 * Reports the heap's high-water mark, how fast a turned-back task is told so (a raw probe stream
 * sends one task every 10 ms and times each answer), retries as a share of the offered load, and
 * how long after the overload ends the throughput is back at its earlier level.
 */
@Command(
    name = "overload",
    mixinStandardHelpOptions = true,
    description = "One worker offered 3x the rate it sustains: is overload a fast rejection?")
public final class OverloadBenchmark implements Callable<Integer> {
  @Option(names = "--clients", description = "clients offering load (default ${DEFAULT-VALUE})")
  int clients = 4;

  @Option(names = "--factor", description = "overload as a multiple of the sustainable rate")
  double factor = 3.0;

  @Option(names = "--overload-seconds", description = "length of the overload")
  int overloadSeconds = 60;

  @Option(names = "--steady-seconds", description = "before and after the overload, each")
  int steadySeconds = 15;

  @Option(names = "--capacity-seconds", description = "closed loop that measures the capacity")
  int capacitySeconds = 10;

  @Option(names = "--sustainable", description = "share of the closed-loop capacity offered")
  double sustainableShare = 0.8;

  @Option(names = "--work-micros", description = "CPU each task burns")
  long workMicros = 1_000;

  @Option(names = "--admitted", description = "the worker's maxAdmittedTasks")
  int admitted = 1024;

  @Option(names = "--timeout-seconds", description = "each task's timeout")
  int timeoutSeconds = 10;

  private static final int SECONDS_MAX = 3_600;

  /** Per second of the open loop: successes, failures by kind, submissions. */
  private final AtomicLongArray ok = new AtomicLongArray(SECONDS_MAX);

  private final AtomicLongArray offered = new AtomicLongArray(SECONDS_MAX);
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final Histogram okLatency = new Histogram(3_600_000_000_000L, 3);
  private final Histogram overloadedFailLatency = new Histogram(3_600_000_000_000L, 3);
  private final Histogram probeRejected = new Histogram(3_600_000_000_000L, 3);
  private final Histogram probeAccepted = new Histogram(3_600_000_000_000L, 3);
  private volatile long openStartNanos;

  /** Submissions before the open loop (the capacity loop's), left out of its figures. */
  private long submittedBefore;

  public static void main(String[] args) {
    System.exit(new CommandLine(new OverloadBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (steadySeconds < 1 || overloadSeconds < 1 || capacitySeconds < 1 || clients < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "--steady-seconds, --overload-seconds, --capacity-seconds and --clients must be >= 1");
    }
    if (steadySeconds * 2 + overloadSeconds >= SECONDS_MAX) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "the open loop (2 x --steady-seconds + --overload-seconds) must be under "
              + SECONDS_MAX
              + " s");
    }
    long nanos = TimeUnit.MICROSECONDS.toNanos(workMicros);
    TaskHandlers handlers = TaskHandlers.builtins().with("burn", p -> Work.burn(nanos, p));
    HeapWatch heap = new HeapWatch();
    try (MemoryClusterStore store = new MemoryClusterStore()) {
      SimpleMeterRegistry workerMetrics = new SimpleMeterRegistry();
      WorkerConfig wc = WorkerConfig.defaults("w1");
      WorkerNode worker =
          WorkerNode.start(
              wc.withAdmissionLimits(admitted, wc.maxAdmittedBytes()),
              store,
              handlers,
              workerMetrics);
      List<TideflowClient> cs = new ArrayList<>();
      List<MeterRegistry> clientMetrics = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        SimpleMeterRegistry m = new SimpleMeterRegistry();
        clientMetrics.add(m);
        cs.add(TideflowClient.connect(store, ClientConfig.defaults(), m));
      }
      awaitReady(cs.getFirst());
      double capacity = capacity(cs);
      double sustainable = capacity * sustainableShare;
      System.out.printf(
          Locale.ROOT,
          "capacity (closed loop, 128 in flight per client): %.0f tasks/s; sustainable: %.0f;"
              + " overload: %.0f%n",
          capacity,
          sustainable,
          sustainable * factor);
      for (TideflowClient c : cs) {
        submittedBefore += c.stats().submitted();
      }
      heap.start(workerMetrics);
      Probe probe = new Probe(worker.address());
      openStartNanos = System.nanoTime();
      int total = steadySeconds * 2 + overloadSeconds;
      List<Thread> drivers = new ArrayList<>();
      for (TideflowClient c : cs) {
        drivers.add(
            Thread.ofPlatform().name("driver").start(() -> drive(c, sustainable / clients, total)));
      }
      Thread prober = Thread.ofPlatform().name("probe").start(() -> probe.run(total, this));
      for (Thread t : drivers) {
        t.join();
      }
      prober.join();
      // Let the last tasks end (at most their timeout) before the figures are read.
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds + 2);
      while (System.nanoTime() < waitUntil && cs.stream().anyMatch(c -> inFlight(c) > 0)) {
        LockSupport.parkNanos(50_000_000);
      }
      heap.stop();
      report(capacity, sustainable, total, heap, cs, clientMetrics, workerMetrics);
      probe.close();
      cs.forEach(TideflowClient::close);
      worker.close();
    }
    return 0;
  }

  private static long inFlight(TideflowClient c) {
    TideflowClient.Stats s = c.stats();
    return s.submitted() - s.completed() - s.failed();
  }

  private static void awaitReady(TideflowClient c) throws Exception {
    for (int i = 0; i < 200; i++) {
      try {
        c.submit(TaskSpec.builder("echo").build()).get(100, TimeUnit.MILLISECONDS);
        return;
      } catch (Exception e) {
        // Expected while the client has no stream to the worker yet: try again.
      }
    }
    throw new IllegalStateException("the worker never answered");
  }

  /**
   * Completions per second of a closed loop in which every client keeps 128 tasks in flight (more
   * than the worker runs at once, fewer than it admits), after 5 s of warm-up.
   */
  private double capacity(List<TideflowClient> cs) throws InterruptedException {
    AtomicLong done = new AtomicLong();
    long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long end = warmEnd + TimeUnit.SECONDS.toNanos(capacitySeconds);
    AtomicLong atWarmEnd = new AtomicLong(-1);
    List<Thread> loops = new ArrayList<>();
    for (TideflowClient c : cs) {
      loops.add(
          Thread.ofPlatform()
              .name("capacity")
              .start(
                  () -> {
                    Semaphore window = new Semaphore(128);
                    while (System.nanoTime() < end) {
                      if (System.nanoTime() >= warmEnd) {
                        atWarmEnd.compareAndSet(-1, done.get());
                      }
                      try {
                        if (!window.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                          continue;
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                      }
                      c.submit(task())
                          .whenComplete(
                              (r, e) -> {
                                done.incrementAndGet();
                                window.release();
                              });
                    }
                    // Let this loop's tasks finish before the open loop starts.
                    window.acquireUninterruptibly(128);
                  }));
    }
    for (Thread t : loops) {
      t.join();
    }
    return (done.get() - Math.max(atWarmEnd.get(), 0)) / (double) capacitySeconds;
  }

  private TaskSpec task() {
    return TaskSpec.builder("burn")
        .payload(new byte[64])
        .timeout(Duration.ofSeconds(timeoutSeconds))
        .build();
  }

  /** Offers {@code rate} tasks/s, {@code factor} times that during the overload; open loop. */
  private void drive(TideflowClient c, double rate, int totalSeconds) {
    long start = openStartNanos;
    long sent = 0;
    double due = 0;
    long last = start;
    while (true) {
      long now = System.nanoTime();
      int second = (int) ((now - start) / 1_000_000_000L);
      if (second >= totalSeconds) {
        return;
      }
      boolean overload = second >= steadySeconds && second < steadySeconds + overloadSeconds;
      due += (now - last) / 1e9 * rate * (overload ? factor : 1.0);
      last = now;
      while (due >= 1) {
        due -= 1;
        sent++;
        submit(c, second);
      }
      LockSupport.parkNanos(500_000);
    }
  }

  private void submit(TideflowClient c, int second) {
    offered.incrementAndGet(second);
    long t0 = System.nanoTime();
    CompletableFuture<?> f = c.submit(task());
    f.whenComplete(
        (r, e) -> {
          long t1 = System.nanoTime();
          int at = (int) Math.min(SECONDS_MAX - 1, (t1 - openStartNanos) / 1_000_000_000L);
          if (e == null) {
            ok.incrementAndGet(at);
            synchronized (okLatency) {
              okLatency.recordValue(t1 - t0);
            }
            return;
          }
          Throwable cause =
              e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
          String kind =
              cause instanceof TaskException te ? te.kind().name() : cause.getClass().getName();
          failures.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
          if (cause instanceof TaskException te && te.kind() == TaskException.Kind.OVERLOADED) {
            synchronized (overloadedFailLatency) {
              overloadedFailLatency.recordValue(t1 - t0);
            }
          }
        });
  }

  void recordProbe(boolean rejected, long nanos) {
    Histogram h = rejected ? probeRejected : probeAccepted;
    synchronized (h) {
      h.recordValue(nanos);
    }
  }

  private void report(
      double capacity,
      double sustainable,
      int total,
      HeapWatch heap,
      List<TideflowClient> cs,
      List<MeterRegistry> clientMetrics,
      MeterRegistry workerMetrics) {
    long submitted = -submittedBefore;
    for (TideflowClient c : cs) {
      submitted += c.stats().submitted();
    }
    long turnedBack = 0;
    long refused = 0;
    for (MeterRegistry m : clientMetrics) {
      turnedBack +=
          (long)
              m.find("tideflow.client.tasks.turned_back").counters().stream()
                  .mapToDouble(x -> x.count())
                  .sum();
      refused +=
          (long)
              m.find("tideflow.client.tasks.turn_back_refused").counters().stream()
                  .mapToDouble(x -> x.count())
                  .sum();
    }
    long offeredAll = 0;
    for (int s = 0; s < total; s++) {
      offeredAll += offered.get(s);
    }
    long retries = turnedBack - refused;
    // The rate before the overload: its last 10 s, or all of it when shorter.
    int beforeSeconds = Math.min(10, steadySeconds);
    double before = 0;
    for (int s = steadySeconds - beforeSeconds; s < steadySeconds; s++) {
      before += ok.get(s);
    }
    before /= Math.max(1, beforeSeconds);
    int overloadEnd = steadySeconds + overloadSeconds;
    int back = -1;
    for (int s = overloadEnd; s < total; s++) {
      if (ok.get(s) >= 0.95 * before) {
        back = s - overloadEnd;
        break;
      }
    }
    System.out.println();
    System.out.println("per second (offered / completed):");
    StringBuilder line = new StringBuilder();
    for (int s = 0; s < total; s++) {
      line.append(String.format(Locale.ROOT, "%d:%d/%d ", s, offered.get(s), ok.get(s)));
      if (s % 10 == 9) {
        System.out.println(line);
        line.setLength(0);
      }
    }
    System.out.println(line);
    System.out.println();
    System.out.printf(Locale.ROOT, "| figure | value |%n| --- | ---: |%n");
    row("capacity, closed loop (tasks/s)", String.format(Locale.ROOT, "%.0f", capacity));
    row("sustainable rate offered before and after (tasks/s)", fmt(sustainable));
    row("overload offered (tasks/s), seconds", fmt(sustainable * factor) + ", " + overloadSeconds);
    row("tasks offered / accepted by submit()", offeredAll + " / " + submitted);
    row(
        "completed / failed by kind",
        okTotal(total)
            + " / "
            + failures.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    row(
        "worker rejections (OVERLOADED)",
        fmt(
            workerMetrics
                .find("tideflow.worker.tasks.rejected")
                .tag("reason", "overloaded")
                .functionCounter()
                .count()));
    row(
        "turned back / re-sent (retries) / refused by a bound",
        turnedBack + " / " + retries + " / " + refused);
    row(
        "retries as % of offered load",
        String.format(Locale.ROOT, "%.1f %%", 100.0 * retries / Math.max(1, offeredAll)));
    row("probe: OVERLOADED answer p50 / p99 / max (ms)", pcts(probeRejected));
    row("probe: accepted task's answer p50 / p99 (ms)", pcts(probeAccepted));
    row("tasks failed OVERLOADED: submit to failure p50 / p99 (ms)", pcts(overloadedFailLatency));
    row("completed tasks: submit to result p50 / p99 (ms)", pcts(okLatency));
    row("JVM heap used, high-water (MiB)", mib(heap.usedHighWater.get()));
    row("JVM heap after GC, high-water (MiB)", mib(heap.afterGcHighWater.get()));
    row(
        "worker tasks admitted / queued, high-water",
        heap.admittedHighWater.get() + " / " + heap.queuedHighWater.get());
    long peak = 0;
    for (int s = steadySeconds; s < overloadEnd; s++) {
      peak = Math.max(peak, ok.get(s));
    }
    double during = 0;
    for (int s = steadySeconds; s < overloadEnd; s++) {
      during += ok.get(s);
    }
    row(
        "completions/s during the overload: mean / best second",
        fmt(during / overloadSeconds) + " / " + peak);
    row("completions/s in the " + beforeSeconds + " s before the overload", fmt(before));
    row(
        "seconds after the overload until completions/s >= 95 % of that",
        back < 0 ? "not within " + steadySeconds + " s" : Integer.toString(back));
  }

  private long okTotal(int total) {
    long n = 0;
    for (int s = 0; s < SECONDS_MAX; s++) {
      n += ok.get(s);
    }
    return n;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
  }

  private static String pcts(Histogram h) {
    synchronized (h) {
      if (h.getTotalCount() == 0) {
        return "none";
      }
      return String.format(
          Locale.ROOT,
          "%.2f / %.2f / %.2f (n=%d)",
          h.getValueAtPercentile(50) / 1e6,
          h.getValueAtPercentile(99) / 1e6,
          h.getMaxValue() / 1e6,
          h.getTotalCount());
    }
  }

  private static void row(String name, String value) {
    System.out.println("| " + name + " | " + value + " |");
  }

  /**
   * CPU work: spins on the clock for the given time. A calibrated loop of arithmetic was tried
   * first and is not stable here: calibrated before the JIT compiles it, it later runs many times
   * faster than asked. Spinning keeps the carrier busy for the time asked whatever the JIT does.
   */
  static final class Work {
    private Work() {}

    static byte[] burn(long nanos, byte[] payload) {
      long end = System.nanoTime() + nanos;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      return payload;
    }
  }

  /** Samples the heap and the worker's admitted work every 100 ms. */
  static final class HeapWatch {
    final AtomicLong usedHighWater = new AtomicLong();
    final AtomicLong afterGcHighWater = new AtomicLong();
    final AtomicLong admittedHighWater = new AtomicLong();
    final AtomicLong queuedHighWater = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    void start(MeterRegistry workerMetrics) {
      running = true;
      List<MemoryPoolMXBean> heapPools =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getType() == MemoryType.HEAP)
              .toList();
      thread =
          Thread.ofPlatform()
              .daemon()
              .name("heap-watch")
              .start(
                  () -> {
                    while (running) {
                      long used = 0;
                      long afterGc = 0;
                      for (MemoryPoolMXBean p : heapPools) {
                        used += p.getUsage().getUsed();
                        if (p.getCollectionUsage() != null) {
                          afterGc += p.getCollectionUsage().getUsed();
                        }
                      }
                      usedHighWater.accumulateAndGet(used, Math::max);
                      afterGcHighWater.accumulateAndGet(afterGc, Math::max);
                      admittedHighWater.accumulateAndGet(
                          (long)
                              workerMetrics.get("tideflow.worker.tasks.in_flight").gauge().value(),
                          Math::max);
                      queuedHighWater.accumulateAndGet(
                          (long) workerMetrics.get("tideflow.worker.tasks.queued").gauge().value(),
                          Math::max);
                      LockSupport.parkNanos(100_000_000);
                    }
                  });
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }
  }

  /**
   * A raw stream to the worker that sends one task every 10 ms and times each answer, to see how
   * soon a task beyond the admission limit is told so.
   */
  static final class Probe implements StreamObserver<ResultBatch> {
    private final ManagedChannel channel;
    private final StreamObserver<TaskBatch> out;
    private final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    private volatile OverloadBenchmark sink;

    Probe(String address) {
      channel = NettyChannelBuilder.forTarget(address).usePlaintext().directExecutor().build();
      out = TaskServiceGrpc.newStub(channel).tasks(this);
    }

    void run(int seconds, OverloadBenchmark bench) {
      sink = bench;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long id = 0;
      while (System.nanoTime() < end) {
        id++;
        sentAt.put(id, System.nanoTime());
        synchronized (this) {
          out.onNext(
              TaskBatch.newBuilder()
                  .addTasks(
                      TaskMessage.newBuilder()
                          .setId(id)
                          .setHandler("burn")
                          .setTimeoutMillis(10_000)
                          .setAttempt(1))
                  .build());
        }
        LockSupport.parkNanos(10_000_000);
      }
    }

    @Override
    public void onNext(ResultBatch batch) {
      long now = System.nanoTime();
      for (ResultMessage r : batch.getResultsList()) {
        Long t0 = sentAt.remove(r.getId());
        if (t0 != null && sink != null) {
          sink.recordProbe(r.getError() == ErrorCode.OVERLOADED, now - t0);
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      System.err.println("probe stream broke: " + t);
    }

    @Override
    public void onCompleted() {}

    void close() {
      synchronized (this) {
        out.onCompleted();
      }
      channel.shutdownNow();
    }
  }
}
