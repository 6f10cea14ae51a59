package io.tideflow.runtime.provider;

import io.tideflow.core.model.NodeInfo;
import io.tideflow.runtime.provider.ProvidedNode.Status;
import io.tideflow.runtime.security.NodeCertificates;
import io.tideflow.store.clock.MonotonicClock;
import io.tideflow.store.connect.ClusterStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts workers as child JVMs on this machine, on this JVM's class path, running {@link
 * LocalWorkerMain} against a shared etcd store. A launch completes when the child printed READY, or
 * fails (in the result, with the tail of the child's log) if it exits first or takes longer than
 * {@link LocalProcessConfig#readyTimeout()}. Terminate sends SIGTERM, then SIGKILL after {@link
 * LocalProcessConfig#stopGrace()}.
 *
 * <p>The children listen where {@link LocalProcessConfig#links()} says. With its certificates each
 * child is issued one of its own as it spawns, its links are then mutual TLS, and on {@code
 * etcds://} the same certificate is its credential with etcd; the certificate goes with the child.
 * A child never inherits this process's store credentials.
 *
 * <p>A child outlives the provider only to be adopted: {@link #close()} stops them all; {@link
 * #release()} (a coordinator that no longer leads) lets them go; a child whose parent is gone (let
 * go, crashed, or a JVM that exited without closing its provider) keeps serving while another
 * coordinator leads, which adopts it ({@link #adopt}: a node of this kind with the pool's label
 * that no child of its own is), and exits once none has for a minute ({@link
 * io.tideflow.core.autoscale.OrphanGuard}). No shutdown hook kills the children: it would race a
 * deposed coordinator's release. Adopted nodes are stopped by a fenced call to the node, not a
 * signal. Each child's output goes to {@code <node-id>.log} in a temporary directory removed on
 * close. Unhealthy after 3 failed starts in a row.
 *
 * <p>The ready timeout and the stop grace are measured on the provider's clock (the process clock
 * unless given one), looked at every 50 ms of real time; so are the times its nodes entered their
 * status.
 *
 * <p>Longer than most classes here because one child's whole life — spawn, READY, stand-by
 * activation, terminate, reap, the orphan guard — shares the same table of children and must be
 * read in one place; the per-child process handling is already in {@link ChildWorker}.
 */
public final class LocalProcessNodeProvider implements NodeProvider, StandbyLauncher {
  public static final String NAME = LocalWorkerMain.PROVIDER;
  private static final System.Logger LOG =
      System.getLogger(LocalProcessNodeProvider.class.getName());
  private static final int UNHEALTHY_AFTER = 3;
  private static final long DEADLINE_CHECK_MILLIS = 50;

  private final LocalProcessConfig config;
  private final InstantSource clock;
  private final Deadlines deadlines;
  private final Path logDir;
  private final ExecutorService executor =
      Executors.newFixedThreadPool(
          2, Thread.ofPlatform().daemon().name("tideflow-local-process-provider-", 0).factory());
  private final NodeIds ids = new NodeIds();
  private final HealthTracker health = new HealthTracker(UNHEALTHY_AFTER);
  private final RequestLog<LaunchResult> launches = new RequestLog<>(RequestLog.DEFAULT_CAPACITY);
  private final RequestLog<Void> terminations = new RequestLog<>(RequestLog.DEFAULT_CAPACITY);
  private final Map<String, Tracked> children = new ConcurrentHashMap<>();
  private final Map<String, ChildWorker> standby = new ConcurrentHashMap<>();
  private final AdoptedNodes adopted;
  private volatile boolean closed;

  private record Tracked(ChildWorker child, ProvidedNode node) {
    Tracked with(Status status, String error, InstantSource clock) {
      return new Tracked(
          child,
          new ProvidedNode(node.nodeId(), node.template(), NAME, status, clock.instant(), error));
    }
  }

  /** With {@link LocalProcessConfig#defaults}: rejects a store URI other than etcd://. */
  public LocalProcessNodeProvider(String storeUri) {
    this(LocalProcessConfig.defaults(storeUri));
  }

  /** On the system clock. */
  public LocalProcessNodeProvider(LocalProcessConfig config) {
    this(config, MonotonicClock.system());
  }

  public LocalProcessNodeProvider(LocalProcessConfig config, InstantSource clock) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    this.config = config;
    this.clock = clock;
    this.adopted = new AdoptedNodes(NAME, clock);
    try {
      this.logDir = Files.createTempDirectory("tideflow-local-workers-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for worker logs", e);
    }
    this.deadlines =
        new Deadlines(
            clock, Duration.ofMillis(DEADLINE_CHECK_MILLIS), "tideflow-local-process-deadlines");
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Where the workers' logs are. */
  public Path logDir() {
    return logDir;
  }

  /** The process id of every child running now (launching, running or standby), by node id. */
  public Map<String, Long> pids() {
    Map<String, Long> pids = new TreeMap<>();
    children.forEach((id, t) -> pids.put(id, t.child().pid()));
    standby.forEach((id, c) -> pids.put(id, c.pid()));
    return pids;
  }

  @Override
  public CompletableFuture<LaunchResult> launch(
      NodeTemplate template, int count, String requestId) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    return launches.answer(
        requestId,
        () -> {
          List<CompletableFuture<String>> starts = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            starts.add(startOne(template));
          }
          return CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
              .handleAsync((v, e) -> InProcessNodeProvider.result(requestId, starts), executor);
        });
  }

  private CompletableFuture<String> startOne(NodeTemplate template) {
    String id = ids.next(template);
    return CompletableFuture.supplyAsync(() -> spawn(template, id, false), executor)
        .thenCompose(child -> within(child, child.ready(), config.readyTimeout()))
        .handle(
            (address, error) -> {
              Tracked t = children.get(id);
              if (error == null && t != null) {
                health.success();
                children.computeIfPresent(
                    id,
                    (k, v) ->
                        v.node().status() == Status.LAUNCHING
                            ? v.with(Status.RUNNING, "", clock)
                            : v);
                return id;
              }
              String why = error == null ? id + ": terminated while it started" : message(error);
              // A node terminated on purpose while it started (TERMINATING, or already removed by
              // that termination) is no failure of the provider.
              if (t != null && t.node().status() != Status.TERMINATING) {
                health.failure(why);
              }
              children.remove(id);
              forgetCertificate(id);
              throw new CompletionException(new IllegalStateException(why));
            });
  }

  /**
   * {@code signal}, or a failure naming the timeout (and the child killed) once {@code bound} has
   * passed on the clock.
   */
  private CompletableFuture<String> within(
      ChildWorker child, CompletableFuture<String> signal, Duration bound) {
    CompletableFuture<String> result = new CompletableFuture<>();
    CompletableFuture<Void> timeout = deadlines.after(bound);
    signal.whenComplete(
        (address, error) -> {
          timeout.cancel(false);
          if (error == null) {
            result.complete(address);
          } else {
            result.completeExceptionally(
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error);
          }
        });
    timeout.thenRun(
        () -> {
          IllegalStateException late =
              new IllegalStateException(
                  child.nodeId()
                      + " did not print READY within "
                      + bound
                      + "; log tail:\n"
                      + child.logTail());
          if (result.completeExceptionally(late)) {
            child.stop(Duration.ZERO, deadlines);
          }
        });
    return result;
  }

  private static String message(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause.getMessage();
  }

  private ChildWorker spawn(NodeTemplate template, String id, boolean asStandby) {
    if (closed) {
      throw new IllegalStateException(id + ": provider closed");
    }
    Path tlsDir = issueCertificate(template, id);
    ChildWorker child =
        ChildWorker.start(
            id,
            command(template, id, asStandby, tlsDir),
            environment(tlsDir),
            logDir.resolve(id + ".log"));
    if (asStandby) {
      standby.put(id, child);
    } else {
      children.put(
          id,
          new Tracked(
              child,
              new ProvidedNode(id, template.name(), NAME, Status.LAUNCHING, clock.instant(), "")));
    }
    child.process().onExit().thenRun(() -> exited(id, child));
    if (closed) {
      child.stop(Duration.ZERO, deadlines); // closed while it started: it must not outlive us
    }
    return child;
  }

  /** A child that exits without being told to is a failed node until it is terminated. */
  private void exited(String id, ChildWorker child) {
    standby.remove(id, child);
    children.computeIfPresent(
        id,
        (k, t) ->
            t.child() != child
                    || t.node().status() == Status.TERMINATING
                    || t.node().status() == Status.LAUNCHING
                ? t
                : t.with(Status.FAILED, "exited with code " + child.process().exitValue(), clock));
  }

  /** Issues node {@code id} its certificate; its directory, or null when links are plaintext. */
  private Path issueCertificate(NodeTemplate template, String id) {
    NodeCertificates certificates = config.links().certificates();
    return certificates == null
        ? null
        : certificates
            .issue(id, NodeLinks.storeUser(template.name()))
            .certificateChain()
            .getParent();
  }

  /**
   * The child's store credentials: none of this process's own (a coordinator's would give a worker
   * more than it needs); on {@code etcds://}, its own certificate in {@code tlsDir}, whose common
   * name is its pool's etcd user.
   */
  private Map<String, String> environment(Path tlsDir) {
    Map<String, String> env = new HashMap<>();
    env.put(ClusterStores.TLS_DIR_ENV, null);
    env.put(ClusterStores.USER_ENV, null);
    env.put(ClusterStores.PASSWORD_FILE_ENV, null);
    if (tlsDir != null && config.storeOverTls()) {
      env.put(ClusterStores.TLS_DIR_ENV, tlsDir.toString());
    }
    return env;
  }

  private void forgetCertificate(String id) {
    NodeCertificates certificates = config.links().certificates();
    if (certificates != null) {
      certificates.forget(id);
    }
  }

  List<String> command(NodeTemplate template, String id, boolean asStandby, Path tlsDir) {
    List<String> command = new ArrayList<>();
    command.add(config.javaCommand());
    command.addAll(config.jvmFlags());
    command.addAll(
        List.of(
            "-cp",
            config.classPath(),
            LocalWorkerMain.class.getName(),
            "--store",
            config.storeUri(),
            "--id",
            id,
            "--lease-ttl-millis",
            Long.toString(template.leaseTtl().toMillis()),
            "--cpu-millis",
            Long.toString(template.capacity().cpuMillis()),
            "--memory-bytes",
            Long.toString(template.capacity().memoryBytes()),
            "--network-bytes",
            Long.toString(template.capacity().networkBytesPerSec()),
            "--parent-pid",
            Long.toString(ProcessHandle.current().pid())));
    template
        .capacity()
        .custom()
        .forEach((name, amount) -> command.addAll(List.of("--resource", name + "=" + amount)));
    template.labels().forEach((k, v) -> command.addAll(List.of("--label", k + "=" + v)));
    NodeLinks links = config.links();
    command.addAll(List.of("--bind", links.bindHost()));
    if (links.advertiseHost() != null) {
      command.addAll(List.of("--advertise", links.advertiseHost()));
    }
    if (tlsDir != null) {
      command.addAll(List.of("--tls-dir", tlsDir.toString()));
    }
    if (asStandby) {
      command.add("--standby");
    }
    return command;
  }

  @Override
  public CompletableFuture<StandbyNode> prepare(NodeTemplate template) {
    String id = ids.next(template);
    return CompletableFuture.supplyAsync(() -> spawn(template, id, true), executor)
        .thenCompose(
            child ->
                within(child, child.standby(), config.readyTimeout())
                    .thenApply(address -> (StandbyNode) new LocalStandby(child, template)));
  }

  /** A child JVM started with --standby. */
  private final class LocalStandby implements StandbyNode {
    private final ChildWorker child;
    private final NodeTemplate template;
    private final CompletableFuture<Void> activation = new CompletableFuture<>();

    LocalStandby(ChildWorker child, NodeTemplate template) {
      this.child = child;
      this.template = template;
    }

    @Override
    public String nodeId() {
      return child.nodeId();
    }

    @Override
    public synchronized CompletableFuture<Void> activate() {
      if (standby.remove(child.nodeId(), child)) {
        children.put(
            child.nodeId(),
            new Tracked(
                child,
                new ProvidedNode(
                    child.nodeId(), template.name(), NAME, Status.LAUNCHING, clock.instant(), "")));
        child.activate();
        within(child, child.ready(), config.readyTimeout())
            .whenCompleteAsync(
                (a, e) -> {
                  if (e == null) {
                    children.computeIfPresent(
                        child.nodeId(), (k, t) -> t.with(Status.RUNNING, "", clock));
                    health.success();
                    activation.complete(null);
                  } else {
                    health.failure(message(e));
                    children.remove(child.nodeId());
                    child.stop(Duration.ZERO, deadlines);
                    activation.completeExceptionally(e);
                  }
                },
                executor);
      } else if (!activation.isDone() && children.get(child.nodeId()) == null) {
        activation.completeExceptionally(
            new IllegalStateException(
                child.nodeId() + " was discarded or exited before activation"));
      }
      return activation.copy();
    }

    @Override
    public void discard() {
      if (standby.remove(child.nodeId(), child)) {
        child.stop(config.stopGrace(), deadlines);
        forgetCertificate(child.nodeId());
      }
    }
  }

  @Override
  public List<String> adopt(NodeTemplate template, List<NodeInfo> registered, NodeStopper stopper) {
    List<String> taken = new ArrayList<>();
    if (closed) {
      return taken;
    }
    for (NodeInfo node : registered) {
      if (NAME.equals(node.provider())
          && !children.containsKey(node.id())
          && !standby.containsKey(node.id())
          && adopted.adopt(template, node, stopper)) {
        ids.reserve(template, node.id());
        taken.add(node.id());
      }
    }
    return taken;
  }

  @Override
  public CompletableFuture<Void> terminate(Collection<String> nodeIds, String requestId) {
    List<String> targets = List.copyOf(nodeIds);
    return terminations.answer(
        requestId,
        () -> {
          List<CompletableFuture<?>> stops = new ArrayList<>();
          for (String id : targets) {
            if (adopted.holds(id)) {
              stops.add(adopted.stop(id, config.stopGrace()));
              continue;
            }
            adopted.release(id); // its entry may outlive the child by a moment: not a stray
            Tracked t =
                children.computeIfPresent(id, (k, v) -> v.with(Status.TERMINATING, "", clock));
            if (t != null) {
              stops.add(
                  t.child()
                      .stop(config.stopGrace(), deadlines)
                      .thenRun(
                          () -> {
                            children.remove(id, children.get(id));
                            forgetCertificate(id);
                          }));
            }
          }
          return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
              .thenRunAsync(() -> {}, executor);
        });
  }

  /** One round of the deadline checks, for tests that have just moved the clock. */
  void checkDeadlines() {
    deadlines.check();
  }

  /** Ready timeouts and stop graces waiting for the clock, for tests. */
  int pendingDeadlines() {
    return deadlines.pending();
  }

  @Override
  public List<ProvidedNode> nodes() {
    List<ProvidedNode> all = new ArrayList<>();
    children.values().forEach(t -> all.add(t.node()));
    all.addAll(adopted.nodes());
    return all;
  }

  @Override
  public ProviderHealth health() {
    return health.health();
  }

  /** Stops every child (SIGTERM, SIGKILL after the grace) and waits for them, then cleans up. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<CompletableFuture<Process>> stops = new ArrayList<>();
    children.values().forEach(t -> stops.add(t.child().stop(config.stopGrace(), deadlines)));
    standby.values().forEach(c -> stops.add(c.stop(config.stopGrace(), deadlines)));
    CompletableFuture<Void> adoptedStopped = adopted.stopAll(config.stopGrace());
    // A real-time bound on top of the clock's grace: closing must end even if a test's clock
    // never moves past it.
    try {
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
          .thenCombine(adoptedStopped, (a, b) -> b)
          .get(config.stopGrace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "children did not all stop in time; killing: " + e.getMessage());
      killAll();
    }
    children.clear();
    standby.clear();
    executor.shutdown();
    deadlines.close();
    deleteLogs();
  }

  /**
   * Lets the running children go for the next leader to adopt: they are not signalled, and keep
   * their logs. Standbys, which never registered, are stopped.
   */
  @Override
  public void release() {
    if (closed) {
      return;
    }
    closed = true;
    standby.values().forEach(c -> c.process().destroyForcibly());
    LOG.log(
        Level.INFO,
        "local-process provider lets "
            + children.keySet()
            + " go for the next leader to adopt; their logs stay in "
            + logDir);
    children.clear();
    standby.clear();
    executor.shutdown();
    deadlines.close();
  }

  /**
   * SIGTERM to all, a short wait, then SIGKILL to what is left, when closing did not end in time.
   * The wait is in real time, not on the clock, so it ends whatever clock was injected.
   */
  private void killAll() {
    List<Process> all = new ArrayList<>();
    children.values().forEach(t -> all.add(t.child().process()));
    standby.values().forEach(c -> all.add(c.process()));
    all.forEach(Process::destroy);
    long deadline = System.nanoTime() + Math.min(config.stopGrace().toNanos(), 2_000_000_000L);
    for (Process p : all) {
      try {
        p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    all.forEach(Process::destroyForcibly);
  }

  private void deleteLogs() {
    try (Stream<Path> paths = Files.walk(logDir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete worker logs in " + logDir + ": " + e.getMessage());
    }
  }
}
