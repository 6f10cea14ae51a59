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

  static final class Sequence implements FlowProcess {
    private static final int TURN = 256;
    private long next;
    private long step;
    private long end;
    private int size;
    private Output[] outputs;

    @Override
    public void open(ProcessContext context) {
      long count = longProperty(context, "count", 1000, 0);
      size = (int) Math.min(1 << 20, longProperty(context, "size", 8, 8));
      next = context.instance();
      step = context.parallelism();
      end = count == 0 ? Long.MAX_VALUE : count;
      outputs = outputs(context, context.outputPorts()).toArray(Output[]::new);
    }

    @Override
    public boolean produce() throws InterruptedException {
      for (int i = 0; i < TURN && next < end; i++, next += step) {
        byte[] payload = new byte[size];
        ByteBuffer.wrap(payload).putLong(next);
        for (Output out : outputs) {
          out.emit(next, payload);
        }
      }
      return next < end;
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

  static final class Discard implements FlowProcess {
    @Override
    public void onMessage(String port, Message message) {}
  }
}
