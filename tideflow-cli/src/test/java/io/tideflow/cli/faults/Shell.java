package io.tideflow.cli.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs the short commands ({@code ip}, {@code kill}) that set up and undo a test's network. */
final class Shell {
  private Shell() {}

  /** Runs {@code command}; its output, or a failure when {@code check} and it exits non-zero. */
  static String run(boolean check, String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not return");
      }
      if (check && p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
      }
      return p.exitValue() == 0 ? out : "";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    }
  }

  /**
   * Deletes every network namespace whose name starts with {@code prefix}, first killing by pid the
   * processes still in one (children a crashed run left behind), since a namespace lives as long as
   * one does.
   */
  static void deleteNamespaces(String prefix) {
    for (String ns : run(false, "ip", "netns", "list").lines().toList()) {
      String name = ns.split(" ")[0];
      if (name.startsWith(prefix)) {
        for (String pid : run(false, "ip", "netns", "pids", name).lines().toList()) {
          if (!pid.isBlank()) {
            Signals.send(Long.parseLong(pid.trim()), "KILL");
          }
        }
        run(false, "ip", "netns", "delete", name);
      }
    }
  }
}
