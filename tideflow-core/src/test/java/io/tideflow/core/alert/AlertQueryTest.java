package io.tideflow.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertQueryTest {
  private static final AlertQuery.History NONE = key -> List.of();

  private static Series s(String name, double v, String... labels) {
    Map<String, String> l = new HashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      l.put(labels[i], labels[i + 1]);
    }
    return new Series(name, l, v);
  }

  private static List<String> holds(String expr, List<Series> now) {
    List<String> out = new ArrayList<>();
    AlertQuery.parse(expr).evaluate(now, NONE, 0).forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  @Test
  void aComparisonKeepsTheSeriesItHoldsFor() {
    List<Series> now =
        List.of(
            s("tideflow_nodes", 2, "state", "READY"),
            s("tideflow_nodes", 1, "state", "GONE"),
            s("tideflow_other", 9));
    assertThat(holds("tideflow_nodes > 0", now))
        .containsExactly("{state=READY}=2.0", "{state=GONE}=1.0");
    assertThat(holds("tideflow_nodes{state=\"GONE\"} >= 1", now))
        .containsExactly("{state=GONE}=1.0");
    assertThat(holds("tideflow_nodes{state!=\"GONE\"} == 2", now))
        .containsExactly("{state=READY}=2.0");
    assertThat(holds("tideflow_nodes{state=\"SUSPECT\"} > 0", now)).isEmpty();
    assertThat(holds("tideflow_missing > 0", now)).isEmpty();
  }

  @Test
  void aggregatesOverAllSeriesOrByLabels() {
    List<Series> now =
        List.of(
            s("load", 1.5, "node", "a", "zone", "x"),
            s("load", 0.75, "node", "b", "zone", "x"),
            s("load", 0.25, "node", "c", "zone", "y"));
    assertThat(holds("sum(load) > 1", now)).containsExactly("{}=2.5");
    assertThat(holds("count(load{zone=\"x\"}) == 2", now)).containsExactly("{}=2.0");
    assertThat(holds("max by (zone) (load) > 0.1", now))
        .containsExactly("{zone=x}=1.5", "{zone=y}=0.25");
    assertThat(holds("avg(load) by (zone) < 1.5", now))
        .containsExactly("{zone=x}=1.125", "{zone=y}=0.25");
    assertThat(holds("min(load) < 0.1", now)).isEmpty();
  }

  @Test
  void andKeepsTheLeftSeriesTheRightHasTooByTheirLabels() {
    List<Series> now =
        List.of(
            s("tideflow_pool_at_max", 1, "pool", "web"),
            s("tideflow_pool_at_max", 1, "pool", "batch"),
            s("tideflow_pool_waiting_tasks", 12, "pool", "web"),
            s("tideflow_pool_waiting_tasks", 0, "pool", "batch"));
    assertThat(holds("tideflow_pool_at_max == 1 and tideflow_pool_waiting_tasks > 0", now))
        .containsExactly("{pool=web}=1.0");
  }

  @Test
  void rateAndIncreaseReadTheWindowThroughCounterResets() {
    Series now = s("tideflow_tasks_failed_total", 5, "client", "c1");
    List<double[]> points =
        List.of(
            new double[] {0, 100}, // before the window: not read
            new double[] {40_000, 10},
            new double[] {50_000, 30},
            new double[] {60_000, 2}, // reset: 2 counted since
            new double[] {70_000, 5});
    AlertQuery.History history = key -> key.equals(now.key()) ? points : List.of();
    var increase =
        AlertQuery.parse("increase(tideflow_tasks_failed_total[30s]) > 0")
            .evaluate(List.of(now), history, 70_000);
    assertThat(increase.values()).containsExactly(25.0);
    var rate =
        AlertQuery.parse("rate(tideflow_tasks_failed_total[30s]) > 0")
            .evaluate(List.of(now), history, 70_000);
    assertThat(rate.values()).containsExactly(25.0 / 30);
    assertThat(AlertQuery.parse("sum(rate(x[5m])) > 1 and y > 0").lookback())
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(AlertQuery.parse("sum(rate(x[5m])) > 1 and y > 0").historyNames())
        .containsExactly("x");
    // One sample is no rate.
    AlertQuery.History one = key -> List.of(new double[] {70_000, 5});
    assertThat(
            AlertQuery.parse("rate(tideflow_tasks_failed_total[30s]) >= 0")
                .evaluate(List.of(now), one, 70_000))
        .isEmpty();
  }

  @Test
  void theBuiltinTaskFailureRuleSumsTheFailuresOfEveryClientTheLeaderExports() {
    Series a = s("tideflow_cluster_tasks_failed_total", 18, "client", "client-a");
    Series b = s("tideflow_cluster_tasks_failed_total", 18, "client", "client-b");
    // Each client failed 18 tasks over the last 5 minutes: 0.06/s each, under 0.1/s alone.
    AlertQuery.History history = key -> List.of(new double[] {0, 0}, new double[] {300_000, 18});
    AlertQuery rule = BuiltinRules.TASK_FAILURES.query();
    assertThat(rule.evaluate(List.of(a), history, 300_000)).isEmpty();
    assertThat(rule.evaluate(List.of(a, b), history, 300_000).values())
        .singleElement()
        .satisfies(v -> assertThat(v).isCloseTo(0.12, org.assertj.core.data.Offset.offset(1e-9)));
  }

  @Test
  void badExpressionsAreRefusedNamingTheColumnAndWhatWasExpected() {
    assertThatThrownBy(() -> AlertQuery.parse("tideflow_nodes"))
        .hasMessage(
            "expression 'tideflow_nodes': expected a comparison (>, >=, <, <=, ==, !=) at column 15, found the end");
    assertThatThrownBy(() -> AlertQuery.parse("tideflow_nodes{state=~\"G.*\"} > 0"))
        .hasMessageContaining(
            "expected = or != (regular expressions are not supported) at column 21");
    assertThatThrownBy(() -> AlertQuery.parse("rate(x[5d]) > 0"))
        .hasMessageContaining("expected a duration in (0, 7d] such as 30s, 5m or 1h at column 8");
    assertThatThrownBy(() -> AlertQuery.parse("rate(x[3000000000000h]) > 0"))
        .hasMessageContaining("expected a duration in (0, 7d]");
    assertThatThrownBy(() -> AlertQuery.parse("x > high"))
        .hasMessageContaining("expected a number at column 5");
    assertThatThrownBy(() -> AlertQuery.parse("x > 1 or y > 2"))
        .hasMessageContaining("expected the end or 'and' at column 7");
    assertThatThrownBy(() -> AlertQuery.parse("sum(x > 1")).hasMessageContaining("expected ')'");
    assertThatThrownBy(() -> AlertQuery.parse(" ")).hasMessage("expression must not be blank");
    assertThatThrownBy(() -> AlertQuery.parse("x".repeat(AlertQuery.MAX_CHARS) + " > 1"))
        .hasMessageContaining("more than " + AlertQuery.MAX_CHARS);
  }
}
