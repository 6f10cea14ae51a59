package io.tideflow.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import java.io.File;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real etcd server for tests: a child process on two free loopback ports with its own temporary
 * data directory, stopped and deleted by {@link #close()} (and by a shutdown hook if the JVM exits
 * first). Shipped in the tideflow-store test-jar for other modules' tests.
 *
 * <pre>{@code
 * try (EtcdProcess etcd = EtcdProcess.start();
 *     ClusterStore store = ClusterStores.open(etcd.uri())) { ... }
 * }</pre>
 */
public final class EtcdProcess implements AutoCloseable {
  /** How long etcd may take to answer its health check after starting. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private static final System.Logger LOG = System.getLogger(EtcdProcess.class.getName());
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;
  private static final String NAME = "tideflow-test";

  private final Process process;
  private final Path root;
  private final Path log;
  private final String host;
  private final int clientPort;
  private final EtcdTls tls;
  private final Thread shutdownHook;

  private EtcdProcess(
      Process process, Path root, Path log, String host, int clientPort, EtcdTls tls) {
    this.process = process;
    this.root = root;
    this.log = log;
    this.host = host;
    this.clientPort = clientPort;
    this.tls = tls;
    this.shutdownHook = new Thread(process::destroyForcibly, "etcd-" + clientPort + "-reaper");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts etcd from the PATH on loopback and waits until it is healthy. */
  public static EtcdProcess start() {
    return start(List.of(), "127.0.0.1", 0);
  }

  /**
   * Starts etcd under {@code prefix} (e.g. {@code ip netns exec NS}, to run it in a network
   * namespace that stands in for a host), listening for clients on {@code host:clientPort} (0 for a
   * free port) and for peers on the next port, and waits until it is healthy.
   */
  public static EtcdProcess start(List<String> prefix, String host, int clientPort) {
    return start(prefix, host, clientPort, null);
  }

  /**
   * As {@link #start(List, String, int)}, serving clients over TLS and accepting only those with a
   * certificate of {@code tls}'s CA (null for plaintext).
   */
  public static EtcdProcess start(List<String> prefix, String host, int clientPort, EtcdTls tls) {
    Path binary = findOnPath(System.getenv("PATH"));
    List<String> failures = new ArrayList<>();
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      EtcdProcess etcd = launch(binary, prefix, host, clientPort, tls);
      try {
        etcd.awaitHealthy();
        return etcd;
      } catch (IllegalStateException e) {
        // A port taken between picking it and etcd binding it: retry on new ports.
        failures.add(e.getMessage());
        etcd.close();
      }
    }
    throw new IllegalStateException(
        "etcd did not start in " + START_ATTEMPTS + " attempts:\n" + String.join("\n", failures));
  }

  /** The etcd binary in the directories of {@code pathVariable}. */
  static Path findOnPath(String pathVariable) {
    if (pathVariable != null) {
      for (String dir : pathVariable.split(File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, "etcd");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException(
        "etcd not found on PATH: install the Debian package etcd-server");
  }

  private static EtcdProcess launch(
      Path binary, List<String> prefix, String host, int fixedClientPort, EtcdTls tls) {
    try {
      Path root = createRoot();
      Path log = root.resolve("etcd.log");
      int clientPort = fixedClientPort == 0 ? freePort() : fixedClientPort;
      int peerPort = fixedClientPort == 0 ? freePort() : fixedClientPort + 1;
      String client = (tls == null ? "http://" : "https://") + host + ":" + clientPort;
      String peer = "http://" + host + ":" + peerPort;
      List<String> command = new ArrayList<>(prefix);
      command.addAll(
          List.of(
              binary.toString(),
              "--name",
              NAME,
              "--data-dir",
              root.resolve("data").toString(),
              "--listen-client-urls",
              client,
              "--advertise-client-urls",
              client,
              "--listen-peer-urls",
              peer,
              "--initial-advertise-peer-urls",
              peer,
              "--initial-cluster",
              NAME + "=" + peer));
      if (tls != null) {
        command.addAll(tls.flags());
      }
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      return new EtcdProcess(process, root, log, host, clientPort, tls);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd " + binary, e);
    }
  }

  /** On tmpfs when there is one: etcd fsyncs every write, and tests need no durability. */
  private static Path createRoot() throws IOException {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return Files.createTempDirectory(shm, "tideflow-etcd-");
    }
    return Files.createTempDirectory("tideflow-etcd-");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Waits until etcd accepts a write (through its JSON gateway), not only until it listens. */
  private void awaitHealthy() {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
    if (tls != null) {
      try {
        builder.sslContext(tls.sslContext());
      } catch (IOException | java.security.GeneralSecurityException e) {
        throw new IllegalStateException("the harness's TLS to etcd cannot be used: " + e, e);
      }
    }
    HttpClient http = builder.build();
    String key = Base64.getEncoder().encodeToString("tideflow-harness/ready".getBytes(UTF_8));
    HttpRequest put = gateway("/v3/kv/put", "{\"key\":\"" + key + "\",\"value\":\"\"}");
    HttpRequest delete = gateway("/v3/kv/deleterange", "{\"key\":\"" + key + "\"}");
    try {
      await("etcd on port " + clientPort + " accepting writes")
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptionsInstanceOf(IOException.class)
          .until(() -> accepts(http, put) && accepts(http, delete));
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "etcd on port "
              + clientPort
              + " not ready within "
              + START_TIMEOUT
              + "; log:\n"
              + logTail(),
          e);
    }
  }

  private HttpRequest gateway(String path, String json) {
    return HttpRequest.newBuilder(URI.create(endpoint() + path))
        .timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private boolean accepts(HttpClient http, HttpRequest request)
      throws IOException, InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "etcd exited with code " + process.exitValue() + "; log " + log + ":\n" + logTail());
    }
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 && response.body().contains("\"revision\"");
  }

  /** The client URL, {@code http://HOST:PORT} or {@code https://HOST:PORT}. */
  public String endpoint() {
    return (tls == null ? "http://" : "https://") + host + ":" + clientPort;
  }

  /** The URI for {@link io.tideflow.store.connect.ClusterStores#open}: {@code etcd://HOST:PORT}. */
  public String uri() {
    return (tls == null ? "etcd://" : "etcds://") + host + ":" + clientPort;
  }

  public int clientPort() {
    return clientPort;
  }

  /** Where etcd writes its log; deleted by {@link #close()}. */
  public Path logFile() {
    return log;
  }

  /**
   * Freezes etcd (SIGSTOP): it keeps its sockets but answers nothing, like a hung node. Returns
   * once every thread of etcd has stopped, so no request sent afterwards is answered.
   */
  public void pause() {
    signal("-STOP");
    await("etcd stopped")
        .atMost(STOP_TIMEOUT)
        .ignoreExceptionsInstanceOf(IOException.class) // a thread may end while we read /proc
        .until(() -> threadStates().allMatch(state -> state == 'T'));
  }

  /** Undoes {@link #pause()} (SIGCONT). */
  public void resume() {
    signal("-CONT");
    await("etcd running")
        .atMost(STOP_TIMEOUT)
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(() -> threadStates().noneMatch(state -> state == 'T'));
  }

  /** The scheduler state of each of etcd's threads ('T' = stopped), from /proc. */
  private Stream<Character> threadStates() throws IOException {
    List<Character> states = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
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
      Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
      if (!kill.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill " + signal, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling etcd", e);
    }
  }

  /** Stops etcd (forcibly if it does not stop within 10 s) and deletes its data directory. */
  @Override
  public void close() {
    try {
      stop();
    } finally {
      removeShutdownHook();
      deleteRecursively(root);
    }
  }

  private void stop() {
    if (!process.isAlive()) {
      return;
    }
    signal("-CONT"); // a paused etcd cannot act on SIGTERM
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void removeShutdownHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down and will run the hook: nothing left to undo.
      LOG.log(Level.DEBUG, "JVM shutting down; etcd reaper stays registered");
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(log " + log + " unreadable: " + e.getMessage() + ")";
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
}
