package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.task.TaskHandlers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScatterGatherTest {
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();

  private final EmbeddedCluster cluster =
      new EmbeddedCluster(
          TaskHandlers.builtins()
              .with(
                  "darts",
                  p -> {
                    // "seed n": throws n darts at the unit square, says how many fell in the
                    // circle.
                    String[] a = text(p).split(" ");
                    SplittableRandom random = new SplittableRandom(Long.parseLong(a[0]));
                    long n = Long.parseLong(a[1]);
                    long in = 0;
                    for (long i = 0; i < n; i++) {
                      double x = random.nextDouble();
                      double y = random.nextDouble();
                      if (x * x + y * y <= 1) {
                        in++;
                      }
                    }
                    return bytes(Long.toString(in));
                  })
              .with(
                  "unlucky",
                  p -> {
                    int at = running.incrementAndGet();
                    mostAtOnce.accumulateAndGet(at, Math::max);
                    try {
                      // The handler's own work, 5 ms of cpu, so pieces overlap on the workers.
                      long until = System.nanoTime() + 5_000_000;
                      while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                      }
                      if (text(p).equals("13")) {
                        throw new IllegalStateException("13 is unlucky");
                      }
                      return p;
                    } finally {
                      running.decrementAndGet();
                    }
                  })
              .with(
                  "sum-parts",
                  p -> {
                    long sum = 0;
                    for (byte[] part : ScatterGather.decodeParts(p)) {
                      sum += part.length == 0 ? 0 : Long.parseLong(text(part));
                    }
                    return bytes(Long.toString(sum));
                  }));

  private TideflowClient client;

  @BeforeEach
  void start() {
    cluster.startWorker("w1");
    cluster.startWorker("w2");
    client = cluster.client();
  }

  @AfterEach
  void close() {
    cluster.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static List<TaskSpec> pieces(
      String handler, int n, java.util.function.IntFunction<String> payload) {
    List<TaskSpec> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TaskSpec.builder(handler).payload(bytes(payload.apply(i))).build());
    }
    return out;
  }

  @Test
  void estimatesPiOverManyTasksReducedOnTheClient() throws Exception {
    int pieces = 64;
    long darts = 20_000;
    ScatterGather.Gathered<Long> g =
        ScatterGather.of(
                client,
                pieces("darts", pieces, i -> i + " " + darts),
                r -> Long.parseLong(text(r.output())))
            .reduce(0L, Long::sum)
            .get(60, TimeUnit.SECONDS);
    assertThat(g.complete()).isTrue();
    assertThat(g.succeeded()).isEqualTo(pieces);
    double pi = 4.0 * g.value() / (pieces * darts);
    assertThat(pi).isCloseTo(Math.PI, within(0.02));
  }

  @Test
  void collectKeepsTheInputOrderAndTheWindowBoundsWhatIsOut() throws Exception {
    ScatterGather.Gathered<List<String>> g =
        ScatterGather.of(client, pieces("unlucky", 40, i -> "n" + i), r -> text(r.output()))
            .maxInFlight(4)
            .collect()
            .get(60, TimeUnit.SECONDS);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      expected.add("n" + i);
    }
    assertThat(g.value()).isEqualTo(expected);
    assertThat(mostAtOnce.get()).isBetween(1, 4);
  }

  @Test
  void failFastNamesTheFirstPieceThatFailedAndCollectReportsItBesideThePartialAnswer()
      throws Exception {
    var failing = pieces("unlucky", 30, Integer::toString);
    assertThatThrownBy(
            () ->
                ScatterGather.of(client, failing, r -> 1)
                    .reduce(0, Integer::sum)
                    .get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ScatterGather.ScatterException.class)
        .hasMessageContaining("piece 13 of 30 failed")
        .hasMessageContaining("13 is unlucky");

    // The failing piece sent last, with others still in flight: still the whole fails.
    assertThatThrownBy(
            () ->
                ScatterGather.of(client, pieces("unlucky", 14, Integer::toString), r -> 1)
                    .maxInFlight(8)
                    .reduce(0, Integer::sum)
                    .get(60, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ScatterGather.ScatterException.class)
        .hasMessageContaining("piece 13 of 14 failed");

    ScatterGather.Gathered<Integer> partial =
        ScatterGather.of(client, failing, r -> Integer.parseInt(text(r.output())))
            .onFailure(ScatterGather.Failures.COLLECT)
            .reduce(0, Integer::sum)
            .get(60, TimeUnit.SECONDS);
    assertThat(partial.complete()).isFalse();
    assertThat(partial.failures()).containsOnlyKeys(13);
    assertThat(partial.succeeded()).isEqualTo(29);
    assertThat(partial.value()).isEqualTo(435 - 13); // 0..29 without 13
  }

  @Test
  void aFinalTaskReducesThePiecesOnTheCluster() throws Exception {
    var result =
        ScatterGather.thenTask(
                client,
                ScatterGather.of(client, pieces("echo", 10, i -> Integer.toString(i * i))),
                TaskSpec.builder("sum-parts"))
            .get(60, TimeUnit.SECONDS);
    assertThat(text(result.output())).isEqualTo("285");
  }

  @Test
  void packedPartsReadBackAndGarbageIsRefused() {
    List<byte[]> parts = List.of(bytes("a"), new byte[0], bytes("ccc"));
    assertThat(ScatterGather.decodeParts(ScatterGather.encodeParts(parts)))
        .containsExactly(bytes("a"), new byte[0], bytes("ccc"));
    assertThatThrownBy(() -> ScatterGather.decodeParts(new byte[] {0, 0, 0, 2, 0, 0, 0, 9}))
        .hasMessageContaining("says 2 parts");
    assertThatThrownBy(() -> ScatterGather.decodeParts(new byte[] {0, 0, 0, 1, 0, 0, 0, 9}))
        .hasMessageContaining("part 0 says 9 bytes");
    assertThatThrownBy(() -> ScatterGather.decodeParts(new byte[] {1}))
        .hasMessageContaining("not packed parts: 1 bytes");
    assertThatThrownBy(() -> ScatterGather.of(client, List.of()).maxInFlight(0))
        .hasMessageContaining("maxInFlight must be >= 1, was 0");
  }
}
