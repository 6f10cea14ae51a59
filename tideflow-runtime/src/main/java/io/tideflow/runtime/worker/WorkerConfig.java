package io.tideflow.runtime.worker;

import io.tideflow.core.model.Resources;
import io.tideflow.runtime.transport.ListenAddress;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.store.clock.MonotonicClock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;

/**
 * How a worker runs.
 *
 * @param nodeId unique id in the cluster
 * @param provider the provider that started it, written to the registry
 * @param listen where its gRPC server binds and the address the registry records for clients;
 *     loopback unless told otherwise
 * @param port its gRPC port, 0 for any free one
 * @param labels node labels
 * @param capacity what it offers the scheduler
 * @param maxConcurrentTasks tasks run at once; more wait in its queue
 * @param streamCredits tasks one client may have outstanding on it (running plus queued)
 * @param leaseTtl lease time to live: a hung or cut-off worker is gone after about this long
 * @param reportInterval how often it writes its load to the registry
 * @param storeTimeout bound on each control call to the store
 * @param dedupEntries results remembered by handler and idempotency key (per worker, best effort;
 *     see {@code TaskRunner})
 * @param maxAdmittedTasks tasks it holds at most, queued and running, over all streams; one beyond
 *     is answered {@code OVERLOADED} at once and never queued
 * @param maxAdmittedBytes payload bytes of those tasks at most; at least the largest payload
 * @param clock where the worker reads the time for every decision it makes about it (task timeouts,
 *     queued tasks past their deadline, drain deadlines, load-report timestamps), so tests drive
 *     those exactly; its executors still wait in real time for when to look
 */
public record WorkerConfig(
    String nodeId,
    String provider,
    ListenAddress listen,
    int port,
    Map<String, String> labels,
    Resources capacity,
    int maxConcurrentTasks,
    int streamCredits,
    Duration leaseTtl,
    Duration reportInterval,
    Duration storeTimeout,
    int dedupEntries,
    int maxAdmittedTasks,
    long maxAdmittedBytes,
    InstantSource clock) {

  /**
   * Tasks a worker holds at most by default, queued and running, from every stream together: a few
   * streams' worth of credits, so one client at full credit is never turned back while many clients
   * at once are, before the queue's wait alone would outlast their timeouts.
   */
  public static final int DEFAULT_MAX_ADMITTED_TASKS = 16_384;

  /** Payload bytes a worker holds at most by default: 256 MiB, or a quarter of its heap if less. */
  public static long defaultMaxAdmittedBytes() {
    return Math.max(
        WireLimits.MAX_PAYLOAD_BYTES,
        Math.min(256L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4));
  }

  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(3);

  public WorkerConfig {
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("nodeId must not be blank, was '" + nodeId + "'");
    }
    if (listen == null) {
      throw new IllegalArgumentException("listen must not be null");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    if (maxConcurrentTasks <= 0) {
      throw new IllegalArgumentException(
          "maxConcurrentTasks must be > 0, was " + maxConcurrentTasks);
    }
    if (streamCredits <= 0) {
      throw new IllegalArgumentException("streamCredits must be > 0, was " + streamCredits);
    }
    if (leaseTtl.toMillis() < 1000) {
      throw new IllegalArgumentException("leaseTtl must be >= 1s, was " + leaseTtl);
    }
    if (dedupEntries < 0) {
      throw new IllegalArgumentException("dedupEntries must be >= 0, was " + dedupEntries);
    }
    if (maxAdmittedTasks <= 0) {
      throw new IllegalArgumentException("maxAdmittedTasks must be > 0, was " + maxAdmittedTasks);
    }
    if (maxAdmittedBytes < WireLimits.MAX_PAYLOAD_BYTES) {
      // Below that, a task of the largest payload the wire allows could never be admitted.
      throw new IllegalArgumentException(
          "maxAdmittedBytes must be >= "
              + WireLimits.MAX_PAYLOAD_BYTES
              + " (the largest payload), was "
              + maxAdmittedBytes);
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    labels = Map.copyOf(labels);
  }

  /** With the default admission limits. */
  public WorkerConfig(
      String nodeId,
      String provider,
      ListenAddress listen,
      int port,
      Map<String, String> labels,
      Resources capacity,
      int maxConcurrentTasks,
      int streamCredits,
      Duration leaseTtl,
      Duration reportInterval,
      Duration storeTimeout,
      int dedupEntries,
      InstantSource clock) {
    this(
        nodeId,
        provider,
        listen,
        port,
        labels,
        capacity,
        maxConcurrentTasks,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        DEFAULT_MAX_ADMITTED_TASKS,
        defaultMaxAdmittedBytes(),
        clock);
  }

  /** On the process clock ({@link MonotonicClock#system()}). */
  public WorkerConfig(
      String nodeId,
      String provider,
      ListenAddress listen,
      int port,
      Map<String, String> labels,
      Resources capacity,
      int maxConcurrentTasks,
      int streamCredits,
      Duration leaseTtl,
      Duration reportInterval,
      Duration storeTimeout,
      int dedupEntries) {
    this(
        nodeId,
        provider,
        listen,
        port,
        labels,
        capacity,
        maxConcurrentTasks,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        DEFAULT_MAX_ADMITTED_TASKS,
        defaultMaxAdmittedBytes(),
        MonotonicClock.system());
  }

  /** A loopback worker sized to this machine, with the default lease TTL, on the process clock. */
  public static WorkerConfig defaults(String nodeId) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new WorkerConfig(
        nodeId,
        "in-process",
        ListenAddress.LOOPBACK,
        0,
        Map.of(),
        Resources.of(cores * 1000L, Runtime.getRuntime().maxMemory()),
        Math.max(64, cores * 64),
        4096,
        DEFAULT_LEASE_TTL,
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        100_000,
        DEFAULT_MAX_ADMITTED_TASKS,
        defaultMaxAdmittedBytes(),
        MonotonicClock.system());
  }

  public WorkerConfig withProvider(String value) {
    return new WorkerConfig(
        nodeId,
        value,
        listen,
        port,
        labels,
        capacity,
        maxConcurrentTasks,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        maxAdmittedTasks,
        maxAdmittedBytes,
        clock);
  }

  public WorkerConfig withPort(int value) {
    return new WorkerConfig(
        nodeId,
        provider,
        listen,
        value,
        labels,
        capacity,
        maxConcurrentTasks,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        maxAdmittedTasks,
        maxAdmittedBytes,
        clock);
  }

  public WorkerConfig withLabels(Map<String, String> value) {
    return new WorkerConfig(
        nodeId,
        provider,
        listen,
        port,
        value,
        capacity,
        maxConcurrentTasks,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        maxAdmittedTasks,
        maxAdmittedBytes,
        clock);
  }

  public WorkerConfig withCapacity(Resources value) {
    return new WorkerConfig(
        nodeId,
        provider,
        listen,
        port,
        labels,
        value,
        maxConcurrentTasks,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        maxAdmittedTasks,
        maxAdmittedBytes,
        clock);
  }

  public WorkerConfig withLeaseTtl(Duration value) {
    return new WorkerConfig(
        nodeId,
        provider,
        listen,
        port,
        labels,
        capacity,
        maxConcurrentTasks,
        streamCredits,
        value,
        reportInterval,
        storeTimeout,
        dedupEntries,
        maxAdmittedTasks,
        maxAdmittedBytes,
        clock);
  }

  public WorkerConfig withMaxConcurrentTasks(int value) {
    return new WorkerConfig(
        nodeId,
        provider,
        listen,
        port,
        labels,
        capacity,
        value,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        maxAdmittedTasks,
        maxAdmittedBytes,
        clock);
  }

  /** Binds and advertises {@code value}; see {@link ListenAddress#of}. */
  public WorkerConfig withListen(ListenAddress value) {
    return new WorkerConfig(
        nodeId,
        provider,
        value,
        port,
        labels,
        capacity,
        maxConcurrentTasks,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        maxAdmittedTasks,
        maxAdmittedBytes,
        clock);
  }

  public WorkerConfig withStreamCredits(int value) {
    return new WorkerConfig(
        nodeId,
        provider,
        listen,
        port,
        labels,
        capacity,
        maxConcurrentTasks,
        value,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        maxAdmittedTasks,
        maxAdmittedBytes,
        clock);
  }

  public WorkerConfig withClock(InstantSource value) {
    return new WorkerConfig(
        nodeId,
        provider,
        listen,
        port,
        labels,
        capacity,
        maxConcurrentTasks,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        maxAdmittedTasks,
        maxAdmittedBytes,
        value);
  }

  /**
   * Holds at most {@code tasks} tasks and {@code bytes} payload bytes (see the record's javadoc).
   */
  public WorkerConfig withAdmissionLimits(int tasks, long bytes) {
    return new WorkerConfig(
        nodeId,
        provider,
        listen,
        port,
        labels,
        capacity,
        maxConcurrentTasks,
        streamCredits,
        leaseTtl,
        reportInterval,
        storeTimeout,
        dedupEntries,
        tasks,
        bytes,
        clock);
  }
}
