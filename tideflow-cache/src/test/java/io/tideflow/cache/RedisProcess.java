package io.tideflow.cache;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, for one test class. It
 * can be killed and started again on the same port to simulate a crash, or paused and resumed to
 * simulate a partition (connections stay open, nothing answers, the data survives).
 */
public final class RedisProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final int port;
  private final Path log;
  private final List<String> extraArgs;
  private final boolean tls;
  private Process process;

  private RedisProcess(int port, Path log, List<String> extraArgs) {
    this(port, log, extraArgs, false);
  }

  private RedisProcess(int port, Path log, List<String> extraArgs, boolean tls) {
    this.port = port;
    this.log = log;
    this.extraArgs = extraArgs;
    this.tls = tls;
  }

  /**
   * Starts redis-server serving TLS only on a free loopback port, with {@code tlsDir}'s {@code
   * tls.crt}, {@code tls.key} and {@code ca.crt}, requiring a client certificate of that CA, and
   * one ACL user {@code user} (the default user off).
   */
  public static RedisProcess startTls(Path tlsDir, String user, String password)
      throws IOException {
    RedisProcess redis =
        new RedisProcess(
            freePort(),
            Files.createTempFile("redis-tls-test", ".log"),
            List.of(
                "--tls-cert-file",
                tlsDir.resolve("tls.crt").toString(),
                "--tls-key-file",
                tlsDir.resolve("tls.key").toString(),
                "--tls-ca-cert-file",
                tlsDir.resolve("ca.crt").toString(),
                "--tls-auth-clients",
                "yes",
                "--user",
                "default",
                "off",
                "--user",
                user,
                "on",
                ">" + password,
                "~*",
                "&*",
                "+@all"),
            true);
    redis.startAgain();
    return redis;
  }

  /** Starts redis-server on a free loopback port and waits until it answers PING. */
  public static RedisProcess start() throws IOException {
    RedisProcess redis =
        new RedisProcess(freePort(), Files.createTempFile("redis-test", ".log"), List.of());
    redis.startAgain();
    return redis;
  }

  /**
   * Starts a one-node Redis Cluster (cluster mode, every slot on this node) on a free loopback
   * port; the caller assigns the slots ({@code CLUSTER ADDSLOTSRANGE 0 16383}).
   */
  public static RedisProcess startClusterNode() throws IOException {
    Path dir = Files.createTempDirectory("redis-cluster-test");
    RedisProcess redis =
        new RedisProcess(
            freePort(),
            dir.resolve("redis.log"),
            List.of(
                "--cluster-enabled", "yes",
                "--cluster-config-file", dir.resolve("nodes.conf").toString(),
                "--dir", dir.toString()));
    redis.startAgain();
    return redis;
  }

  /** {@code redis://127.0.0.1:port}, or {@code rediss://} over TLS. */
  public String uri() {
    return (tls ? "rediss://" : "redis://") + "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  /**
   * Stops the server (SIGSTOP): clients stay connected but get no answers, as behind a network
   * partition, and the data is still there after {@link #resume}.
   */
  public void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** Lets a {@link #pause paused} server run again (SIGCONT). */
  public void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  /** Starts the server again on the same port (after {@link #kill}). */
  public void startAgain() throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                executable(),
                tls ? "--tls-port" : "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes"));
    if (tls) {
      command.addAll(List.of("--port", "0"));
    }
    command.addAll(extraArgs);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    Process started = process;
    Awaitility.await("redis-server on port " + port + " answering PING")
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              if (!started.isAlive()) {
                throw new IOException(
                    "redis-server exited with "
                        + started.exitValue()
                        + "; its log:\n"
                        + Files.readString(log));
              }
              // Over TLS a plain PING gets no answer: the log says when it listens.
              return tls
                  ? Files.readString(log).contains("Ready to accept connections")
                  : answersPing();
            });
  }

  @Override
  public void close() throws InterruptedException, IOException {
    kill();
    Files.deleteIfExists(log);
  }

  private void signal(String signal) throws IOException, InterruptedException {
    if (process == null) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    Process kill =
        new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill " + signal + " " + process.pid() + " failed");
    }
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, US_ASCII).equals("+PONG\r\n");
    } catch (IOException notYet) {
      // Expected while the server starts.
      return false;
    }
  }

  private static String executable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    for (String fixed : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (Files.isExecutable(Path.of(fixed))) {
        return fixed;
      }
    }
    throw new IllegalStateException(
        "redis-server not found on the PATH: install it (Debian: apt-get install redis-server; "
            + "./run-tests does this) to run the cache's integration tests");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
