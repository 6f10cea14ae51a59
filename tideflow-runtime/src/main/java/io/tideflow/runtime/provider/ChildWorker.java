package io.tideflow.runtime.provider;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One worker JVM started by {@link LocalProcessNodeProvider}: its process, its log, and the lines
 * it announces itself with ({@code STANDBY <address>}, {@code READY <address>}). A virtual thread
 * copies its output (stdout and stderr) into the log file and watches for those lines.
 */
final class ChildWorker {
  private static final System.Logger LOG = System.getLogger(ChildWorker.class.getName());
  private static final int TAIL_LINES = 30;

  private final String nodeId;
  private final Process process;
  private final Path log;
  private final CompletableFuture<String> standby = new CompletableFuture<>();
  private final CompletableFuture<String> ready = new CompletableFuture<>();

  private ChildWorker(String nodeId, Process process, Path log) {
    this.nodeId = nodeId;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in this process's environment changed by {@code environment} (a null
   * value removes the variable); its output goes to {@code log}.
   */
  static ChildWorker start(
      String nodeId, List<String> command, Map<String, String> environment, Path log) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      environment.forEach(
          (k, v) -> {
            if (v == null) {
              builder.environment().remove(k);
            } else {
              builder.environment().put(k, v);
            }
          });
      Process process = builder.start();
      ChildWorker child = new ChildWorker(nodeId, process, log);
      Thread.ofVirtual().name("tideflow-child-output-" + nodeId).start(child::copyOutput);
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException(nodeId + ": cannot start " + command.get(0), e);
    }
  }

  private void copyOutput() {
    try (BufferedReader out =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer file =
            Files.newBufferedWriter(
                log,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
      String line;
      while ((line = out.readLine()) != null) {
        file.write(line);
        file.write('\n');
        file.flush();
        if (line.startsWith("STANDBY ")) {
          standby.complete(line.substring("STANDBY ".length()).trim());
        } else if (line.startsWith("READY ")) {
          ready.complete(line.substring("READY ".length()).trim());
        }
      }
    } catch (IOException e) {
      // The pipe broke with the process: the exit below reports it.
      LOG.log(Level.DEBUG, nodeId + ": output ended: " + e.getMessage());
    }
    process
        .onExit()
        .thenRun(
            () -> {
              IllegalStateException exited =
                  new IllegalStateException(
                      nodeId
                          + " exited with code "
                          + process.exitValue()
                          + " before it was ready; log "
                          + log
                          + ":\n"
                          + logTail());
              standby.completeExceptionally(exited);
              ready.completeExceptionally(exited);
            });
  }

  String nodeId() {
    return nodeId;
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  /** Completes with the address once the child printed STANDBY. */
  CompletableFuture<String> standby() {
    return standby;
  }

  /** Completes with the address once the child printed READY. */
  CompletableFuture<String> ready() {
    return ready;
  }

  /** Tells a standby child to register. */
  void activate() {
    try {
      OutputStream in = process.getOutputStream();
      in.write("ACTIVATE\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      ready.completeExceptionally(
          new IllegalStateException(
              nodeId + ": cannot tell it to activate: " + e.getMessage() + "\n" + logTail(), e));
    }
  }

  /**
   * Stops the child: SIGTERM, then SIGKILL if it has not exited once {@code grace} has passed on
   * the clock of {@code deadlines}. Completes when it has exited.
   */
  CompletableFuture<Process> stop(Duration grace, Deadlines deadlines) {
    if (!process.isAlive()) {
      return CompletableFuture.completedFuture(process);
    }
    process.destroy();
    CompletableFuture<Process> exited = process.onExit();
    CompletableFuture<Void> graceOver = deadlines.after(grace);
    return CompletableFuture.anyOf(exited, graceOver)
        .thenCompose(
            first -> {
              if (exited.isDone()) {
                graceOver.cancel(false);
                return exited;
              }
              LOG.log(Level.WARNING, nodeId + " ignored SIGTERM for " + grace + ": killing it");
              process.destroyForcibly();
              return process.onExit();
            });
  }

  /** The last lines of the child's log. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(log " + log + " unreadable: " + e.getMessage() + ")";
    }
  }
}
