package io.tideflow.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  private static final AlertRule CPU =
      AlertRule.of(
              "NodeCpuHigh",
              "node_cpu > 0.8",
              Severity.WARNING,
              "{{ $labels.node }} cpu {{ $value }}")
          .withFor(Duration.ofSeconds(30))
          .withKeepFiringFor(Duration.ofSeconds(20));

  /** Drives one rule through evaluations 10 s apart, the cpu of node a given for each. */
  private static final class Run {
    final List<AlertRule> rules;
    AlertBook book = AlertBook.EMPTY;
    List<Silence> silences = List.of();
    Instant now = T0;
    final List<String> sent = new ArrayList<>();

    Run(AlertRule... rules) {
      this.rules = List.of(rules);
    }

    Run step(double cpu) {
      AlertEvaluator.Evaluation e =
          AlertEvaluator.evaluate(
              rules,
              List.of(new Series("node_cpu", Map.of("node", "a"), cpu)),
              book,
              silences,
              now);
      book = e.book();
      for (Notification n : e.notifications()) {
        sent.add(
            Duration.between(T0, now).toSeconds() + "s " + n.kind() + " " + n.alert().summary());
      }
      now = now.plusSeconds(10);
      return this;
    }

    Alert.State state() {
      return book.alerts().isEmpty() ? null : book.alerts().values().iterator().next().state();
    }
  }

  @Test
  void firesAfterItsForDurationAndResolvesAfterItsKeepFiringFor() {
    Run r = new Run(CPU);
    r.step(0.9);
    assertThat(r.state()).isEqualTo(Alert.State.PENDING);
    r.step(0.9).step(0.9);
    assertThat(r.sent).isEmpty();
    r.step(0.95); // 30 s after it started to hold
    assertThat(r.sent).containsExactly("30s FIRING a cpu 0.950");
    r.step(0.1).step(0.1); // cleared at 40 s: still firing at 50 s
    assertThat(r.state()).isEqualTo(Alert.State.FIRING);
    r.step(0.1); // 20 s after it cleared
    assertThat(r.sent).containsExactly("30s FIRING a cpu 0.950", "60s RESOLVED a cpu 0.950");
    assertThat(r.book.alerts()).isEmpty();
    Alert labels =
        new Run(CPU.withFor(Duration.ZERO)).step(0.9).book.alerts().values().iterator().next();
    assertThat(labels.labels())
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(
                Map.of("alertname", "NodeCpuHigh", "node", "a", "severity", "warning")));
  }

  @Test
  void aConditionBackWithinTheResolveDelayKeepsTheAlertFiringWithoutANewNotification() {
    Run r = new Run(CPU.withFor(Duration.ZERO));
    r.step(0.9).step(0.1).step(0.9).step(0.1).step(0.9);
    assertThat(r.sent).containsExactly("0s FIRING a cpu 0.900");
    assertThat(r.state()).isEqualTo(Alert.State.FIRING);
  }

  @Test
  void aPendingAlertThatClearsIsForgottenAndStartsItsForAgain() {
    Run r = new Run(CPU);
    r.step(0.9).step(0.9).step(0.1).step(0.9).step(0.9).step(0.9);
    assertThat(r.sent).isEmpty();
    r.step(0.9);
    assertThat(r.sent).containsExactly("60s FIRING a cpu 0.900");
  }

  @Test
  void aSilencedAlertIsNotSentUntilTheSilenceEndsAndThenOnlyIfItStillFires() {
    Run r = new Run(CPU.withFor(Duration.ZERO));
    r.silences =
        List.of(
            new Silence(
                "s1", Map.of("alertname", "NodeCpuHigh"), T0, T0.plusSeconds(25), "maintenance"));
    r.step(0.9);
    assertThat(r.book.alerts().values().iterator().next().silencedBy()).isEqualTo("s1");
    r.step(0.9).step(0.9);
    assertThat(r.sent).isEmpty();
    r.step(0.9); // 30 s: the silence ended at 25 s
    assertThat(r.sent).containsExactly("30s FIRING a cpu 0.900");

    Run quiet = new Run(CPU.withFor(Duration.ZERO));
    quiet.silences = List.of(new Silence("s2", Map.of("node", "a"), T0, T0.plusSeconds(3600), ""));
    quiet.step(0.9).step(0.1).step(0.1).step(0.1);
    assertThat(quiet.sent).as("a firing never sent is not resolved either").isEmpty();
  }

  @Test
  void aRuleTakenAwayResolvesWhatItFired() {
    Run r = new Run(CPU.withFor(Duration.ZERO)).step(0.9);
    AlertEvaluator.Evaluation e =
        AlertEvaluator.evaluate(List.of(), List.of(), r.book, List.of(), r.now);
    assertThat(e.notifications())
        .extracting(Notification::kind)
        .containsExactly(Notification.Kind.RESOLVED);
    assertThat(e.book().alerts()).isEmpty();
  }

  @Test
  void rulesAndSilencesRefuseBadFieldsByName() {
    assertThatThrownBy(() -> AlertRule.of("9lives", "x > 1", Severity.INFO, ""))
        .hasMessageContaining(
            "alert name must be letters, digits and _ not starting with a digit, was '9lives'");
    assertThatThrownBy(() -> CPU.withFor(Duration.ofSeconds(-1)))
        .hasMessageContaining("alert NodeCpuHigh: for must be in [0, 1d], was PT-1S");
    assertThatThrownBy(
            () ->
                new AlertRule(
                    "A",
                    AlertQuery.parse("x > 1"),
                    null,
                    null,
                    Severity.INFO,
                    Map.of("severity", "x"),
                    ""))
        .hasMessageContaining("label severity is set by the rule itself");
    assertThatThrownBy(() -> Severity.parse("page")).hasMessageContaining("was 'page'");
    assertThatThrownBy(() -> new Silence("s", Map.of(), T0, T0.plusSeconds(1), ""))
        .hasMessageContaining("give at least one matcher");
    assertThatThrownBy(() -> new Silence("s", Map.of("a", "b"), T0, T0, ""))
        .hasMessageContaining("endsAt must be after startsAt");
  }

  /**
   * Whatever the metric does: notifications alternate FIRING and RESOLVED starting with FIRING, and
   * no two come closer than the rule's delays allow.
   */
  @Property(tries = 300)
  void notificationsAlternateAndKeepTheirDelays(
      @ForAll @Size(min = 1, max = 80) List<Boolean> breaches,
      @ForAll @IntRange(min = 0, max = 6) int forSteps,
      @ForAll @IntRange(min = 0, max = 6) int keepSteps) {
    AlertRule rule =
        CPU.withFor(Duration.ofSeconds(10L * forSteps))
            .withKeepFiringFor(Duration.ofSeconds(10L * keepSteps));
    AlertBook book = AlertBook.EMPTY;
    Instant now = T0;
    Notification.Kind last = Notification.Kind.RESOLVED;
    Instant lastAt = null;
    for (boolean breach : breaches) {
      AlertEvaluator.Evaluation e =
          AlertEvaluator.evaluate(
              List.of(rule),
              List.of(new Series("node_cpu", Map.of("node", "a"), breach ? 0.9 : 0.1)),
              book,
              List.of(),
              now);
      for (Notification n : e.notifications()) {
        assertThat(n.kind()).isNotEqualTo(last);
        if (n.kind() == Notification.Kind.RESOLVED) {
          assertThat(Duration.between(lastAt, now))
              .isGreaterThanOrEqualTo(Duration.ofSeconds(10L * Math.max(1, keepSteps)));
        }
        last = n.kind();
        lastAt = now;
      }
      book = e.book();
      now = now.plusSeconds(10);
    }
  }
}
