package io.tideflow.cli.faults;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A JVM on this test's class path running one main class, its output in a log file, that a test
 * signals as an operator or a crash would: {@link #pause()} (SIGSTOP, sockets stay open), {@link
 * #resume()} (SIGCONT), {@link #kill()} (SIGKILL). It may run under a prefix such as {@code ip
 * netns exec NS}, which execs the JVM in place, so the pid is the JVM's. Every child still alive
 * when the test JVM exits is killed, also when a test fails.
 */
final class ChildJvm implements AutoCloseable {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-children"));
  }

  private final String name;
  private final Process process;
  private final Path log;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** What to start: a name for the log, an optional command prefix, properties, main and args. */
  record Spec(
      String name,
      List<String> prefix,
      Map<String, String> properties,
      String mainClass,
      List<String> args) {

    /** A {@code tideflow} command ({@code worker}, {@code coordinator}, ...). */
    static Spec tideflow(String name, Map<String, String> properties, String... args) {
      return new Spec(
          name, List.of(), properties, "io.tideflow.cli.TideflowCommand", List.of(args));
    }

    static Spec main(String name, Class<?> mainClass, String... args) {
      return new Spec(name, List.of(), Map.of(), mainClass.getName(), List.of(args));
    }

    /** The same, run under {@code prefix} (e.g. {@code ip netns exec NS}). */
    Spec under(String... command) {
      return new Spec(name, List.of(command), properties, mainClass, args);
    }
  }

  static ChildJvm start(Spec spec, Path logDir) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(spec.prefix());
    command.add(java);
    // Small and quick to start: several of these share 2 cores with the test and etcd.
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    spec.properties().forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(spec.mainClass());
    command.addAll(spec.args());
    Path log = logDir.resolve(spec.name() + ".log");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      String executions = spec.properties().get(CountingHandlers.DIR_PROPERTY);
      if (executions != null) {
        // For the JVMs this one starts (a coordinator's pool nodes): they inherit the environment.
        builder.environment().put(CountingHandlers.DIR_ENV, executions);
      }
      Process p = builder.start();
      LIVE.add(p);
      return new ChildJvm(spec.name(), p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + spec.name() + ": " + command, e);
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The exit code, once it exited. */
  int exitCode() {
    return process.exitValue();
  }

  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Waits until the output holds {@code text}; fails at once if the process exits first. */
  void awaitOutput(String text, Duration atMost) {
    await(name + " printing '" + text + "'")
        .atMost(atMost)
        .failFast(name + " exited:\n" + output(), () -> !alive() && !output().contains(text))
        .until(() -> output().contains(text));
  }

  /** Waits up to {@code atMost} for the process to exit and returns its code. */
  int awaitExit(Duration atMost) throws InterruptedException {
    if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(name + " still runs after " + atMost + ":\n" + output());
    }
    LIVE.remove(process);
    return process.exitValue();
  }

  /**
   * SIGSTOP. Returns once every thread is stopped, so nothing sent afterwards is answered: the
   * moment of the fault, for measuring from.
   */
  void pause() {
    Signals.send(pid(), "STOP");
    await(name + " stopped")
        .atMost(SIGNAL_TIMEOUT)
        .ignoreExceptionsInstanceOf(IOException.class) // a thread may end while /proc is read
        .until(() -> threadStates().allMatch(state -> state == 'T'));
  }

  /** SIGCONT: undoes {@link #pause()}. */
  void resume() {
    Signals.send(pid(), "CONT");
    await(name + " running")
        .atMost(SIGNAL_TIMEOUT)
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(() -> !alive() || threadStates().noneMatch(state -> state == 'T'));
  }

  /** SIGKILL: the process dies at once, as a crashed machine's would. */
  void kill() throws InterruptedException {
    Signals.send(pid(), "KILL");
    awaitExit(SIGNAL_TIMEOUT);
  }

  /** The scheduler state of each thread ('T' = stopped), from /proc. */
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

  /** SIGTERM (after SIGCONT: a stopped JVM cannot act on it), then SIGKILL after 5 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      Signals.send(pid(), "CONT");
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    LIVE.remove(process);
  }
}
