package io.tideflow.cli.cluster;

import io.tideflow.cli.TideflowCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** A {@code tideflow} command run in this JVM, with what it printed. */
record Captured(int exit, String out, String err) {

  static Captured run(String... args) {
    CommandLine cl = TideflowCommand.commandLine();
    StringWriter picocliErr = new StringWriter();
    cl.setErr(new PrintWriter(picocliErr, true));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = cl.execute(args);
      cl.getErr().flush();
      return new Captured(
          exit,
          out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8) + picocliErr);
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }
}
