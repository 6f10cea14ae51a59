package io.tideflow.runtime.flow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The processes every registry has; see {@link FlowProcesses}. */
final class BuiltinProcesses {
  private BuiltinProcesses() {}

  /** Reads a non-negative long property, naming the process and property when it is bad. */
  static long longProperty(ProcessContext context, String name, long fallback, long min) {
    String text = context.property(name, null);
    if (text == null) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text.trim());
      if (value < min) {
        throw new NumberFormatException("below " + min);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "process "
              + context.process()
              + ": property "
              + name
              + " must be a whole number >= "
              + min
              + ", was '"
              + text
              + "'",
          e);
    }
  }

  /** Every output port of the process, in the order its spec names them. */
  static List<Output> outputs(ProcessContext context, List<String> ports) {
    List<Output> outputs = new ArrayList<>();
    for (String port : ports) {
      outputs.add(context.output(port));
    }
    return outputs;
  }

  /**
   * Numbers {@code instance, instance + parallelism, ...} below {@code count}: a replayable source,
   * whose state is the next number, so that an instance placed again goes on from there.
   */
  static final class Sequence implements StatefulProcess {
    private static final int TURN = 256;
    private long next;
    private long step;
    private long end;
    private int size;
    private long rate;
    private long startedAt;
    private long emitted;
    private Output[] outputs;

    @Override
    public void open(ProcessContext context) {
      long count = longProperty(context, "count", 1000, 0);
      size = (int) Math.min(1 << 20, longProperty(context, "size", 8, 8));
      rate = longProperty(context, "rate", 0, 0);
      next = context.instance();
      step = context.parallelism();
      end = count == 0 ? Long.MAX_VALUE : count;
      outputs = outputs(context, context.outputPorts()).toArray(Output[]::new);
      startedAt = System.nanoTime();
    }

    @Override
    public boolean produce() throws InterruptedException {
      int turn = TURN;
      if (rate > 0) {
        // As many as the rate allows by now, at most a turn; else wait for the next one's time.
        long due = (System.nanoTime() - startedAt) * rate / 1_000_000_000L - emitted;
        if (due <= 0) {
          // Until the next message is due; the runtime checks between turns whether to stop.
          java.util.concurrent.locks.LockSupport.parkNanos(
              Math.min(1_000_000L, 1_000_000_000L / rate));
          if (Thread.interrupted()) {
            throw new InterruptedException("sequence stopped while pacing");
          }
          return true;
        }
        turn = (int) Math.min(TURN, due);
      }
      for (int i = 0; i < turn && next < end; i++, next += step) {
        emitted++;
        byte[] payload = new byte[size];
        ByteBuffer.wrap(payload).putLong(next);
        for (Output out : outputs) {
          out.emit(next, payload);
        }
      }
      return next < end;
    }

    @Override
    public byte[] snapshot() {
      return ByteBuffer.allocate(Long.BYTES).putLong(next).array();
    }

    @Override
    public void restore(byte[] state) {
      if (state.length != Long.BYTES) {
        throw new IllegalArgumentException(
            "a sequence's state is " + Long.BYTES + " bytes, was " + state.length);
      }
      next = ByteBuffer.wrap(state).getLong();
      // Paced from here on, as if started now.
      startedAt = System.nanoTime();
      emitted = 0;
    }
  }

  static class Pass implements FlowProcess {
    private Output[] outputs;

    @Override
    public void open(ProcessContext context) throws Exception {
      outputs = outputs(context, context.outputPorts()).toArray(Output[]::new);
    }

    @Override
    public void onMessage(String port, Message message) throws Exception {
      for (Output out : outputs) {
        out.emit(message.key(), message.payload());
      }
    }
  }

  static final class Spin extends Pass {
    private long nanos;

    @Override
    public void open(ProcessContext context) throws Exception {
      super.open(context);
      nanos = longProperty(context, "nanos", 1000, 0);
    }

    @Override
    public void onMessage(String port, Message message) throws Exception {
      long until = System.nanoTime() + nanos;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      super.onMessage(port, message);
    }
  }

  /**
   * Appends each message to a file of its own per instance, {@code
   * <dir>/<flow>-<process>-<i>-<pid>.txt}: the payload as a line of UTF-8 text, or (format {@code
   * number}) the number in its first 8 bytes, as {@code sequence} writes it. Each line is written
   * through before the message counts as taken, so what is acknowledged is in the file.
   */
  static final class FileSink implements FlowProcess {
    private java.io.Writer out;
    private boolean numbers;

    @Override
    public void open(ProcessContext context) throws java.io.IOException {
      String dir = context.property("dir", null);
      if (dir == null) {
        throw new IllegalArgumentException(
            "process " + context.process() + ": the file sink needs a property dir");
      }
      String format = context.property("format", "text");
      if (!format.equals("text") && !format.equals("number")) {
        throw new IllegalArgumentException(
            "process "
                + context.process()
                + ": format must be text or number, was '"
                + format
                + "'");
      }
      numbers = format.equals("number");
      java.nio.file.Path file =
          java.nio.file.Path.of(dir)
              .resolve(
                  context.flow()
                      + "-"
                      + context.process()
                      + "-"
                      + context.instance()
                      + "-"
                      + ProcessHandle.current().pid()
                      + ".txt");
      out =
          java.nio.file.Files.newBufferedWriter(
              file,
              java.nio.charset.StandardCharsets.UTF_8,
              java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.APPEND);
    }

    @Override
    public void onMessage(String port, Message message) throws java.io.IOException {
      if (numbers) {
        out.write(Long.toString(ByteBuffer.wrap(message.payload()).getLong()));
      } else {
        out.write(new String(message.payload(), java.nio.charset.StandardCharsets.UTF_8));
      }
      out.write('\n');
      out.flush();
    }

    @Override
    public void close() throws java.io.IOException {
      if (out != null) {
        out.close();
      }
    }
  }

  static final class Discard implements FlowProcess {
    @Override
    public void onMessage(String port, Message message) {}
  }
}
