package io.tideflow.runtime.client;

import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.task.TaskResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * Splits work into tasks, runs them where they fit, and recombines the results: map on the cluster,
 * reduce here ({@link #reduce}) or in a final task ({@link #thenTask}). Each piece is a task of its
 * own — placed, balanced and retried as any other — with at most {@code maxInFlight} of them out at
 * once, so a million pieces do not become a million waiting futures.
 *
 * <p>Partial failure, as chosen with {@link #onFailure}:
 *
 * <ul>
 *   <li>{@link Failures#FAIL_FAST} (the default): the first piece that fails after its retries
 *       fails the whole with a {@link ScatterException} naming it; pieces not yet sent are not
 *       sent, the results of those in flight are dropped.
 *   <li>{@link Failures#COLLECT}: every piece runs; the {@link Gathered} result reduces the pieces
 *       that succeeded and lists, by index, those that failed and why — the caller decides whether
 *       a partial answer will do.
 * </ul>
 *
 * The reduction is applied in the order results arrive: it must be associative and commutative (a
 * sum, a max, merging counts), or use {@link #collect} for the results in input order.
 *
 * @param <R> what one piece's result is mapped to
 */
public final class ScatterGather<R> {
  /** The most pieces out at once unless told otherwise. */
  public static final int DEFAULT_IN_FLIGHT = 256;

  /** The most parts {@link #encodeParts} packs into one payload. */
  public static final int MAX_PARTS = 1 << 20;

  /** What happens when a piece fails. */
  public enum Failures {
    FAIL_FAST,
    COLLECT
  }

  /**
   * What came back.
   *
   * @param value the reduction of the pieces that succeeded, or the identity when none did
   * @param succeeded how many pieces succeeded
   * @param failures the pieces that failed, by index, with their cause (only with COLLECT)
   */
  public record Gathered<T>(T value, int succeeded, Map<Integer, Throwable> failures) {
    public Gathered {
      failures = Collections.unmodifiableMap(new TreeMap<>(failures));
    }

    /** True when every piece succeeded. */
    public boolean complete() {
      return failures.isEmpty();
    }
  }

  /** A piece that failed the whole under FAIL_FAST. */
  public static final class ScatterException extends RuntimeException {
    private final int index;

    ScatterException(int index, int pieces, Throwable cause) {
      super("piece " + index + " of " + pieces + " failed: " + describe(cause), cause);
      this.index = index;
    }

    /** The index of the piece that failed. */
    public int index() {
      return index;
    }
  }

  private final TideflowClient client;
  private final List<TaskSpec> pieces;
  private final Function<TaskResult, R> map;
  private int maxInFlight = DEFAULT_IN_FLIGHT;
  private Failures failures = Failures.FAIL_FAST;

  private ScatterGather(TideflowClient client, List<TaskSpec> pieces, Function<TaskResult, R> map) {
    this.client = client;
    this.pieces = List.copyOf(pieces);
    this.map = map;
  }

  /** The pieces, each mapped by {@code map} when its result comes back (on a client thread). */
  public static <R> ScatterGather<R> of(
      TideflowClient client, List<TaskSpec> pieces, Function<TaskResult, R> map) {
    return new ScatterGather<>(client, pieces, map);
  }

  /** The pieces, each result as its output bytes. */
  public static ScatterGather<byte[]> of(TideflowClient client, List<TaskSpec> pieces) {
    return new ScatterGather<>(client, pieces, TaskResult::output);
  }

  /**
   * @throws IllegalArgumentException when {@code n < 1}
   */
  public ScatterGather<R> maxInFlight(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1, was " + n);
    }
    this.maxInFlight = n;
    return this;
  }

  public ScatterGather<R> onFailure(Failures f) {
    this.failures = f;
    return this;
  }

  /** Runs the pieces and folds their mapped results with {@code combine} from {@code identity}. */
  public CompletableFuture<Gathered<R>> reduce(R identity, BinaryOperator<R> combine) {
    return background(
        () -> {
          Object lock = new Object();
          List<R> acc = new ArrayList<>(List.of());
          acc.add(identity);
          Gathered<Integer> g =
              loop(
                  (i, result) -> {
                    R mapped = map.apply(result);
                    synchronized (lock) {
                      acc.set(0, combine.apply(acc.get(0), mapped));
                    }
                  });
          synchronized (lock) {
            return new Gathered<>(acc.get(0), g.succeeded(), g.failures());
          }
        });
  }

  /** Runs the pieces and gives their mapped results in input order (null for a failed piece). */
  public CompletableFuture<Gathered<List<R>>> collect() {
    return background(
        () -> {
          Object[] slots = new Object[pieces.size()];
          Gathered<Integer> g =
              loop(
                  (i, result) -> {
                    R mapped = map.apply(result);
                    synchronized (slots) {
                      slots[i] = mapped;
                    }
                  });
          List<R> out = new ArrayList<>(slots.length);
          synchronized (slots) {
            for (Object o : slots) {
              @SuppressWarnings("unchecked")
              R v = (R) o;
              out.add(v);
            }
          }
          return new Gathered<>(Collections.unmodifiableList(out), g.succeeded(), g.failures());
        });
  }

  private interface Job<T> {
    T run() throws InterruptedException;
  }

  /** Runs {@code job} on a virtual thread of its own: sending blocks on the window. */
  private static <T> CompletableFuture<T> background(Job<T> job) {
    CompletableFuture<T> done = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("tideflow-scatter")
        .start(
            () -> {
              try {
                done.complete(job.run());
              } catch (Throwable t) {
                done.completeExceptionally(
                    t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                        ? t.getCause()
                        : t);
              }
            });
    return done;
  }

  private static String describe(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof io.tideflow.runtime.task.TaskException te) {
      return te.kind() + ": " + te.getMessage();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /**
   * Runs the pieces, then one more task of {@code handler} whose payload is every piece's output,
   * in input order, packed by {@link #encodeParts} — a reduce on the cluster. Under COLLECT the
   * failed pieces' parts are empty.
   */
  public static CompletableFuture<TaskResult> thenTask(
      TideflowClient client, ScatterGather<byte[]> pieces, TaskSpec.Builder handler) {
    return pieces
        .collect()
        .thenCompose(
            g -> {
              List<byte[]> parts = new ArrayList<>();
              for (byte[] p : g.value()) {
                parts.add(p == null ? new byte[0] : p);
              }
              return client.submit(handler.payload(encodeParts(parts)).build());
            });
  }

  private interface Sink {
    void accept(int index, TaskResult result);
  }

  /** Sends every piece through the window; the sink sees each success on a client thread. */
  private Gathered<Integer> loop(Sink sink) throws InterruptedException {
    Semaphore window = new Semaphore(maxInFlight);
    Map<Integer, Throwable> failed = Collections.synchronizedMap(new TreeMap<>());
    AtomicInteger succeeded = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> firstFailure = new CompletableFuture<>();
    for (int i = 0; i < pieces.size() && !stop.get(); i++) {
      window.acquire();
      if (stop.get()) {
        window.release();
        break;
      }
      int index = i;
      client
          .submit(pieces.get(i))
          .whenComplete(
              (r, e) -> {
                try {
                  if (e == null) {
                    sink.accept(index, r);
                    succeeded.incrementAndGet();
                  } else {
                    failed.put(index, e);
                    failFast(firstFailure, stop, index, e);
                  }
                } catch (RuntimeException mapping) {
                  failed.put(index, mapping);
                  failFast(firstFailure, stop, index, mapping);
                } finally {
                  window.release();
                }
              });
    }
    if (stop.get()) {
      // Set only once the failure is kept there: this throws the ScatterException.
      firstFailure.join();
    }
    // Every permit back: every piece sent has answered, and no callback writes any more.
    window.acquire(maxInFlight);
    window.release(maxInFlight);
    if (stop.get()) {
      firstFailure.join(); // a piece failed while the last ones were answering
    }
    synchronized (failed) {
      return new Gathered<>(0, succeeded.get(), new TreeMap<>(failed));
    }
  }

  /** Under FAIL_FAST the first failure fails the whole; {@code stop} is set once it is kept. */
  private void failFast(
      CompletableFuture<Void> firstFailure, AtomicBoolean stop, int index, Throwable cause) {
    if (failures == Failures.FAIL_FAST
        && firstFailure.completeExceptionally(new ScatterException(index, pieces.size(), cause))) {
      stop.set(true);
    }
  }

  /** Packs {@code parts} into one payload: a count, then each part's length and bytes. */
  public static byte[] encodeParts(List<byte[]> parts) {
    if (parts.size() > MAX_PARTS) {
      throw new IllegalArgumentException("at most " + MAX_PARTS + " parts, were " + parts.size());
    }
    long size = 4;
    for (byte[] p : parts) {
      size += 4L + p.length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "the parts come to " + size + " bytes: too many for one payload");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size);
    out.putInt(parts.size());
    for (byte[] p : parts) {
      out.putInt(p.length).put(p);
    }
    return out.array();
  }

  /**
   * The parts {@link #encodeParts} packed.
   *
   * @throws IllegalArgumentException when {@code payload} is not such a packing
   */
  public static List<byte[]> decodeParts(byte[] payload) {
    ByteBuffer in = ByteBuffer.wrap(payload);
    if (in.remaining() < 4) {
      throw new IllegalArgumentException("not packed parts: " + payload.length + " bytes");
    }
    int n = in.getInt();
    if (n < 0 || n > MAX_PARTS || n > in.remaining() / 4) {
      throw new IllegalArgumentException("not packed parts: says " + n + " parts");
    }
    List<byte[]> parts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (in.remaining() < 4) {
        throw new IllegalArgumentException("not packed parts: part " + i + " is cut short");
      }
      int len = in.getInt();
      if (len < 0 || len > in.remaining()) {
        throw new IllegalArgumentException(
            "not packed parts: part " + i + " says " + len + " bytes");
      }
      byte[] p = new byte[len];
      in.get(p);
      parts.add(p);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(
          "not packed parts: " + in.remaining() + " bytes after the last");
    }
    return parts;
  }
}
