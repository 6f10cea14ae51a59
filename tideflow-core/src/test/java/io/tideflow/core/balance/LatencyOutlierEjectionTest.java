package io.tideflow.core.balance;

import static io.tideflow.core.balance.BalancerTest.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Latency outlier ejection under a fake clock: each pick is answered at once with a set latency.
 */
class LatencyOutlierEjectionTest {
  /** Judged every 100 ms on 10 answers, 3× the peers' median; out 1 s, then 2 s, at most 8 s. */
  static final LatencyOutlierEjection EVERY_100_MS =
      new LatencyOutlierEjection(3, 3, 10, 100 * MS, 1000 * MS, 8000 * MS, 50);

  /** e3 answers in 10 ms, the others in 1 ms, while {@code slow} says so. */
  private static ToLongFunction<String> e3Slow(boolean[] slow) {
    return id -> id.equals("e3") && slow[0] ? 10 * MS : MS;
  }

  /**
   * Picks every millisecond from {@code from} (inclusive) to {@code to}, answering each at once;
   * picks by endpoint.
   */
  private static Map<String, Integer> drive(
      Balancer b, ToLongFunction<String> latency, long from, long to, SplittableRandom r) {
    Map<String, Integer> picks = new HashMap<>();
    for (long now = from; now < to; now += MS) {
      String id = BalancerTest.pick(b, r.nextLong(), now);
      picks.merge(id, 1, Integer::sum);
      b.onResult(id, latency.applyAsLong(id), true, now);
    }
    return picks;
  }

  @Test
  void anEndpointTenTimesSlowerThanItsPeersIsEjectedForItsBackOffThenProbedAgain() {
    Balancer b = new RoundRobinBalancer(OutlierEjection.DEFAULT, EVERY_100_MS);
    b.updateEndpoints(BalancerTest.endpoints(4));
    SplittableRandom r = new SplittableRandom(1);
    boolean[] slow = {true};
    // The first interval starts at the first answer (0 ms) and is judged at the first answer at 100
    // ms.
    assertThat(drive(b, e3Slow(slow), 0, 101 * MS, r)).containsKey("e3");
    assertThat(drive(b, e3Slow(slow), 101 * MS, 1100 * MS, r)).doesNotContainKey("e3");
    slow[0] = false; // it recovered while out: probes find it fast, and it stays in
    assertThat(drive(b, e3Slow(slow), 1100 * MS, 3000 * MS, r).get("e3")).isGreaterThan(400);
  }

  @Test
  void anEndpointStillSlowWhenReadmittedIsEjectedForTwiceAsLong() {
    Balancer b = new RoundRobinBalancer(OutlierEjection.DEFAULT, EVERY_100_MS);
    b.updateEndpoints(BalancerTest.endpoints(4));
    SplittableRandom r = new SplittableRandom(2);
    boolean[] slow = {true};
    drive(b, e3Slow(slow), 0, 101 * MS, r); // ejected at 100 ms until 1,100 ms
    drive(b, e3Slow(slow), 101 * MS, 1100 * MS, r);
    // Back at 1,100 ms; its probes are judged at the next judgement (1,200 ms): out again for 2 s.
    Map<String, Integer> probes = drive(b, e3Slow(slow), 1100 * MS, 1201 * MS, r);
    assertThat(probes.get("e3")).isBetween(10, 30);
    assertThat(drive(b, e3Slow(slow), 1201 * MS, 3200 * MS, r)).doesNotContainKey("e3");
    assertThat(drive(b, e3Slow(slow), 3200 * MS, 3300 * MS, r)).containsKey("e3");
  }

  @Test
  void powerOfTwoChoicesWithEjectionStopsSendingToTheSlowEndpoint() {
    Balancer b = new PeakEwmaBalancer(OutlierEjection.DEFAULT, EVERY_100_MS, 100 * MS, MS);
    b.updateEndpoints(BalancerTest.endpoints(4));
    boolean[] slow = {true};
    drive(b, e3Slow(slow), 0, 101 * MS, new SplittableRandom(3));
    assertThat(drive(b, e3Slow(slow), 101 * MS, 1100 * MS, new SplittableRandom(4)))
        .doesNotContainKey("e3");
  }

  @Test
  void aSeldomPickedEndpointIsJudgedOnceItHasAnsweredEnoughOverSeveralIntervals() {
    // One pick each 10 ms over 4 endpoints: each answers 10 times only after about 400 ms.
    Balancer sparse = new RoundRobinBalancer(OutlierEjection.DEFAULT, EVERY_100_MS);
    sparse.updateEndpoints(BalancerTest.endpoints(4));
    Map<String, Integer> before = new HashMap<>();
    Map<String, Integer> after = new HashMap<>();
    for (long now = 0; now < 1300 * MS; now += 10 * MS) {
      String id = BalancerTest.pick(sparse, 0, now);
      (now < 400 * MS ? before : after).merge(id, 1, Integer::sum);
      sparse.onResult(id, id.equals("e3") ? 10 * MS : MS, true, now);
    }
    assertThat(before.get("e3")).isEqualTo(10);
    assertThat(after.getOrDefault("e3", 0))
        .as("picks after its judgement at 400 ms")
        .isLessThanOrEqualTo(1);
  }

  @Test
  void nothingIsJudgedWithFewerEndpointsThanTheMinimum() {
    // Two endpoints are fewer than the 3 hosts needed to judge.
    Balancer pair = new RoundRobinBalancer(OutlierEjection.DEFAULT, EVERY_100_MS);
    pair.updateEndpoints(BalancerTest.endpoints(2));
    Map<String, Integer> pairPicks =
        drive(pair, id -> id.equals("e1") ? 10 * MS : MS, 0, 1000 * MS, new SplittableRandom(5));
    assertThat(pairPicks.get("e1")).isEqualTo(500);
  }

  @Test
  void neverEjectsMoreThanTheMaxPercentTheSlowestFirst() {
    // Of 4, at most 25 %: one. e2 (20 ms) and e3 (10 ms) are both outliers; e2 goes.
    LatencyOutlierEjection quarter =
        new LatencyOutlierEjection(3, 3, 10, 100 * MS, 1000 * MS, 8000 * MS, 25);
    Balancer b = new RoundRobinBalancer(OutlierEjection.DEFAULT, quarter);
    b.updateEndpoints(BalancerTest.endpoints(4));
    ToLongFunction<String> latency =
        id ->
            switch (id) {
              case "e2" -> 20 * MS;
              case "e3" -> 10 * MS;
              default -> MS;
            };
    drive(b, latency, 0, 101 * MS, new SplittableRandom(6));
    assertThat(drive(b, latency, 101 * MS, 1000 * MS, new SplittableRandom(7)))
        .doesNotContainKey("e2")
        .containsKey("e3");
  }

  @Test
  void maxEjectedIsAShareOfTheEndpointsAndNeverAllOfThem() {
    assertThat(EVERY_100_MS.maxEjected(1)).isZero();
    assertThat(EVERY_100_MS.maxEjected(2)).isEqualTo(1);
    assertThat(EVERY_100_MS.maxEjected(5)).isEqualTo(2);
    LatencyOutlierEjection all = new LatencyOutlierEjection(3, 2, 1, 1, 1, 1, 100);
    assertThat(all.maxEjected(3)).isEqualTo(2);
    assertThat(LatencyOutlierEjection.NONE.enabled()).isFalse();
    assertThat(LatencyOutlierEjection.DEFAULT.enabled()).isTrue();
  }

  @Test
  void settingsAreValidatedWithTheFieldNamed() {
    assertThatThrownBy(() -> new LatencyOutlierEjection(1, 3, 10, 1, 1, 1, 50))
        .hasMessage("factor must be > 1, was 1.0");
    assertThatThrownBy(() -> new LatencyOutlierEjection(3, 1, 10, 1, 1, 1, 50))
        .hasMessageContaining("minimumHosts");
    assertThatThrownBy(() -> new LatencyOutlierEjection(3, 3, 10, 1, 2, 1, 50))
        .hasMessageContaining("maxEjectionNanos");
    assertThatThrownBy(() -> new LatencyOutlierEjection(3, 3, 10, 1, 1, 1, 101))
        .hasMessageContaining("maxEjectionPercent");
  }

  @Test
  void theMedianOfPeersLeavesOneOccurrenceOfTheEndpointOut() {
    assertThat(LatencyOutlierDetector.medianWithout(new double[] {1, 1, 1, 10}, 10)).isEqualTo(1);
    assertThat(LatencyOutlierDetector.medianWithout(new double[] {1, 2, 10, 10}, 1)).isEqualTo(10);
    assertThat(LatencyOutlierDetector.medianWithout(new double[] {1, 2, 3, 10}, 10)).isEqualTo(2);
  }

  /**
   * Whatever the latencies (endpoints turning slow and fast at random), at every moment no more
   * than the max percent of the endpoints are out, so some endpoint can always be picked; and every
   * endpoint, however slow, is picked again within its longest ejection plus one interval (no
   * starvation). Round-robin shows what is available: n picks at one instant visit exactly that.
   */
  @Property(tries = 30)
  void neverEjectsBeyondTheMaxPercentAndNeverStarvesAnEndpoint(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 8) int n,
      @ForAll @IntRange(min = 0, max = 100) int percent) {
    LatencyOutlierEjection policy =
        new LatencyOutlierEjection(2, 2, 5, 50 * MS, 200 * MS, 800 * MS, percent);
    Balancer b = new RoundRobinBalancer(OutlierEjection.DEFAULT, policy);
    b.updateEndpoints(BalancerTest.endpoints(n));
    SplittableRandom r = new SplittableRandom(seed);
    long[] latency = new long[n];
    Arrays.fill(latency, MS);
    long[] lastPicked = new long[n];
    for (long now = 0; now < 10_000 * MS; now += 5 * MS) {
      if (r.nextInt(50) == 0) {
        latency[r.nextInt(n)] = r.nextBoolean() ? MS : r.nextLong(5, 50) * MS;
      }
      Set<String> available = new HashSet<>();
      for (int k = 0; k < n; k++) {
        PickResult pick = b.picker().pick(0, now);
        assertThat(pick).isInstanceOf(PickResult.Chosen.class);
        String id = ((PickResult.Chosen) pick).endpoint().id();
        int i = Integer.parseInt(id.substring(1));
        available.add(id);
        lastPicked[i] = now;
        b.onResult(id, latency[i], true, now);
      }
      assertThat(n - available.size())
          .as("out at %d ms", now / MS)
          .isLessThanOrEqualTo(policy.maxEjected(n));
      for (int j = 0; j < n; j++) {
        assertThat(now - lastPicked[j])
            .as("e%d last picked at %d ms", j, lastPicked[j] / MS)
            .isLessThanOrEqualTo(850 * MS);
      }
    }
  }
}
