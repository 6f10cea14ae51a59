package io.tideflow.cli.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** Real signals, through {@code kill}, as an operator or the kernel sends them. */
final class Signals {
  private Signals() {}

  /** Sends SIG{@code signal} (e.g. {@code STOP}) to {@code pid}; a process already gone is fine. */
  static void send(long pid, String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " did not return");
      }
      // Exit 1 means no such process: it died on its own, which the caller sees by waiting on it.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + pid, e);
    }
  }
}
