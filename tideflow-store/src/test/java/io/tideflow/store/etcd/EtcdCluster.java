package io.tideflow.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real etcd cluster for tests: {@code n} member processes on free loopback ports, each with its
 * own temporary data directory, that a test kills, stops, freezes and restarts one by one to take
 * the leader away or lose quorum. Stopped and deleted by {@link #close()} (and killed by a shutdown
 * hook if the JVM exits first). Shipped in the tideflow-store test-jar next to {@link EtcdProcess}.
 *
 * <pre>{@code
 * try (EtcdCluster etcd = EtcdCluster.start(3);
 *     ClusterStore store = ClusterStores.open(etcd.uri())) {
 *   etcd.leader().kill();
 *   etcd.awaitLeader(Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class EtcdCluster implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EtcdCluster.class.getName());
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;
  private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":\"(\\d+)\"");
  private static final Pattern LEADER = Pattern.compile("\"leader\":\"(\\d+)\"");

  private final Path root;
  private final List<Member> members;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private EtcdCluster(Path root, List<Member> members) {
    this.root = root;
    this.members = List.copyOf(members);
  }

  /** Starts {@code size} members from the PATH's etcd and waits until the cluster takes writes. */
  public static EtcdCluster start(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1, was " + size);
    }
    Path binary = EtcdProcess.findOnPath(System.getenv("PATH"));
    List<String> failures = new ArrayList<>();
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      EtcdCluster cluster = launch(binary, size);
      try {
        cluster.awaitWritable(EtcdProcess.START_TIMEOUT);
        return cluster;
      } catch (IllegalStateException e) {
        // A port taken between picking it and etcd binding it: retry on new ports.
        failures.add(e.getMessage());
        cluster.close();
      }
    }
    throw new IllegalStateException(
        "etcd cluster did not start in "
            + START_ATTEMPTS
            + " attempts:\n"
            + String.join("\n", failures));
  }

  private static EtcdCluster launch(Path binary, int size) {
    try {
      Path shm = Path.of("/dev/shm");
      // On tmpfs when there is one: etcd fsyncs every write, and tests need no durability.
      Path root =
          Files.isDirectory(shm) && Files.isWritable(shm)
              ? Files.createTempDirectory(shm, "tideflow-etcd-cluster-")
              : Files.createTempDirectory("tideflow-etcd-cluster-");
      List<Member> members = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        members.add(new Member(binary, "m" + i, root.resolve("m" + i), freePort(), freePort()));
      }
      String initial =
          members.stream().map(m -> m.name + "=" + m.peerUrl()).collect(Collectors.joining(","));
      String token = "tideflow-test-" + UUID.randomUUID();
      for (Member m : members) {
        m.initialCluster = initial;
        m.token = token;
        m.launch("new");
      }
      return new EtcdCluster(root, members);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an etcd cluster", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** For {@link io.tideflow.store.connect.ClusterStores#open}: every member's client address. */
  public String uri() {
    return "etcd://"
        + members.stream().map(m -> "127.0.0.1:" + m.clientPort).collect(Collectors.joining(","));
  }

  public List<Member> members() {
    return members;
  }

  /**
   * Waits until a write through some member commits: a leader is elected and a quorum answers.
   *
   * @throws IllegalStateException when none does within {@code atMost}
   */
  public void awaitWritable(Duration atMost) {
    String key = Base64.getEncoder().encodeToString("tideflow-harness/ready".getBytes(UTF_8));
    try {
      await("etcd cluster accepting writes")
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  members.stream()
                      .filter(m -> m.alive() && !m.paused) // a frozen member would only time out
                      .anyMatch(
                          m ->
                              post(m, "/v3/kv/put", "{\"key\":\"" + key + "\",\"value\":\"\"}")
                                  .filter(body -> body.contains("\"revision\""))
                                  .isPresent()));
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "etcd cluster not writable within " + atMost + "; logs:\n" + logTails(), e);
    }
  }

  /**
   * The member the live members agree leads now, if any. A leader that is frozen or dead leads
   * nothing, whatever the others still believe until their election timeout.
   */
  public Optional<Member> leaderNow() {
    List<String> leaders = new ArrayList<>();
    for (Member m : members) {
      if (!m.alive() || m.paused) {
        continue;
      }
      Optional<String> status = post(m, "/v3/maintenance/status", "{}");
      if (status.isEmpty()) {
        continue;
      }
      Matcher id = MEMBER_ID.matcher(status.get());
      Matcher leader = LEADER.matcher(status.get());
      if (id.find()) {
        m.memberId = id.group(1);
      }
      leaders.add(leader.find() ? leader.group(1) : "0");
    }
    if (leaders.isEmpty() || leaders.stream().distinct().count() != 1) {
      return Optional.empty();
    }
    String leader = leaders.get(0);
    return members.stream()
        .filter(m -> leader.equals(m.memberId) && m.alive() && !m.paused)
        .findFirst();
  }

  /** Waits up to {@code atMost} for the live members to agree on a leader, and returns it. */
  public Member awaitLeader(Duration atMost) {
    return await("etcd leader")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(this::leaderNow, Optional::isPresent)
        .get();
  }

  /** The current leader, waiting up to 10 s for one. */
  public Member leader() {
    return awaitLeader(Duration.ofSeconds(10));
  }

  private Optional<String> post(Member m, String path, String json) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(m.endpoint() + path))
            .timeout(Duration.ofSeconds(2))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // down, stopped or without quorum: not an answer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private String logTails() {
    return members.stream().map(Member::logTail).collect(Collectors.joining("\n"));
  }

  /** Stops every member (forcibly after 10 s) and deletes the data directories. */
  @Override
  public void close() {
    try {
      for (Member m : members) {
        m.stop();
      }
    } finally {
      deleteRecursively(root);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete etcd data directory " + dir, e);
    }
  }

  /** One etcd member: a process that can be killed, frozen and started again on its own data. */
  public static final class Member {
    private final Path binary;
    private final String name;
    private final Path dir;
    private final int clientPort;
    private final int peerPort;
    private String initialCluster;
    private String token;
    private volatile Process process;
    private volatile Thread reaper;
    private volatile boolean paused;
    private volatile String memberId;

    private Member(Path binary, String name, Path dir, int clientPort, int peerPort) {
      this.binary = binary;
      this.name = name;
      this.dir = dir;
      this.clientPort = clientPort;
      this.peerPort = peerPort;
    }

    public String name() {
      return name;
    }

    public int clientPort() {
      return clientPort;
    }

    /** The client URL, {@code http://127.0.0.1:PORT}. */
    public String endpoint() {
      return "http://127.0.0.1:" + clientPort;
    }

    String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }

    public long pid() {
      return process.pid();
    }

    public boolean alive() {
      Process p = process;
      return p != null && p.isAlive();
    }

    private void launch(String clusterState) {
      try {
        Files.createDirectories(dir);
        List<String> command =
            List.of(
                binary.toString(),
                "--name",
                name,
                "--data-dir",
                dir.resolve("data").toString(),
                "--listen-client-urls",
                endpoint(),
                "--advertise-client-urls",
                endpoint(),
                "--listen-peer-urls",
                peerUrl(),
                "--initial-advertise-peer-urls",
                peerUrl(),
                "--initial-cluster",
                initialCluster,
                "--initial-cluster-token",
                token,
                "--initial-cluster-state",
                clusterState);
        Process p =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
                .start();
        Thread hook = new Thread(p::destroyForcibly, "etcd-" + name + "-reaper");
        Runtime.getRuntime().addShutdownHook(hook);
        process = p;
        reaper = hook;
        paused = false;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start etcd member " + name, e);
      }
    }

    /** SIGKILL: the member dies at once, as a crashed machine's would; its data stays. */
    public void kill() {
      Process p = process;
      p.destroyForcibly();
      waitFor(p);
      forgetReaper();
      paused = false;
    }

    /** SIGTERM (SIGKILL after 10 s): the member stops as an operator would stop it. */
    public void stop() {
      Process p = process;
      if (p == null || !p.isAlive()) {
        forgetReaper();
        return;
      }
      if (paused) {
        resume(); // a frozen etcd cannot act on SIGTERM
      }
      p.destroy();
      try {
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          waitFor(p);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      forgetReaper();
    }

    /** Starts the member again on its data after {@link #kill()} or {@link #stop()}. */
    public void restart() {
      if (alive()) {
        throw new IllegalStateException("etcd member " + name + " is still running");
      }
      launch("existing");
    }

    /**
     * SIGSTOP: the member keeps its sockets but answers nothing, like a hung machine. Returns once
     * every thread of it has stopped.
     */
    public void pause() {
      signal("-STOP");
      paused = true;
      await("etcd member " + name + " stopped")
          .atMost(STOP_TIMEOUT)
          .ignoreExceptionsInstanceOf(IOException.class) // a thread may end while we read /proc
          .until(() -> threadStates().allMatch(state -> state == 'T'));
    }

    /** Undoes {@link #pause()} (SIGCONT). */
    public void resume() {
      signal("-CONT");
      paused = false;
      await("etcd member " + name + " running")
          .atMost(STOP_TIMEOUT)
          .ignoreExceptionsInstanceOf(IOException.class)
          .until(() -> threadStates().noneMatch(state -> state == 'T'));
    }

    private Stream<Character> threadStates() throws IOException {
      List<Character> states = new ArrayList<>();
      try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
        for (Path task : tasks.toList()) {
          String stat = Files.readString(task.resolve("stat"));
          // The state follows the command name, which is in parentheses and may contain spaces.
          states.add(stat.charAt(stat.lastIndexOf(')') + 2));
        }
      }
      return states.stream();
    }

    private void signal(String signal) {
      try {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(pid())).start();
        if (!kill.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            || kill.exitValue() != 0) {
          throw new IllegalStateException("kill " + signal + " " + pid() + " failed");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run kill " + signal, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while signalling etcd member " + name, e);
      }
    }

    private static void waitFor(Process p) {
      try {
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("etcd pid " + p.pid() + " survived SIGKILL");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for etcd to die", e);
      }
    }

    private void forgetReaper() {
      Thread hook = reaper;
      reaper = null;
      if (hook == null) {
        return;
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down and will run the hook: nothing left to undo.
        LOG.log(Level.DEBUG, "JVM shutting down; etcd reaper stays registered");
      }
    }

    private String logTail() {
      try {
        List<String> lines = Files.readAllLines(dir.resolve("etcd.log"));
        return "--- "
            + name
            + "\n"
            + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
      } catch (IOException e) {
        return "--- " + name + " (no log: " + e.getMessage() + ")";
      }
    }

    @Override
    public String toString() {
      return "etcd member " + name + " at " + endpoint();
    }
  }
}
