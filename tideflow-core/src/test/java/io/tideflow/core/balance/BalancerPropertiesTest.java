package io.tideflow.core.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class BalancerPropertiesTest {
  private static final OutlierEjection EJECTION = OutlierEjection.DEFAULT;

  /**
   * With {@code m} requests held in flight on {@code n} endpoints, bounded-load hashing never puts
   * more than {@code ⌈(1+ε)·m/n⌉} on one endpoint, whatever the keys (here: many repeats of few hot
   * keys as well as spread keys). Exact, no slack: the bound is what the algorithm enforces for a
   * single picking thread.
   */
  @Property(tries = 100)
  void boundedLoadHashingKeepsEveryLoadWithinOnePlusEpsilonOfTheAverage(
      @ForAll @IntRange(min = 1, max = 40) int n,
      @ForAll @IntRange(min = 1, max = 2000) int m,
      @ForAll @DoubleRange(min = 0.01, max = 2.0) double epsilon,
      @ForAll @IntRange(min = 1, max = 1000) int distinctKeys,
      @ForAll long seed) {
    Balancer b = new BoundedLoadHashBalancer(EJECTION, epsilon, 50);
    b.updateEndpoints(BalancerTest.endpoints(n));
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, Integer> load = new HashMap<>();
    for (int i = 0; i < m; i++) {
      load.merge(BalancerTest.pick(b, r.nextInt(distinctKeys), 0), 1, Integer::sum);
    }
    long bound = (long) Math.ceil((1 + epsilon) * m / n);
    assertThat(load.values()).allSatisfy(l -> assertThat((long) l).isLessThanOrEqualTo(bound));
  }

  /**
   * Adding one endpoint to {@code n} moves only keys that now go to the new endpoint (exact), and
   * about 1/(n+1) of them. Slack: with 200 points per endpoint an endpoint's share of the ring
   * varies by about 1/√200 ≈ 7% (one standard deviation), and 20,000 sampled keys add about 4% more
   * at n = 30; the allowed band [0.6, 1.5]·1/(n+1) is over five standard deviations each way, so
   * the test fails on a real regression (a ring rebuilt from scratch moves ~n/(n+1)) and not by
   * chance. Loads are released after each pick so the bound never redirects a key.
   */
  @Property(tries = 40)
  void addingOneEndpointMovesAboutOneInNPlusOneOfTheKeys(
      @ForAll @IntRange(min = 2, max = 30) int n, @ForAll long seed) {
    Balancer b = new BoundedLoadHashBalancer(EJECTION, 0.25, 200);
    List<Endpoint> before = BalancerTest.endpoints(n);
    List<Endpoint> after = BalancerTest.endpoints(n + 1);
    SplittableRandom r = new SplittableRandom(seed);
    long[] keys = r.longs(20_000).toArray();
    String[] was = new String[keys.length];
    b.updateEndpoints(before);
    for (int i = 0; i < keys.length; i++) {
      was[i] = pickAndRelease(b, keys[i]);
    }
    b.updateEndpoints(after);
    int moved = 0;
    String added = after.get(n).id();
    for (int i = 0; i < keys.length; i++) {
      String now = pickAndRelease(b, keys[i]);
      if (!now.equals(was[i])) {
        assertThat(now).as("a moved key goes to the new endpoint").isEqualTo(added);
        moved++;
      }
    }
    double expected = (double) keys.length / (n + 1);
    assertThat((double) moved).isBetween(0.6 * expected, 1.5 * expected);
  }

  private static String pickAndRelease(Balancer b, long key) {
    String id = BalancerTest.pick(b, key, 0);
    b.onResult(id, 1, true, 0);
    return id;
  }

  /** Whatever the failures, a balancer never returns an unhealthy or currently ejected endpoint. */
  @Property(tries = 50)
  void noBalancerChoosesAnUnhealthyOrEjectedEndpoint(
      @ForAll @IntRange(min = 0, max = 3) int kind, @ForAll long seed) {
    OutlierEjection ejection = new OutlierEjection(2, 100, 1000);
    Balancer b =
        switch (kind) {
          case 0 -> new RoundRobinBalancer(ejection);
          case 1 -> new LeastLoadedBalancer(ejection);
          case 2 -> new PeakEwmaBalancer(ejection, 1000, 10);
          default -> new BoundedLoadHashBalancer(ejection, 0.5, 20);
        };
    SplittableRandom r = new SplittableRandom(seed);
    List<Endpoint> eps = new ArrayList<>(BalancerTest.endpoints(6));
    eps.set(0, new Endpoint("e0", "h:1", false));
    b.updateEndpoints(eps);
    Map<String, Long> ejectedUntil = new HashMap<>();
    Map<String, Integer> failures = new HashMap<>();
    Map<String, Integer> ejections = new HashMap<>();
    for (long now = 0; now < 3000; now += 7) {
      PickResult result = b.picker().pick(r.nextLong(), now);
      if (!(result instanceof PickResult.Chosen chosen)) {
        continue;
      }
      String id = chosen.endpoint().id();
      assertThat(chosen.endpoint().healthy()).isTrue();
      assertThat(now)
          .as("%s ejected until %s", id, ejectedUntil.get(id))
          .isGreaterThanOrEqualTo(ejectedUntil.getOrDefault(id, 0L));
      boolean success = !id.equals("e1") && r.nextInt(4) != 0;
      b.onResult(id, 5, success, now);
      if (success) {
        failures.put(id, 0);
        ejections.put(id, 0);
      } else if (failures.merge(id, 1, Integer::sum) == 2) {
        failures.put(id, 0);
        ejectedUntil.put(id, now + ejection.ejectionNanos(ejections.merge(id, 1, Integer::sum)));
      }
    }
  }
}
