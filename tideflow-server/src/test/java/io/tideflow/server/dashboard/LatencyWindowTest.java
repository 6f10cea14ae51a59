package io.tideflow.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.server.http.MetricsServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyWindowTest {
  @Test
  void interpolatesInsideTheBucketTheRankFallsIn() {
    double[] upper = {10, 20, 40};
    double[] cumulative = {50, 90, 100};
    assertThat(LatencyWindow.quantile(0.5, upper, cumulative)).isEqualTo(10);
    assertThat(LatencyWindow.quantile(0.7, upper, cumulative)).isEqualTo(15);
    assertThat(LatencyWindow.quantile(0.99, upper, cumulative)).isCloseTo(38, within(1e-9));
    assertThat(LatencyWindow.quantile(0.5, upper, new double[] {0, 0, 0})).isNaN();
  }

  @Test
  void seesOnlyWhatWasRecordedSinceTheLastCall() {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    LatencyWindow window = new LatencyWindow(registry);
    assertThat(window.sinceLastCall(0.5)).containsExactly(Double.NaN);

    Timer timer =
        Timer.builder(LatencyWindow.TIMER).publishPercentileHistogram().register(registry);
    for (int i = 0; i < 100; i++) {
      timer.record(Duration.ofMillis(2));
    }
    assertThat(window.sinceLastCall(0.5)[0]).isBetween(1.0, 3.0);
    for (int i = 0; i < 100; i++) {
      timer.record(Duration.ofMillis(500));
    }
    // The 2 ms tasks are behind the window now: only the slow ones count.
    assertThat(window.sinceLastCall(0.5)[0]).isBetween(400.0, 600.0);
    assertThat(window.sinceLastCall(0.5, 0.99)).containsExactly(Double.NaN, Double.NaN);
  }
}
