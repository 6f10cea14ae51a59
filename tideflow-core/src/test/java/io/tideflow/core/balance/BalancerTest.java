package io.tideflow.core.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BalancerTest {
  static final long MS = 1_000_000L;
  static final OutlierEjection EJECT_AFTER_3 = new OutlierEjection(3, 1000 * MS, 8000 * MS);

  static List<Endpoint> endpoints(int n) {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(Endpoint.healthy("e" + i, "127.0.0.1:" + (9000 + i)));
    }
    return list;
  }

  static String pick(Balancer b, long key, long now) {
    PickResult r = b.picker().pick(key, now);
    assertThat(r).isInstanceOf(PickResult.Chosen.class);
    return ((PickResult.Chosen) r).endpoint().id();
  }

  @Test
  void roundRobinTakesHealthyEndpointsInTurnAndSkipsUnhealthyOnes() {
    Balancer b = new RoundRobinBalancer(EJECT_AFTER_3);
    List<Endpoint> eps = new ArrayList<>(endpoints(3));
    eps.set(1, new Endpoint("e1", "127.0.0.1:9001", false));
    b.updateEndpoints(eps);
    assertThat(List.of(pick(b, 0, 0), pick(b, 0, 0), pick(b, 0, 0), pick(b, 0, 0)))
        .containsExactly("e0", "e2", "e0", "e2");
  }

  @Test
  void anEndpointFailingNTimesInARowIsEjectedAndReadmittedAfterItsBackOff() {
    Balancer b = new RoundRobinBalancer(EJECT_AFTER_3);
    b.updateEndpoints(endpoints(2));
    for (int i = 0; i < 3; i++) {
      b.picker().pick(0, 0);
      b.onResult("e0", MS, false, 10 * MS);
    }
    for (int i = 0; i < 4; i++) {
      assertThat(pick(b, 0, 500 * MS)).isEqualTo("e1");
      b.onResult("e1", MS, true, 500 * MS);
    }
    // 1 s back-off from the third failure at 10 ms: due back at 1010 ms.
    List<String> later = List.of(pick(b, 0, 1010 * MS), pick(b, 0, 1010 * MS));
    assertThat(later).containsExactlyInAnyOrder("e0", "e1");
  }

  @Test
  void aSecondEjectionInARowLastsTwiceAsLong() {
    Balancer b = new RoundRobinBalancer(EJECT_AFTER_3);
    b.updateEndpoints(endpoints(1));
    for (int i = 0; i < 3; i++) {
      b.onResult("e0", MS, false, 0);
    }
    for (int i = 0; i < 3; i++) {
      b.onResult("e0", MS, false, 1000 * MS);
    }
    assertThat(b.picker().pick(0, 2999 * MS)).isInstanceOf(PickResult.NoEndpoint.class);
    assertThat(pick(b, 0, 3000 * MS)).isEqualTo("e0");
  }

  @Test
  void leastLoadedSendsToTheEndpointWithFewestInFlight() {
    Balancer b = new LeastLoadedBalancer(EJECT_AFTER_3);
    b.updateEndpoints(endpoints(3));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      counts.merge(pick(b, i, 0), 1, Integer::sum);
    }
    assertThat(counts).containsOnly(Map.entry("e0", 10), Map.entry("e1", 10), Map.entry("e2", 10));
  }

  @Test
  void peakEwmaSteersAwayFromASlowEndpoint() {
    Balancer b = new PeakEwmaBalancer(EJECT_AFTER_3, 10_000 * MS, 5 * MS);
    b.updateEndpoints(endpoints(4));
    SplittableRandom random = new SplittableRandom(1);
    Map<String, Integer> counts = new HashMap<>();
    long now = 0;
    for (int i = 0; i < 4000; i++) {
      now += MS;
      String id = pick(b, random.nextLong(), now);
      counts.merge(id, 1, Integer::sum);
      b.onResult(id, id.equals("e3") ? 100 * MS : 2 * MS, true, now);
    }
    assertThat(counts.getOrDefault("e3", 0)).isLessThan(4000 / 20);
  }

  @Test
  void peakEwmaJumpsToASlowResponseAndDecaysBackWithTime() {
    EndpointStats s = new EndpointStats(Endpoint.healthy("e", "h:1"), 0);
    double tau = 1000 * MS;
    s.observeLatency(10 * MS, 0, tau);
    s.observeLatency(100 * MS, 1, tau);
    assertThat(s.costNanos(1, tau))
        .isCloseTo(100 * MS, org.assertj.core.data.Percentage.withPercentage(0.1));
    s.observeLatency(10 * MS, 1000 * MS, tau);
    // weight e^-1 ≈ 0.368 on the old 100 ms: 0.368·100 + 0.632·10 ≈ 43 ms
    assertThat(s.costNanos(1000 * MS, tau) / MS)
        .isCloseTo(43.1, org.assertj.core.data.Offset.offset(0.5));
  }

  @Test
  void boundedLoadHashingKeepsAKeyOnOneEndpointWhileLoadsAllow() {
    Balancer b = new BoundedLoadHashBalancer(EJECT_AFTER_3, 0.25, 100);
    b.updateEndpoints(endpoints(5));
    String first = pick(b, 42, 0);
    b.onResult(first, MS, true, 0);
    for (int i = 0; i < 10; i++) {
      assertThat(pick(b, 42, 0)).isEqualTo(first);
      b.onResult(first, MS, true, 0);
    }
  }

  @Test
  void withNoHealthyEndpointAPickSaysWhy() {
    Balancer b = new PeakEwmaBalancer(EJECT_AFTER_3, MS, MS);
    b.updateEndpoints(List.of(new Endpoint("e0", "h:1", false)));
    assertThat(b.picker().pick(0, 0))
        .isEqualTo(new PickResult.NoEndpoint("no healthy endpoint among 1"));
  }

  @Test
  void statisticsSurviveAnEndpointUpdate() {
    Balancer b = new LeastLoadedBalancer(EJECT_AFTER_3);
    b.updateEndpoints(endpoints(2));
    String busy = pick(b, 0, 0);
    b.updateEndpoints(endpoints(3));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      counts.merge(pick(b, i, 0), 1, Integer::sum);
    }
    assertThat(counts.getOrDefault(busy, 0)).isEqualTo(1);
  }
}
