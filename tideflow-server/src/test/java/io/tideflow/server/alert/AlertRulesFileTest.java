package io.tideflow.server.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.alert.AlertRule;
import io.tideflow.core.alert.BuiltinRules;
import io.tideflow.core.alert.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertRulesFileTest {
  @Test
  void theBuiltinRulesExportAsAPrometheusRulesFileAndReadBackTheSame() {
    String yaml = AlertRulesFile.write("tideflow", BuiltinRules.all());
    assertThat(yaml)
        .contains("groups:\n  - name: \"tideflow\"\n    rules:\n      - alert: TideflowNodeLost\n")
        .contains("        expr: \"increase(tideflow_coordinator_nodes_lost_total[10m]) > 0\"\n")
        .contains("        for: 2m\n")
        .contains("          severity: \"critical\"\n");
    List<AlertRule> back = AlertRulesFile.parse(yaml, "export");
    assertThat(back).hasSameSizeAs(BuiltinRules.all());
    for (int i = 0; i < back.size(); i++) {
      AlertRule a = back.get(i);
      AlertRule b = BuiltinRules.all().get(i);
      assertThat(a.name()).isEqualTo(b.name());
      assertThat(a.query().text()).isEqualTo(b.query().text());
      assertThat(a.forDuration()).isEqualTo(b.forDuration());
      assertThat(a.keepFiringFor()).isEqualTo(b.keepFiringFor());
      assertThat(a.severity()).isEqualTo(b.severity());
      assertThat(a.summary()).isEqualTo(b.summary());
    }
  }

  @Test
  void readsARuleAsPrometheusWritesIt() {
    List<AlertRule> rules =
        AlertRulesFile.parse(
            """
            groups:
              - name: nodes
                interval: 30s
                rules:
                  - alert: NodeCpuHigh
                    expr: max by (node) (node_cpu) > 0.8
                    for: 1h30m
                    keep_firing_for: 90s
                    labels: {severity: critical, team: infra}
                    annotations:
                      description: "{{ $labels.node }} is hot"
            """,
            "rules.yaml");
    AlertRule r = rules.getFirst();
    assertThat(r.name()).isEqualTo("NodeCpuHigh");
    assertThat(r.forDuration()).isEqualTo(Duration.ofMinutes(90));
    assertThat(r.keepFiringFor()).isEqualTo(Duration.ofSeconds(90));
    assertThat(r.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(r.labels()).containsExactlyEntriesOf(Map.of("team", "infra"));
    assertThat(r.summary()).isEqualTo("{{ $labels.node }} is hot");
  }

  @Test
  void badRulesAreRefusedWithTheirPlaceInTheFile() {
    String head = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 1\n";
    assertThatThrownBy(() -> AlertRulesFile.parse(head + "        for: 5x\n", "r.yaml"))
        .hasMessage(
            "r.yaml: groups[0].rules[0]: for: '5x' is not a duration such as 30s, 5m or 1h30m");
    assertThatThrownBy(() -> AlertRulesFile.parse(head + "        fr: 5m\n", "r.yaml"))
        .hasMessageContaining(
            "groups[0].rules[0]: unknown key 'fr' (known: alert, annotations, expr, for,");
    assertThatThrownBy(
            () -> AlertRulesFile.parse(head + "        labels: {severity: page}\n", "r.yaml"))
        .hasMessageContaining(
            "groups[0].rules[0]: severity must be info, warning or critical, was 'page'");
    assertThatThrownBy(
            () ->
                AlertRulesFile.parse(
                    "groups:\n  - name: g\n    rules:\n      - record: x:sum\n        expr: sum(x)\n",
                    "r.yaml"))
        .hasMessageContaining("recording rules are not supported");
    assertThatThrownBy(
            () -> AlertRulesFile.parse(head + "      - alert: A\n        expr: y > 1\n", "r.yaml"))
        .hasMessageContaining("groups[0].rules[1]: a second rule named A");
    assertThatThrownBy(() -> AlertRulesFile.parse(head.replace("x > 1", "x >"), "r.yaml"))
        .hasMessageContaining("r.yaml: groups[0].rules[0]: expression 'x >': expected a number");
    assertThatThrownBy(() -> AlertRulesFile.parse("groups: [oops", "r.yaml"))
        .hasMessageStartingWith("r.yaml: not YAML");
  }
}
