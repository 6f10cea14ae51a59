package io.tideflow.cli.faults;

import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.task.TaskHandlerProvider;
import io.tideflow.runtime.task.TaskHandlers;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The fault tests' application handler, found by workers through {@link java.util.ServiceLoader} as
 * any application's would be. {@value #NAME} counts the primes below a number (CPU work that
 * honours interrupts) and then appends the task's id to this process's execution log, so a test
 * counts across processes how often each task ran: at-least-once duplicates are counted, not
 * hidden.
 *
 * <p>Payload: {@code TASK_ID PRIMES_BELOW}. The log is {@code DIR/NODE-PID.log}, with {@code DIR}
 * from the system property {@value #DIR_PROPERTY} or else the environment variable {@value
 * #DIR_ENV} (which JVMs started by a coordinator for its pool inherit), and {@code NODE} from
 * {@value #NODE_PROPERTY} (default {@code node}); one line {@code TASK_ID EPOCH_MILLIS} per run
 * that reached its end, written with one append, so lines from concurrent runs never interleave and
 * a process killed afterwards loses none (they are in the kernel's page cache).
 */
public final class CountingHandlers implements TaskHandlerProvider {
  /** The handler's name. */
  public static final String NAME = "counted";

  /** The directory of the execution logs. */
  public static final String DIR_PROPERTY = "tideflow.faults.executions";

  /** The same directory, for JVMs that get no system properties of ours. */
  public static final String DIR_ENV = "TIDEFLOW_FAULTS_EXECUTIONS";

  /** The node name written into the log's file name. */
  public static final String NODE_PROPERTY = "tideflow.faults.node";

  private static final Object LOCK = new Object();

  /** Opened on the first run; guarded by {@link #LOCK}. */
  private static FileOutputStream log;

  @Override
  public Map<String, TaskHandler> handlers() {
    return Map.of(NAME, CountingHandlers::run);
  }

  /** The payload of task {@code id} that counts primes below {@code work}. */
  public static byte[] payload(String id, int work) {
    if (id.indexOf(' ') >= 0) {
      throw new IllegalArgumentException("task id must not contain a space, was '" + id + "'");
    }
    return (id + " " + work).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] run(byte[] payload) throws Exception {
    String text = new String(payload, StandardCharsets.US_ASCII);
    int space = text.indexOf(' ');
    if (space <= 0) {
      throw new IllegalArgumentException("expected 'TASK_ID PRIMES_BELOW', got '" + text + "'");
    }
    String id = text.substring(0, space);
    long primes =
        TaskHandlers.countPrimesBelowInterruptibly(Long.parseLong(text.substring(space + 1)));
    record(id);
    return Long.toString(primes).getBytes(StandardCharsets.US_ASCII);
  }

  private static void record(String id) throws IOException {
    byte[] line =
        (id + " " + System.currentTimeMillis() + "\n").getBytes(StandardCharsets.US_ASCII);
    synchronized (LOCK) {
      if (log == null) {
        log = open();
      }
      log.write(line);
    }
  }

  private static FileOutputStream open() throws IOException {
    String dir = System.getProperty(DIR_PROPERTY, System.getenv(DIR_ENV));
    if (dir == null) {
      throw new IllegalStateException(
          "handler '"
              + NAME
              + "' needs -D"
              + DIR_PROPERTY
              + "=DIR or "
              + DIR_ENV
              + "=DIR: where it logs each run");
    }
    String node = System.getProperty(NODE_PROPERTY, "node");
    Path file = Path.of(dir, node + "-" + ProcessHandle.current().pid() + ".log");
    try {
      Files.createDirectories(file.getParent());
      return new FileOutputStream(file.toFile(), true); // O_APPEND: one write is one line
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open execution log " + file, e);
    }
  }
}
