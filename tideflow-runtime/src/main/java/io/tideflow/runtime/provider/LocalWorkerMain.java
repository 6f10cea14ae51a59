package io.tideflow.runtime.provider;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.autoscale.OrphanGuard;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.TlsFiles;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.ListenAddress;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.Lease;
import io.tideflow.store.connect.ClusterStores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The main class of a worker JVM started by {@link LocalProcessNodeProvider}.
 *
 * <pre>
 * --store etcd[s]://HOST:PORT --id ID --lease-ttl-millis N --cpu-millis N [--memory-bytes N]
 * [--network-bytes N] [--resource NAME=AMOUNT]... [--label k=v]... [--parent-pid PID] [--bind HOST] [--advertise HOST] [--tls-dir DIR] [--standby]
 * </pre>
 *
 * <p>With {@code --tls-dir} its links are mutual TLS ({@code DIR/tls.crt}, {@code tls.key}, {@code
 * ca.crt}, reread when they change). Its store credentials come from the environment ({@link
 * ClusterStores#TLS_DIR_ENV} and the rest), never from the command line.
 *
 * <p>It starts a worker (provider {@code local-process}, handlers from {@link
 * TaskHandlers#discover()}) and prints {@code READY <address>}. With {@code --standby} it prints
 * {@code STANDBY <address>} instead and registers only when it reads {@code ACTIVATE} on stdin
 * (then prints READY). SIGTERM closes it gracefully. Exit codes: 0 stopped by SIGTERM or by the
 * coordinator's Terminate call, 1 could not start, 2 bad arguments, 3 its parent process is gone
 * and no coordinator adopted it (see {@link OrphanGuard}), 4 another node took its id while its
 * lease was gone.
 */
public final class LocalWorkerMain {
  public static final String PROVIDER = "local-process";
  static final int EXIT_OK = 0;
  static final int EXIT_START_FAILED = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_PARENT_GONE = 3;
  static final int EXIT_ID_TAKEN = 4;
  private static final System.Logger LOG = System.getLogger(LocalWorkerMain.class.getName());
  private static final Duration PARENT_POLL = Duration.ofMillis(250);
  private static final Duration ACTIVATE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration LEADER_READ_TIMEOUT = Duration.ofSeconds(1);

  /** How often its certificate files are looked at: its provider renews them in place. */
  private static final Duration TLS_RELOAD = Duration.ofSeconds(10);

  private static volatile boolean stopping;

  private LocalWorkerMain() {}

  /** What the command line asks for. */
  record Args(
      String store,
      String id,
      long leaseTtlMillis,
      long cpuMillis,
      long memoryBytes,
      long networkBytesPerSec,
      Map<String, Long> resources,
      Map<String, String> labels,
      long parentPid,
      String bind,
      String advertise,
      Path tlsDir,
      boolean standby) {
    Args {
      if (store == null || !(store.startsWith("etcd://") || store.startsWith("etcds://"))) {
        throw new IllegalArgumentException(
            "--store must be etcd://HOST:PORT or etcds://HOST:PORT, was '" + store + "'");
      }
      if (bind == null || bind.isBlank()) {
        throw new IllegalArgumentException("--bind must not be blank, was '" + bind + "'");
      }
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("--id must not be blank, was '" + id + "'");
      }
      if (leaseTtlMillis < 1000) {
        throw new IllegalArgumentException(
            "--lease-ttl-millis must be >= 1000, was " + leaseTtlMillis);
      }
      if (cpuMillis <= 0) {
        throw new IllegalArgumentException("--cpu-millis must be > 0, was " + cpuMillis);
      }
      if (memoryBytes < 0 || networkBytesPerSec < 0) {
        throw new IllegalArgumentException(
            "--memory-bytes and --network-bytes must be >= 0, were "
                + memoryBytes
                + " and "
                + networkBytesPerSec);
      }
      resources = Map.copyOf(resources);
      labels = Map.copyOf(labels);
    }

    /** What the worker offers. */
    Resources capacity() {
      return new Resources(cpuMillis, memoryBytes, networkBytesPerSec, resources);
    }

    static Args parse(String[] argv) {
      Map<String, String> values = new LinkedHashMap<>();
      Map<String, String> labels = new LinkedHashMap<>();
      Map<String, Long> resources = new LinkedHashMap<>();
      boolean standby = false;
      for (int i = 0; i < argv.length; i++) {
        String flag = argv[i];
        if (flag.equals("--standby")) {
          standby = true;
          continue;
        }
        if (i + 1 == argv.length) {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        String value = argv[++i];
        if (flag.equals("--label")) {
          int eq = value.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--label must be k=v, was '" + value + "'");
          }
          labels.put(value.substring(0, eq), value.substring(eq + 1));
        } else if (flag.equals("--resource")) {
          int eq = value.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException(
                "--resource must be NAME=AMOUNT, was '" + value + "'");
          }
          resources.put(
              value.substring(0, eq),
              number(Map.of(flag, value.substring(eq + 1)), "--resource", null));
        } else {
          values.put(flag, value);
        }
      }
      return new Args(
          values.get("--store"),
          values.get("--id"),
          number(values, "--lease-ttl-millis", "3000"),
          number(values, "--cpu-millis", "1000"),
          number(values, "--memory-bytes", Long.toString(Runtime.getRuntime().maxMemory())),
          number(values, "--network-bytes", "0"),
          resources,
          labels,
          number(values, "--parent-pid", "0"),
          values.getOrDefault("--bind", "127.0.0.1"),
          values.get("--advertise"),
          values.containsKey("--tls-dir") ? Path.of(values.get("--tls-dir")) : null,
          standby);
    }

    private static long number(Map<String, String> values, String flag, String fallback) {
      String text = values.getOrDefault(flag, fallback);
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + " must be a number, was '" + text + "'", e);
      }
    }
  }

  public static void main(String[] argv) {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("tideflow local worker: " + e.getMessage());
      System.exit(EXIT_USAGE);
      return;
    }
    try {
      run(args);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "worker " + args.id() + " failed: " + e.getMessage(), e);
      System.exit(EXIT_START_FAILED);
    }
  }

  private static void run(Args args) {
    LinkSecurity security =
        args.tlsDir() == null
            ? LinkSecurity.plaintext()
            : LinkSecurity.mutualTls(ClusterTls.load(TlsFiles.in(args.tlsDir()), TLS_RELOAD));
    ClusterStore cluster = ClusterStores.openWithEnvironment(args.store(), System.getenv());
    if (args.parentPid() > 0) {
      watchParent(args, cluster);
    }
    DeferredRegistrationStore held = args.standby() ? new DeferredRegistrationStore(cluster) : null;
    if (held != null) {
      warmUp(cluster, args.id());
    }
    WorkerConfig config =
        WorkerConfig.defaults(args.id())
            .withProvider(PROVIDER)
            .withLabels(args.labels())
            .withCapacity(args.capacity())
            .withLeaseTtl(Duration.ofMillis(args.leaseTtlMillis()))
            .withListen(ListenAddress.of(args.bind(), args.advertise()));
    WorkerNode worker =
        WorkerNode.start(
            config,
            held != null ? held : cluster,
            TaskHandlers.discover(),
            new SimpleMeterRegistry(),
            security);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping = true;
                  worker.close();
                  cluster.close();
                  security.tls().ifPresent(ClusterTls::close);
                },
                "tideflow-worker-shutdown"));
    if (held != null) {
      awaitQuietly(held.prepare(), "granting the lease ahead of activation");
      System.out.println("STANDBY " + worker.address());
      awaitActivation(held);
    }
    System.out.println("READY " + worker.address());
    worker.terminated().join();
    if (worker.terminatedByCoordinator()) {
      LOG.log(Level.INFO, "worker " + args.id() + " terminated by the coordinator: exiting");
      // At once, not when the last non-daemon thread ends; the shutdown hook closes the store.
      System.exit(EXIT_OK);
    }
    if (!stopping) {
      LOG.log(
          Level.ERROR,
          "worker " + args.id() + " stopped: another node took its id while its lease was gone");
      System.exit(EXIT_ID_TAKEN);
    }
  }

  private static void awaitQuietly(CompletableFuture<?> step, String what) {
    try {
      step.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(Level.WARNING, what + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs, once, what activation and the first tasks will run, so a standby worker joins and serves
   * in milliseconds: a lease grant, a write and a revoke on the real store (under a key outside
   * Tideflow's prefix), and a few tasks through a scratch worker and client on a private memory
   * store (the gRPC server and task stream paths, loaded and compiled).
   */
  static void warmUp(ClusterStore cluster, String id) {
    try {
      Lease lease = cluster.grantLease(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
      cluster.put("/tideflow-warmup/" + id, new byte[0], lease.id()).get(10, TimeUnit.SECONDS);
      lease.revoke().get(10, TimeUnit.SECONDS);
      try (ClusterStore scratch = ClusterStores.open("memory:")) {
        WorkerNode worker =
            WorkerNode.start(
                WorkerConfig.defaults(id + "-warm-up"),
                scratch,
                TaskHandlers.discover(),
                new SimpleMeterRegistry());
        try (TideflowClient client =
            TideflowClient.connect(scratch, ClientConfig.defaults(), new SimpleMeterRegistry())) {
          for (int i = 0; i < 20; i++) {
            client.submit(TaskSpec.builder("noop").build()).get(10, TimeUnit.SECONDS);
          }
        } finally {
          worker.close();
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      // Warming is an optimisation: the worker works without it, only its first task is slower.
      LOG.log(Level.WARNING, "warm-up of " + id + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for ACTIVATE on stdin; the end of stdin means the provider is gone. */
  private static void awaitActivation(DeferredRegistrationStore held) {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.trim().equals("ACTIVATE")) {
          held.activate().get(ACTIVATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          return;
        }
      }
    } catch (IOException | ExecutionException | TimeoutException e) {
      LOG.log(Level.ERROR, "activation failed: " + e.getMessage(), e);
      System.exit(EXIT_START_FAILED);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(EXIT_START_FAILED);
    }
    LOG.log(Level.WARNING, "stdin closed before ACTIVATE: the provider is gone");
    System.exit(EXIT_PARENT_GONE);
  }

  /**
   * Exits (gracefully, through the shutdown hook) when its parent is gone and {@link OrphanGuard}
   * says no coordinator will adopt it: at once for a node of no pool, after {@link
   * OrphanGuard#GRACE} without a successor leading for a pool node.
   */
  private static void watchParent(Args args, ClusterStore cluster) {
    long parentPid = args.parentPid();
    Optional<Instant> born = ProcessHandle.of(parentPid).flatMap(p -> p.info().startInstant());
    OrphanGuard guard =
        new OrphanGuard(args.labels().containsKey(NodeTemplate.POOL_LABEL), leader(cluster));
    ScheduledExecutorService poll =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-parent-watch").factory());
    boolean[] told = {false};
    poll.scheduleWithFixedDelay(
        () -> {
          boolean parentAlive = alive(parentPid, born);
          // The store is read only once the parent is gone: a living parent needs no successor.
          OptionalLong leads = parentAlive ? OptionalLong.empty() : leader(cluster);
          if (guard.shouldExit(System.nanoTime(), parentAlive, leads)) {
            LOG.log(Level.WARNING, "parent process " + parentPid + " is gone: exiting");
            poll.shutdown();
            System.exit(EXIT_PARENT_GONE);
          } else if (!parentAlive && !told[0]) {
            told[0] = true;
            LOG.log(
                Level.WARNING,
                "parent process "
                    + parentPid
                    + " is gone: serving on for a coordinator to adopt this node (exits after "
                    + OrphanGuard.GRACE.toSeconds()
                    + " s without one leading)");
          }
        },
        0,
        PARENT_POLL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** The fencing token of the coordinator leading now; empty when none does or none can tell. */
  private static OptionalLong leader(ClusterStore cluster) {
    try {
      return StoreCalls.await(
              cluster.leader(ClusterKeys.COORDINATOR_ELECTION),
              LEADER_READ_TIMEOUT,
              "read who leads")
          .map(l -> OptionalLong.of(l.fencingToken()))
          .orElse(OptionalLong.empty());
    } catch (RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** Alive, and the same process (a reused pid has another start time). */
  static boolean alive(long pid, Optional<Instant> born) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return false;
    }
    Optional<Instant> now = handle.get().info().startInstant();
    return born.isEmpty() || now.isEmpty() || born.equals(now);
  }
}
