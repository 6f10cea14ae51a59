package io.tideflow.core.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Recent samples of a pool's metrics, oldest first: the input of every scaling policy. Values are
 * per-pool averages; utilizations ({@link #CPU}, {@link #MEMORY}, {@link #NETWORK}, {@link #QUEUE})
 * are fractions of capacity, {@code 0..1} and above when overloaded.
 */
public record MetricsWindow(List<Sample> samples) {
  public static final String CPU = "cpu";
  public static final String MEMORY = "memory";
  public static final String NETWORK = "network";

  /** Queued work as a fraction of what the pool can hold in its queues. */
  public static final String QUEUE = "queue";

  /** Metric values measured at one instant. */
  public record Sample(Instant at, Map<String, Double> values) {
    public Sample {
      if (at == null) {
        throw new IllegalArgumentException("at must not be null");
      }
      values.forEach(
          (name, v) -> {
            if (v == null || v.isNaN() || v < 0) {
              throw new IllegalArgumentException(
                  "metric " + name + " must be a number >= 0, was " + v);
            }
          });
      values = Map.copyOf(values);
    }
  }

  public MetricsWindow {
    List<Sample> sorted = new ArrayList<>(samples);
    sorted.sort(Comparator.comparing(Sample::at));
    samples = List.copyOf(sorted);
  }

  public static MetricsWindow of(Sample... samples) {
    return new MetricsWindow(List.of(samples));
  }

  /** The newest value of {@code metric}, if any sample has it. */
  public OptionalDouble latest(String metric) {
    for (int i = samples.size() - 1; i >= 0; i--) {
      Double v = samples.get(i).values().get(metric);
      if (v != null) {
        return OptionalDouble.of(v);
      }
    }
    return OptionalDouble.empty();
  }

  /** The mean of {@code metric} over samples no older than {@code span} before {@code now}. */
  public OptionalDouble average(String metric, Duration span, Instant now) {
    Instant from = now.minus(span);
    double sum = 0;
    int n = 0;
    for (Sample s : samples) {
      Double v = s.values().get(metric);
      if (v != null && !s.at().isBefore(from) && !s.at().isAfter(now)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / n);
  }
}
