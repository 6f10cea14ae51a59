package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.flow.Backpressure.State;
import io.tideflow.core.flow.Backpressure.Time;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackpressureTest {
  private final Flow flow = FlowTest.pipeline().build();

  @Test
  void theBusyInstanceABackpressuredOneSendsToIsTheRootCauseNotItsSlowLookingUpstream() {
    // count#2 is slow: the parse instances wait for room in its channel, the sources wait for
    // room in theirs; count#2 itself works all the time and the sink idles.
    Map<String, Time> times =
        Map.of(
            "source#0", new Time(0.1, 0.9, 0),
            "source#1", new Time(0.1, 0.9, 0),
            "parse#0", new Time(0.3, 0.7, 0),
            "parse#1", new Time(0.3, 0.7, 0),
            "count#0", new Time(0.3, 0, 0.7),
            "count#1", new Time(0.3, 0, 0.7),
            "count#2", new Time(0.97, 0, 0.03),
            "count#3", new Time(0.3, 0, 0.7),
            "sink#0", new Time(0.05, 0, 0.95));

    Backpressure.Diagnosis d = Backpressure.diagnose(flow, times, 0.9);

    assertThat(d.rootCauses()).containsExactly("count#2");
    assertThat(d.states())
        .containsEntry("parse#0", State.BACKPRESSURED)
        .containsEntry("count#2", State.BUSY)
        .containsEntry("sink#0", State.IDLE);
  }

  @Test
  void aBusyFlowThatNothingHoldsBackHasNoRootCause() {
    Map<String, Time> times =
        Map.of("source#0", new Time(1, 0, 0), "count#1", new Time(0.95, 0, 0));
    Backpressure.Diagnosis d = Backpressure.diagnose(flow, times, 0.9);
    assertThat(d.rootCauses()).isEmpty();
    assertThat(d.states())
        .containsEntry("source#1", State.IDLE)
        .containsEntry("count#1", State.BUSY);
  }
}
