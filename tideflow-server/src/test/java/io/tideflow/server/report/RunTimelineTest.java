package io.tideflow.server.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunTimelineTest {

  private static RunTimeline.Builder twoPoints() {
    return RunTimeline.builder("run").point(0, 100, 90, 1, 2, 8).point(1, 120, 118, 1, 2.5, 9);
  }

  @Test
  void rejectsNegativeOfferedLoadNamingThePointTheFieldAndTheValue() {
    assertThatThrownBy(() -> twoPoints().point(2, -5, 0, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("points[2].offeredPerSecond must be finite and >= 0, was -5.0");
  }

  @Test
  void rejectsNanLatency() {
    assertThatThrownBy(() -> twoPoints().point(2, 1, 1, 1, Double.NaN, 3))
        .hasMessage("points[2].p50Millis must be finite and >= 0, was NaN");
  }

  @Test
  void rejectsInfiniteThroughputAndNegativeNodeCounts() {
    assertThatThrownBy(() -> twoPoints().point(2, 1, Double.POSITIVE_INFINITY, 1, 1, 1))
        .hasMessage("points[2].throughputPerSecond must be finite and >= 0, was Infinity");
    assertThatThrownBy(() -> twoPoints().point(2, 1, 1, -1, 1, 1))
        .hasMessage("points[2].nodes must be >= 0, was -1");
  }

  @Test
  void rejectsNegativeRetriedAndFailedCounts() {
    assertThatThrownBy(() -> twoPoints().point(2, 1, 1, 1, 1, 1, -3, 0))
        .hasMessage("points[2].retried must be >= 0, was -3");
    assertThatThrownBy(() -> twoPoints().point(2, 1, 1, 1, 1, 1, 0, -4))
        .hasMessage("points[2].failed must be >= 0, was -4");
  }

  @Test
  void rejectsP99BelowP50() {
    assertThatThrownBy(() -> twoPoints().point(2, 1, 1, 1, 5, 4))
        .hasMessage("points[2].p99Millis must be >= p50Millis (5.0), was 4.0");
  }

  @Test
  void rejectsTimesThatRepeatOrGoBackwards() {
    assertThatThrownBy(() -> twoPoints().point(1, 1, 1, 1, 1, 1).build())
        .hasMessage(
            "points[2].timeSeconds must be greater than points[1].timeSeconds (1.0)," + " was 1.0");
    assertThatThrownBy(() -> twoPoints().point(0.5, 1, 1, 1, 1, 1).build())
        .hasMessageContaining("points[2].timeSeconds")
        .hasMessageEndingWith("was 0.5");
  }

  @Test
  void rejectsEventsWithNegativeTimeOrBlankKind() {
    assertThatThrownBy(() -> twoPoints().event(-1, "scale-up", "x"))
        .hasMessage("events[0].timeSeconds must be finite and >= 0, was -1.0");
    assertThatThrownBy(() -> twoPoints().event(1, " ", "x"))
        .hasMessage("events[0].kind must not be blank, was ' '");
  }

  @Test
  void rejectsABlankTitleAndBlankSummaryKeys() {
    assertThatThrownBy(() -> RunTimeline.builder("  ").build())
        .hasMessage("title must not be blank, was '  '");
    assertThatThrownBy(() -> twoPoints().summary("", "1"))
        .hasMessage("summary key must not be blank, was ''");
  }

  @Test
  void keepsEventsInTimeOrderAndSameSecondEventsInInsertionOrder() {
    RunTimeline timeline =
        twoPoints()
            .event(1, "scale-down", "b")
            .event(0, "scale-up", "a")
            .event(1, "node killed", "c")
            .build();

    assertThat(timeline.events())
        .extracting(RunTimeline.Event::label)
        .containsExactly("a", "b", "c");
  }

  @Test
  void keepsSummaryLinesInInsertionOrder() {
    RunTimeline timeline =
        twoPoints()
            .summary("submitted", "20,000")
            .summary("failed", "0")
            .summary("duration", "2s")
            .build();

    assertThat(timeline.summary().keySet()).containsExactly("submitted", "failed", "duration");
  }

  @Test
  void isImmutable() {
    RunTimeline timeline = twoPoints().summary("a", "b").build();

    assertThatThrownBy(() -> timeline.points().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> timeline.summary().put("c", "d"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void endsAtTheLastPointOrTheLastEventWhicheverIsLater() {
    assertThat(twoPoints().build().endSeconds()).isEqualTo(1);
    assertThat(twoPoints().event(7, "scale-down", "late").build().endSeconds()).isEqualTo(7);
    assertThat(RunTimeline.builder("empty").build().endSeconds()).isZero();
  }

  @Test
  void knowsWhetherAnyPointCarriesRetriesOrFailures() {
    assertThat(twoPoints().build().hasRetriesOrFailures()).isFalse();
    assertThat(twoPoints().point(2, 1, 1, 1, 1, 1, 0, 2).build().hasRetriesOrFailures()).isTrue();
    assertThat(new RunTimeline("t", List.of(), List.of(), Map.of()).isEmpty()).isTrue();
  }
}
